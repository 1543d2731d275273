//! The sequential breadth-first search over packed states (see the module [`super`]).

use std::time::Instant;

use migcheck_lang::ir::Model;

use crate::budget::{Monitor, Progress};
use crate::checkpoint::Checkpoint;
use crate::explore::{Found, Options, Stats};
use crate::schedule::{Schedule, ScheduleStep};
use crate::semantics::StateCheck;
use crate::state::State;
use crate::step::StepLog;

use super::core::{Copies, Fast, Ran, Transition};
use super::pack::{self, Packer};
use super::table::{self, Table};

/// Packs `state` into `key`, widening a field (and re-packing every stored state) whenever a value
/// does not fit.
fn pack(packer: &mut Packer, table: &mut Table, state: &State, key: &mut Vec<u64>) {
    while let Err(overflow) = packer.pack(state, key) {
        widen(packer, table, overflow, state);
        key.resize(packer.words, 0);
    }
}

/// Packs `next`, reached by one step of `task` from `parent` (packed as `parent_key`), into `key`
/// (see [`Packer::pack_successor`]; `moved` are the tasks symmetry reduction exchanged), widening
/// as [`pack`] does; `parent_key` follows a widening, and the packing before it is returned.
#[expect(
    clippy::too_many_arguments,
    reason = "the explorer's buffers, passed apart so that the borrows stay disjoint"
)]
fn pack_step(
    packer: &mut Packer,
    table: &mut Table,
    parent: &State,
    parent_key: &mut Vec<u64>,
    next: &State,
    task: usize,
    log: &StepLog,
    moved: u64,
    key: &mut Vec<u64>,
) -> Option<Packer> {
    let mut before = None;
    while let Err(overflow) = packer.pack_successor(parent_key, parent, next, task, log, moved, key)
    {
        let old = widen(packer, table, overflow, next);
        before.get_or_insert(old);
        key.resize(packer.words, 0);
        parent_key.resize(packer.words, 0);
        packer
            .pack(parent, parent_key)
            .expect("a stored state fits the wider packing");
    }
    before
}

/// The successors of one state taken in one pass, before they are looked up: packed, hashed,
/// each with its state (to check it if it is new) and the step that reached it.
struct Batch {
    words: usize,
    keys: Vec<u64>,
    hashes: Vec<u64>,
    /// Per successor, the number of its state's copy in `copies`, for its check.
    checks: Vec<u32>,
    copies: Copies,
    steps: Vec<(usize, std::ops::Range<usize>)>,
    choices: Vec<crate::schedule::Choice>,
    /// The transition that fails or loses an update, which ends the pass.
    failing: Option<ScheduleStep>,
}

impl Batch {
    fn new() -> Batch {
        Batch {
            words: 0,
            keys: Vec::new(),
            hashes: Vec::new(),
            checks: Vec::new(),
            copies: Copies::default(),
            steps: Vec::new(),
            choices: Vec::new(),
            failing: None,
        }
    }

    fn len(&self) -> usize {
        self.hashes.len()
    }

    fn clear(&mut self) {
        self.keys.clear();
        self.hashes.clear();
        self.checks.clear();
        self.copies.clear();
        self.steps.clear();
        self.choices.clear();
        self.failing = None;
    }

    fn key(&self, i: usize) -> &[u64] {
        &self.keys[i * self.words..(i + 1) * self.words]
    }

    /// Adds the successor `state`, packed as `key`, reached by `task` with `choices`, and starts
    /// fetching its index slot ([`Table::prefetch`]); keeps a copy of the state when `check`.
    fn push(
        &mut self,
        table: &Table,
        key: &[u64],
        state: &State,
        check: bool,
        task: usize,
        choices: &[crate::schedule::Choice],
    ) {
        self.words = key.len();
        let h = table::hash(key);
        table.prefetch(h);
        self.keys.extend_from_slice(key);
        self.hashes.push(h);
        self.checks.push(self.copies.keep(check.then_some(state)));
        let start = self.choices.len();
        self.choices.extend_from_slice(choices);
        self.steps.push((task, start..self.choices.len()));
    }

