//! Symmetry reduction over the instances of an indexed task (`task migrate[i in 0..N]`): states
//! that differ only by which instance is which are one state.
//!
//! The instances of one task body run the same code; what tells them apart is their index `i`.
//! When `i` is only ever the whole key of accesses to maps over exactly the family's indices
//! (`phase[i]`, `src_alloc[i]`), and nothing else in the model touches those maps (no other
//! task, no other key, no invariant or final property), then renaming the instances by a
//! permutation — moving instance j's program counter, locals, lost-update marks, held locks and
//! its slots of those maps to instance π(j) — maps every run to a run and every violation to a
//! violation of the same kind (deadlock, assertion, model error, lost update; invariants and
//! final properties do not read the permuted maps). So exploring one state per orbit reaches a
//! violation exactly when the full search does (the quotient is bisimilar to the full graph).
//!
//! The representative of an orbit is the state with the family's instances sorted by their
//! *view* (pc, locals but the index, their slots of the family's maps, their lost-update marks,
//! the locks they hold): two instances with equal views are interchangeable, so the sorted state
//! is unique. It is computed by an insertion sort that swaps instances in place.
//!
//! The schedule of a violation found this way steps through representatives, not through the
//! states a replay reaches; [`crate::explore::check`] runs the search again without reduction
//! (this one and the partial-order one) for the canonical shortest schedule.

use std::cmp::Ordering;

use migcheck_lang::ir::{Domain, Expr, InstrKind, Model};

use crate::state::{Layout, State, LU_NONE};

/// The symmetric families of a model.
#[derive(Debug, Clone, Default)]
pub(crate) struct Symmetry {
    families: Vec<Family>,
}

/// The instances of one indexed task, interchangeable.
///
/// What [`Family::compare`] and [`Family::swap`] rely on, and [`Symmetry::new`] makes sure of: a
/// slot of one of `maps` is read and written by its own instance only (no other task, no other
/// key, no property), so only that instance's row can hold a lost-update mark on it (a mark is
/// set by the task's own read; another task's write only turns a read mark stale). Loosening the
/// detection means extending both.
#[derive(Debug, Clone)]
struct Family {
    /// The instances' task numbers, in the order of their indices.
    tasks: Vec<usize>,
    /// Where each instance's locals start, how many there are, and which one holds the index.
    local_base: Vec<usize>,
    locals: usize,
    index_slot: usize,
    /// Per map indexed by the family: per instance, the slot of its key.
    maps: Vec<Vec<usize>>,
    /// Per shared slot: whether it belongs to one of `maps`.
    in_map: Vec<bool>,
    /// The slots, outside `maps`, where an instance may hold a lost-update mark, as runs of
    /// consecutive slots: elsewhere every mark is [`LU_NONE`] ([`Symmetry::marks_only_at`]), and
    /// there is nothing to compare or swap.
    marked: Vec<std::ops::Range<usize>>,
}

/// How one body uses its index local, and which maps it keys with it.
#[derive(Default)]
struct Uses {
    /// The index appears other than as the whole key of a map access (or is written).
    loose: bool,
    /// Maps accessed with the index as key.
    keyed: Vec<u32>,
    /// Shared variables accessed any other way.
    other: Vec<u32>,
}

impl Uses {
    fn expr(&mut self, e: &Expr, index: Option<u32>) {
        match e {
            Expr::Const(_) => {}
            Expr::Local(slot) => self.loose |= Some(*slot) == index,
            Expr::Shared(var) => self.other.push(*var),
            Expr::MapGet { var, key } => self.access(*var, Some(key), index),
            Expr::Unary(_, a) => self.expr(a, index),
            Expr::Binary(_, a, b) => {
                self.expr(a, index);
                self.expr(b, index);
            }
        }
    }

    fn access(&mut self, var: u32, key: Option<&Expr>, index: Option<u32>) {
        match key {
            Some(Expr::Local(slot)) if Some(*slot) == index => self.keyed.push(var),
            Some(k) => {
                self.other.push(var);
                self.expr(k, index);
            }
            None => self.other.push(var),
        }
    }

    fn writes_local(&mut self, slot: u32, index: Option<u32>) {
        self.loose |= Some(slot) == index;
    }

