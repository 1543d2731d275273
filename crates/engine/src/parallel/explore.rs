//! The level-by-level parallel search (see the module [`super`]).

use std::time::Instant;

use migcheck_lang::ir::Model;

use crate::budget::{Cut, Monitor, Progress, Ticker};
use crate::checkpoint::Checkpoint;
use crate::explore::{Found, Options, Stats};
use crate::fast::pack::Packer;
use crate::fast::table::hash;
use crate::fast::{passes, schedule_along, Copies, Fast, Ran, Transition};
use crate::schedule::{Schedule, ScheduleStep};
use crate::semantics::StateCheck;
use crate::state::State;
use crate::step::StepLog;

use super::store::{Gid, Store, Visit, ROOT};
use super::sync::{AtomicU64, Mutex, Ordering};
use super::work::Chunks;

/// Bits of a key that hold the transition ordinal; the parent's position takes the rest.
const ORDINAL_BITS: u32 = 24;

/// The bytes of successors' states (each one a [`State`]) a worker keeps waiting to be visited
/// before it visits them: a step may have billions of resolutions, so a chunk's successors
/// cannot all wait for its end. Not much less: the visits are grouped by shard, one lock per
/// group, and a limit of a thousand successors (the fast explorer's batches) made the groups
/// of 256 shards small enough to cost two threads 5% (claims N=4 H=3).
const PENDING_BYTES: usize = 8 << 20;

fn key(pos: usize, ordinal: u64) -> u64 {
    (pos as u64) << ORDINAL_BITS | ordinal.min((1 << ORDINAL_BITS) - 1)
}

/// A violation found during a level.
#[derive(Debug, Clone)]
enum Candidate {
    /// The transition with this key fails or loses an update.
    Transition { key: u64, step: ScheduleStep },
    /// This new state breaks a check; its key is its discovery key, final once the level is done.
    State { gid: Gid },
}

/// What the workers of one level share.
struct Level<'a, 'm> {
    fast: &'a Fast<'m>,
    packer: &'a Packer,
    store: &'a Store,
    /// The level's states, packed, in breadth-first order, and their numbers.
    frontier: &'a [u64],
    ids: &'a [Gid],
    /// The smallest key of a candidate known so far (`u64::MAX`: none): nothing after it matters.
    best: AtomicU64,
    candidates: Mutex<Vec<Candidate>>,
    /// Successors that did not fit the packing: (key, parent, state).
    overflow: Mutex<Vec<(u64, Gid, State)>>,
    /// Per position, the transitions taken from that state.
    transitions: Mutex<Vec<(usize, u64)>>,
    /// Partial-order reduction on.
    reduce: bool,
    /// States stored so far in this level, as the workers last reported (for progress).
    stored: AtomicU64,
    /// A worker visits its pending successors once this many wait.
    pending_limit: usize,
    /// The states and transitions before this level, and its depth (for progress).
    before: (u64, u64, usize),
}

impl Level<'_, '_> {
    fn propose(&self, c: Candidate, key: u64) {
        self.best.fetch_min(key, Ordering::SeqCst);
        self.candidates.lock().push(c);
    }