    /// Packs the batch's states again after the packing was widened from `old` (they fit the
    /// wider one); `like` is any state of the model.
    fn repack(&mut self, old: &Packer, packer: &Packer, like: &State) {
        let mut state = like.clone();
        let old_keys = std::mem::take(&mut self.keys);
        let old_words = self.words;
        self.words = packer.words;
        self.keys.resize(self.len() * self.words, 0);
        for i in 0..self.len() {
            old.unpack(&old_keys[i * old_words..(i + 1) * old_words], &mut state);
            let key = &mut self.keys[i * self.words..(i + 1) * self.words];
            packer
                .pack(&state, key)
                .expect("a state that fit fits the wider packing");
            self.hashes[i] = table::hash(key);
        }
    }

    /// The step that reached successor `i`.
    fn step(&self, i: usize) -> ScheduleStep {
        let (task, ref choices) = self.steps[i];
        ScheduleStep {
            task,
            choices: self.choices[choices.clone()].to_vec(),
        }
    }
}

/// The longest [`Batch`]: the successors of a state are looked up this many at a time.
const BATCH: usize = 1024;

/// Where the search is: the state being expanded and its depth.
#[derive(Debug, Clone, Copy)]
struct At {
    cursor: usize,
    depth: usize,
}

/// What looking up a batch came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lookup {
    /// Every successor looked up; nothing to stop for.
    Fine,
    /// Successor `i` of the batch is new and breaks a check.
    Violation(usize),
    /// The state budget ran out at a new successor.
    OverBudget,
    /// A guard cut the check of a new successor (a budget ran out).
    Cut,
}

/// Looks up the batch's successors in order, as if one at a time: stores and checks each new
/// one, and counts. The batch is emptied
/// of successors (not of its failing transition) unless a successor stops the search.
#[expect(
    clippy::too_many_arguments,
    reason = "the explorer's state, passed apart so that the enumeration's closure can lend it"
)]
fn look_up(
    fast: &Fast<'_>,
    options: &Options,
    at: At,
    batch: &mut Batch,
    table: &mut Table,
    parents: &mut Vec<u32>,
    stats: &mut Stats,
    scratch: &mut StepLog,
) -> Lookup {
    for i in 0..batch.len() {
        stats.transitions += 1;
        let (_, new) = table.insert_hashed(batch.key(i), batch.hashes[i]);
        if !new {
            continue;
        }
        parents.push(at.cursor as u32);
        stats.states += 1;
        stats.depth = stats.depth.max(at.depth + 1);
        if let Some(state) = batch.copies.get_mut(batch.checks[i]) {
            let Ok(check) = fast.check(state, scratch) else {
                return Lookup::Cut;
            };
            if check != StateCheck::Fine {
                return Lookup::Violation(i);
            }
        }
        if options.max_states.is_some_and(|m| stats.states >= m) {
            return Lookup::OverBudget;
        }
    }
    let failing = batch.failing.take();
    batch.clear();
    batch.failing = failing;
    Lookup::Fine
}

/// Widens the field that overflowed and re-packs the table; returns the packing before. (`like` is
/// any state of the model.)
fn widen(packer: &mut Packer, table: &mut Table, overflow: pack::Overflow, like: &State) -> Packer {
    let old = std::mem::replace(packer, packer.widen(overflow));
    let mut scratch = like.clone();
    let new = &*packer;
    table.repack(new.words, |from, to| {
        old.unpack(from, &mut scratch);
        new.pack(&scratch, to)
            .expect("a stored state fits the wider packing");
    });
    old
}