    fn instr(&mut self, kind: &InstrKind, index: Option<u32>) {
        match kind {
            InstrKind::SetLocal { slot, value } => {
                self.writes_local(*slot, index);
                self.expr(value, index);
            }
            InstrKind::SetShared { var, key, value } => {
                self.access(*var, key.as_ref(), index);
                self.expr(value, index);
            }
            InstrKind::Await(c)
            | InstrKind::Assert { cond: c, .. }
            | InstrKind::Branch { cond: c, .. } => self.expr(c, index),
            InstrKind::Choose { slot, domain } => {
                self.writes_local(*slot, index);
                self.domain(domain, index);
            }
            InstrKind::ForEnter {
                var,
                end_slot,
                domain,
                ..
            } => {
                self.writes_local(*var, index);
                self.writes_local(*end_slot, index);
                self.domain(domain, index);
            }
            InstrKind::ForNext { var, end_slot, .. } => {
                self.writes_local(*var, index);
                self.writes_local(*end_slot, index);
            }
            InstrKind::Clear { from, to } => {
                self.loose |= index.is_some_and(|i| (*from..*to).contains(&i));
            }
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

    fn domain(&mut self, d: &Domain, index: Option<u32>) {
        if let Domain::Range { lo, hi } = d {
            self.expr(lo, index);
            self.expr(hi, index);
        }
    }
}

impl Symmetry {
    /// The families of `model` that are symmetric (see the module's documentation).
    pub fn new(model: &Model, layout: &Layout) -> Symmetry {
        // Every access to a shared variable that is not some body's index key.
        let mut elsewhere = Uses::default();
        for p in model.invariants.iter().chain(&model.finals) {
            elsewhere.expr(&p.expr, None);
        }
        let mut per_body: Vec<Uses> = Vec::with_capacity(model.bodies.len());
        for body in &model.bodies {
            let mut uses = Uses::default();
            for instr in &body.code {
                uses.instr(&instr.kind, body.index_slot);
            }
            elsewhere.other.extend_from_slice(&uses.other);
            per_body.push(uses);
        }
        let mut families = Vec::new();
        for (b, uses) in per_body.iter().enumerate() {
            let body = &model.bodies[b];
            let Some(index_slot) = body.index_slot else {
                continue;
            };
            let mut tasks: Vec<(i64, usize)> = Vec::new();
            let mut all_indexed = true;
            for (t, inst) in model.tasks.iter().enumerate() {
                if inst.body as usize == b {
                    match inst.index {
                        Some(i) => tasks.push((i, t)),
                        None => all_indexed = false,
                    }
                }
            }
            tasks.sort_unstable();
            if !all_indexed || tasks.len() < 2 || uses.loose {
                continue;
            }
            let mut keyed = uses.keyed.clone();
            keyed.sort_unstable();
            keyed.dedup();
            let keyed_elsewhere = per_body
                .iter()
                .enumerate()
                .any(|(o, u)| o != b && u.keyed.iter().any(|v| keyed.contains(v)));
            if keyed_elsewhere || elsewhere.other.iter().any(|v| keyed.contains(v)) {
                continue;
            }
            let Some(maps) = keyed
                .iter()
                .map(|&var| Self::map_slots(model, var, &tasks))
                .collect::<Option<Vec<_>>>()
            else {
                continue;
            };
            let mut in_map = vec![false; model.num_slots];
            for slots in &maps {
                for &s in slots {
                    in_map[s] = true;
                }
            }
            families.push(Family {
                local_base: tasks.iter().map(|&(_, t)| layout.local_base[t]).collect(),
                tasks: tasks.iter().map(|&(_, t)| t).collect(),
                locals: body.locals.len(),
                index_slot: index_slot as usize,
                marked: runs(model.num_slots, |s| !in_map[s]),
                maps,
                in_map,
            });
        }
        Symmetry { families }
    }

    /// Tells which lost-update marks the states will ever hold: task `t`'s only on the slots
    /// where `keeps(t)` is true (the explorers' canonical form drops the others), so that
    /// comparing and swapping instances can leave the other slots alone.
    pub fn marks_only_at<'a>(&mut self, keeps: impl Fn(usize) -> &'a [bool]) {
        for f in &mut self.families {
            let slots = f.in_map.len();
            f.marked = runs(slots, |s| {
                !f.in_map[s] && f.tasks.iter().any(|&t| keeps(t)[s])
            });
        }
    }

    /// Per instance (in `tasks`' order), the slot of map `var` that its index keys, when those
    /// are every slot of the map once and the map starts with the same value in each.
    fn map_slots(model: &Model, var: u32, tasks: &[(i64, usize)]) -> Option<Vec<usize>> {
        let v = &model.shared[var as usize];
        let domain = v.key?;
        if v.len != tasks.len() || v.init.windows(2).any(|w| w[0] != w[1]) {
            return None;
        }
        let mut seen = vec![false; v.len];
        let mut slots = Vec::with_capacity(tasks.len());
        for &(i, _) in tasks {
            let off = domain.offset(i, &model.enums)?;
            if std::mem::replace(&mut seen[off], true) {
                return None;
            }
            slots.push(v.base_slot + off);
        }
        Some(slots)
    }

    /// Puts `state` in its orbit's representative form; returns the tasks whose parts it
    /// exchanged, as a [`Moved`] mask (0: nothing moved).
    pub fn canonicalise(&self, state: &mut State) -> Moved {
        let mut moved = 0;
        for f in &self.families {
            debug_assert!(
                f.marks_are_own(state),
                "a mark on another instance's map slot"
            );
            debug_assert!(
                f.marks_are_kept(state),
                "a mark where the instances keep none"
            );
            for j in 1..f.tasks.len() {
                let mut k = j;
                while k > 0 && f.compare(state, k - 1, k) == Ordering::Greater {
                    moved |= f.swap(state, k - 1, k);
                    k -= 1;
                }
            }
        }
        moved
    }
}

/// The runs of consecutive numbers below `n` that `keep` accepts.
fn runs(n: usize, keep: impl Fn(usize) -> bool) -> Vec<std::ops::Range<usize>> {
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    for s in (0..n).filter(|&s| keep(s)) {
        match runs.last_mut() {
            Some(last) if last.end == s => last.end += 1,
            _ => runs.push(s..s + 1),
        }
    }
    runs
}

/// A set of tasks as a bit mask; a task numbered 64 or more sets every bit.
pub(crate) type Moved = u64;

/// The [`Moved`] mask of task `t`.
fn bit(t: usize) -> Moved {
    if t < 64 {
        1 << t
    } else {
        u64::MAX
    }
}

impl Symmetry {
    /// [`Symmetry::canonicalise`] for the state `task` reached in one step from a representative
    /// (a stored state): when the step changed no other task's view (`others_changed` false: it
    /// turned no other task's mark stale; it can change nothing else of theirs, see [`Family`]),
    /// the other instances are still in order, and only `task`'s place in its family is sought.
    pub fn canonicalise_after(
        &self,
        state: &mut State,
        task: usize,
        others_changed: bool,
    ) -> Moved {
        if others_changed {
            return self.canonicalise(state);
        }
        let mut moved = 0;
        for f in &self.families {
            let Some(mut k) = f.tasks.iter().position(|&t| t == task) else {
                continue;
            };
            debug_assert!(
                f.marks_are_kept(state),
                "a mark where the instances keep none"
            );
            while k > 0 && f.compare(state, k - 1, k) == Ordering::Greater {
                moved |= f.swap(state, k - 1, k);
                k -= 1;
            }
            while k + 1 < f.tasks.len() && f.compare(state, k, k + 1) == Ordering::Greater {
                moved |= f.swap(state, k, k + 1);
                k += 1;
            }
        }
        debug_assert!(
            self.canonicalise(&mut state.clone()) == 0,
            "a step from a representative left it out of order elsewhere"
        );
        moved
    }

