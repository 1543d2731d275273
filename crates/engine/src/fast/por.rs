//! Partial-order reduction: from a state, expand only a *persistent set* of tasks when the other
//! tasks' steps cannot interfere with theirs, instead of every task.
//!
//! The set is built from static *footprints*, per task instance and program counter: which shared
//! slots and locks the step starting there may read, write or take (`step`), and which every step
//! from there to the task's end may (`future`). Map keys that are constant for the instance (built
//! from literals and the task's index) name one slot; any other key names every slot of the map.
//!
//! A set `P` of enabled tasks is *persistent* when no task outside `P` can ever, from where it
//! stands, take a step that conflicts with the current step of a task in `P`: reading or writing
//! a slot the other writes, or using the same lock. Then every interleaving of the other tasks
//! commutes with `P`'s steps, and exploring only `P`'s steps (Godefroid's persistent sets; Valmari's
//! stubborn sets) reaches every terminal state. The checks are made to lean on that alone:
//!
//! - deadlocks and final properties are properties of terminal states;
//! - an assertion, a model error or a lost update happens on a step; it is treated as a step into a
//!   terminal error state (whether a step fails depends only on what its footprint reads, and a
//!   task's lost-update mark on a slot changes only through steps that read or write that slot,
//!   which conflict with it);
//! - invariants are not terminal: a set whose steps write a slot that an invariant reads is never
//!   used (*visibility*), the state is expanded in full;
//! - a task that is blocked now but could later take a conflicting step makes the set unusable (it
//!   cannot be added: it has no step to add);
//! - *cycle proviso*: every cycle of the reduced graph must pass through a state expanded in full,
//!   so that no task is ignored forever around it. A task's *position* is its program counter,
//!   after the start and the variable's value of each `for` loop it is in, outermost first,
//!   ordered lexicographically ([`super::analysis::Analysis::advances`]): a total order, in which
//!   a step moves its own task and no other. Around a cycle every task's position comes back
//!   (with symmetry reduction, the positions of a family's instances come back as a multiset,
//!   which the same holds for: a multiset in which one element rises and none falls never comes
//!   back), so some step of the cycle does not move its task forward: a `while` loop's next
//!   round, say, but not a `for` loop's, whose variable rises. When a step of `P` does not move
//!   its task forward, the state is expanded in full. This is a static proviso in the manner of
//!   Kurshan et al.'s *Static partial order reduction* (TACAS 1998), decided from the step alone:
//!   it needs no look at the visited set (unlike SPIN's stack proviso, or the breadth-first one,
//!   "a step back to this level or an earlier one", which this one replaced), so every explorer
//!   decides it the same way as soon as the step ran, and on the benchmarks it expands fewer
//!   states in full (docs/BENCHMARKS.md).
//!
//! The reduced search proves `ok` verdicts. A violation it finds is not necessarily the shortest
//! (the shortest path may interleave tasks the reduction kept apart), so [`crate::check`] then
//! re-runs the search without reduction, which stops at the canonical shortest violation.

use migcheck_lang::ir::{Domain, Expr, InstrKind, Model, TaskBody};

use crate::state::State;
use crate::step::binary;

/// The buffer [`Por::persistent`] refines a footprint in, reused from state to state.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    observed: Option<Footprint>,
}

/// Bit sets over shared slots and locks.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Footprint {
    reads: Vec<u64>,
    writes: Vec<u64>,
    locks: Vec<u64>,
}

fn set(bits: &mut [u64], i: usize) {
    bits[i / 64] |= 1 << (i % 64);
}

fn meets(a: &[u64], b: &[u64]) -> bool {
    a.iter().zip(b).any(|(x, y)| x & y != 0)
}

fn union(a: &mut [u64], b: &[u64]) {
    for (x, y) in a.iter_mut().zip(b) {
        *x |= y;
    }
}

impl Footprint {
    fn empty(slot_words: usize, lock_words: usize) -> Footprint {
        Footprint {
            reads: vec![0; slot_words],
            writes: vec![0; slot_words],
            locks: vec![0; lock_words],
        }
    }

