//! What every explorer and replay share around the step function: enumerating the resolutions of
//! a step, the lost-update bookkeeping after it, and the checks of a reached state.

use migcheck_lang::ir::Model;
use migcheck_lang::Span;

use crate::budget::Cut;
use crate::schedule::{Choice, ChoiceKind};
use crate::state::{Layout, State, LU_NONE, LU_READ, LU_STALE};
use crate::step::{self, Chooser, ErrorKind, StepEnd, StepLog, StepResult, WaitFor};

/// The model with what the explorers precompute about it.
pub struct Semantics<'m> {
    pub model: &'m Model,
    pub layout: Layout,
    /// Per shared slot: whether lost updates are tracked there (not `last_writer_wins`).
    pub tracked: Vec<bool>,
}

/// A choice point met by a step, with the range it offered.
#[derive(Debug, Clone, Copy)]
struct Point {
    kind: ChoiceKind,
    value: i64,
    hi: i64,
}

/// The chooser that enumerates resolutions: it follows a forced prefix, then takes the lowest
/// value of every further choice, recording each one.
#[derive(Default)]
struct Enumerator {
    forced: Vec<i64>,
    points: Vec<Point>,
}

/// The enumerator's buffers and the choices handed out, kept in a [`StepLog`] between calls.
#[derive(Debug, Clone, Default)]
pub(crate) struct Spare {
    forced: Vec<i64>,
    points: Vec<Point>,
    choices: Vec<Choice>,
    /// The last enumeration was stopped by its caller with resolutions left: `forced` begins
    /// the next one.
    stopped: bool,
}

impl Spare {
    pub(crate) fn rest(&self) -> Option<&[i64]> {
        self.stopped.then_some(&self.forced[..])
    }
}

impl Chooser for Enumerator {
    fn choose(&mut self, kind: ChoiceKind, lo: i64, hi: i64, _span: Span) -> Option<i64> {
        let value = self.forced.get(self.points.len()).copied().unwrap_or(lo);
        self.points.push(Point { kind, value, hi });
        Some(value)
    }
}

/// What a reached state violates, in DESIGN.md's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateCheck {
    Fine,
    /// Invariant `index` is false.
    Invariant(usize),
    /// Final property `index` is false in a state where every task has finished.
    Final(usize),
    /// Evaluating a property failed (the property is an invariant when `invariant`).
    PropertyError {
        invariant: bool,
        index: usize,
        error: ErrorKind,
    },
    Deadlock,
}

