//! What the fast explorer knows about a model before it runs: per task body and program counter,
//! which shared variables the task may still write, whether its next step could block, and which
//! of its locals are dead (no path reads them before writing them); per task, which lost-update
//! marks it can ever carry that can matter.

use migcheck_lang::ir::{Domain, Expr, InstrKind, Model, TaskBody};

/// Static facts about every task body.
pub struct Analysis {
    /// Per body, per pc (`0..=end`): the shared variables (by index) that some step from this pc
    /// on may write, as a bit set over variables.
    future_writes: Vec<Vec<Vec<u64>>>,
    /// Per body, per pc: whether the step that starts here could block (its closing statement,
    /// or the first statement of its `atomic` block, is a `lock` or an `await`).
    may_block: Vec<Vec<bool>>,
    /// Per task instance, per shared slot: whether the task's lost-update mark there can matter.
    /// A mark is set only by the task's own read of the slot, and tells something only to the
    /// task's own later write of it: so only slots the task may both read and write, where lost
    /// updates are tracked, need one. Every other mark stays [`crate::state::LU_NONE`] in the
    /// fast explorers, and the packed state has no field for it.
    keeps_mark: Vec<Vec<bool>>,
    /// Per body, per pc (`0..=end`): the locals that are dead there, other than the task's
    /// index: every path from `pc` writes them before it reads them (or never reads them), so
    /// their values cannot change what the task does. The fast explorers reset them to 0 after
    /// each step, so that states differing only there are one state, as SPIN's dead variable
    /// reduction does.
    dead: Vec<Vec<Vec<u32>>>,
}

/// The pcs control may go to after the instruction at `pc` (`end` for leaving the task).
pub(crate) fn successors(body: &TaskBody, pc: usize, out: &mut Vec<usize>) {
    let end = body.code.len();
    out.clear();
    match &body.code[pc].kind {
        InstrKind::Jump(t) => out.push((*t as usize).min(end)),
        InstrKind::Branch { target, .. } => out.extend([pc + 1, *target as usize]),
        InstrKind::Either { targets } => out.extend(targets.iter().map(|t| *t as usize)),
        InstrKind::ForEnter { exit, .. } => out.extend([pc + 1, *exit as usize]),
        InstrKind::ForNext { body: b, .. } => out.extend([pc + 1, *b as usize]),
        InstrKind::Return => out.push(end),
        _ => out.push(pc + 1),
    }
    for s in out.iter_mut() {
        *s = (*s).min(end);
    }
}

impl Analysis {
    pub fn new(model: &Model) -> Analysis {
        let words = model.shared.len().div_ceil(64).max(1);
        let mut future_writes = Vec::with_capacity(model.bodies.len());
        let mut may_block = Vec::with_capacity(model.bodies.len());
        let dead = model.bodies.iter().map(Self::dead_of).collect();
        for body in &model.bodies {
            future_writes.push(Self::future_writes_of(body, words));
            may_block.push(
                (0..=body.code.len())
                    .map(|pc| Self::blocks(body, pc))
                    .collect(),
            );
        }
        let keeps_mark = super::por::touched(model)
            .into_iter()
            .map(|(reads, writes)| {
                let mut keep = vec![false; model.num_slots];
                for v in model.shared.iter().filter(|v| !v.last_writer_wins) {
                    for s in v.base_slot..v.base_slot + v.len {
                        let bit = |bits: &[u64]| bits[s / 64] & (1 << (s % 64)) != 0;
                        keep[s] = bit(&reads) && bit(&writes);
                    }
                }
                keep
            })
            .collect();
        Analysis {
            future_writes,
            may_block,
            keeps_mark,
            dead,
        }
    }

    /// Backward fixed point: a pc may write what it writes itself and what its successors may.
    fn future_writes_of(body: &TaskBody, words: usize) -> Vec<Vec<u64>> {
        let end = body.code.len();
        let mut sets = vec![vec![0u64; words]; end + 1];
        let mut succ = Vec::new();
        let mut changed = true;
        while changed {
            changed = false;
            for pc in (0..end).rev() {
                let mut set = sets[pc].clone();
                if let InstrKind::SetShared { var, .. } = body.code[pc].kind {
                    set[var as usize / 64] |= 1 << (var % 64);
                }
                successors(body, pc, &mut succ);
                for &s in &succ {
                    for (w, x) in set.iter_mut().zip(&sets[s]) {
                        *w |= x;
                    }
                }
                if set != sets[pc] {
                    sets[pc] = set;
                    changed = true;
                }
            }
        }
        sets
    }

