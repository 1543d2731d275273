//! What the fast explorers share: the model with its static facts ([`Fast`]), what one
//! resolution of a step comes to ([`Transition`]), the partial-order reduction's plan for a state
//! and the order in which a state's tasks are expanded ([`passes`]).

use migcheck_lang::ir::Model;

use crate::budget::Cut;
use crate::schedule::{Choice, ScheduleStep};
use crate::semantics::{Semantics, StateCheck};
use crate::state::{State, LU_NONE};
use crate::step::{StepEnd, StepLog};

use super::analysis::Analysis;
use super::por;
use super::symmetry::Symmetry;

/// The model and its static facts.
pub(crate) struct Fast<'m> {
    pub sem: Semantics<'m>,
    pub analysis: Analysis,
    /// Per task: the (variable, first slot, slot count) where the task keeps some lost-update
    /// mark ([`Analysis::keeps_mark`]).
    lu_vars: Vec<Vec<(usize, usize, usize)>>,
    pub por: por::Por,
    /// The families of interchangeable task instances whose states are merged (empty when
    /// symmetry reduction is off).
    symmetry: Symmetry,
}

/// What a resolution of a step comes to ([`Fast::transition`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Transition {
    /// No transition: the step blocks.
    Blocked,
    /// The step fails or overwrites an update it never saw: a violation.
    Violation,
    /// The step reaches the (canonical) state in the buffer; `moved` are the task instances
    /// whose parts symmetry reduction exchanged to make it canonical, as a mask (so more of it
    /// changed than the step's task and writes; 0 for none, every bit for tasks numbered 64 or
    /// more). `back`: the step did not move its task forward in its progress order
    /// ([`Analysis::advances`]), the only kind of step that can close a cycle of states (the
    /// cycle proviso, see [`super::por`]); worked out only when asked ([`Fast::asks_back`]).
    Next { moved: u64, back: bool },
}

/// Copies of successors' states, kept until their checks run: only of those whose check can find
/// something ([`Fast::needs_check`]); the others are [`Copies::NONE`]. The buffers are reused.
#[derive(Default)]
pub(crate) struct Copies {
    states: Vec<State>,
    len: usize,
}

impl Copies {
    /// The number of no copy.
    pub const NONE: u32 = u32::MAX;

    /// Keeps a copy of `state`, if any: its number, or [`Copies::NONE`].
    pub fn keep(&mut self, state: Option<&State>) -> u32 {
        let Some(state) = state else {
            return Copies::NONE;
        };
        if self.len == self.states.len() {
            self.states.push(state.clone());
        } else {
            self.states[self.len].copy_from(state);
        }
        self.len += 1;
        self.len as u32 - 1
    }

    /// The copy numbered `i`, unless `i` is [`Copies::NONE`].
    pub fn get_mut(&mut self, i: u32) -> Option<&mut State> {
        (i != Copies::NONE).then(|| &mut self.states[i as usize])
    }

    pub fn clear(&mut self) {
        self.len = 0;
    }
}

/// The resolutions of the steps that planning ran ([`Fast::plan`]), kept for the expansion of
/// the same state ([`Fast::resolutions`]): the persistent set is found by running the steps that
/// the static footprints cannot settle, and those tasks are most often the ones expanded, so each
/// of their steps would otherwise run twice. The buffers are reused from state to state, and the
/// states reached are swapped in and out of the step's buffer, not copied.
#[derive(Default)]
pub(crate) struct Ran {
    /// Per task whose resolutions were kept: the range of `entries` they take, and, if planning
    /// stopped before the last one, the range of `rest` where the next one begins
    /// ([`StepLog::rest`]).
    tasks: Vec<Option<Kept>>,
    entries: Vec<Resolution>,
    choices: Vec<Choice>,
    rest: Vec<i64>,
    /// The slots read, then written, by each resolution.
    slots: Vec<u32>,
    /// The states the resolutions that ran reached (before [`Fast::transition`]); the first
    /// `len` are kept, the others are spare buffers.
    states: Vec<State>,
    len: usize,
    /// The reduction's own buffer.
    por: por::Scratch,
}

/// The resolutions kept of one task's step.
#[derive(Debug, Clone)]
struct Kept {
    entries: std::ops::Range<usize>,
    rest: Option<std::ops::Range<usize>>,
}

