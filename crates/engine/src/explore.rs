//! The reference explorer: breadth-first over reachable states with a visited set.
//!
//! It is kept simple and obviously right on purpose: it is the oracle that every faster explorer
//! is tested against. States are expanded in discovery order, tasks in declaration order,
//! resolutions in ascending order, and the checks run in DESIGN.md's order, so the first
//! violation found is the canonical one and its schedule a shortest one.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustc_hash::FxHashMap;

use migcheck_lang::ir::Model;

use crate::budget::{Monitor, Progress, Reporter, StopFlag};
use crate::checkpoint::Checkpoint;
use crate::replay;
use crate::schedule::{Schedule, ScheduleStep};
use crate::semantics::{Semantics, StateCheck};
use crate::state::State;
use crate::step::StepResult;
use crate::violation::Violation;

/// Budgets and settings of an exploration.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Stop with an incomplete verdict once this many states are stored.
    pub max_states: Option<u64>,
    pub explorer: Explorer,
    /// For [`Explorer::Fast`]: `Some(n)` explores each breadth-first level with `n` threads
    /// ([`crate::parallel`]); `None` runs the sequential fast explorer. Same answers either way.
    pub threads: Option<usize>,
    /// For [`Explorer::Fast`]: store 64-bit fingerprints, not states ([`crate::fast::compact`];
    /// sequential, whatever `threads` says).
    pub compact: bool,
    /// For [`Explorer::Fast`]: turn partial-order reduction off ([`crate::fast::por`]). With it
    /// on, a violation is looked for again without it, for the shortest schedule.
    pub no_reduction: bool,
    /// For [`Explorer::Fast`]: turn symmetry reduction off ([`crate::fast::symmetry`]), which is
    /// on with partial-order reduction (and off with it).
    pub no_symmetry: bool,
    /// How the states are searched: exhaustively breadth-first (the default), exhaustively
    /// depth-first in bounded memory, or by sampling runs.
    pub strategy: Strategy,
    /// Stop with an incomplete verdict once this much time has passed since `started`.
    pub time_limit: Option<Duration>,
    /// Stop with an incomplete verdict once the process holds this many bytes (its resident
    /// memory, checked every few milliseconds: a table that doubles may overshoot it by its size).
    pub max_memory: Option<u64>,
    /// Stop with an incomplete verdict ("interrupted") once this flag is raised.
    pub stop: Option<StopFlag>,
    /// Receives progress reports every few milliseconds.
    pub progress: Option<Reporter>,
    /// When the time budget started ([`check`] sets it, so that a second search shares the first
    /// one's time); `None`: when the explorer starts.
    pub started: Option<Instant>,
    /// Go on from this checkpoint of a stopped search ([`crate::checkpoint`]), which must
    /// [`Checkpoint::fits`] the model. Breadth-first search with the fast explorer only.
    pub resume: Option<Arc<Checkpoint>>,
}

impl Options {
    /// Whether the fast explorers merge symmetric states ([`crate::fast::symmetry`]).
    pub fn symmetric(&self) -> bool {
        !self.no_reduction && !self.no_symmetry
    }
}

/// How [`check`] searches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Strategy {
    /// Breadth-first, every state: shortest schedules (the explorer is [`Options::explorer`]).
    #[default]
    Bfs,
    /// Depth-first with a cache of this many fingerprints ([`crate::dfs`]).
    Dfs { cache: usize },
    /// Sampled runs ([`crate::strategy`]): finds violations, proves nothing.
    Sample(crate::strategy::Sampling),
}