    /// Whether there is any family.
    pub fn is_empty(&self) -> bool {
        self.families.is_empty()
    }
}

impl Family {
    /// Orders instances `j` and `k` of `state` by their views (written as loops that return at
    /// the first difference: this runs for every successor, and most differ in their pc).
    fn compare(&self, state: &State, j: usize, k: usize) -> Ordering {
        let (a, b) = (self.tasks[j], self.tasks[k]);
        let order = state.pcs[a].cmp(&state.pcs[b]);
        if order.is_ne() {
            return order;
        }
        let (la, lb) = (self.local_base[j], self.local_base[k]);
        for i in 0..self.locals {
            let order = state.locals[la + i].cmp(&state.locals[lb + i]);
            if order.is_ne() && i != self.index_slot {
                return order;
            }
        }
        let slots = self.in_map.len();
        let (ra, rb) = (a * slots, b * slots);
        for m in &self.maps {
            let order = state.shared[m[j]]
                .cmp(&state.shared[m[k]])
                .then(state.lu[ra + m[j]].cmp(&state.lu[rb + m[k]]));
            if order.is_ne() {
                return order;
            }
        }
        for run in &self.marked {
            let order =
                state.lu[ra + run.start..ra + run.end].cmp(&state.lu[rb + run.start..rb + run.end]);
            if order.is_ne() {
                return order;
            }
        }
        let (ha, hb) = (a as u32 + 1, b as u32 + 1);
        for &h in state.locks.iter() {
            let order = (h == ha).cmp(&(h == hb));
            if order.is_ne() {
                return order;
            }
        }
        Ordering::Equal
    }