/// One kept resolution: how its step ended, its ranges of [`Ran`]'s buffers, and the number of
/// the state it reached ([`Copies::NONE`] if it did not run).
struct Resolution {
    end: StepEnd,
    choices: std::ops::Range<usize>,
    reads: std::ops::Range<usize>,
    writes: std::ops::Range<usize>,
    state: u32,
}

impl Ran {
    /// Keeps nothing further than this many resolutions of one task's step (a step may have
    /// billions): it runs again in the expansion.
    const MOST: usize = 256;

    /// Forgets every task's resolutions: the next state is another.
    pub fn clear(&mut self, tasks: usize) {
        self.tasks.clear();
        self.tasks.resize(tasks, None);
        self.entries.clear();
        self.choices.clear();
        self.rest.clear();
        self.slots.clear();
        self.len = 0;
    }

    /// Keeps one resolution of a step, with the state it reached if it ran: that state is taken
    /// from `next`, which is left holding a spare buffer of the same model.
    fn keep(&mut self, end: &StepEnd, choices: &[Choice], log: &StepLog, next: &mut State) {
        let at = |v: &mut Vec<u32>, xs: &[u32]| {
            v.extend_from_slice(xs);
            v.len() - xs.len()..v.len()
        };
        let start = self.choices.len();
        self.choices.extend_from_slice(choices);
        let reads = at(&mut self.slots, &log.reads);
        let writes = at(&mut self.slots, &log.writes);
        let state = if matches!(end, StepEnd::Ran) {
            if self.len == self.states.len() {
                self.states.push(next.clone());
            } else {
                std::mem::swap(&mut self.states[self.len], next);
            }
            self.len += 1;
            self.len as u32 - 1
        } else {
            Copies::NONE
        };
        self.entries.push(Resolution {
            end: end.clone(),
            choices: start..self.choices.len(),
            reads,
            writes,
            state,
        });
    }
}

/// The order in which a state's tasks are considered: every task in pass 0 (the persistent set's,
/// or all of them without one), then every task again in pass 1 (the others, if the cycle proviso
/// asks for a full expansion).
pub(crate) fn passes(tasks: usize) -> impl Iterator<Item = (u8, usize)> {
    (0..2u8).flat_map(move |pass| (0..tasks).map(move |t| (pass, t)))
}

impl<'m> Fast<'m> {
    /// The model's facts; `symmetric`: merge states that differ only by which instance of an
    /// indexed task is which ([`super::symmetry`]).
    pub fn new(model: &'m Model, symmetric: bool) -> Fast<'m> {
        let sem = Semantics::new(model);
        let analysis = Analysis::new(model);
        let mut symmetry = if symmetric {
            Symmetry::new(model, &sem.layout)
        } else {
            Symmetry::default()
        };
        symmetry.marks_only_at(|t| analysis.keeps_mark(t));
        // Per task, the variables where it keeps some mark.
        let lu_vars = (0..model.tasks.len())
            .map(|t| {
                let keep = analysis.keeps_mark(t);
                model
                    .shared
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| keep[v.base_slot..v.base_slot + v.len].contains(&true))
                    .map(|(var, v)| (var, v.base_slot, v.len))
                    .collect()
            })
            .collect();
        Fast {
            por: por::Por::new(model),
            sem,
            analysis,
            lu_vars,
            symmetry,
        }
    }

    fn body(&self, task: usize) -> usize {
        self.sem.model.tasks[task].body as usize
    }

    /// Drops what `task`, which just stepped with `log`, has that cannot matter: its marks for
    /// the variables it can no longer write, those its reads set on slots where it keeps none,
    /// and the values of its dead locals (reset to 0).
    pub fn canonicalise(&self, state: &mut State, task: usize, log: &StepLog) {
        let pc = state.pcs[task] as usize;
        let body = self.body(task);
        let base = self.sem.layout.local_base[task];
        for &l in self.analysis.dead(body, pc) {
            state.locals[base + l as usize] = 0;
        }
        let row = task * self.sem.layout.num_slots;
        for &r in &log.reads {
            if !self.analysis.keeps_mark(task)[r as usize] {
                state.lu[row + r as usize] = LU_NONE;
            }
        }
        for &(var, base, len) in &self.lu_vars[task] {
            if !self.analysis.may_write(body, pc, var) {
                state.lu[row + base..row + base + len].fill(LU_NONE);
            }
        }
    }