    /// Expands the states at the positions of `range` (each one's second pass, when the cycle
    /// proviso asks for it, right after its first, from what its plan kept): all their
    /// successors are packed first, then visited shard by shard (one lock per shard and group,
    /// see [`Store::visit_group`]).
    fn expand(
        &self,
        range: std::ops::Range<usize>,
        words: usize,
        ticker: &mut Ticker<'_>,
        w: &mut Work,
    ) {
        w.packed.resize(words, 0);
        w.from.clear();
        w.stored = 0;
        let total = self.ids.len();
        for pos in range {
            if key(pos, 0) >= self.best.load(Ordering::SeqCst) {
                break;
            }
            let progress = || Progress {
                states: self.before.0 + self.stored.load(Ordering::Relaxed),
                transitions: self.before.1,
                depth: self.before.2,
                queue: (total - pos) as u64,
                ..Progress::default()
            };
            // A budget ran out, maybe in the middle of a state (a guard cut): the level is given up.
            if ticker.tick(progress).is_some() || w.log.cut() || w.scratch.cut() {
                break;
            }
            self.packer
                .unpack(&self.frontier[pos * words..(pos + 1) * words], &mut w.state);
            let plan = if self.reduce {
                self.fast
                    .plan(&w.state, &mut w.next, &mut w.log, &mut w.ran)
            } else {
                None
            };
            w.from.push(From {
                pos,
                plan,
                ordinal: 0,
                taken: 0,
                stopped: false,
                back: false,
            });
            let f = w.from.len() - 1;
            self.generate(w, f, 0, words);
            let s = &w.from[f];
            if s.plan.is_some() && s.back && !s.stopped {
                self.generate(w, f, 1, words);
            }
        }
        self.visit_pending(&mut w.pending, &mut w.stored, &mut w.scratch);
        self.transitions
            .lock()
            .extend(w.from.iter().map(|f| (f.pos, f.taken)));
        self.stored.fetch_add(w.stored, Ordering::Relaxed);
    }

    /// Takes the transitions of pass `pass` from the state `w.from[f]`, which is `w.state`: each
    /// one's successor is packed into `w.pending`, or proposed as a violation. The pending
    /// successors are visited `pending_limit` at a time (see [`PENDING_BYTES`]).
    fn generate(&self, w: &mut Work, f: usize, pass: u8, words: usize) {
        let sem = &self.fast.sem;
        let pos = w.from[f].pos;
        let parent_words = &self.frontier[pos * words..(pos + 1) * words];
        for task in 0..sem.model.tasks.len() {
            let from = &w.from[f];
            if from.stopped
                || !self
                    .fast
                    .in_pass(&w.state, from.plan, from.back, pass, task)
            {
                continue;
            }
            let Work {
                state,
                next,
                log,
                ran,
                scratch,
                packed,
                pending,
                from,
                stored,
            } = w;
            let state = &*state;
            self.fast
                .resolutions(state, task, ran, log, next, |end, choices, log, next| {
                    let k = key(pos, from[f].ordinal);
                    from[f].ordinal += 1;
                    if k >= self.best.load(Ordering::Relaxed) {
                        from[f].stopped = true;
                        return false;
                    }
                    let proviso = Fast::asks_back(from[f].plan, pass, from[f].back);
                    match self.fast.transition(state, &end, task, log, next, proviso) {
                        Transition::Blocked => return true,
                        Transition::Violation => {
                            from[f].taken += 1;
                            let step = ScheduleStep {
                                task,
                                choices: choices.to_vec(),
                            };
                            self.propose(Candidate::Transition { key: k, step }, k);
                            from[f].stopped = true;
                            return false;
                        }
                        Transition::Next { moved, back } => {
                            from[f].taken += 1;
                            from[f].back |= back;
                            let fits = self.packer.pack_successor(
                                parent_words,
                                state,
                                next,
                                task,
                                log,
                                moved,
                                packed,
                            );
                            if fits.is_err() {
                                self.overflow.lock().push((k, self.ids[pos], next.clone()));
                                return true;
                            }
                        }
                    }
                    let h = hash(packed);
                    let check = self.fast.needs_check(next);
                    pending.push(
                        packed,
                        h,
                        self.store.shard_of_hash(h),
                        k,
                        check.then_some(next),
                    );
                    if pending.items.len() >= self.pending_limit {
                        // Visiting early changes the answer in nothing: a state keeps the smallest
                        // discovery key whatever the order of the visits; a violation among them
                        // lowers `best` sooner, which skips only transitions past it (as another
                        // thread's would).
                        self.visit_pending(pending, stored, scratch);
                    }
                    true
                });
        }
    }

