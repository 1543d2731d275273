//! `--strategy dfs`: depth-first search in bounded memory, for models whose states do not fit.
//!
//! Memory does not grow with the number of states: the search keeps the current path (each
//! state on it with its successors still to visit), the fingerprints of the states on the path
//! (so that it never loops around a cycle), and a fixed-size cache of fingerprints of states
//! already explored, where a newer state takes the slot of an older one. A state that fell out of
//! the cache is explored again when it is met again: time is spent instead of memory. The search
//! is complete: when it ends without a violation, none is reachable (barring a 64-bit fingerprint
//! collision, estimated as in `--compact`).
//!
//! The schedule of a violation is the path that reached it: depth-first search does not give the
//! shortest one. Replay it, or re-run breadth-first for the shortest.

use migcheck_lang::ir::Model;
use rustc_hash::FxHashSet;

use crate::budget::{Monitor, Progress};
use crate::explore::{Found, Options, Stats};
use crate::fast::compact::fingerprint;
use crate::schedule::{Schedule, ScheduleStep};
use crate::semantics::{Semantics, StateCheck};
use crate::state::State;
use crate::step::{StepLog, StepResult};

/// The default number of cache slots (8 bytes each): 32 MiB.
pub const DEFAULT_CACHE: usize = 1 << 22;

/// A state on the path and what is left of its successors (popped from the end).
struct Frame {
    fp: u64,
    /// The step that reached this state (none for the initial state).
    step: Option<ScheduleStep>,
    todo: Vec<(ScheduleStep, Outcome)>,
}

/// What one transition leads to.
enum Outcome {
    Next(State),
    Violation,
}

/// Explores `model` depth first with a cache of `cache` fingerprints.
pub fn explore(model: &Model, options: &Options, cache: usize) -> (Found, Stats) {
    let sem = Semantics::new(model);
    let mut stats = Stats::default();
    let cache = cache.max(1);
    let mut explored = vec![0u64; cache];
    let mut on_path: FxHashSet<u64> = FxHashSet::default();
    let mut initial = sem.initial();
    let monitor = Monitor::new(options);
    let bytes = initial.bytes();
    let (mut log, mut scratch) = (monitor.step_log(bytes), monitor.step_log(bytes));
    // What ends the search when a guard cut the state being expanded or checked.
    let cut = |stats: Stats| {
        let stats = Stats {
            bytes: (cache * 8) as u64,
            ..stats
        };
        (Found::Incomplete(monitor.reason()), stats)
    };
    stats.states = 1;
    let Ok(check) = sem.check_state_in(&mut initial, &mut scratch, |_, _| true) else {
        return cut(stats);
    };
    if check != StateCheck::Fine {
        return (Found::Violation(Schedule::default()), stats);
    }
    let fp = fingerprint(&initial);
    on_path.insert(fp);
    let todo = successors(&sem, &initial, &mut log, &mut stats);
    if log.cut() {
        return cut(stats);
    }
    let mut path = vec![Frame {
        fp,
        step: None,
        todo,
    }];
    let schedule_of = |path: &[Frame], last: ScheduleStep| Schedule {
        steps: path
            .iter()
            .filter_map(|f| f.step.clone())
            .chain(std::iter::once(last))
            .collect(),
    };
    let mut ticker = monitor.ticker(bytes);
    while !path.is_empty() {
        let depth = path.len();
        let progress = || Progress {
            states: stats.states,
            transitions: stats.transitions,
            depth,
            queue: 0,
            ..Progress::default()
        };
        if let Some(reason) = ticker.tick(progress) {
            stats.bytes = (cache * 8) as u64;
            return (Found::Incomplete(reason), stats);
        }
        let Some(frame) = path.last_mut() else {
            unreachable!("the loop's condition")
        };
        let Some((step, outcome)) = frame.todo.pop() else {
            let done = path.pop().expect("not empty");
            on_path.remove(&done.fp);
            explored[(done.fp % cache as u64) as usize] = done.fp;
            continue;
        };
        let mut next = match outcome {
            Outcome::Violation => return (Found::Violation(schedule_of(&path, step)), stats),
            Outcome::Next(next) => next,
        };
        let fp = fingerprint(&next);
        if on_path.contains(&fp) || explored[(fp % cache as u64) as usize] == fp {
            continue;
        }
        stats.states += 1;
        stats.depth = stats.depth.max(path.len());
        let Ok(check) = sem.check_state_in(&mut next, &mut scratch, |_, _| true) else {
            return cut(stats);
        };
        if check != StateCheck::Fine {
            return (Found::Violation(schedule_of(&path, step)), stats);
        }
        if options.max_states.is_some_and(|m| stats.states >= m) {
            let reason = format!(
                "the state budget of {} states ran out",
                options.max_states.unwrap_or_default()
            );
            return (Found::Incomplete(reason), stats);
        }
        on_path.insert(fp);
        let todo = successors(&sem, &next, &mut log, &mut stats);
        // Only some of its successors: the search could no longer prove anything.
        if log.cut() {
            return cut(stats);
        }
        path.push(Frame {
            fp,
            step: Some(step),
            todo,
        });
    }
    stats.bytes = (cache * 8) as u64;
    (Found::Nothing, stats)
}

/// Every transition of `state`, in reverse of the breadth-first order (so that popping from the
/// end takes tasks and resolutions in ascending order); only some of them if `log` cuts.
fn successors(
    sem: &Semantics<'_>,
    state: &State,
    log: &mut StepLog,
    stats: &mut Stats,
) -> Vec<(ScheduleStep, Outcome)> {
    let mut out = Vec::new();
    for task in 0..sem.model.tasks.len() {
        if state.finished(&sem.layout, task) {
            continue;
        }
        sem.for_each_resolution(state, task, log, |result, choices, log| {
            let step = ScheduleStep {
                task,
                choices: choices.to_vec(),
            };
            match result {
                StepResult::Blocked { .. } => return true,
                StepResult::Next(mut next) => {
                    stats.transitions += 1;
                    let outcome = if sem.apply_lost_update(&mut next, task, log).is_some() {
                        Outcome::Violation
                    } else {
                        Outcome::Next(next)
                    };
                    out.push((step, outcome));
                }
                _ => {
                    stats.transitions += 1;
                    out.push((step, Outcome::Violation));
                }
            }
            true
        });
    }
    out.reverse();
    out
}