    /// Whether `task` moved forward in its progress order from `state` to `next` (both canonical
    /// for it, see [`Analysis::advances`]).
    fn advances(&self, state: &State, next: &State, task: usize) -> bool {
        let pc = |s: &State| s.pcs[task];
        let base = self.sem.layout.local_base[task];
        let n = self.sem.model.bodies[self.body(task)].locals.len();
        self.analysis.advances(
            self.body(task),
            (pc(state), &state.locals[base..base + n]),
            (pc(next), &next.locals[base..base + n]),
        )
    }

    /// Whether the step `task` took with `log` turns another task's mark stale in `next` (before
    /// [`Semantics::apply_lost_update`]): a write to a slot another task read.
    fn stales_others(&self, next: &State, task: usize, log: &StepLog) -> bool {
        let n = self.sem.layout.num_slots;
        log.writes.iter().any(|&w| {
            let w = w as usize;
            self.sem.tracked[w]
                && (0..self.sem.model.tasks.len())
                    .any(|o| o != task && next.lu[o * n + w] == crate::state::LU_READ)
        })
    }

    /// The persistent set of tasks to expand in `state` (see [`por`]), as a bit mask, or `None`
    /// for all. `next` and `log` are scratch space; once `log` is cut by its guard, the plan means
    /// nothing (a task may look disabled, or its accesses partly seen) and the caller must end.
    /// `ran` is cleared, then keeps the resolutions of the steps run, for
    /// [`Fast::resolutions`] from the same state.
    pub fn plan(
        &self,
        state: &State,
        next: &mut State,
        log: &mut StepLog,
        ran: &mut Ran,
    ) -> Option<u64> {
        let tasks = self.sem.model.tasks.len();
        ran.clear(tasks);
        if tasks > 64 {
            return None;
        }
        let (mut finished, mut enabled) = (0u64, 0u64);
        for t in 0..tasks {
            if state.finished(&self.sem.layout, t) {
                finished |= 1 << t;
            } else if !self.analysis.may_block(self.body(t), state.pcs[t] as usize)
                || self.can_step(state, t, next, log)
            {
                enabled |= 1 << t;
            }
        }
        if enabled.count_ones() <= 1 {
            return None;
        }
        let mut scratch = std::mem::take(&mut ran.por);
        let plan = self.por.persistent(
            state,
            enabled,
            finished,
            &mut scratch,
            |t, reads, writes, go_on| {
                let first = ran.entries.len();
                let mut all = true;
                self.sem.for_each_resolution_into(
                    state,
                    t,
                    log,
                    next,
                    |end, choices, log, next| {
                        for &r in &log.reads {
                            reads[r as usize / 64] |= 1 << (r % 64);
                        }
                        for &w in &log.writes {
                            writes[w as usize / 64] |= 1 << (w % 64);
                        }
                        all &= ran.entries.len() - first < Ran::MOST;
                        if all {
                            ran.keep(&end, choices, log, next);
                        }
                        go_on(reads, writes)
                    },
                );
                if all && !log.cut() {
                    let rest = log.rest().map(|values| {
                        ran.rest.extend_from_slice(values);
                        ran.rest.len() - values.len()..ran.rest.len()
                    });
                    ran.tasks[t] = Some(Kept {
                        entries: first..ran.entries.len(),
                        rest,
                    });
                }
            },
        );
        ran.por = scratch;
        plan
    }

    /// Calls `f` with every resolution of `task`'s step from `state`, as
    /// [`Semantics::for_each_resolution_into`] does, but takes those that planning kept in `ran`
    /// (which must be of `state`) instead of running the step again. The states kept are handed
    /// over in `next` (swapped): each task's resolutions can be taken once.
    pub fn resolutions(
        &self,
        state: &State,
        task: usize,
        ran: &mut Ran,
        log: &mut StepLog,
        next: &mut State,
        mut f: impl FnMut(StepEnd, &[Choice], &StepLog, &mut State) -> bool,
    ) {
        let Some(kept) = ran.tasks.get_mut(task).and_then(Option::take) else {
            self.sem.for_each_resolution_into(state, task, log, next, f);
            return;
        };
        for r in &ran.entries[kept.entries] {
            // The same unit of the guard per resolution as running it.
            if log.guard.spend() {
                break;
            }
            log.clear();
            log.reads.extend_from_slice(&ran.slots[r.reads.clone()]);
            log.writes.extend_from_slice(&ran.slots[r.writes.clone()]);
            if r.state != Copies::NONE {
                std::mem::swap(next, &mut ran.states[r.state as usize]);
            }
            if !f(r.end.clone(), &ran.choices[r.choices.clone()], log, next) {
                return;
            }
        }
        if let Some(rest) = kept.rest {
            if !log.cut() {
                let start = &ran.rest[rest];
                self.sem
                    .for_each_resolution_from(state, task, start, log, next, f);
            }
        }
    }