    /// Visits the pending successors, shard by shard; checks the new ones and counts them in
    /// `stored`.
    fn visit_pending(&self, p: &mut Pending, stored: &mut u64, scratch: &mut StepLog) {
        // Grouped by shard with a counting sort: `starts[s]..starts[s + 1]` of `order`.
        let shards = self.store.shards();
        p.starts.clear();
        p.starts.resize(shards + 1, 0);
        for it in &p.items {
            p.starts[it.shard as usize + 1] += 1;
        }
        for s in 0..shards {
            p.starts[s + 1] += p.starts[s];
        }
        p.order.clear();
        p.order.resize(p.items.len(), 0);
        p.at.clear();
        p.at.extend_from_slice(&p.starts[..shards]);
        for (i, it) in p.items.iter().enumerate() {
            let slot = &mut p.at[it.shard as usize];
            p.order[*slot as usize] = i as u32;
            *slot += 1;
        }
        for s in 0..shards {
            let (start, end) = (p.starts[s] as usize, p.starts[s + 1] as usize);
            if start == end {
                continue;
            }
            let group = &p.order[start..end];
            let (words, keys, items) = (p.words, &p.keys, &p.items);
            let fresh = &mut p.fresh;
            self.store.visit_group(
                s,
                group.len(),
                |j| {
                    let i = group[j] as usize;
                    let it = &items[i];
                    let parent = self.ids[it.pos as usize];
                    (&keys[i * words..(i + 1) * words], it.hash, it.key, parent)
                },
                |j, visit| {
                    if let Visit::New(gid) = visit {
                        fresh.push((group[j], gid));
                    }
                },
            );
        }
        *stored += p.fresh.len() as u64;
        for &(i, gid) in &p.fresh {
            let Some(state) = p.copies.get_mut(p.items[i as usize].check) else {
                continue;
            };
            match self.fast.check(state, scratch) {
                Ok(StateCheck::Fine) => {}
                Ok(_) => self.propose(Candidate::State { gid }, p.items[i as usize].key),
                // The guard recorded why in the monitor: the level is given up.
                Err(Cut) => break,
            }
        }
        p.clear();
    }
}

/// A worker's buffers, reused from chunk to chunk of a level.
struct Work {
    /// The state being expanded.
    state: State,
    next: State,
    log: StepLog,
    /// What planning kept of the last state planned ([`Fast::plan`]).
    ran: Ran,
    scratch: StepLog,
    packed: Vec<u64>,
    pending: Pending,
    /// The chunk's states, in order.
    from: Vec<From>,
    /// New states stored.
    stored: u64,
}

/// A state of the chunk being expanded.
struct From {
    pos: usize,
    plan: Option<u64>,
    /// The ordinal of its next transition.
    ordinal: u64,
    /// Transitions taken.
    taken: u64,
    /// No more transitions: a violation, or keys past the best candidate.
    stopped: bool,
    /// A transition of its first pass may close a cycle ([`Transition::Next`]'s `back`).
    back: bool,
}

/// A successor waiting to be visited.
struct Item {
    hash: u64,
    shard: u32,
    /// The transition's key.
    key: u64,
    /// Its state's position in the level.
    pos: u32,
    /// The number of its state's copy in [`Pending::copies`], for its check.
    check: u32,
}

/// Successors packed and hashed, with their states (to check the new ones).
#[derive(Default)]
struct Pending {
    words: usize,
    keys: Vec<u64>,
    items: Vec<Item>,
    copies: Copies,
    order: Vec<u32>,
    /// Per shard, where its group starts in `order` (and one past the last), and a cursor each.
    starts: Vec<u32>,
    at: Vec<u32>,
    /// The successors found new, with their numbers.
    fresh: Vec<(u32, Gid)>,
}

impl Pending {
    /// Adds a successor, with a copy of its state when it is to be checked.
    fn push(&mut self, key: &[u64], hash: u64, shard: usize, k: u64, state: Option<&State>) {
        self.words = key.len();
        let check = self.copies.keep(state);
        self.keys.extend_from_slice(key);
        self.items.push(Item {
            hash,
            shard: shard as u32,
            key: k,
            pos: (k >> ORDINAL_BITS) as u32,
            check,
        });
    }

    fn clear(&mut self) {
        self.keys.clear();
        self.items.clear();
        self.copies.clear();
        self.fresh.clear();
    }
}

/// Explores `model` with `threads` threads; the same answer and figures as
/// [`crate::fast::explore`].
pub fn explore(model: &Model, options: &Options, threads: usize) -> (Found, Stats) {
    explore_visiting(model, options, threads, None)
}