    fn add(&mut self, other: &Footprint) {
        union(&mut self.reads, &other.reads);
        union(&mut self.writes, &other.writes);
        union(&mut self.locks, &other.locks);
    }

    /// Whether a step with footprint `self` and one with `other` can fail to commute.
    fn conflicts(&self, other: &Footprint) -> bool {
        other.meets_slots(&self.reads, &self.writes) || meets(&self.locks, &other.locks)
    }

    /// Whether a step that reads the slots `reads` and writes `writes` can fail to commute with
    /// one of footprint `self` through a shared slot.
    fn meets_slots(&self, reads: &[u64], writes: &[u64]) -> bool {
        meets(writes, &self.writes) || meets(writes, &self.reads) || meets(reads, &self.writes)
    }
}

/// The footprints of one model's task instances, and what the invariants read.
pub struct Por {
    /// Per task instance, per pc (`0..=end`): the step starting there.
    step: Vec<Vec<Footprint>>,
    /// Per task instance, per pc: whether `step` is what every run of that step accesses (one
    /// path, constant keys), so that running it would tell nothing more.
    step_exact: Vec<Vec<bool>>,
    /// Per task instance, per pc: every step from there on.
    future: Vec<Vec<Footprint>>,
    /// The slots some invariant reads.
    invariant_reads: Vec<u64>,
}

/// Collects the accesses of one instance's instructions.
struct Collector<'a> {
    model: &'a Model,
    /// The instance's index and the local slot holding it.
    index: Option<(u32, i64)>,
    /// Set when a key that is not constant made an access name every slot of a map.
    vague: std::cell::Cell<bool>,
}

impl Collector<'_> {
    /// The value of `e` if it is the same whenever the instance evaluates it.
    fn constant(&self, e: &Expr) -> Option<i64> {
        match e {
            Expr::Const(v) => Some(*v),
            Expr::Local(slot) => self.index.filter(|(s, _)| s == slot).map(|(_, v)| v),
            Expr::Unary(op, a) => {
                let a = self.constant(a)?;
                match op {
                    migcheck_lang::ir::UnOp::Not => Some((a == 0) as i64),
                    migcheck_lang::ir::UnOp::Neg => a.checked_neg(),
                }
            }
            Expr::Binary(op, a, b) => binary(*op, self.constant(a)?, self.constant(b)?).ok(),
            Expr::Shared(_) | Expr::MapGet { .. } => None,
        }
    }

    /// Marks in `bits` the slots of `var` that key `key` may name.
    fn slots(&self, bits: &mut [u64], var: u32, key: Option<&Expr>) {
        let v = &self.model.shared[var as usize];
        let one = key.and_then(|k| self.constant(k)).and_then(|k| {
            v.key
                .and_then(|d| d.offset(k, &self.model.enums))
                .map(|off| v.base_slot + off)
        });
        match (key, one) {
            (None, _) => set(bits, v.base_slot),
            (Some(_), Some(slot)) => set(bits, slot),
            // A key out of the domain fails the step: reading no slot is then exact enough, but
            // marking every slot is simpler and safe.
            (Some(_), None) => {
                self.vague.set(true);
                (v.base_slot..v.base_slot + v.len).for_each(|s| set(bits, s));
            }
        }
    }

    fn reads(&self, f: &mut Footprint, e: &Expr) {
        match e {
            Expr::Const(_) | Expr::Local(_) => {}
            Expr::Shared(var) => self.slots(&mut f.reads, *var, None),
            Expr::MapGet { var, key } => {
                self.reads(f, key);
                self.slots(&mut f.reads, *var, Some(key));
            }
            Expr::Unary(_, a) => self.reads(f, a),
            Expr::Binary(_, a, b) => {
                self.reads(f, a);
                self.reads(f, b);
            }
        }
    }

    fn domain(&self, f: &mut Footprint, d: &Domain) {
        if let Domain::Range { lo, hi } = d {
            self.reads(f, lo);
            self.reads(f, hi);
        }
    }

    /// The accesses of one instruction.
    fn instr(&self, f: &mut Footprint, kind: &InstrKind) {
        match kind {
            InstrKind::SetLocal { value, .. } => self.reads(f, value),
            InstrKind::SetShared { var, key, value } => {
                if let Some(k) = key {
                    self.reads(f, k);
                }
                self.reads(f, value);
                self.slots(&mut f.writes, *var, key.as_ref());
            }
            InstrKind::Lock(l) | InstrKind::Unlock(l) => set(&mut f.locks, *l as usize),
            InstrKind::Await(c)
            | InstrKind::Assert { cond: c, .. }
            | InstrKind::Branch { cond: c, .. } => self.reads(f, c),
            InstrKind::Choose { domain, .. } | InstrKind::ForEnter { domain, .. } => {
                self.domain(f, domain)
            }
            InstrKind::Skip
            | InstrKind::Return
            | InstrKind::Either { .. }
            | InstrKind::ForNext { .. }
            | InstrKind::AtomicBegin { .. }
            | InstrKind::AtomicEnd
            | InstrKind::Jump(_)
            | InstrKind::Clear { .. } => {}
        }
    }
}