impl<'m> Semantics<'m> {
    pub fn new(model: &'m Model) -> Semantics<'m> {
        let mut tracked = vec![true; model.num_slots];
        for v in &model.shared {
            if v.last_writer_wins {
                tracked[v.base_slot..v.base_slot + v.len].fill(false);
            }
        }
        Semantics {
            model,
            layout: Layout::new(model),
            tracked,
        }
    }

    pub fn initial(&self) -> State {
        State::initial(self.model, &self.layout)
    }

    /// Calls `f` with every resolution of `task`'s step from `state`, in ascending order of the
    /// choices, with the choices made and the step's log. Stops early when `f` returns false, or
    /// when the guard of `log` cuts (a budget ran out: see [`StepLog::cut`]; the resolutions
    /// seen are then only some of them).
    pub fn for_each_resolution(
        &self,
        state: &State,
        task: usize,
        log: &mut StepLog,
        mut f: impl FnMut(StepResult, &[Choice], &StepLog) -> bool,
    ) {
        let mut next = state.clone();
        self.for_each_resolution_into(state, task, log, &mut next, |end, choices, log, next| {
            let result = match end {
                StepEnd::Ran => StepResult::Next(next.clone()),
                StepEnd::Blocked { wait, span } => StepResult::Blocked { wait, span },
                StepEnd::Error(e) => StepResult::Error(e),
                StepEnd::Refused => StepResult::Refused,
            };
            f(result, choices, log)
        });
    }

    /// [`Semantics::for_each_resolution`] without allocating: each resolution's next state is
    /// written into `next` (see [`step::step_into`]) and handed to `f` with it.
    pub fn for_each_resolution_into(
        &self,
        state: &State,
        task: usize,
        log: &mut StepLog,
        next: &mut State,
        f: impl FnMut(StepEnd, &[Choice], &StepLog, &mut State) -> bool,
    ) {
        self.for_each_resolution_from(state, task, &[], log, next, f);
    }

    /// [`Semantics::for_each_resolution_into`] from the resolution whose choices begin with
    /// `start` (the values, in order; a resolution's later choices take their lowest values), as
    /// [`StepLog::rest`] gives it where an enumeration was stopped: the two together call `f`
    /// with the same resolutions as one enumeration.
    pub fn for_each_resolution_from(
        &self,
        state: &State,
        task: usize,
        start: &[i64],
        log: &mut StepLog,
        next: &mut State,
        mut f: impl FnMut(StepEnd, &[Choice], &StepLog, &mut State) -> bool,
    ) {
        let spare = std::mem::take(&mut log.spare);
        let mut en = Enumerator {
            forced: spare.forced,
            points: spare.points,
        };
        en.forced.clear();
        en.forced.extend_from_slice(start);
        let mut choices = spare.choices;
        let mut stopped = false;
        // One unit of the guard per resolution: a step can have billions of them.
        while !log.guard.spend() {
            en.points.clear();
            log.clear();
            let end = step::step_into(self.model, &self.layout, state, task, &mut en, log, next);
            choices.clear();
            choices.extend(en.points.iter().map(|p| Choice {
                kind: p.kind,
                value: p.value,
            }));
            let go_on = f(end, &choices, log, next);
            // The next resolution: bump the last choice that has a next value.
            let Some(j) = en.points.iter().rposition(|p| p.value + 1 < p.hi) else {
                break;
            };
            en.forced.clear();
            en.forced.extend(en.points[..j].iter().map(|p| p.value));
            en.forced.push(en.points[j].value + 1);
            if !go_on {
                stopped = true;
                break;
            }
        }
        log.spare = Spare {
            forced: en.forced,
            points: en.points,
            choices,
            stopped,
        };
    }

    /// Whether some resolution of `task`'s step is enabled (runs or fails) in `state`; if none is,
    /// what the first resolution waits for.
    pub fn wait_of(&self, state: &State, task: usize) -> Option<(WaitFor, Span)> {
        self.wait_of_in(state, task, &mut StepLog::default())
    }

    /// [`Semantics::wait_of`] with `log` as scratch space, under its guard: the answer means
    /// nothing once [`StepLog::cut`].
    pub fn wait_of_in(
        &self,
        state: &State,
        task: usize,
        log: &mut StepLog,
    ) -> Option<(WaitFor, Span)> {
        let mut wait = None;
        let mut enabled = false;
        self.for_each_resolution(state, task, log, |r, _, _| match r {
            StepResult::Blocked { wait: w, span } => {
                wait.get_or_insert((w, span));
                true
            }
            _ => {
                enabled = true;
                false
            }
        });
        if enabled {
            None
        } else {
            wait
        }
    }

    /// Updates the lost-update bookkeeping of `next` after `task` stepped with `log`. Returns the
    /// first slot that the step overwrote without having read it since another task wrote it.
    pub fn apply_lost_update(&self, next: &mut State, task: usize, log: &StepLog) -> Option<u32> {
        let n = self.layout.num_slots;
        let mut lost = None;
        for &w in &log.writes {
            let w = w as usize;
            if !self.tracked[w] {
                continue;
            }
            if !log.reads.contains(&(w as u32)) && next.lu[task * n + w] == LU_STALE {
                lost.get_or_insert(w as u32);
            }
        }
        for &r in &log.reads {
            if self.tracked[r as usize] {
                next.lu[task * n + r as usize] = LU_READ;
            }
        }
        for &w in &log.writes {
            let w = w as usize;
            if !self.tracked[w] {
                continue;
            }
            for other in (0..self.model.tasks.len()).filter(|&o| o != task) {
                if next.lu[other * n + w] == LU_READ {
                    next.lu[other * n + w] = LU_STALE;
                }
            }
        }
        if next.finished(&self.layout, task) {
            next.lu[task * n..(task + 1) * n].fill(LU_NONE);
        }
        lost
    }

    /// The checks of a newly reached state: invariants in declaration order, then the final
    /// properties (when every task has finished) or deadlock (when no task can step).
    pub fn check_state(&self, state: &State) -> StateCheck {
        match self.check_state_in(&mut state.clone(), &mut StepLog::default(), |_, _| true) {
            Ok(check) => check,
            Err(Cut) => unreachable!("an unarmed guard never cuts"),
        }
    }

    /// [`Semantics::check_state`] without allocating. `may_block(task, pc)` says whether the step
    /// of unfinished `task` at `pc` could block at all (false lets the deadlock check skip running it);
    /// `log` is scratch space, and its guard bounds the deadlock check: if it cuts, the answer is
    /// [`Cut`], which means nothing about the state: the explorer must end without a conclusion
    /// (a [`StateCheck::Fine`] there would leave every caller one forgotten test away from a wrong
    /// verdict). `state` is only read (the `mut` is the evaluator's).
    pub fn check_state_in(
        &self,
        state: &mut State,
        log: &mut StepLog,
        may_block: impl Fn(usize, u32) -> bool,
    ) -> Result<StateCheck, Cut> {
        for (i, p) in self.model.invariants.iter().enumerate() {
            match step::eval_property_in(self.model, &mut state.shared, log, &p.expr) {
                Ok(true) => {}
                Ok(false) => return Ok(StateCheck::Invariant(i)),
                Err(error) => {
                    return Ok(StateCheck::PropertyError {
                        invariant: true,
                        index: i,
                        error,
                    })
                }
            }
        }
        if state.all_finished(&self.layout) {
            for (i, p) in self.model.finals.iter().enumerate() {
                match step::eval_property_in(self.model, &mut state.shared, log, &p.expr) {
                    Ok(true) => {}
                    Ok(false) => return Ok(StateCheck::Final(i)),
                    Err(error) => {
                        return Ok(StateCheck::PropertyError {
                            invariant: false,
                            index: i,
                            error,
                        })
                    }
                }
            }
            return Ok(StateCheck::Fine);
        }
        let unfinished = |t: &usize| !state.finished(&self.layout, *t);
        let tasks = 0..self.model.tasks.len();
        if !tasks
            .clone()
            .filter(unfinished)
            .all(|t| may_block(t, state.pcs[t]))
        {
            return Ok(StateCheck::Fine);
        }
        let state = &*state;
        let blocked = tasks
            .filter(unfinished)
            .all(|t| self.wait_of_in(state, t, log).is_some());
        // Every resolution blocked, as far as a cut enumeration saw, is no deadlock, and no
        // answer either.
        if log.cut() {
            return Err(Cut);
        }
        Ok(if blocked {
            StateCheck::Deadlock
        } else {
            StateCheck::Fine
        })
    }
}
