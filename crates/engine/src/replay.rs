//! Replay: a schedule in, a step-by-step trace out, ending at the violation it reproduces.
//!
//! Replay runs the same step function as the explorers, with a chooser that follows the schedule's
//! choices, and checks in the same order. It also keeps the detailed bookkeeping that the state
//! leaves out (which step read, which step wrote), so that it is replay that describes a
//! violation in full: the explorer only finds the schedule.

use rustc_hash::FxHashMap;

use migcheck_lang::ir::Model;
use migcheck_lang::Span;

use crate::schedule::{self, Choice, ChoiceKind, Schedule, ScheduleStep};
use crate::semantics::{Semantics, StateCheck};
use crate::state::State;
use crate::step::{self, Chooser, ErrorKind, Event, StepError, StepLog, StepResult, WaitFor};
use crate::violation::{
    describe_error, describe_wait, BlockedTask, LostUpdate, Note, StepRef, Violation, ViolationKind,
};

/// A schedule that does not fit the model: where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleError {
    /// 1-based step number.
    pub step: usize,
    /// 1-based character column of the step in the schedule text.
    pub column: usize,
    pub reason: String,
}

/// A change of one shared slot in one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub slot: u32,
    pub old: i64,
    pub new: i64,
}

/// One replayed step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceStep {
    /// 1-based.
    pub index: usize,
    pub task: usize,
    pub choices: Vec<Choice>,
    /// Statements run, values read and written, locks, choices: in order.
    pub events: Vec<Event>,
    /// The shared slots whose value differs after the step.
    pub changes: Vec<Change>,
    /// The task finished in this step.
    pub finished: bool,
    /// The step failed (a model error or an assertion).
    pub error: Option<StepError>,
}

/// The result of a replay.
#[derive(Debug, Clone)]
pub struct Trace {
    pub steps: Vec<TraceStep>,
    pub violation: Option<Violation>,
    /// Steps of the schedule after the violation, not replayed.
    pub steps_left: usize,
    /// The state after the last replayed step.
    pub state: State,
    /// Every task has finished in `state`.
    pub all_finished: bool,
}

/// Replays a schedule given as text.
pub fn replay(model: &Model, text: &str) -> Result<Trace, ScheduleError> {
    let raw = schedule::parse(text).map_err(|e| ScheduleError {
        step: e.step,
        column: e.column,
        reason: e.reason,
    })?;
    Replayer::new(model).run(&raw)
}

/// Replays a schedule given as data (through its text, so both paths are one).
pub fn replay_schedule(model: &Model, schedule: &Schedule) -> Result<Trace, ScheduleError> {
    replay(model, &schedule.format(model))
}

/// Follows the choices written in one step of a schedule.
struct ReplayChooser<'a> {
    model: &'a Model,
    raw: &'a [String],
    made: Vec<Choice>,
    error: Option<String>,
}

impl Chooser for ReplayChooser<'_> {
    fn choose(&mut self, kind: ChoiceKind, lo: i64, hi: i64, span: Span) -> Option<i64> {
        let what = match kind {
            ChoiceKind::Branch => "an `either`",
            _ => "a `choose`",
        };
        let Some(text) = self.raw.get(self.made.len()) else {
            self.error = Some(format!(
                "missing choice: the step resolves {what} at {} and the schedule gives no \
                 value for it",
                self.model.at_line(span)
            ));
            return None;
        };
        let value = match kind {
            ChoiceKind::Int | ChoiceKind::Branch => text.parse::<i64>().ok(),
            ChoiceKind::Enum(e) => self.model.enums[e as usize]
                .variants
                .iter()
                .position(|v| v == text)
                .map(|p| p as i64),
        };
        let options = match kind {
            ChoiceKind::Int => format!("takes a value in {lo}..{hi}"),
            ChoiceKind::Branch => format!("has branches 0..{hi}"),
            ChoiceKind::Enum(e) => format!(
                "takes one of {}",
                self.model.enums[e as usize].variants.join(", ")
            ),
        };
        match value {
            Some(v) if lo <= v && v < hi => {
                self.made.push(Choice { kind, value: v });
                Some(v)
            }
            _ => {
                self.error = Some(format!(
                    "impossible choice `{text}`: {what} at {} {options}",
                    self.model.at_line(span)
                ));
                None
            }
        }
    }
}