/// [`explore`], with a worker's pending successors visited `pending` at a time when given (the
/// tests ask for a few: the answer and figures must not change).
pub(crate) fn explore_visiting(
    model: &Model,
    options: &Options,
    threads: usize,
    pending: Option<usize>,
) -> (Found, Stats) {
    let start = Instant::now();
    let reduce = !options.no_reduction;
    let symmetric = options.symmetric();
    let fast = Fast::new(model, symmetric);
    let sem = &fast.sem;
    let mut stats = Stats::default();
    let mut state = sem.initial();
    let monitor = Monitor::new(options);
    let bytes = state.bytes();
    let pending_limit = pending.unwrap_or(PENDING_BYTES / bytes.max(1)).max(1);
    let mut scratch = monitor.step_log(bytes);
    let mut packer = Packer::new(model, &sem.layout, &fast.analysis);
    let mut packed = vec![0u64; packer.words];
    while let Err(o) = packer.pack(&state, &mut packed) {
        packer = packer.widen(o);
        packed = vec![0u64; packer.words];
    }
    let shard_bits = if threads > 1 { 8 } else { 0 };
    let (mut store, mut frontier, mut ids, mut depth);
    match options.resume.as_deref() {
        Some(c) => {
            packer = c.packer(model).expect("the checkpoint fits the model");
            let gids;
            (store, gids) = match Store::restore(packer.words, shard_bits, c) {
                Ok(restored) => restored,
                Err(e) => {
                    return (
                        Found::Incomplete(format!("the checkpoint is unusable: {e}")),
                        stats,
                    )
                }
            };
            ids = gids[c.frontier..].to_vec();
            frontier = store.gather(&ids, packer.words);
            depth = c.depth;
            stats = c.stats();
        }
        None => {
            store = Store::new(packer.words, shard_bits);
            let Visit::New(root) = store.visit(&packed, 0, ROOT) else {
                unreachable!("the store starts empty")
            };
            stats.states = 1;
            let Ok(check) = fast.check(&mut state, &mut scratch) else {
                return (Found::Incomplete(monitor.reason()), stats);
            };
            if check != StateCheck::Fine {
                return (Found::Violation(Schedule::default()), stats);
            }
            frontier = packed.clone();
            ids = vec![root];
            depth = 0;
        }
    }
    // How a level is given up when a budget other than the state count runs out in its middle
    // (no exact cut to keep), whether a worker, the level's end, the check of an overflowed
    // state or the count up to a cut sees it: `stats` are the figures at the level's start,
    // `level` the states the level stored and the transitions it took. After a stop request,
    // back to the start of the level with a checkpoint (what the level found so far is found
    // again on resume); else the figures say how far it got.
    let give_up = |store: &Store,
                   ids: &[Gid],
                   packer: &Packer,
                   depth: usize,
                   stats: &mut Stats,
                   level: (u64, u64)| {
        if !monitor.interrupted() {
            stats.states += level.0;
            stats.transitions += level.1;
            stats.depth = depth + 1;
            return Found::Incomplete(monitor.reason());
        }
        let (states, parents) = store.snapshot(ids, packer.words);
        Found::Interrupted(Box::new(Checkpoint {
            no_reduction: !reduce,
            symmetric,
            widths: packer.widths(),
            words: packer.words,
            frontier: parents.len() - ids.len(),
            states,
            parents,
            depth,
            states_counted: stats.states,
            transitions_counted: stats.transitions,
            depth_counted: stats.depth,
        }))
    };
    let result = 'levels: loop {
        if ids.is_empty() {
            break Found::Nothing;
        }
        store.start_level();
        let words = packer.words;
        let level = Level {
            fast: &fast,
            packer: &packer,
            store: &store,
            frontier: &frontier,
            ids: &ids,
            best: AtomicU64::new(u64::MAX),
            candidates: Mutex::new(Vec::new()),
            overflow: Mutex::new(Vec::new()),
            transitions: Mutex::new(Vec::new()),
            reduce,
            stored: AtomicU64::new(0),
            pending_limit,
            before: (stats.states, stats.transitions, depth),
        };
        let chunk = (ids.len() / (threads * 16)).clamp(1, 1024);
        let chunks = Chunks::new(ids.len(), chunk);
        // Threads are started per level: not worth it for a small one.
        let work = || {
            let mut ticker = monitor.ticker(bytes);
            // One worker's buffers for all its chunks: the pending successors' states are
            // allocated once, not once per chunk.
            let mut w = Work {
                state: fast.sem.initial(),
                next: fast.sem.initial(),
                log: monitor.step_log(bytes),
                ran: Ran::default(),
                scratch: monitor.step_log(bytes),
                packed: vec![0u64; words],
                pending: Pending::default(),
                from: Vec::with_capacity(chunk),
                stored: 0,
            };
            while let Some(r) = chunks.next() {
                if monitor.ended().is_some() {
                    break;
                }
                level.expand(r, words, &mut ticker, &mut w);
            }
        };
        if threads <= 1 || ids.len() < 256 {
            work();
        } else {
            std::thread::scope(|s| {
                for _ in 0..threads {
                    s.spawn(work);
                }
            });
        }
        // Small levels may not tick enough to look at the budgets: look at every level's end.
        monitor.poll_now(|| Progress {
            states: stats.states + level.stored.load(Ordering::Relaxed),
            transitions: stats.transitions,
            depth: depth + 1,
            // The next level's states, found in this one.
            queue: level.stored.load(Ordering::Relaxed),
            ..Progress::default()
        });
        if monitor.ended().is_some() {
            let taken = level.transitions.lock().iter().map(|(_, t)| t).sum::<u64>();
            let level = (level.stored.load(Ordering::Relaxed), taken);
            break give_up(&store, &ids, &packer, depth, &mut stats, level);
        }
        let Level {
            best: _,
            candidates,
            overflow,
            transitions,
            stored,
            ..
        } = level;
        let (mut candidates, overflow, mut transitions, mut stored) = (
            candidates.into_inner(),
            overflow.into_inner(),
            transitions.into_inner(),
            stored.load(Ordering::Relaxed),
        );
        // Successors that outgrew the packing: widen it, re-pack the store, then store them.
        if !overflow.is_empty() {
            let old = packer.clone();
            for (_, _, s) in &overflow {
                packed.resize(packer.words, 0);
                while let Err(o) = packer.pack(s, &mut packed) {
                    packer = packer.widen(o);
                    packed.resize(packer.words, 0);
                }
            }
            let mut scratch_state = state.clone();
            let renumber = store.repack(packer.words, |from, to| {
                old.unpack(from, &mut scratch_state);
                packer
                    .pack(&scratch_state, to)
                    .expect("a stored state fits the wider packing");
            });
            for id in &mut ids {
                *id = renumber.get(*id);
            }
            for c in &mut candidates {
                if let Candidate::State { gid } = c {
                    *gid = renumber.get(*gid);
                }
            }
            // The level's states, repacked too, for the transitions counted up to a cut.
            frontier = store.gather(&ids, packer.words);
            packed.resize(packer.words, 0);
            for (k, parent, mut s) in overflow {
                packer.pack(&s, &mut packed).expect("widened to fit");
                let Visit::New(gid) = store.visit(&packed, k, renumber.get(parent)) else {
                    continue;
                };
                stored += 1;
                match fast.check(&mut s, &mut scratch) {
                    Ok(StateCheck::Fine) => {}
                    Ok(_) => candidates.push(Candidate::State { gid }),
                    Err(Cut) => {
                        let taken = transitions.iter().map(|(_, t)| t).sum::<u64>();
                        let level = (stored, taken);
                        break 'levels give_up(&store, &ids, &packer, depth, &mut stats, level);
                    }
                }
            }
        }
        let (new_states, next_frontier) = next_level(&store, ids.len(), threads, packer.words);
        let candidate_key = |c: &Candidate| match c {
            Candidate::Transition { key, .. } => *key,
            Candidate::State { gid } => store.disc(*gid),
        };
        let first = candidates.iter().min_by_key(|c| candidate_key(c)).cloned();
        // The sequential search's budget runs out at the state that makes `max_states`.
        let budget_key = options.max_states.and_then(|m| {
            let room = m.saturating_sub(stats.states).max(1) as usize;
            (room <= new_states.len()).then(|| new_states[room - 1].0)
        });
        let cut = match (&first, budget_key) {
            (Some(c), Some(b)) if candidate_key(c) > b => None,
            (Some(c), _) => Some(candidate_key(c)),
            (None, _) => None,
        };
        if let Some(cut) = cut.or(budget_key) {
            let log = monitor.step_log(bytes);
            let Some(taken) = taken_up_to(&fast, &packer, &frontier, cut, reduce, log) else {
                // The level is done, but not the count of its transitions up to the cut.
                let all = transitions.iter().map(|(_, t)| t).sum::<u64>();
                let level = (new_states.len() as u64, all);
                break give_up(&store, &ids, &packer, depth, &mut stats, level);
            };
            // Count what the sequential search counted up to the cut.
            let violation = cut_is_violation(&first, cut, &candidate_key);
            let is_state = matches!(first, Some(Candidate::State { .. })) && violation;
            let before = new_states.iter().take_while(|(d, _)| *d < cut).count() as u64;
            let at_cut = if violation { u64::from(is_state) } else { 1 };
            stats.states += before + at_cut;
            if before + at_cut > 0 {
                stats.depth = depth + 1;
            }
            let cut_pos = (cut >> ORDINAL_BITS) as usize;
            transitions.retain(|(p, _)| *p < cut_pos);
            stats.transitions += transitions.iter().map(|(_, t)| t).sum::<u64>() + taken;
            if !violation {
                let reason = format!(
                    "the state budget of {} states ran out",
                    options.max_states.unwrap_or_default()
                );
                break Found::Incomplete(reason);
            }
            let (parent_gid, last) = match first.expect("a violation") {
                Candidate::Transition { step, .. } => (ids[cut_pos], step),
                Candidate::State { gid } => {
                    let step = step_to(&fast, &packer, &store, store.parent(gid), gid);
                    (store.parent(gid), step)
                }
            };
            break Found::Violation(path_to(&fast, &packer, &store, parent_gid, last));
        }
        stats.states += new_states.len() as u64;
        stats.transitions += transitions.iter().map(|(_, t)| t).sum::<u64>();
        if !new_states.is_empty() {
            stats.depth = depth + 1;
        }
        depth += 1;
        ids = new_states.iter().map(|&(_, gid)| gid).collect();
        frontier = next_frontier;
    };
    stats.bytes = store.bytes();
    stats.seconds = start.elapsed().as_secs_f64();
    (result, stats)
}