    /// Whether a step starting at `pc` could end blocked: follows the local statements (every
    /// branch) to each shared statement the step could close on.
    fn blocks(body: &TaskBody, pc: usize) -> bool {
        let end = body.code.len();
        let mut seen = vec![false; end + 1];
        let mut stack = vec![pc];
        let mut succ = Vec::new();
        while let Some(pc) = stack.pop() {
            if pc >= end || std::mem::replace(&mut seen[pc], true) {
                continue;
            }
            let instr = &body.code[pc];
            if instr.shared {
                match &instr.kind {
                    InstrKind::Lock(_) | InstrKind::Await(_) => return true,
                    InstrKind::AtomicBegin { end: close } => {
                        let inner = &body.code[pc + 1..(*close as usize).min(end)];
                        if inner
                            .iter()
                            .any(|i| matches!(i.kind, InstrKind::Lock(_) | InstrKind::Await(_)))
                        {
                            return true;
                        }
                    }
                    _ => {}
                }
                continue;
            }
            successors(body, pc, &mut succ);
            stack.extend(&succ);
        }
        false
    }

    /// Backward fixed point of liveness: a local is live at a pc when the instruction there reads
    /// it, or it is live after and the instruction does not set it (the index is always live).
    fn dead_of(body: &TaskBody) -> Vec<Vec<u32>> {
        let end = body.code.len();
        let words = body.locals.len().div_ceil(64).max(1);
        let set = |bits: &mut [u64], i: u32| bits[i as usize / 64] |= 1 << (i % 64);
        let (mut uses, mut defs) = (vec![vec![0u64; words]; end], vec![vec![0u64; words]; end]);
        for (pc, instr) in body.code.iter().enumerate() {
            let (u, d) = (&mut uses[pc], &mut defs[pc]);
            let mut read = |e: &Expr| locals_read(e, &mut |i| set(u, i));
            match &instr.kind {
                InstrKind::SetLocal { slot, value } => {
                    read(value);
                    set(d, *slot);
                }
                InstrKind::SetShared { key, value, .. } => {
                    key.iter().for_each(&mut read);
                    read(value);
                }
                InstrKind::Await(c)
                | InstrKind::Assert { cond: c, .. }
                | InstrKind::Branch { cond: c, .. } => read(c),
                InstrKind::Choose { slot, domain } => {
                    if let Domain::Range { lo, hi } = domain {
                        read(lo);
                        read(hi);
                    }
                    set(d, *slot);
                }
                InstrKind::ForEnter {
                    var,
                    end_slot,
                    domain,
                    ..
                } => {
                    if let Domain::Range { lo, hi } = domain {
                        read(lo);
                        read(hi);
                    }
                    set(d, *var);
                    set(d, *end_slot);
                }
                // Sets `var` only while the loop goes on: a read, not a write.
                InstrKind::ForNext { var, end_slot, .. } => {
                    set(u, *var);
                    set(u, *end_slot);
                }
                InstrKind::Clear { from, to } => (*from..*to).for_each(|i| set(d, i)),
                InstrKind::Lock(_)
                | InstrKind::Unlock(_)
                | InstrKind::Skip
                | InstrKind::Return
                | InstrKind::Either { .. }
                | InstrKind::AtomicBegin { .. }
                | InstrKind::AtomicEnd
                | InstrKind::Jump(_) => {}
            }
        }
        let mut live = vec![vec![0u64; words]; end + 1];
        let mut succ = Vec::new();
        let mut changed = true;
        while changed {
            changed = false;
            for pc in (0..end).rev() {
                let mut out = vec![0u64; words];
                successors(body, pc, &mut succ);
                for &s in &succ {
                    for (o, l) in out.iter_mut().zip(&live[s]) {
                        *o |= l;
                    }
                }
                let now: Vec<u64> = (0..words)
                    .map(|w| uses[pc][w] | (out[w] & !defs[pc][w]))
                    .collect();
                if now != live[pc] {
                    live[pc] = now;
                    changed = true;
                }
            }
        }
        live.iter()
            .map(|l| {
                (0..body.locals.len() as u32)
                    .filter(|&i| l[i as usize / 64] & (1 << (i % 64)) == 0)
                    .filter(|&i| Some(i) != body.index_slot)
                    .collect()
            })
            .collect()
    }

    /// The locals of a task of body `body` that are dead at `pc` (see the field).
    pub fn dead(&self, body: usize, pc: usize) -> &[u32] {
        &self.dead[body][pc]
    }

