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
    /// task's own later write of it in a step that does not read the slot (a *blind* write: see
    /// [`Analysis::blind_writes_of`]): so only slots the task may both read and write blindly,
    /// where lost updates are tracked, need one. Every other mark stays
    /// [`crate::state::LU_NONE`] in the fast explorers, and the packed state has no field for it.
    keeps_mark: Vec<Vec<bool>>,
    /// Per body, per pc (`0..=end`): the locals that are dead there, other than the task's
    /// index: every path from `pc` writes them before it reads them (or never reads them), so
    /// their values cannot change what the task does. The fast explorers reset them to 0 after
    /// each step, so that states differing only there are one state, as SPIN's dead variable
    /// reduction does.
    dead: Vec<Vec<Vec<u32>>>,
    /// Per body, per pc (`0..=end`): the `for` loops whose rounds it is in, outermost first, as
    /// (the pc of the loop's `ForEnter`, the local slot of its variable). See
    /// [`Analysis::advances`].
    loops: Vec<Vec<Vec<(u32, u32)>>>,
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
        let blind: Vec<Vec<bool>> = model.bodies.iter().map(Self::blind_writes_of).collect();
        let keeps_mark = super::por::touched(model, |body, pc| blind[body][pc])
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
            loops: model.bodies.iter().map(Self::loops_of).collect(),
        }
    }

    /// Per pc, the `for` loops around it: a loop entered at `p` runs its rounds over
    /// `p + 1..exit` (its body and its `ForNext`).
    fn loops_of(body: &TaskBody) -> Vec<Vec<(u32, u32)>> {
        let mut loops = vec![Vec::new(); body.code.len() + 1];
        for (p, instr) in body.code.iter().enumerate() {
            if let InstrKind::ForEnter { var, exit, .. } = instr.kind {
                let rounds = (p + 1).min(loops.len())..(exit as usize).min(loops.len());
                for l in &mut loops[rounds] {
                    l.push((p as u32, var));
                }
            }
        }
        loops
    }

    /// Whether a task of body `body` that went from `pc` with `locals` to `pc2` with `locals2`
    /// (canonical, both) moved forward in its *progress order*: its position in the run, as the
    /// sequence of, for each `for` loop it is in (outermost first), the loop's start and its
    /// variable's value, then the pc; compared lexicographically, a sequence before any longer
    /// one it begins. A step that does not move its task forward is the only kind that can close
    /// a cycle of states: the cycle proviso ([`super::por`]).
    pub fn advances<'a>(
        &self,
        body: usize,
        (pc, locals): (u32, &'a [i64]),
        (pc2, locals2): (u32, &'a [i64]),
    ) -> bool {
        let (outside, outside2) = (
            self.loops[body][pc as usize].is_empty(),
            self.loops[body][pc2 as usize].is_empty(),
        );
        if outside && outside2 {
            return pc2 > pc;
        }
        let order = |pc: u32, locals: &'a [i64]| {
            self.loops[body][pc as usize]
                .iter()
                .flat_map(move |&(p, var)| [i64::from(p), locals[var as usize]])
                .chain([i64::from(pc)])
        };
        order(pc2, locals2).cmp(order(pc, locals)) == std::cmp::Ordering::Greater
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
            let fx = effects(&instr.kind);
            for e in fx.evaluates {
                locals_read(e, &mut |i| set(&mut uses[pc], i));
            }
            fx.reads.iter().for_each(|&i| set(&mut uses[pc], i));
            fx.sets.iter().for_each(|&i| set(&mut defs[pc], i));
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

    /// Per pc: whether the instruction there is a write that its step may make without reading
    /// the slot it writes (a *blind* write, the only kind a lost update can be). A write is not
    /// blind when the step surely reads the same slot before it: in the write itself (`x = x + 1`,
    /// `m[k] = m[k] - 1`, the key being evaluated first), or, inside an `atomic` block, in an
    /// instruction every path from the block's start to the write runs (a condition, an
    /// assignment), with the key's locals unchanged since (`if m[h] == u { m[h] = u + 1 }`). A
    /// read on the right of `&&` or `||` may be skipped, so it does not count. Outside an
    /// `atomic` block a write closes its step, and the local statements before it in the step
    /// read no shared state.
    fn blind_writes_of(body: &TaskBody) -> Vec<bool> {
        let end = body.code.len();
        let mut blind = vec![false; end];
        // The reads every path has made since the start of the block, per pc of the block
        // (`None`: no path seen yet).
        let mut facts: Vec<Option<Vec<Read>>> = vec![None; end + 1];
        let mut block_end = vec![usize::MAX; end];
        let mut pc = 0;
        while pc < end {
            if let InstrKind::AtomicBegin { end: close } = body.code[pc].kind {
                let close = (close as usize).min(end);
                block_end[pc..=close.min(end - 1)].fill(close);
                pc = close + 1;
            } else {
                pc += 1;
            }
        }
        // Entering a block other than at its start: nothing is known there.
        let mut succ = Vec::new();
        for from in 0..end {
            successors(body, from, &mut succ);
            for &to in &succ {
                if to < end && block_end[to] != usize::MAX && block_end[from] != block_end[to] {
                    facts[to] = Some(Vec::new());
                }
            }
        }
        let mut changed = true;
        while changed {
            changed = false;
            for pc in 0..end {
                let instr = &body.code[pc];
                let inside = block_end[pc] != usize::MAX;
                let starts = matches!(instr.kind, InstrKind::AtomicBegin { .. });
                let known: Vec<Read> = if !inside || starts {
                    Vec::new()
                } else {
                    match &facts[pc] {
                        Some(f) => f.clone(),
                        None => continue,
                    }
                };
                let (out, write_blind) = step_reads(&instr.kind, known);
                if write_blind && !blind[pc] {
                    blind[pc] = true;
                    changed = true;
                }
                if !inside || pc == block_end[pc] {
                    continue;
                }
                successors(body, pc, &mut succ);
                for &to in &succ {
                    if to >= end || block_end[to] != block_end[pc] {
                        continue;
                    }
                    let met = match &facts[to] {
                        None => out.clone(),
                        Some(f) => f.iter().filter(|r| out.contains(r)).cloned().collect(),
                    };
                    if facts[to].as_ref() != Some(&met) {
                        facts[to] = Some(met);
                        changed = true;
                    }
                }
            }
        }
        blind
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

/// A shared location read: a variable, and the key it was read at (`None` for a scalar).
type Read = (u32, Option<Expr>);

/// Adds to `reads` what evaluating `e` surely reads (not the right of `&&` and `||`).
fn sure_reads(e: &Expr, reads: &mut Vec<Read>) {
    match e {
        Expr::Const(_) | Expr::Local(_) => {}
        Expr::Shared(var) => {
            if !reads.contains(&(*var, None)) {
                reads.push((*var, None));
            }
        }
        Expr::MapGet { var, key } => {
            sure_reads(key, reads);
            if !reads
                .iter()
                .any(|(v, k)| v == var && k.as_ref() == Some(&**key))
            {
                reads.push((*var, Some((**key).clone())));
            }
        }
        Expr::Unary(_, a) => sure_reads(a, reads),
        Expr::Binary(migcheck_lang::ir::BinOp::And | migcheck_lang::ir::BinOp::Or, a, _) => {
            sure_reads(a, reads)
        }
        Expr::Binary(_, a, b) => {
            sure_reads(a, reads);
            sure_reads(b, reads);
        }
    }
}

/// What one instruction does to the reads known to have been made in its step: the reads after
/// it, and whether it is a write that may be blind (see [`Analysis::blind_writes_of`]).
fn step_reads(kind: &InstrKind, mut known: Vec<Read>) -> (Vec<Read>, bool) {
    let fx = effects(kind);
    for e in &fx.evaluates {
        sure_reads(e, &mut known);
    }
    let (blind, written) = match kind {
        InstrKind::SetShared { var, key, .. } => {
            (!known.contains(&(*var, key.clone())), Some(*var))
        }
        _ => (false, None),
    };
    // A read's key that reads a local set since, or a shared variable written since, may name
    // another slot now.
    known.retain(|(_, key)| {
        let mut stale = false;
        if let Some(k) = key {
            locals_read(k, &mut |l| {
                stale |= fx.sets.contains(&l) || fx.may_set.contains(&l)
            });
            if let Some(var) = written {
                let mut vars = Vec::new();
                shared_read(k, &mut vars);
                stale |= vars.contains(&var);
            }
        }
        !stale
    });
    (known, blind)
}

/// What an instruction does with locals and expressions, for the analyses.
struct Effects<'a> {
    /// The expressions it evaluates, in order (a map write's key before its value).
    evaluates: Vec<&'a Expr>,
    /// Locals it reads other than through those expressions.
    reads: Vec<u32>,
    /// Locals it sets whenever it runs, and those it sets only sometimes.
    sets: Vec<u32>,
    may_set: Vec<u32>,
}

/// The bounds a `choose` or `for` evaluates.
fn bounds(d: &Domain) -> Vec<&Expr> {
    match d {
        Domain::Range { lo, hi } => vec![lo, hi],
        Domain::Enum(_) => Vec::new(),
    }
}

fn effects(kind: &InstrKind) -> Effects<'_> {
    let mut fx = Effects {
        evaluates: Vec::new(),
        reads: Vec::new(),
        sets: Vec::new(),
        may_set: Vec::new(),
    };
    match kind {
        InstrKind::SetLocal { slot, value } => {
            fx.evaluates.push(value);
            fx.sets.push(*slot);
        }
        InstrKind::SetShared { key, value, .. } => {
            fx.evaluates.extend(key);
            fx.evaluates.push(value);
        }
        InstrKind::Await(c)
        | InstrKind::Assert { cond: c, .. }
        | InstrKind::Branch { cond: c, .. } => fx.evaluates.push(c),
        InstrKind::Choose { slot, domain } => {
            fx.evaluates.extend(bounds(domain));
            fx.sets.push(*slot);
        }
        InstrKind::ForEnter {
            var,
            end_slot,
            domain,
            ..
        } => {
            fx.evaluates.extend(bounds(domain));
            fx.sets.extend([*var, *end_slot]);
        }
        // Advances `var` only while the loop goes on.
        InstrKind::ForNext { var, end_slot, .. } => {
            fx.reads.extend([*var, *end_slot]);
            fx.may_set.push(*var);
        }
        InstrKind::Clear { from, to } => fx.sets.extend(*from..*to),
        InstrKind::Lock(_)
        | InstrKind::Unlock(_)
        | InstrKind::Skip
        | InstrKind::Return
        | InstrKind::Either { .. }
        | InstrKind::AtomicBegin { .. }
        | InstrKind::AtomicEnd
        | InstrKind::Jump(_) => {}
    }
    fx
}