/// A level's states with their discovery keys, in breadth-first order, and packed end to end.
type NextLevel = (Vec<(u64, Gid)>, Vec<u64>);

/// The states the level just explored stored, in breadth-first order (sorted by discovery key),
/// with their discovery keys, and packed end to end in that order: the next level. For a large
/// level, `threads` threads each sort the states of a share of the shards, and after the merge
/// each copies a share of the states into its part of the next frontier.
fn next_level(store: &Store, parents: usize, threads: usize, words: usize) -> NextLevel {
    if threads <= 1 || parents < 1024 {
        let states = store.level();
        let mut packed = vec![0u64; states.len() * words];
        store.gather_into(states.iter().map(|&(_, gid)| gid), words, &mut packed);
        return (states, packed);
    }
    let runs: Vec<Vec<(u64, Gid)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|k| s.spawn(move || store.level_shards(k, threads)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a level's sorting thread panicked"))
            .collect()
    });
    let states = runs.into_iter().reduce(merge).unwrap_or_default();
    // Straight into the frontier, not through a buffer per thread joined after (a serial copy
    // of the whole level); its pages are zeroed by the kernel as each thread first writes them.
    let mut packed = vec![0u64; states.len() * words];
    std::thread::scope(|s| {
        let mut rest = &mut packed[..];
        for k in 0..threads {
            let share = &states[states.len() * k / threads..states.len() * (k + 1) / threads];
            let (mine, tail) = std::mem::take(&mut rest).split_at_mut(share.len() * words);
            rest = tail;
            s.spawn(move || store.gather_into(share.iter().map(|&(_, gid)| gid), words, mine));
        }
    });
    (states, packed)
}