/// Explores `model` breadth-first; the same answer as [`crate::explore::explore`].
pub fn explore(model: &Model, options: &Options) -> (Found, Stats) {
    let start = Instant::now();
    let reduce = !options.no_reduction;
    let symmetric = options.symmetric();
    let fast = Fast::new(model, symmetric);
    let sem = &fast.sem;
    let mut stats = Stats::default();
    let mut state = sem.initial();
    let monitor = Monitor::new(options);
    let (mut log, mut scratch) = (
        monitor.step_log(state.bytes()),
        monitor.step_log(state.bytes()),
    );
    let mut next = state.clone();
    let mut packer = Packer::new(model, &sem.layout, &fast.analysis);
    let mut key = vec![0u64; packer.words];
    let mut parent_key = Vec::with_capacity(packer.words);
    let mut table = Table::new(packer.words);
    let mut parents: Vec<u32> = vec![u32::MAX];
    let mut batch = Batch::new();
    let mut ran = Ran::default();
    // The level being expanded: `level_start..level_end`, at `depth`; and the figures as it began.
    let (mut cursor, mut level_end, mut depth);
    match options.resume.as_deref() {
        Some(c) => {
            packer = c.packer(model).expect("the checkpoint fits the model");
            table = Table::new(packer.words);
            for i in 0..c.len() {
                if !table.insert(c.state(i)).1 {
                    let reason = "the checkpoint is unusable: it holds a state twice";
                    return (Found::Incomplete(reason.into()), stats);
                }
            }
            parents = c.parents.clone();
            stats = c.stats();
            (cursor, level_end, depth) = (c.frontier, c.len(), c.depth);
            key.resize(packer.words, 0);
        }
        None => {
            stats.states = 1;
            pack(&mut packer, &mut table, &state, &mut key);
            table.insert(&key);
            let Ok(check) = fast.check(&mut state, &mut scratch) else {
                return (Found::Incomplete(monitor.reason()), stats);
            };
            if check != StateCheck::Fine {
                return (Found::Violation(Schedule::default()), stats);
            }
            (cursor, level_end, depth) = (0, 1, 0);
        }
    }
    let mut level_start = cursor;
    let mut level_stats = stats;
    let mut result = None;
    let mut ticker = monitor.ticker(state.bytes());
    'search: while cursor < table.len() {
        if cursor == level_end {
            depth += 1;
            level_start = cursor;
            level_end = table.len();
            level_stats = stats;
        }
        let progress = || Progress {
            states: stats.states,
            transitions: stats.transitions,
            depth,
            queue: (table.len() - cursor) as u64,
            ..Progress::default()
        };
        // A budget ran out between two states, or (a guard cut) while expanding this one.
        let ended = match ticker.tick(progress) {
            Some(reason) => Some(reason),
            None => 'expand: {
                parent_key.clear();
                parent_key.extend_from_slice(table.get(cursor));
                packer.unpack(&parent_key, &mut state);
                let plan = if reduce {
                    fast.plan(&state, &mut next, &mut log, &mut ran)
                } else {
                    None
                };
                // A step of the persistent set may close a cycle: the cycle proviso.
                let mut back = false;
                let at = At { cursor, depth };
                for pass in 0..2u8 {
                    // Every successor of the pass first (their index slots fetched from memory
                    // side by side), then each one looked up in order, as if one at a time; a
                    // batch at most [`BATCH`] long (a step may have billions of resolutions).
                    batch.clear();
                    let mut looked = Lookup::Fine;
                    for task in 0..model.tasks.len() {
                        if !fast.in_pass(&state, plan, back, pass, task) {
                            continue;
                        }
                        let proviso = Fast::asks_back(plan, pass, back);
                        fast.resolutions(
                            &state,
                            task,
                            &mut ran,
                            &mut log,
                            &mut next,
                            |end, choices, log, next| match fast
                                .transition(&state, &end, task, log, next, proviso)
                            {
                                Transition::Blocked => true,
                                Transition::Violation => {
                                    batch.failing = Some(ScheduleStep {
                                        task,
                                        choices: choices.to_vec(),
                                    });
                                    false
                                }
                                Transition::Next {
                                    moved,
                                    back: closes,
                                } => {
                                    back |= closes;
                                    let before = pack_step(
                                        &mut packer,
                                        &mut table,
                                        &state,
                                        &mut parent_key,
                                        next,
                                        task,
                                        log,
                                        moved,
                                        &mut key,
                                    );
                                    if let Some(old) = before {
                                        batch.repack(&old, &packer, next);
                                    }
                                    let check = fast.needs_check(next);
                                    batch.push(&table, &key, next, check, task, choices);
                                    if batch.len() < BATCH {
                                        return true;
                                    }
                                    looked = look_up(
                                        &fast,
                                        options,
                                        at,
                                        &mut batch,
                                        &mut table,
                                        &mut parents,
                                        &mut stats,
                                        &mut scratch,
                                    );
                                    looked == Lookup::Fine
                                }
                            },
                        );
                        if batch.failing.is_some() || looked != Lookup::Fine {
                            break;
                        }
                    }
                    // The plan or the pass was cut: its successors are not all there.
                    if log.cut() {
                        break 'expand Some(monitor.reason());
                    }
                    if looked == Lookup::Fine {
                        looked = look_up(
                            &fast,
                            options,
                            at,
                            &mut batch,
                            &mut table,
                            &mut parents,
                            &mut stats,
                            &mut scratch,
                        );
                    }
                    let found = match looked {
                        Lookup::Fine => batch.failing.take().inspect(|_| stats.transitions += 1),
                        Lookup::Violation(i) => Some(batch.step(i)),
                        Lookup::OverBudget => {
                            let reason = format!(
                                "the state budget of {} states ran out",
                                options.max_states.unwrap_or_default()
                            );
                            result = Some(Found::Incomplete(reason));
                            break 'search;
                        }
                        Lookup::Cut => break 'expand Some(monitor.reason()),
                    };
                    if let Some(step) = found {
                        result = Some(Found::Violation(schedule_to(
                            &fast, &packer, &table, &parents, cursor, step,
                        )));
                        break 'search;
                    }
                }
                None
            }
        };
        if let Some(reason) = ended {
            result = Some(if monitor.interrupted() {
                // Go back to the start of the level: what it found so far is found again.
                stats = level_stats;
                Found::Interrupted(Box::new(Checkpoint {
                    no_reduction: !reduce,
                    symmetric,
                    widths: packer.widths(),
                    words: packer.words,
                    states: (0..level_end).flat_map(|i| table.get(i)).copied().collect(),
                    parents: parents[..level_end].to_vec(),
                    frontier: level_start,
                    depth,
                    states_counted: level_stats.states,
                    transitions_counted: level_stats.transitions,
                    depth_counted: level_stats.depth,
                }))
            } else {
                Found::Incomplete(reason)
            });
            break;
        }
        cursor += 1;
    }
    stats.bytes = (table.bytes() + parents.capacity() * 4) as u64;
    stats.seconds = start.elapsed().as_secs_f64();
    (result.unwrap_or(Found::Nothing), stats)
}