    /// Whether some resolution of `task`'s step runs or fails (is not blocked) in `state`.
    fn can_step(&self, state: &State, task: usize, next: &mut State, log: &mut StepLog) -> bool {
        let mut enabled = false;
        self.sem
            .for_each_resolution_into(state, task, log, next, |end, _, _, _| {
                enabled = !matches!(end, StepEnd::Blocked { .. });
                !enabled
            });
        enabled
    }

    /// Whether `task` is expanded in `pass` (see [`passes`]): in pass 0 every unfinished task, or
    /// the persistent set's; in pass 1 the others, once a step of the set may close a cycle
    /// (`back`: some transition of pass 0 was [`Transition::Next`] with `back` set).
    pub fn in_pass(
        &self,
        state: &State,
        plan: Option<u64>,
        back: bool,
        pass: u8,
        task: usize,
    ) -> bool {
        if state.finished(&self.sem.layout, task) {
            return false;
        }
        let in_plan = |p: u64| p & (1 << task) != 0;
        match (plan, pass) {
            (None, 0) => true,
            (None, _) => false,
            (Some(p), 0) => in_plan(p),
            (Some(p), _) => back && !in_plan(p),
        }
    }

    /// Whether a transition of pass `pass` from a state with `plan` must tell whether it went
    /// back (the `proviso` of [`Fast::transition`]): only the first pass of a state with a plan,
    /// until one of its transitions did (`back`), as only then [`Fast::in_pass`] looks at it.
    pub fn asks_back(plan: Option<u64>, pass: u8, back: bool) -> bool {
        plan.is_some() && pass == 0 && !back
    }

    /// What one resolution of `task`'s step from `state`, which ended with `end` and `log`, comes
    /// to: the lost-update bookkeeping and the canonical form are applied to `next` when it ran.
    /// `state` must be in canonical form (a stored state). `proviso`: whether the cycle proviso
    /// needs to know if the step went back ([`Fast::asks_back`]); when not, [`Transition::Next`]'s
    /// `back` is false without the progress order being looked at.
    pub fn transition(
        &self,
        state: &State,
        end: &StepEnd,
        task: usize,
        log: &StepLog,
        next: &mut State,
        proviso: bool,
    ) -> Transition {
        match end {
            StepEnd::Blocked { .. } => Transition::Blocked,
            StepEnd::Refused => unreachable!("the enumerator never refuses"),
            StepEnd::Error(_) => Transition::Violation,
            StepEnd::Ran => {
                let symmetric = !self.symmetry.is_empty();
                let others_changed = symmetric && self.stales_others(next, task, log);
                if self.sem.apply_lost_update(next, task, log).is_some() {
                    return Transition::Violation;
                }
                self.canonicalise(next, task, log);
                let back = proviso && !self.advances(state, next, task);
                let moved = if symmetric {
                    self.symmetry.canonicalise_after(next, task, others_changed)
                } else {
                    0
                };
                Transition::Next { moved, back }
            }
        }
    }

    /// The first transition from `state` (tasks in order, resolutions in ascending order) whose
    /// canonical successor `is_target` accepts; the successor is left in `next`.
    pub fn step_to(
        &self,
        state: &State,
        next: &mut State,
        mut is_target: impl FnMut(&State) -> bool,
    ) -> Option<ScheduleStep> {
        let mut log = StepLog::default();
        let mut found = None;
        for task in 0..self.sem.model.tasks.len() {
            if state.finished(&self.sem.layout, task) {
                continue;
            }
            self.sem.for_each_resolution_into(
                state,
                task,
                &mut log,
                next,
                |end, choices, log, next| {
                    if !matches!(
                        self.transition(state, &end, task, log, next, false),
                        Transition::Next { .. }
                    ) || !is_target(next)
                    {
                        return true;
                    }
                    found = Some(ScheduleStep {
                        task,
                        choices: choices.to_vec(),
                    });
                    false
                },
            );
            if found.is_some() {
                return found;
            }
        }
        None
    }