impl Por {
    pub fn new(model: &Model) -> Por {
        let slot_words = model.num_slots.div_ceil(64).max(1);
        let lock_words = model.locks.len().div_ceil(64).max(1);
        let empty = || Footprint::empty(slot_words, lock_words);
        let mut step = Vec::with_capacity(model.tasks.len());
        let mut step_exact = Vec::with_capacity(model.tasks.len());
        let mut future = Vec::with_capacity(model.tasks.len());
        for inst in &model.tasks {
            let body = &model.bodies[inst.body as usize];
            let c = Collector {
                model,
                index: body.index_slot.zip(inst.index),
                vague: std::cell::Cell::new(false),
            };
            let mut sharp = Vec::with_capacity(body.code.len());
            let own: Vec<Footprint> = body
                .code
                .iter()
                .map(|i| {
                    let mut f = empty();
                    c.vague.set(false);
                    c.instr(&mut f, &i.kind);
                    let branches = matches!(
                        i.kind,
                        InstrKind::Branch { .. }
                            | InstrKind::Either { .. }
                            | InstrKind::ForEnter { .. }
                            | InstrKind::ForNext { .. }
                            | InstrKind::Choose { .. }
                    );
                    sharp.push(!c.vague.get() && !branches);
                    f
                })
                .collect();
            let (steps, exact) = Self::steps_of(body, &own, &sharp, &empty);
            step.push(steps);
            step_exact.push(exact);
            future.push(Self::futures_of(body, &own, &empty));
        }
        let mut inv = empty();
        let c = Collector {
            model,
            index: None,
            vague: std::cell::Cell::new(false),
        };
        for p in &model.invariants {
            c.reads(&mut inv, &p.expr);
        }
        Por {
            step,
            step_exact,
            future,
            invariant_reads: inv.reads,
        }
    }

    /// Per pc, the footprint of the step starting there: the shared statements it can close on
    /// (a whole `atomic` block for one), reached through local statements.
    fn steps_of(
        body: &TaskBody,
        own: &[Footprint],
        sharp: &[bool],
        empty: &dyn Fn() -> Footprint,
    ) -> (Vec<Footprint>, Vec<bool>) {
        let end = body.code.len();
        let mut succ = Vec::new();
        (0..=end)
            .map(|start| {
                let mut f = empty();
                let mut exact = true;
                let mut seen = vec![false; end + 1];
                let mut stack = vec![start];
                while let Some(pc) = stack.pop() {
                    if pc >= end || std::mem::replace(&mut seen[pc], true) {
                        continue;
                    }
                    let instr = &body.code[pc];
                    exact &= sharp[pc];
                    if instr.shared {
                        f.add(&own[pc]);
                        if let InstrKind::AtomicBegin { end: close } = instr.kind {
                            let inside = pc..=(close as usize).min(end - 1);
                            for o in &own[inside.clone()] {
                                f.add(o);
                            }
                            exact &= sharp[inside].iter().all(|&s| s);
                        }
                        continue;
                    }
                    super::analysis::successors(body, pc, &mut succ);
                    stack.extend(&succ);
                }
                (f, exact)
            })
            .unzip()
    }