struct Replayer<'m> {
    sem: Semantics<'m>,
    /// Per (task, slot): the step whose read is the task's reference for the slot.
    reads: FxHashMap<(usize, u32), StepRef>,
    /// Per (task, slot): the first write by another task after that read.
    stale_by: FxHashMap<(usize, u32), StepRef>,
    /// Per lock: the step that took it last.
    taken: FxHashMap<u32, StepRef>,
}

impl<'m> Replayer<'m> {
    fn new(model: &'m Model) -> Replayer<'m> {
        Replayer {
            sem: Semantics::new(model),
            reads: FxHashMap::default(),
            stale_by: FxHashMap::default(),
            taken: FxHashMap::default(),
        }
    }

    fn run(mut self, raw: &[schedule::RawStep]) -> Result<Trace, ScheduleError> {
        let model = self.sem.model;
        let mut state = self.sem.initial();
        let mut trace = Trace {
            steps: Vec::new(),
            violation: None,
            steps_left: 0,
            state: state.clone(),
            all_finished: false,
        };
        let mut done = Schedule::default();
        if let Some(v) = self.check_state(&state, &done) {
            trace.violation = Some(v);
            trace.steps_left = raw.len();
            trace.all_finished = state.all_finished(&self.sem.layout);
            trace.state = state;
            return Ok(trace);
        }
        for (i, rs) in raw.iter().enumerate() {
            let refuse = |reason: String| ScheduleError {
                step: i + 1,
                column: rs.column,
                reason,
            };
            let Some(task) = model.tasks.iter().position(|t| t.name == rs.task) else {
                let names: Vec<&str> = model.tasks.iter().map(|t| t.name.as_str()).collect();
                return Err(refuse(format!(
                    "unknown task `{}`; the tasks are {}",
                    rs.task,
                    names.join(", ")
                )));
            };
            if state.finished(&self.sem.layout, task) {
                return Err(refuse(format!("task `{}` has already finished", rs.task)));
            }
            let mut chooser = ReplayChooser {
                model,
                raw: &rs.choices,
                made: Vec::new(),
                error: None,
            };
            let mut log = StepLog::traced();
            let result = step::step(
                model,
                &self.sem.layout,
                &state,
                task,
                &mut chooser,
                &mut log,
            );
            if let StepResult::Blocked { wait, span } = &result {
                return Err(refuse(format!(
                    "task `{}` cannot step here: it is blocked at {} waiting for {}",
                    rs.task,
                    model.at_line(*span),
                    describe_wait(model, wait)
                )));
            }
            if let StepResult::Refused = result {
                return Err(refuse(chooser.error.unwrap_or_default()));
            }
            if chooser.made.len() < rs.choices.len() {
                return Err(refuse(format!(
                    "extra choice `{}`: the step resolves only {} choice(s) here",
                    rs.choices[chooser.made.len()],
                    chooser.made.len()
                )));
            }
            done.steps.push(ScheduleStep {
                task,
                choices: chooser.made.clone(),
            });
            let index = i + 1;
            let events = log.events.take().unwrap_or_default();
            let mut tstep = TraceStep {
                index,
                task,
                choices: chooser.made,
                events,
                changes: Vec::new(),
                finished: false,
                error: None,
            };
            let mut next = match result {
                StepResult::Next(next) => next,
                StepResult::Error(e) => {
                    let v = self.step_error(task, &e, &done);
                    tstep.error = Some(e);
                    trace.steps.push(tstep);
                    trace.violation = Some(v);
                    trace.steps_left = raw.len() - index;
                    trace.all_finished = state.all_finished(&self.sem.layout);
                    trace.state = state;
                    return Ok(trace);
                }
                StepResult::Blocked { .. } | StepResult::Refused => unreachable!("handled above"),
            };
            tstep.changes = state
                .shared
                .iter()
                .zip(next.shared.iter())
                .enumerate()
                .filter(|(_, (a, b))| a != b)
                .map(|(slot, (&old, &new))| Change {
                    slot: slot as u32,
                    old,
                    new,
                })
                .collect();
            tstep.finished = next.finished(&self.sem.layout, task);
            let lost = self.sem.apply_lost_update(&mut next, task, &log);
            let details = self.track(index, task, &tstep.events, &log, tstep.finished);
            trace.steps.push(tstep);
            state = next;
            let violation = match lost {
                Some(slot) => Some(self.lost_update(slot, details, &done)),
                None => self.check_state(&state, &done),
            };
            if let Some(v) = violation {
                trace.violation = Some(v);
                trace.steps_left = raw.len() - index;
                break;
            }
        }
        trace.all_finished = state.all_finished(&self.sem.layout);
        trace.state = state;
        Ok(trace)
    }

    /// Updates the detailed read/write bookkeeping with one step and returns, per slot the step
    /// overwrote, the read and the other task's write that made the overwrite a lost update.
    fn track(
        &mut self,
        index: usize,
        task: usize,
        events: &[Event],
        log: &StepLog,
        finished: bool,
    ) -> Vec<(u32, StepRef, StepRef, StepRef)> {
        let mut span = Span::default();
        let mut read_at: FxHashMap<u32, Span> = FxHashMap::default();
        let mut write_at: FxHashMap<u32, Span> = FxHashMap::default();
        for e in events {
            match e {
                Event::Stmt(s) => span = *s,
                Event::Read { slot, .. } => {
                    read_at.entry(*slot).or_insert(span);
                }
                Event::Write { slot, .. } => {
                    write_at.insert(*slot, span);
                }
                Event::Lock { lock } => {
                    self.taken.insert(
                        *lock,
                        StepRef {
                            step: index,
                            task,
                            span,
                        },
                    );
                }
                _ => {}
            }
        }
        let at = |span: Span| StepRef {
            step: index,
            task,
            span,
        };
        let mut lost = Vec::new();
        for &w in &log.writes {
            if log.reads.contains(&w) {
                continue;
            }
            if let (Some(r), Some(s)) = (self.reads.get(&(task, w)), self.stale_by.get(&(task, w)))
            {
                lost.push((w, *r, *s, at(write_at[&w])));
            }
        }
        for &r in &log.reads {
            self.reads.insert((task, r), at(read_at[&r]));
            self.stale_by.remove(&(task, r));
        }
        for &w in &log.writes {
            let others: Vec<usize> = self
                .reads
                .keys()
                .filter(|&&(t, s)| s == w && t != task)
                .map(|&(t, _)| t)
                .collect();
            for o in others {
                self.stale_by.entry((o, w)).or_insert(at(write_at[&w]));
            }
        }
        if finished {
            self.reads.retain(|&(t, _), _| t != task);
            self.stale_by.retain(|&(t, _), _| t != task);
        }
        lost
    }

    fn lost_update(
        &self,
        slot: u32,
        details: Vec<(u32, StepRef, StepRef, StepRef)>,
        done: &Schedule,
    ) -> Violation {
        let model = self.sem.model;
        let var = &model.shared[model.var_of_slot(slot as usize)];
        let location = model.slot_name(slot as usize);
        let (_, read, write, overwrite) = details
            .into_iter()
            .find(|d| d.0 == slot)
            .expect("replay's bookkeeping agrees with the state's");
        let name = |t: usize| model.tasks[t].name.as_str();
        let message = format!(
            "lost update of `{location}`: {} read it at {} (step {}), {} wrote it at {} \
             (step {}), then {} overwrote it at {} (step {}) without reading it again",
            name(read.task),
            model.at_line(read.span),
            read.step,
            name(write.task),
            model.at_line(write.span),
            write.step,
            name(overwrite.task),
            model.at_line(overwrite.span),
            overwrite.step
        );
        let mut v = Violation::new(ViolationKind::LostUpdate, message, done.clone());
        v.name = Some(var.name.clone());
        v.key = var
            .key
            .map(|k| model.format_key(k, k.key_at(slot as usize - var.base_slot)));
        v.span = Some(overwrite.span);
        v.notes = vec![
            Note {
                span: read.span,
                text: format!(
                    "{} reads `{location}` (step {})",
                    name(read.task),
                    read.step
                ),
            },
            Note {
                span: write.span,
                text: format!(
                    "{} writes `{location}` (step {})",
                    name(write.task),
                    write.step
                ),
            },
            Note {
                span: overwrite.span,
                text: format!(
                    "{} overwrites `{location}` (step {})",
                    name(overwrite.task),
                    overwrite.step
                ),
            },
        ];
        v.lost_update = Some(LostUpdate {
            location,
            read,
            write,
            overwrite,
        });
        v
    }

    fn step_error(&self, task: usize, e: &StepError, done: &Schedule) -> Violation {
        let model = self.sem.model;
        let kind = match e.kind {
            ErrorKind::Assertion { .. } => ViolationKind::Assertion,
            _ => ViolationKind::ModelError,
        };
        let mut v = Violation::new(
            kind,
            describe_error(model, Some(task), &e.kind),
            done.clone(),
        );
        v.span = Some(e.span);
        if let ErrorKind::UnlockNotHeld {
            lock,
            holder: Some(_),
        }
        | ErrorKind::BlockInAtomic(WaitFor::Lock { lock, .. }) = e.kind
        {
            if let Some(t) = self.taken.get(&lock) {
                v.notes.push(Note {
                    span: t.span,
                    text: format!(
                        "{} took `{}` here (step {})",
                        model.tasks[t.task].name, model.locks[lock as usize].name, t.step
                    ),
                });
            }
        }
        v
    }

    fn check_state(&self, state: &State, done: &Schedule) -> Option<Violation> {
        let model = self.sem.model;
        let v = match self.sem.check_state(state) {
            StateCheck::Fine => return None,
            StateCheck::Invariant(i) => {
                let p = &model.invariants[i];
                let mut v = Violation::new(
                    ViolationKind::Invariant,
                    format!("invariant `{}` does not hold", p.name),
                    done.clone(),
                );
                v.name = Some(p.name.clone());
                v.span = Some(p.span);
                v
            }
            StateCheck::Final(i) => {
                let p = &model.finals[i];
                let mut v = Violation::new(
                    ViolationKind::Final,
                    format!(
                        "final property `{}` does not hold once every task has finished",
                        p.name
                    ),
                    done.clone(),
                );
                v.name = Some(p.name.clone());
                v.span = Some(p.span);
                v
            }
            StateCheck::PropertyError {
                invariant,
                index,
                error,
            } => {
                let (what, p) = if invariant {
                    ("invariant", &model.invariants[index])
                } else {
                    ("final property", &model.finals[index])
                };
                let mut v = Violation::new(
                    ViolationKind::ModelError,
                    format!(
                        "evaluating {what} `{}`: {}",
                        p.name,
                        describe_error(model, None, &error)
                    ),
                    done.clone(),
                );
                v.span = Some(p.span);
                v
            }
            StateCheck::Deadlock => self.deadlock(state, done),
        };
        Some(v)
    }

    fn deadlock(&self, state: &State, done: &Schedule) -> Violation {
        let model = self.sem.model;
        let blocked: Vec<BlockedTask> = (0..model.tasks.len())
            .filter(|&t| !state.finished(&self.sem.layout, t))
            .filter_map(|t| {
                self.sem.wait_of(state, t).map(|(wait, span)| BlockedTask {
                    task: t,
                    wait,
                    span,
                })
            })
            .collect();
        let cycle = wait_cycle(&blocked);
        let waits: Vec<String> = blocked
            .iter()
            .map(|b| {
                let mut s = format!(
                    "{} waits for {}",
                    model.tasks[b.task].name,
                    describe_wait(model, &b.wait)
                );
                if let WaitFor::Lock { holder, .. } = b.wait {
                    if state.finished(&self.sem.layout, holder) {
                        s.push_str(" (finished)");
                    }
                }
                s
            })
            .collect();
        let mut message = waits.join("; ");
        if !cycle.is_empty() {
            let mut names: Vec<&str> = cycle
                .iter()
                .map(|&t| model.tasks[t].name.as_str())
                .collect();
            names.push(names[0]);
            message.push_str(&format!("; wait-for cycle {}", names.join(" -> ")));
        }
        let mut v = Violation::new(ViolationKind::Deadlock, message, done.clone());
        v.span = blocked.first().map(|b| b.span);
        for b in &blocked {
            v.notes.push(Note {
                span: b.span,
                text: format!("{} is blocked here", model.tasks[b.task].name),
            });
            if let WaitFor::Lock { lock, .. } = b.wait {
                if let Some(t) = self.taken.get(&lock) {
                    v.notes.push(Note {
                        span: t.span,
                        text: format!(
                            "{} took `{}` here (step {})",
                            model.tasks[t.task].name, model.locks[lock as usize].name, t.step
                        ),
                    });
                }
            }
        }
        v.blocked = blocked;
        v.cycle = cycle;
        v
    }
}

/// The first cycle in the wait-for graph (task -> holder of the lock it waits for).
fn wait_cycle(blocked: &[BlockedTask]) -> Vec<usize> {
    let next = |t: usize| {
        blocked
            .iter()
            .find(|b| b.task == t)
            .and_then(|b| match b.wait {
                WaitFor::Lock { holder, .. } => Some(holder),
                WaitFor::Await => None,
            })
    };
    for b in blocked {
        let mut path = vec![b.task];
        let mut at = b.task;
        while let Some(h) = next(at) {
            if let Some(pos) = path.iter().position(|&t| t == h) {
                return path[pos..].to_vec();
            }
            path.push(h);
            at = h;
        }
    }
    Vec::new()
}