    /// Whether a task of body `body` at `pc` may still write shared variable `var`.
    pub fn may_write(&self, body: usize, pc: usize, var: usize) -> bool {
        self.future_writes[body][pc][var / 64] & (1 << (var % 64)) != 0
    }

    /// Whether the step of a task of body `body` at `pc` could block.
    pub fn may_block(&self, body: usize, pc: usize) -> bool {
        self.may_block[body][pc]
    }

    /// Per shared slot: whether task instance `task`'s lost-update mark there can matter (see
    /// the field).
    pub fn keeps_mark(&self, task: usize) -> &[bool] {
        &self.keeps_mark[task]
    }
}

/// Calls `f` with every local that evaluating `e` may read.
fn locals_read(e: &Expr, f: &mut impl FnMut(u32)) {
    match e {
        Expr::Const(_) | Expr::Shared(_) => {}
        Expr::Local(slot) => f(*slot),
        Expr::MapGet { key, .. } => locals_read(key, f),
        Expr::Unary(_, a) => locals_read(a, f),
        Expr::Binary(_, a, b) => {
            locals_read(a, f);
            locals_read(b, f);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The slots where each task keeps its mark, by name.
    fn kept(source: &str) -> Vec<Vec<usize>> {
        let model = migcheck_lang::compile(source).expect("compiles");
        let a = Analysis::new(&model);
        (0..model.tasks.len())
            .map(|t| {
                let keep = a.keeps_mark(t);
                (0..model.num_slots).filter(|&s| keep[s]).collect()
            })
            .collect()
    }

    #[test]
    fn a_mark_is_kept_only_where_the_task_may_read_and_write_the_slot() {
        // Slots: x 0, y 1, hb 2, m 3..6.
        let k = kept(
            "model m\nshared x: int = 0\nshared y: int = 0\nshared hb: int = 0 last_writer_wins\n\
             shared m: map[0..3] int = 0\n\
             task rw { let v = x; x = v + 1; let w = hb; hb = w + 1 }\n\
             task wo { y = 1; x = 2 }\n\
             task t[i in 0..2] { let v = m[i]; m[i] = v + 1; let u = m[2] }\n\
             task any { choose k in 0..3; let v = m[k]; m[k] = v; let z = y }\n",
        );
        // rw reads and writes x; hb is last-writer-wins.
        assert_eq!(k[0], vec![0]);
        // wo never reads: no mark can ever be set.
        assert_eq!(k[1], Vec::<usize>::new());
        // t[i] reads m[i] and m[2] but writes only m[i] (a constant key for the instance).
        assert_eq!(k[2], vec![3]);
        assert_eq!(k[3], vec![4]);
        // A key that is not constant names every slot of the map; y is read, never written.
        assert_eq!(k[4], vec![3, 4, 5]);
    }

    /// The names of the locals dead at each pc of the first task's body.
    fn dead_names(source: &str) -> Vec<Vec<String>> {
        let model = migcheck_lang::compile(source).expect("compiles");
        let a = Analysis::new(&model);
        let body = &model.bodies[model.tasks[0].body as usize];
        (0..=body.code.len())
            .map(|pc| {
                a.dead(model.tasks[0].body as usize, pc)
                    .iter()
                    .map(|&l| body.locals[l as usize].name.clone())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_local_is_dead_where_every_path_writes_it_before_reading_it() {
        // pc 0: a = x; pc 1: x = a + 1; pc 2: x = 7.
        let d = dead_names("model m\nshared x: int = 0\ntask t { let a = x; x = a + 1; x = 7 }\n");
        assert_eq!(d, [vec!["a"], vec![], vec!["a"], vec!["a"]]);
        // A loop's counter is live all around the loop; the index is never dead.
        let d = dead_names(
            "model m\nshared m: map[0..2] int = 0\n\
             task t[i in 0..2] { let n = 0; while n < 2 { n = n + 1; m[i] = n }; m[i] = 0 }\n",
        );
        let last = d.len() - 2;
        assert_eq!(d[0], vec!["n"], "written by the first statement");
        assert!(d[1..last].iter().all(|dead| dead.is_empty()), "{d:?}");
        assert_eq!(d[last], vec!["n"], "after the loop: {d:?}");
        // A for loop's variable and bound are read by its advance.
        let d =
            dead_names("model m\nshared x: int = 0\ntask t { for k in 0..3 { x = k } ; x = 9 }\n");
        assert!(d[1].is_empty(), "inside the loop: {d:?}");
        assert_eq!(
            d[0].len(),
            2,
            "before the loop both are written first: {d:?}"
        );
    }
}