    /// Per pc, the union of every footprint reachable from it (a backward fixed point).
    fn futures_of(
        body: &TaskBody,
        own: &[Footprint],
        empty: &dyn Fn() -> Footprint,
    ) -> Vec<Footprint> {
        let end = body.code.len();
        let mut sets: Vec<Footprint> = (0..=end).map(|_| empty()).collect();
        let mut succ = Vec::new();
        let mut changed = true;
        while changed {
            changed = false;
            for pc in (0..end).rev() {
                let mut f = own[pc].clone();
                super::analysis::successors(body, pc, &mut succ);
                for &s in &succ {
                    f.add(&sets[s]);
                }
                if f != sets[pc] {
                    sets[pc] = f;
                    changed = true;
                }
            }
        }
        sets
    }

    /// A persistent set of tasks to expand in `state`, as a bit mask smaller than `enabled`, or
    /// `None` to expand every task. `enabled` and `finished` are bit masks of the tasks (at most
    /// 64) that can step and that have finished. `observe(t, reads, writes, go_on)` runs the
    /// resolutions of enabled task `t`'s step in order and marks the slots they read and wrote:
    /// where the static footprint of a step conflicts (it covers every path the step could take
    /// from its program counter, the loop's exit along with its next round), what the step does
    /// from this state decides instead. After each resolution it asks `go_on(reads, writes)`,
    /// and stops when that is false: what the resolutions so far did already keeps `t` out of
    /// every usable set, so the others need not run (planning keeps those that ran, and the
    /// expansion goes on from there).
    pub fn persistent(
        &self,
        state: &State,
        enabled: u64,
        finished: u64,
        scratch: &mut Scratch,
        mut observe: impl FnMut(usize, &mut [u64], &mut [u64], &mut dyn FnMut(&[u64], &[u64]) -> bool),
    ) -> Option<u64> {
        let tasks = state.pcs.len();
        let pc = |t: usize| state.pcs[t] as usize;
        let unfinished = !finished
            & if tasks == 64 {
                u64::MAX
            } else {
                (1 << tasks) - 1
            };
        // Per enabled task, worked out when a candidate set first needs it (a step is run to
        // refine its footprint only then): the tasks whose future conflicts with its step, and
        // whether the step is visible.
        let mut known = [None::<(u64, bool)>; 64];
        let observed = &mut scratch.observed;
        let mut info = |t: usize| -> (u64, bool) {
            if let Some(i) = known[t] {
                return i;
            }
            let mut step = &self.step[t][pc(t)];
            let against = |step: &Footprint| {
                let mut c = 0u64;
                for u in bits(unfinished & !(1 << t)) {
                    if step.conflicts(&self.future[u][pc(u)]) {
                        c |= 1 << u;
                    }
                }
                c
            };
            let mut c = against(step);
            // Running the step cannot remove a conflict through a lock (the locks stay the
            // static ones): when those alone reach a blocked task, or every other enabled task,
            // no persistent set smaller than all can hold this task, refined or not.
            let hopeless = || {
                let through_locks = bits(c)
                    .filter(|&u| meets(&step.locks, &self.future[u][pc(u)].locks))
                    .fold(0u64, |m, u| m | 1 << u);
                let others = enabled & !(1 << t);
                through_locks & !enabled != 0 || through_locks & others == others
            };
            if !self.step_exact[t][pc(t)]
                && (c != 0 || meets(&step.writes, &self.invariant_reads))
                && !hopeless()
            {
                let f = observed.get_or_insert_with(|| step.clone());
                f.reads.fill(0);
                f.writes.fill(0);
                f.locks.copy_from_slice(&step.locks);
                // What the resolutions run so far read and wrote is part of what they all do:
                // once that alone ties the task to a blocked task, to every other enabled task,
                // or to an invariant, no set holding it can be used, and the rest need not run.
                let mut poisoned = None;
                observe(t, &mut f.reads, &mut f.writes, &mut |reads, writes| {
                    let mut c = 0u64;
                    for u in bits(unfinished & !(1 << t)) {
                        if self.future[u][pc(u)].meets_slots(reads, writes) {
                            c |= 1 << u;
                        }
                    }
                    let others = enabled & !(1 << t);
                    if c & !enabled != 0
                        || c & others == others
                        || meets(writes, &self.invariant_reads)
                    {
                        poisoned = Some(c);
                        return false;
                    }
                    true
                });
                if let Some(c) = poisoned {
                    known[t] = Some((c, true));
                    return (c, true);
                }
                step = f;
                c = against(step);
            }
            let i = (c, meets(&step.writes, &self.invariant_reads));
            known[t] = Some(i);
            i
        };
        // A task whose step, as the static footprints tell, meets nothing another task may do
        // and is invisible is a persistent set alone: take the first one without running steps.
        let free = bits(enabled).find(|&t| {
            let step = &self.step[t][pc(t)];
            !meets(&step.writes, &self.invariant_reads)
                && bits(unfinished & !(1 << t)).all(|u| !step.conflicts(&self.future[u][pc(u)]))
        });
        if let Some(t) = free {
            return Some(1 << t);
        }
        let mut best: Option<u64> = None;
        for seed in bits(enabled) {
            if info(seed).1 {
                continue;
            }
            let mut set = 1u64 << seed;
            let mut fresh = set;
            let usable = loop {
                let mut reached = 0u64;
                for t in bits(fresh) {
                    reached |= info(t).0;
                }
                let new = reached & !set;
                if new == 0 {
                    break true;
                }
                // A blocked task cannot be added (it has no step), a visible step cannot be
                // part of a reduced expansion; a set no smaller than the best one is no better.
                if new & !enabled != 0
                    || bits(new).any(|t| info(t).1)
                    || best.is_some_and(|b| (set | new).count_ones() >= b.count_ones())
                {
                    break false;
                }
                set |= new;
                fresh = new;
            };
            if usable && set != enabled && best.is_none_or(|b| set.count_ones() < b.count_ones()) {
                best = Some(set);
                if set.count_ones() == 1 {
                    break;
                }
            }
        }
        best
    }
}