    /// Whether [`Fast::check`] can find anything wrong with `state`: some invariant, every task
    /// finished (the final properties), or every unfinished task at a step that may block (a
    /// deadlock). When not, the check is `Fine` without looking, and the explorers keep no copy
    /// of the state for it.
    #[inline]
    pub fn needs_check(&self, state: &State) -> bool {
        let layout = &self.sem.layout;
        !self.sem.model.invariants.is_empty()
            || (0..state.pcs.len()).all(|t| {
                state.finished(layout, t)
                    || self.analysis.may_block(self.body(t), state.pcs[t] as usize)
            })
    }

    pub fn check(&self, state: &mut State, log: &mut StepLog) -> Result<StateCheck, Cut> {
        self.sem.check_state_in(state, log, |t, pc| {
            self.analysis.may_block(self.body(t), pc as usize)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a resolution comes to, as a caller of [`Fast::resolutions`] sees it.
    type Seen = (String, Vec<Choice>, Vec<u32>, Vec<u32>, Option<State>);

    fn seen(end: &StepEnd, choices: &[Choice], log: &StepLog, next: &State) -> Seen {
        (
            format!("{end:?}"),
            choices.to_vec(),
            log.reads.clone(),
            log.writes.clone(),
            matches!(end, StepEnd::Ran).then(|| next.clone()),
        )
    }

    /// Plans `source`'s initial state, then checks that every task's resolutions, as
    /// [`Fast::resolutions`] hands them over, are those of running its step again. Returns, per
    /// task, how many resolutions planning kept and whether it stopped before the last one.
    fn kept_and_taken(source: &str, counts: &[usize]) -> Vec<Option<(usize, bool)>> {
        let model = migcheck_lang::compile(source).expect("compiles");
        let fast = Fast::new(&model, false);
        let state = fast.sem.initial();
        let (mut next, mut log, mut ran) = (state.clone(), StepLog::default(), Ran::default());
        fast.plan(&state, &mut next, &mut log, &mut ran);
        let kept = ran
            .tasks
            .iter()
            .map(|k| k.as_ref().map(|k| (k.entries.len(), k.rest.is_some())))
            .collect();
        for (task, &count) in counts.iter().enumerate() {
            let mut again = Vec::new();
            fast.sem.for_each_resolution_into(
                &state,
                task,
                &mut log,
                &mut next,
                |end, c, log, n| {
                    again.push(seen(&end, c, log, n));
                    true
                },
            );
            let mut taken = Vec::new();
            fast.resolutions(
                &state,
                task,
                &mut ran,
                &mut log,
                &mut next,
                |end, c, log, n| {
                    taken.push(seen(&end, c, log, n));
                    true
                },
            );
            assert_eq!(taken.len(), count, "task {task}");
            assert!(taken == again, "task {task}: the kept resolutions differ");
        }
        // Taken once: the steps now run again.
        assert!(ran.tasks.iter().all(Option::is_none));
        kept
    }

    /// Three tasks whose steps conflict: a's and b's keys are not constant (the plan runs their
    /// steps), a's step has more resolutions than are kept, c's footprint is exact.
    const CONFLICTING: &str = "model m\nshared x: map[0..3] int = 0\nshared y: int = 0\n\
        task a { choose k in 0..400; x[k % 3] = k }\n\
        task b { choose j in 0..2; x[j] = x[j] + 1 }\n\
        task c { let v = x[0]; y = v }\n";

    #[test]
    fn the_steps_planning_kept_are_the_steps_run_again() {
        // e's footprint is exact too, and it keeps a from reaching every other task, so a's step
        // runs to its end (past what is kept) and b's is kept whole.
        let kept = kept_and_taken(
            &format!("{CONFLICTING}task e {{ y = 2 }}\n"),
            &[400, 2, 1, 1],
        );
        assert_eq!(kept, [None, Some((2, false)), None, None]);
    }

    #[test]
    fn a_step_planning_stopped_goes_on_where_it_stopped() {
        // a's first resolution already ties it to b and c, every other task: the plan stops
        // there, and so it does for b; what they did not run runs in the expansion, once.
        let kept = kept_and_taken(CONFLICTING, &[400, 2, 1]);
        assert_eq!(kept, [Some((1, true)), Some((1, true)), None]);
    }
}
