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

use super::core::{Fast, Transition};
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
/// (see [`Packer::pack_step`]), widening as [`pack`] does; `parent_key` follows a widening.
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
    key: &mut Vec<u64>,
) -> bool {
    let mut widened = false;
    while let Err(overflow) = packer.pack_step(parent_key, parent, next, task, log, key) {
        widen(packer, table, overflow, next);
        widened = true;
        key.resize(packer.words, 0);
        parent_key.resize(packer.words, 0);
        packer
            .pack(parent, parent_key)
            .expect("a stored state fits the wider packing");
    }
    widened
}

/// The successors of one state taken in one pass, before they are looked up: packed, hashed,
/// each with its state (to check it if it is new) and the step that reached it.
struct Batch {
    words: usize,
    keys: Vec<u64>,
    hashes: Vec<u64>,
    /// Reused from state to state: the first `len` are the batch's.
    states: Vec<State>,
    steps: Vec<(usize, std::ops::Range<usize>)>,
    choices: Vec<crate::schedule::Choice>,
    /// The transition that fails or loses an update, which ends the pass.
    failing: Option<ScheduleStep>,
}

impl Batch {
    fn new(like: &State) -> Batch {
        Batch {
            words: 0,
            keys: Vec::new(),
            hashes: Vec::new(),
            states: vec![like.clone()],
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
        self.steps.clear();
        self.choices.clear();
        self.failing = None;
    }

    fn key(&self, i: usize) -> &[u64] {
        &self.keys[i * self.words..(i + 1) * self.words]
    }

    /// Adds the successor `state`, packed as `key`, reached by `task` with `choices`, and starts
    /// fetching its index slot ([`Table::prefetch`]).
    fn push(
        &mut self,
        table: &Table,
        key: &[u64],
        state: &State,
        task: usize,
        choices: &[crate::schedule::Choice],
    ) {
        let i = self.len();
        self.words = key.len();
        let h = table::hash(key);
        table.prefetch(h);
        self.keys.extend_from_slice(key);
        self.hashes.push(h);
        if i == self.states.len() {
            self.states.push(state.clone());
        } else {
            self.states[i].copy_from(state);
        }
        let start = self.choices.len();
        self.choices.extend_from_slice(choices);
        self.steps.push((task, start..self.choices.len()));
    }

    /// Packs the batch's states again after the packing was widened (they fit the wider one).
    fn repack(&mut self, packer: &Packer) {
        self.words = packer.words;
        self.keys.resize(self.len() * self.words, 0);
        for i in 0..self.len() {
            let key = &mut self.keys[i * self.words..(i + 1) * self.words];
            packer
                .pack(&self.states[i], key)
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

/// Widens the field that overflowed and re-packs the table. (`like` is any state of the model.)
fn widen(packer: &mut Packer, table: &mut Table, overflow: pack::Overflow, like: &State) {
    let old = std::mem::replace(packer, packer.widen(overflow));
    let mut scratch = like.clone();
    let new = &*packer;
    table.repack(new.words, |from, to| {
        old.unpack(from, &mut scratch);
        new.pack(&scratch, to)
            .expect("a stored state fits the wider packing");
    });
}

/// Explores `model` breadth-first; the same answer as [`crate::explore::explore`].
pub fn explore(model: &Model, options: &Options) -> (Found, Stats) {
    let start = Instant::now();
    let fast = Fast::new(model);
    let reduce = !options.no_reduction;
    let sem = &fast.sem;
    let mut stats = Stats::default();
    let mut log = StepLog::default();
    let mut scratch = StepLog::default();
    let mut state = sem.initial();
    let mut next = state.clone();
    let mut packer = Packer::new(model, &sem.layout, &fast.analysis);
    let mut key = vec![0u64; packer.words];
    let mut parent_key = Vec::with_capacity(packer.words);
    let mut table = Table::new(packer.words);
    let mut parents: Vec<u32> = vec![u32::MAX];
    let mut batch = Batch::new(&state);
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
            if fast.check(&mut state, &mut scratch) != StateCheck::Fine {
                return (Found::Violation(Schedule::default()), stats);
            }
            (cursor, level_end, depth) = (0, 1, 0);
        }
    }
    let mut level_start = cursor;
    let mut level_stats = stats;
    let mut result = None;
    let monitor = Monitor::new(options);
    let mut ticker = monitor.ticker();
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
        if let Some(reason) = ticker.tick(progress) {
            result = Some(if monitor.interrupted() {
                // Go back to the start of the level: what it found so far is found again.
                stats = level_stats;
                Found::Interrupted(Box::new(Checkpoint {
                    no_reduction: !reduce,
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
        parent_key.clear();
        parent_key.extend_from_slice(table.get(cursor));
        packer.unpack(&parent_key, &mut state);
        let plan = if reduce {
            fast.plan(&state, &mut next, &mut log)
        } else {
            None
        };
        let mut back_edge = false;
        for pass in 0..2u8 {
            // Every successor of the pass first (their index slots fetched from memory side by
            // side), then each one looked up in order, as if one at a time.
            batch.clear();
            for task in 0..model.tasks.len() {
                if !fast.in_pass(&state, plan, back_edge, pass, task) {
                    continue;
                }
                sem.for_each_resolution_into(
                    &state,
                    task,
                    &mut log,
                    &mut next,
                    |end, choices, log, next| match fast.transition(&end, task, log, next) {
                        Transition::Blocked => true,
                        Transition::Violation => {
                            batch.failing = Some(ScheduleStep {
                                task,
                                choices: choices.to_vec(),
                            });
                            false
                        }
                        Transition::Next => {
                            let widened = pack_step(
                                &mut packer,
                                &mut table,
                                &state,
                                &mut parent_key,
                                next,
                                task,
                                log,
                                &mut key,
                            );
                            if widened {
                                batch.repack(&packer);
                            }
                            batch.push(&table, &key, next, task, choices);
                            true
                        }
                    },
                );
                if batch.failing.is_some() {
                    break;
                }
            }
            let mut found: Option<ScheduleStep> = None;
            let mut over_budget = false;
            for i in 0..batch.len() {
                stats.transitions += 1;
                let (id, new) = table.insert_hashed(batch.key(i), batch.hashes[i]);
                if !new {
                    back_edge |= id < level_end;
                    continue;
                }
                parents.push(cursor as u32);
                stats.states += 1;
                stats.depth = stats.depth.max(depth + 1);
                if fast.check(&mut batch.states[i], &mut scratch) != StateCheck::Fine {
                    found = Some(batch.step(i));
                    break;
                }
                if options.max_states.is_some_and(|m| stats.states >= m) {
                    over_budget = true;
                    break;
                }
            }
            if found.is_none() && !over_budget {
                if let Some(step) = batch.failing.take() {
                    stats.transitions += 1;
                    found = Some(step);
                }
            }
            if let Some(step) = found {
                result = Some(Found::Violation(schedule_to(
                    &fast, &packer, &table, &parents, cursor, step,
                )));
                break 'search;
            }
            if over_budget {
                let reason = format!(
                    "the state budget of {} states ran out",
                    options.max_states.unwrap_or_default()
                );
                result = Some(Found::Incomplete(reason));
                break 'search;
            }
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