/// Per task instance, the shared slots that some instruction of its body may read and those
/// that the instructions `counts(body, pc)` accepts may write, as bit sets over slots (a key that
/// is not constant for the instance names every slot of its map).
pub(crate) fn touched(
    model: &Model,
    counts: impl Fn(usize, usize) -> bool,
) -> Vec<(Vec<u64>, Vec<u64>)> {
    let slot_words = model.num_slots.div_ceil(64).max(1);
    let lock_words = model.locks.len().div_ceil(64).max(1);
    model
        .tasks
        .iter()
        .map(|inst| {
            let body = &model.bodies[inst.body as usize];
            let c = Collector {
                model,
                index: body.index_slot.zip(inst.index),
                vague: std::cell::Cell::new(false),
            };
            let (mut all, mut counted) = (
                Footprint::empty(slot_words, lock_words),
                Footprint::empty(slot_words, lock_words),
            );
            for (pc, i) in body.code.iter().enumerate() {
                c.instr(&mut all, &i.kind);
                if counts(inst.body as usize, pc) {
                    c.instr(&mut counted, &i.kind);
                }
            }
            (all.reads, counted.writes)
        })
        .collect()
}

/// The indices of the bits set in `mask`, in ascending order.
fn bits(mut mask: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        (mask != 0).then(|| {
            let i = mask.trailing_zeros() as usize;
            mask &= mask - 1;
            i
        })
    })
}