/// The union of two sorted lists, sorted.
fn merge(a: Vec<(u64, Gid)>, b: Vec<(u64, Gid)>) -> Vec<(u64, Gid)> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut a, mut b) = (a.into_iter().peekable(), b.into_iter().peekable());
    while let (Some(x), Some(y)) = (a.peek(), b.peek()) {
        out.push(if x <= y { a.next() } else { b.next() }.expect("peeked"));
    }
    out.extend(a);
    out.extend(b);
    out
}

/// Whether the cut is the violation (rather than the budget).
fn cut_is_violation(first: &Option<Candidate>, cut: u64, key: &impl Fn(&Candidate) -> u64) -> bool {
    first.as_ref().is_some_and(|c| key(c) == cut)
}

/// The transitions the sequential search takes from the state at the cut's position up to and
/// including the cut's ordinal (in the same order as [`Level::expand`], reduction included);
/// `None` if the guard of `log` cuts the state's expansion again.
fn taken_up_to(
    fast: &Fast<'_>,
    packer: &Packer,
    frontier: &[u64],
    cut: u64,
    reduce: bool,
    mut log: StepLog,
) -> Option<u64> {
    let words = packer.words;
    let pos = (cut >> ORDINAL_BITS) as usize;
    let last = cut & ((1 << ORDINAL_BITS) - 1);
    let sem = &fast.sem;
    let mut state = sem.initial();
    let mut next = state.clone();
    packer.unpack(&frontier[pos * words..(pos + 1) * words], &mut state);
    let mut ran = Ran::default();
    let plan = if reduce {
        fast.plan(&state, &mut next, &mut log, &mut ran)
    } else {
        None
    };
    let (mut ordinal, mut taken, mut back) = (0u64, 0u64, false);
    for (pass, task) in passes(sem.model.tasks.len()) {
        if !fast.in_pass(&state, plan, back, pass, task) {
            continue;
        }
        fast.resolutions(
            &state,
            task,
            &mut ran,
            &mut log,
            &mut next,
            |end, _, log, next| {
                if ordinal > last {
                    return false;
                }
                ordinal += 1;
                let proviso = Fast::asks_back(plan, pass, back);
                let t = fast.transition(&state, &end, task, log, next, proviso);
                if t == Transition::Blocked {
                    return true;
                }
                taken += 1;
                if let Transition::Next { back: closes, .. } = t {
                    back |= closes;
                }
                true
            },
        );
    }
    (!log.cut()).then_some(taken)
}