/// Calls `f` with every local that evaluating `e` may read.
fn locals_read(e: &Expr, f: &mut impl FnMut(u32)) {
    each_read(e, &mut |r| {
        if let Access::Local(l) = r {
            f(l)
        }
    });
}

/// Adds to `vars` every shared variable that evaluating `e` may read.
fn shared_read(e: &Expr, vars: &mut Vec<u32>) {
    each_read(e, &mut |r| {
        if let Access::Shared(v) = r {
            vars.push(v)
        }
    });
}

/// What an expression may read: a local, or a shared variable.
enum Access {
    Local(u32),
    Shared(u32),
}

/// Calls `f` with everything that evaluating `e` may read.
fn each_read(e: &Expr, f: &mut impl FnMut(Access)) {
    match e {
        Expr::Const(_) => {}
        Expr::Local(slot) => f(Access::Local(*slot)),
        Expr::Shared(var) => f(Access::Shared(*var)),
        Expr::MapGet { var, key } => {
            f(Access::Shared(*var));
            each_read(key, f);
        }
        Expr::Unary(_, a) => each_read(a, f),
        Expr::Binary(_, a, b) => {
            each_read(a, f);
            each_read(b, f);
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

    #[test]
    fn a_mark_is_kept_only_where_a_write_may_be_blind() {
        // One variable per case, one task each; a mark is kept where the task's write may be
        // made by a step that does not read the slot.
        let k = kept(
            "model m\nshared a: int = 0\nshared b: int = 0\nshared c: map[0..2] int = 0\n\
             shared d: map[0..2] int = 0\nshared e: map[0..2] int = 0\nshared f: int = 0\n\
             task ta { a = a + 1 }\n\
             task tb { let v = b; b = v + 1 }\n\
             task tc { let h = 1; let u = c[h]; atomic { if c[h] == u { c[h] = u + 1 } } }\n\
             task td { let h = 1; let u = d[h]; atomic { if d[h] == u { h = 0; d[h] = u } } }\n\
             task te { atomic { either { let z = e[0] } or { skip }; e[0] = 1 } }\n\
             task tf { atomic { let z = f; while z < 3 { z = z + 1; f = z } } }\n\
             task tg { atomic { let z = c[a]; a = 1; c[a] = z } }\n",
        );
        // Slots: a 0, b 1, c 2..4, d 4..6, e 6..8, f 8.
        assert_eq!(k[0], Vec::<usize>::new(), "a = a + 1 reads a");
        assert_eq!(k[1], vec![1], "b is read one step, written the next");
        assert_eq!(
            k[2],
            Vec::<usize>::new(),
            "the compare-and-set reads c[h] first"
        );
        assert_eq!(k[3], vec![4, 5], "h changed between the read and the write");
        assert_eq!(k[4], vec![6], "one branch does not read e[0]");
        assert_eq!(
            k[5],
            Vec::<usize>::new(),
            "f is read before the loop, every round"
        );
        // The key reads `a`, which the block writes between the read and the write.
        assert_eq!(k[6], vec![2, 3], "c[a] after a = 1 may be another slot");
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