/// The schedule from the initial state to state `at`, then `last`.
fn schedule_to(
    fast: &Fast<'_>,
    packer: &Packer,
    table: &Table,
    parents: &[u32],
    at: usize,
    last: ScheduleStep,
) -> Schedule {
    let mut ids = vec![at];
    while parents[*ids.last().expect("not empty")] != u32::MAX {
        ids.push(parents[*ids.last().expect("not empty")] as usize);
    }
    ids.reverse();
    let path: Vec<&[u64]> = ids.iter().map(|&id| table.get(id)).collect();
    schedule_along(fast, packer, &path, last)
}

/// The schedule along `path` (packed states from the initial one, each reached from the one
/// before), then `last`: each step is found again by re-expanding the state before it in order
/// and taking the first transition that reaches the next (the one that discovered it).
pub(crate) fn schedule_along(
    fast: &Fast<'_>,
    packer: &Packer,
    path: &[&[u64]],
    last: ScheduleStep,
) -> Schedule {
    let mut state = fast.sem.initial();
    let mut next = state.clone();
    let mut key = vec![0u64; packer.words];
    let mut steps: Vec<ScheduleStep> = path
        .windows(2)
        .map(|pair| {
            packer.unpack(pair[0], &mut state);
            // A state that does not fit the final packing was never stored.
            fast.step_to(&state, &mut next, |s| {
                packer.pack(s, &mut key).is_ok() && key == pair[1]
            })
            .expect("a stored state is reached from its parent")
        })
        .collect();
    steps.push(last);
    Schedule { steps }
}