/// Which explorer [`check`] runs. Both give the same verdict and schedule; their state counts
/// differ where the fast one merges states that differ only in lost-update marks that can no
/// longer matter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Explorer {
    /// [`crate::fast::explore`]: packed states, no allocation per transition.
    #[default]
    Fast,
    /// [`explore`]: the simple breadth-first oracle.
    Reference,
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    /// Distinct states stored (the lost-update bookkeeping included).
    pub states: u64,
    /// Transitions taken (steps that ran or failed; blocked resolutions are none).
    pub transitions: u64,
    /// The length of the longest shortest schedule seen (the breadth-first depth reached).
    pub depth: usize,
    /// Bytes the explorer's store of states held at the end (0 where not measured).
    pub bytes: u64,
    /// In compact mode, the estimated probability that two states shared a fingerprint.
    pub collision_probability: Option<f64>,
    pub seconds: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Verdict {
    Ok,
    Violation(Box<Violation>),
    /// A budget ran out before the answer was known.
    Incomplete {
        reason: String,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub verdict: Verdict,
    pub stats: Stats,
    /// With a sampling strategy: the runs, and every failing one.
    pub sampled: Option<crate::strategy::Sampled>,
    /// When the stop flag ended a breadth-first search of the fast explorer: where to go on from.
    pub checkpoint: Option<Box<Checkpoint>>,
}

impl Outcome {
    pub fn violation(&self) -> Option<&Violation> {
        match &self.verdict {
            Verdict::Violation(v) => Some(v),
            _ => None,
        }
    }
}

/// What the explorer found, before the violation is described in full by replay.
#[derive(Debug, Clone, PartialEq)]
pub enum Found {
    Nothing,
    /// A violation reached by this (shortest) schedule.
    Violation(Schedule),
    Incomplete(String),
    /// The stop flag ended the search; it can go on from the checkpoint.
    Interrupted(Box<Checkpoint>),
}

/// Explores `model` and describes the violation found, if any, in full.
pub fn check(model: &Model, options: &Options) -> Outcome {
    let start = Instant::now();
    // A checkpoint of the full search that follows a violation found under reduction goes on
    // with that search.
    let resumed_full = options.resume.as_ref().is_some_and(|c| c.no_reduction);
    // A checkpoint's states are representatives of their orbits exactly when its search merged
    // symmetric states: the search goes on as it was.
    let no_symmetry = match options.resume.as_deref() {
        Some(c) => !c.symmetric,
        None => options.no_symmetry,
    };
    let options = &Options {
        started: Some(options.started.unwrap_or(start)),
        no_reduction: options.no_reduction || resumed_full,
        no_symmetry,
        ..options.clone()
    };
    let mut sampled = None;
    let (mut found, mut stats) = match options.strategy {
        Strategy::Bfs => run(model, options),
        Strategy::Dfs { cache } => crate::dfs::explore(model, options, cache),
        Strategy::Sample(sampling) => {
            let (found, stats, mut s) = crate::strategy::sample(model, &sampling, options);
            for f in s.failing.iter_mut().take(crate::strategy::DESCRIBED) {
                f.violation = Some(Box::new(describe(model, f.schedule.clone())));
            }
            sampled = Some(s);
            (found, stats)
        }
    };
    if options.strategy == Strategy::Bfs
        && options.explorer == Explorer::Fast
        && !options.no_reduction
        && matches!(found, Found::Violation(_))
    {
        // The reduced search proved there is a violation; the full one finds the shortest.
        (found, stats) = run(
            model,
            &Options {
                no_reduction: true,
                resume: None,
                ..options.clone()
            },
        );
    }
    let mut checkpoint = None;
    let verdict = match found {
        Found::Nothing => Verdict::Ok,
        Found::Incomplete(reason) if sampled.is_none() => Verdict::Incomplete {
            reason: format!(
                "{reason}: {} states explored, to depth {}",
                stats.states, stats.depth
            ),
        },
        Found::Incomplete(reason) => Verdict::Incomplete { reason },
        Found::Interrupted(c) => {
            checkpoint = Some(c);
            Verdict::Incomplete {
                reason: format!(
                    "interrupted: {} states explored, to depth {}",
                    stats.states, stats.depth
                ),
            }
        }
        Found::Violation(schedule) => Verdict::Violation(Box::new(describe(model, schedule))),
    };
    stats.seconds = start.elapsed().as_secs_f64();
    Outcome {
        verdict,
        stats,
        sampled,
        checkpoint,
    }
}

/// Runs the explorer `options` choose.
fn run(model: &Model, options: &Options) -> (Found, Stats) {
    match options.explorer {
        Explorer::Fast if options.compact => crate::fast::compact::explore(model, options),
        Explorer::Fast => match options.threads {
            Some(n) => crate::parallel::explore(model, options, n.max(1)),
            None => crate::fast::explore(model, options),
        },
        Explorer::Reference => explore(model, options),
    }
}

/// Replays the schedule the explorer found to describe its violation with every detail.
fn describe(model: &Model, schedule: Schedule) -> Violation {
    match replay::replay_schedule(model, &schedule) {
        Ok(trace) => match trace.violation {
            Some(v) => v,
            None => unreachable!("the explorer's schedule replays without a violation"),
        },
        Err(e) => unreachable!("the explorer's schedule does not replay: {}", e.reason),
    }
}

/// Node of the search tree: how a stored state was first reached.
struct Parent {
    parent: u32,
    step: ScheduleStep,
    depth: u32,
}

/// Breadth-first search. Returns what it found and the figures of the search.
pub fn explore(model: &Model, options: &Options) -> (Found, Stats) {
    let sem = Semantics::new(model);
    let mut stats = Stats::default();
    let mut init = sem.initial();
    stats.states = 1;
    let monitor = Monitor::new(options);
    let bytes = init.bytes();
    // The step's log, and the checks' (they run inside the enumeration): both under the budgets.
    let (mut log, mut scratch) = (monitor.step_log(bytes), monitor.step_log(bytes));
    let Ok(check) = sem.check_state_in(&mut init, &mut scratch, |_, _| true) else {
        return (Found::Incomplete(monitor.reason()), stats);
    };
    if check != StateCheck::Fine {
        return (Found::Violation(Schedule::default()), stats);
    }
    let mut index: FxHashMap<State, u32> = FxHashMap::default();
    let mut parents: Vec<Option<Parent>> = vec![None];
    let mut queue: VecDeque<(u32, State)> = VecDeque::new();
    index.insert(init.clone(), 0);
    queue.push_back((0, init));

    let path = |parents: &[Option<Parent>], mut at: u32, last: ScheduleStep| {
        let mut steps = vec![last];
        while let Some(p) = &parents[at as usize] {
            steps.push(p.step.clone());
            at = p.parent;
        }
        steps.reverse();
        Schedule { steps }
    };

    let mut ticker = monitor.ticker(bytes);
    while let Some((id, state)) = queue.pop_front() {
        let depth = parents[id as usize].as_ref().map_or(0, |p| p.depth);
        let progress = || Progress {
            states: stats.states,
            transitions: stats.transitions,
            depth: depth as usize,
            queue: queue.len() as u64 + 1,
            ..Progress::default()
        };
        if let Some(reason) = ticker.tick(progress) {
            return (Found::Incomplete(reason), stats);
        }
        for task in 0..model.tasks.len() {
            if state.finished(&sem.layout, task) {
                continue;
            }
            let mut found: Option<ScheduleStep> = None;
            let mut over_budget = false;
            sem.for_each_resolution(&state, task, &mut log, |result, choices, log| {
                let step = || ScheduleStep {
                    task,
                    choices: choices.to_vec(),
                };
                let mut next = match result {
                    StepResult::Blocked { .. } => return true,
                    StepResult::Refused => unreachable!("the enumerator never refuses"),
                    StepResult::Error(_) => {
                        stats.transitions += 1;
                        found = Some(step());
                        return false;
                    }
                    StepResult::Next(next) => next,
                };
                stats.transitions += 1;
                if sem.apply_lost_update(&mut next, task, log).is_some() {
                    found = Some(step());
                    return false;
                }
                if index.contains_key(&next) {
                    return true;
                }
                let new_id = parents.len() as u32;
                let Ok(check) = sem.check_state_in(&mut next, &mut scratch, |_, _| true) else {
                    return false;
                };
                index.insert(next.clone(), new_id);
                parents.push(Some(Parent {
                    parent: id,
                    step: step(),
                    depth: depth + 1,
                }));
                stats.states += 1;
                stats.depth = stats.depth.max(depth as usize + 1);
                if check != StateCheck::Fine {
                    found = Some(step());
                    return false;
                }
                if options.max_states.is_some_and(|m| stats.states >= m) {
                    over_budget = true;
                    return false;
                }
                queue.push_back((new_id, next));
                true
            });
            // A budget ran out in the middle of the expansion (a guard cut it): the search ends
            // without a conclusion. A violation found stops the enumeration where it is, before
            // any cut, so a cut never hides one.
            if log.cut() || scratch.cut() {
                return (Found::Incomplete(monitor.reason()), stats);
            }
            if let Some(step) = found {
                return (Found::Violation(path(&parents, id, step)), stats);
            }
            if over_budget {
                let reason = format!(
                    "the state budget of {} states ran out",
                    options.max_states.unwrap_or_default()
                );
                return (Found::Incomplete(reason), stats);
            }
        }
    }
    (Found::Nothing, stats)
}