    /// Whether every lost-update mark on a slot of the family's maps is in its own instance's
    /// row (see [`Family`]).
    fn marks_are_own(&self, state: &State) -> bool {
        let slots = state.lu.len() / state.pcs.len();
        (0..state.pcs.len()).all(|t| {
            self.maps.iter().all(|m| {
                m.iter()
                    .enumerate()
                    .all(|(j, &s)| state.lu[t * slots + s] == LU_NONE || self.tasks[j] == t)
            })
        })
    }

    /// Whether the instances hold no lost-update mark outside the family's maps but where
    /// [`Family::marked`] says they may.
    fn marks_are_kept(&self, state: &State) -> bool {
        let slots = self.in_map.len();
        self.tasks.iter().all(|&t| {
            let row = &state.lu[t * slots..(t + 1) * slots];
            let mut runs = self.marked.iter().peekable();
            (0..slots).all(|s| {
                while runs.next_if(|r| r.end <= s).is_some() {}
                let marked = runs.peek().is_some_and(|r| r.contains(&s));
                self.in_map[s] || marked || row[s] == LU_NONE
            })
        })
    }

    /// Exchanges instances `j` and `k` of `state`; returns their tasks as a [`Moved`] mask.
    fn swap(&self, state: &mut State, j: usize, k: usize) -> Moved {
        let (a, b) = (self.tasks[j], self.tasks[k]);
        let slots = self.in_map.len();
        state.pcs.swap(a, b);
        let (la, lb) = (self.local_base[j], self.local_base[k]);
        let (first, second) = state.locals.split_at_mut(la.max(lb));
        first[la.min(lb)..][..self.locals].swap_with_slice(&mut second[..self.locals]);
        // Each instance keeps its own index.
        state
            .locals
            .swap(la + self.index_slot, lb + self.index_slot);
        let (low, high) = (a.min(b) * slots, a.max(b) * slots);
        let (front, back) = state.lu.split_at_mut(high);
        for run in &self.marked {
            front[low + run.start..low + run.end].swap_with_slice(&mut back[run.clone()]);
        }
        for m in &self.maps {
            state.shared.swap(m[j], m[k]);
            // Each instance's mark on its own key moves with it (the only mark on the slot).
            state.lu.swap(a * slots + m[j], b * slots + m[k]);
        }
        let (ha, hb) = (a as u32 + 1, b as u32 + 1);
        for h in state.locks.iter_mut() {
            if *h == ha {
                *h = hb;
            } else if *h == hb {
                *h = ha;
            }
        }
        bit(a) | bit(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(src: &str) -> Model {
        migcheck_lang::compile(src).unwrap_or_else(|d| panic!("{d:#?}\n{src}"))
    }

    fn families(src: &str) -> Vec<(Vec<usize>, usize)> {
        let m = model(src);
        Symmetry::new(&m, &Layout::new(&m))
            .families
            .iter()
            .map(|f| (f.tasks.clone(), f.maps.len()))
            .collect()
    }

    /// A family of three migrations over maps of their own, and a conductor; `extra` goes in
    /// the migrations' body, `tail` after the tasks.
    fn claims(extra: &str, tail: &str) -> String {
        format!(
            "model m\n\
             enum Phase {{ queued, done }}\n\
             shared usage: map[0..2] 0..=3 = 0\n\
             shared phase: map[0..3] Phase = queued\n\
             shared alloc: map[0..3] 0..=1 = 1\n\
             shared x: int = 0\n\
             task conductor {{ x = 1 }}\n\
             task migrate[i in 0..3] {{\n\
             choose h in 0..2\n\
             let u = usage[h]\n\
             usage[h] = u + 1\n\
             phase[i] = done\n\
             alloc[i] = 0\n\
             {extra}\n\
             }}\n\
             {tail}\n"
        )
    }

    #[test]
    fn a_family_keying_maps_of_its_own_is_symmetric() {
        assert_eq!(families(&claims("", "")), vec![(vec![1, 2, 3], 2)]);
        // Reading its own slot, and invariants over other variables, keep it so.
        let src = claims("let p = phase[i]", "invariant small: x < 5 && usage[0] < 4");
        assert_eq!(families(&src), vec![(vec![1, 2, 3], 2)]);
        // A family that never uses its index has no maps to permute, only its tasks.
        let plain = "model m\nshared x: int = 0\ntask t[i in 0..2] { x = x + 1 }\n";
        assert_eq!(families(plain), vec![(vec![0, 1], 0)]);
    }

    #[test]
    fn any_other_use_of_the_index_or_of_the_maps_breaks_the_symmetry() {
        for (extra, tail) in [
            // The index as a value, in arithmetic, in a condition, in a nested key.
            ("x = i", ""),
            ("phase[i] = queued\nlet k = i + 1", ""),
            ("if i == 0 { x = 2 }", ""),
            ("usage[i] = 0", ""),
            ("alloc[(i + 1) % 3] = 0", ""),
            // A map of the family under another key, or read by another task or a property.
            ("phase[0] = done", ""),
            ("", "task other { phase[1] = queued }"),
            ("", "invariant first: phase[0] == queued || alloc[0] == 0"),
            ("", "final all: alloc[2] == 0"),
        ] {
            assert_eq!(families(&claims(extra, tail)), vec![], "{extra} / {tail}");
        }
        // A map whose slots start apart, or that is not exactly the family's indices.
        let apart = "model m\nshared a: map[0..2] int = [1, 0]\ntask t[i in 0..2] { a[i] = 2 }\n";
        assert_eq!(families(apart), vec![]);
        let wider = "model m\nshared a: map[0..3] int = 0\ntask t[i in 0..2] { a[i] = 2 }\n";
        assert_eq!(families(wider), vec![]);
        // Two families keying one map.
        let two = "model m\nshared a: map[0..2] int = 0\n\
                   task t[i in 0..2] { a[i] = 2 }\ntask u[j in 0..2] { a[j] = 3 }\n";
        assert_eq!(families(two), vec![]);
    }

    #[test]
    fn permuted_states_have_one_representative() {
        let src = claims("lock l\nunlock l", "lock l");
        let m = model(&src);
        let layout = Layout::new(&m);
        let sym = Symmetry::new(&m, &layout);
        let f = &sym.families[0];
        let mut s = State::initial(&m, &layout);
        // Three different instances: pcs, a local, their own map slots, a mark and a lock.
        for (j, &t) in f.tasks.iter().enumerate() {
            s.pcs[t] = [2, 5, 2][j];
            s.locals[f.local_base[j] + (f.index_slot + 1) % f.locals] = [7, 7, 3][j];
            s.shared[f.maps[0][j]] = [1, 0, 1][j] as i64;
        }
        let slots = m.num_slots;
        s.lu[f.tasks[2] * slots + f.maps[1][2]] = crate::state::LU_READ;
        s.locks[0] = f.tasks[1] as u32 + 1;
        let mut canonical = s.clone();
        let moved = sym.canonicalise(&mut canonical);
        // Every task whose parts changed is said to have moved (what packing relies on).
        let changed = f.tasks.iter().filter(|&&t| {
            canonical.pcs[t] != s.pcs[t]
                || canonical.lu[t * slots..(t + 1) * slots] != s.lu[t * slots..(t + 1) * slots]
        });
        let changed = changed.fold(0, |m, &t| m | 1 << t);
        assert_ne!(changed, 0);
        assert_eq!(
            moved & changed,
            changed,
            "moved {moved:b}, changed {changed:b}"
        );
        let mut again = canonical.clone();
        assert_eq!(
            sym.canonicalise(&mut again),
            0,
            "a representative stays as it is"
        );
        // Every order of the three instances has the same representative.
        for (j, k) in [(0, 1), (1, 2), (0, 2)] {
            let mut p = s.clone();
            f.swap(&mut p, j, k);
            assert_ne!(p, s);
            sym.canonicalise(&mut p);
            assert_eq!(p, canonical, "after exchanging {j} and {k}");
        }
        // The index locals stay with their tasks.
        for (j, &t) in f.tasks.iter().enumerate() {
            let index = canonical.locals[f.local_base[j] + f.index_slot];
            assert_eq!(Some(index), m.tasks[t].index);
        }
        // A step of one instance from the representative, which changes no other's view: seeking
        // that instance's place gives the representative that sorting them all gives.
        for (j, &t) in f.tasks.iter().enumerate() {
            for pc in [0, 3, 9] {
                let mut stepped = canonical.clone();
                stepped.pcs[t] = pc;
                let mut sorted = stepped.clone();
                let all = sym.canonicalise(&mut sorted);
                let mut placed = stepped.clone();
                let moved = sym.canonicalise_after(&mut placed, t, false);
                assert_eq!(placed, sorted, "instance {j} to pc {pc}");
                assert_eq!(moved, all, "instance {j} to pc {pc}");
            }
        }
    }
}