/// The step from `parent` that discovered `child`.
fn step_to(
    fast: &Fast<'_>,
    packer: &Packer,
    store: &Store,
    parent: Gid,
    child: Gid,
) -> ScheduleStep {
    let (mut p, mut c) = (Vec::new(), Vec::new());
    store.copy_state(parent, &mut p);
    store.copy_state(child, &mut c);
    let schedule = schedule_along(
        fast,
        packer,
        &[&p, &c],
        ScheduleStep {
            task: 0,
            choices: Vec::new(),
        },
    );
    schedule.steps[0].clone()
}

/// The schedule from the initial state to `at`, then `last`.
fn path_to(
    fast: &Fast<'_>,
    packer: &Packer,
    store: &Store,
    at: Gid,
    last: ScheduleStep,
) -> Schedule {
    let mut gids = vec![at];
    while store.parent(*gids.last().expect("not empty")) != ROOT {
        gids.push(store.parent(*gids.last().expect("not empty")));
    }
    gids.reverse();
    let states: Vec<Vec<u64>> = gids
        .iter()
        .map(|&g| {
            let mut v = Vec::new();
            store.copy_state(g, &mut v);
            v
        })
        .collect();
    let path: Vec<&[u64]> = states.iter().map(Vec::as_slice).collect();
    schedule_along(fast, packer, &path, last)
}
