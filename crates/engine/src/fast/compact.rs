//! `--compact`: the fast explorer's breadth-first search storing a 64-bit *fingerprint* of each
//! state instead of the state, as TLC and SPIN's hash-compact mode do.
//!
//! - The visited set is an open-addressing table of fingerprints that grows by half when it is 80%
//!   full, so it holds between 10 and 15 bytes per state, everything counted.
//! - Only the breadth-first frontier (this level and the next) is kept in full, packed.
//! - To print a schedule, each new state's `(fingerprint, parent's fingerprint)` goes to a trace
//!   file in the temporary folder (16 bytes per state, on disk), level after level. A violation's
//!   path is found backwards there, one level's segment at a time, then replayed forwards: at each
//!   step the first transition whose successor has the next fingerprint.
//! - Two distinct states with one fingerprint would make the second look visited and hide what
//!   only it leads to. The result reports the estimated probability that this happened: with `n`
//!   distinct states among `2^64` fingerprints, `n(n-1)/2^65` (the birthday bound).
//!
//! Fingerprints are computed from the state's values, not from its packed form, so widening a
//! packed field (see [`super::pack`]) re-packs the frontier but leaves the table alone.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::time::Instant;

use migcheck_lang::ir::Model;

use crate::budget::{Monitor, Progress};
use crate::explore::{Found, Options, Stats};
use crate::schedule::{Schedule, ScheduleStep};
use crate::semantics::StateCheck;
use crate::state::State;

use super::pack::Packer;
use super::{passes, Fast, Ran, Transition};

/// The fingerprint of a state's values (never 0, the table's empty mark).
pub fn fingerprint(state: &State) -> u64 {
    let mut h: u64 = 0x243f_6a88_85a3_08d3;
    let mut add = |v: u64| {
        h = (h ^ v).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^= h >> 29;
    };
    state.shared.iter().for_each(|&v| add(v as u64));
    state.locks.iter().for_each(|&v| add(u64::from(v)));
    state.pcs.iter().for_each(|&v| add(u64::from(v)));
    state.locals.iter().for_each(|&v| add(v as u64));
    for chunk in state.lu.chunks(8) {
        let mut w = [0u8; 8];
        w[..chunk.len()].copy_from_slice(chunk);
        add(u64::from_le_bytes(w));
    }
    h = (h ^ (h >> 31)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (h ^ (h >> 32)).max(1)
}

/// A set of fingerprints: linear probing over a table of any size, indexed by the high bits of
/// `fingerprint × size`.
struct Fingerprints {
    slots: Vec<u64>,
    len: usize,
}

impl Fingerprints {
    fn new() -> Fingerprints {
        Fingerprints {
            slots: vec![0; 1024],
            len: 0,
        }
    }

    fn home(fp: u64, size: usize) -> usize {
        ((u128::from(fp) * size as u128) >> 64) as usize
    }

    /// Adds `fp`; whether it is new.
    fn insert(&mut self, fp: u64) -> bool {
        if (self.len + 1) * 5 > self.slots.len() * 4 {
            self.grow();
        }
        let size = self.slots.len();
        let mut i = Self::home(fp, size);
        loop {
            match self.slots[i] {
                0 => {
                    self.slots[i] = fp;
                    self.len += 1;
                    return true;
                }
                x if x == fp => return false,
                _ => i = if i + 1 == size { 0 } else { i + 1 },
            }
        }
    }

    fn grow(&mut self) {
        let size = self.slots.len() + self.slots.len() / 2;
        let mut slots = vec![0u64; size];
        for &fp in self.slots.iter().filter(|&&fp| fp != 0) {
            let mut i = Self::home(fp, size);
            while slots[i] != 0 {
                i = if i + 1 == size { 0 } else { i + 1 };
            }
            slots[i] = fp;
        }
        self.slots = slots;
    }

    fn bytes(&self) -> usize {
        self.slots.len() * 8
    }
}

/// The trace file: `(fingerprint, parent's fingerprint)` of every state, level after level.
struct Trace {
    file: BufWriter<File>,
    /// Records written before each level: level `l` is `starts[l]..starts[l + 1]`.
    starts: Vec<u64>,
    written: u64,
}

impl Trace {
    fn new() -> std::io::Result<Trace> {
        Ok(Trace {
            file: BufWriter::new(tempfile()?),
            starts: vec![0],
            written: 0,
        })
    }

    fn record(&mut self, fp: u64, parent: u64) -> std::io::Result<()> {
        self.file.write_all(&fp.to_le_bytes())?;
        self.file.write_all(&parent.to_le_bytes())?;
        self.written += 1;
        Ok(())
    }

    fn end_level(&mut self) {
        self.starts.push(self.written);
    }

    /// The fingerprints from the initial state to `fp`, a state of level `level`.
    fn path(&mut self, fp: u64, level: usize) -> std::io::Result<Vec<u64>> {
        self.file.flush()?;
        let mut file = BufReader::new(self.file.get_ref().try_clone()?);
        let mut path = vec![fp];
        for l in (1..=level).rev() {
            let want = *path.last().expect("not empty");
            file.seek(SeekFrom::Start(self.starts[l] * 16))?;
            let mut parent = None;
            let mut rec = [0u8; 16];
            for _ in self.starts[l]..self.starts[l + 1] {
                file.read_exact(&mut rec)?;
                let (f, p) = rec.split_at(8);
                if u64::from_le_bytes(f.try_into().expect("8 bytes")) == want {
                    parent = Some(u64::from_le_bytes(p.try_into().expect("8 bytes")));
                    break;
                }
            }
            path.push(parent.ok_or_else(|| std::io::Error::other("a state's record is missing"))?);
        }
        path.reverse();
        Ok(path)
    }
}

/// An anonymous file in the temporary folder, removed when closed (unlinked at once).
fn tempfile() -> std::io::Result<File> {
    let dir = std::env::temp_dir();
    for attempt in 0..100u32 {
        let path = dir.join(format!(
            "migcheck-trace-{}-{}-{attempt}",
            std::process::id(),
            Instant::now().elapsed().as_nanos()
        ));
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(f) => {
                let _ = std::fs::remove_file(&path);
                return Ok(f);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free name for the trace file"))
}

/// One level of the frontier: packed states and their fingerprints.
#[derive(Default)]
struct Level {
    words: Vec<u64>,
    fps: Vec<u64>,
}

/// Explores `model` breadth-first storing fingerprints; the same answer as
/// [`super::explore`] unless two states share a fingerprint (see the module's notes).
pub fn explore(model: &Model, options: &Options) -> (Found, Stats) {
    match explore_io(model, options) {
        Ok(r) => r,
        Err(e) => (
            Found::Incomplete(format!("the compact mode's trace file failed: {e}")),
            Stats::default(),
        ),
    }
}

fn explore_io(model: &Model, options: &Options) -> std::io::Result<(Found, Stats)> {
    let start = Instant::now();
    let reduce = !options.no_reduction;
    let fast = Fast::new(model, options.symmetric());
    let sem = &fast.sem;
    let mut stats = Stats::default();
    let mut state = sem.initial();
    let monitor = Monitor::new(options);
    let (mut log, mut scratch) = (
        monitor.step_log(state.bytes()),
        monitor.step_log(state.bytes()),
    );
    let mut next = state.clone();
    let mut ran = Ran::default();
    let mut packer = Packer::new(model, &sem.layout, &fast.analysis);
    let mut key = vec![0u64; packer.words];
    let mut seen = Fingerprints::new();
    let mut trace = Trace::new()?;
    let root = fingerprint(&state);
    seen.insert(root);
    trace.record(root, 0)?;
    trace.end_level();
    stats.states = 1;
    let Ok(check) = fast.check(&mut state, &mut scratch) else {
        return Ok((Found::Incomplete(monitor.reason()), stats));
    };
    if check != StateCheck::Fine {
        return Ok((Found::Violation(Schedule::default()), stats));
    }
    let mut current = Level::default();
    while let Err(o) = packer.pack(&state, &mut key) {
        packer = packer.widen(o);
        key.resize(packer.words, 0);
    }
    current.words.extend_from_slice(&key);
    current.fps.push(root);
    let mut depth = 0usize;
    let mut ticker = monitor.ticker(state.bytes());
    let result = 'search: loop {
        if current.fps.is_empty() {
            break Found::Nothing;
        }
        let mut upcoming = Level::default();
        for pos in 0..current.fps.len() {
            let progress = || Progress {
                states: stats.states,
                transitions: stats.transitions,
                depth,
                queue: (current.fps.len() - pos + upcoming.fps.len()) as u64,
                ..Progress::default()
            };
            if let Some(reason) = ticker.tick(progress) {
                break 'search Found::Incomplete(reason);
            }
            let words = packer.words;
            packer.unpack(&current.words[pos * words..(pos + 1) * words], &mut state);
            let parent = current.fps[pos];
            let plan = if reduce {
                fast.plan(&state, &mut next, &mut log, &mut ran)
            } else {
                None
            };
            if log.cut() {
                break 'search Found::Incomplete(monitor.reason());
            }
            // A step of the persistent set may close a cycle: the cycle proviso.
            let mut back = false;
            for (pass, task) in passes(model.tasks.len()) {
                if !fast.in_pass(&state, plan, back, pass, task) {
                    continue;
                }
                let proviso = Fast::asks_back(plan, pass, back);
                let mut found: Option<ScheduleStep> = None;
                let mut over_budget = false;
                let mut failure = None;
                fast.resolutions(
                    &state,
                    task,
                    &mut ran,
                    &mut log,
                    &mut next,
                    |end, choices, log, next| {
                        let step = || ScheduleStep {
                            task,
                            choices: choices.to_vec(),
                        };
                        match fast.transition(&state, &end, task, log, next, proviso) {
                            Transition::Blocked => return true,
                            Transition::Violation => {
                                stats.transitions += 1;
                                found = Some(step());
                                return false;
                            }
                            Transition::Next { back: closes, .. } => {
                                stats.transitions += 1;
                                back |= closes;
                            }
                        }
                        let fp = fingerprint(next);
                        if !seen.insert(fp) {
                            return true;
                        }
                        if let Err(e) = trace.record(fp, parent) {
                            failure = Some(e);
                            return false;
                        }
                        stats.states += 1;
                        stats.depth = stats.depth.max(depth + 1);
                        let Ok(check) = fast.check(next, &mut scratch) else {
                            return false;
                        };
                        if check != StateCheck::Fine {
                            found = Some(step());
                            return false;
                        }
                        if options.max_states.is_some_and(|m| stats.states >= m) {
                            over_budget = true;
                            return false;
                        }
                        // Queue it packed, widening the packing (and re-packing both levels) if needed.
                        while let Err(o) = packer.pack(next, &mut key) {
                            let wider = packer.widen(o);
                            let old = std::mem::replace(&mut packer, wider);
                            let mut tmp = next.clone();
                            for level in [&mut current, &mut upcoming] {
                                let mut words = Vec::with_capacity(level.fps.len() * packer.words);
                                for chunk in level.words.chunks(old.words) {
                                    old.unpack(chunk, &mut tmp);
                                    let at = words.len();
                                    words.resize(at + packer.words, 0);
                                    packer
                                        .pack(&tmp, &mut words[at..])
                                        .expect("fits once widened");
                                }
                                level.words = words;
                            }
                            key.resize(packer.words, 0);
                        }
                        upcoming.words.extend_from_slice(&key);
                        upcoming.fps.push(fp);
                        true
                    },
                );
                if let Some(e) = failure {
                    return Err(e);
                }
                // The plan or the enumeration was cut: this state tells nothing.
                if log.cut() || scratch.cut() {
                    break 'search Found::Incomplete(monitor.reason());
                }
                if let Some(step) = found {
                    let path = trace.path(parent, depth)?;
                    break 'search Found::Violation(schedule_through(&fast, &path, step));
                }
                if over_budget {
                    let reason = format!(
                        "the state budget of {} states ran out",
                        options.max_states.unwrap_or_default()
                    );
                    break 'search Found::Incomplete(reason);
                }
            }
        }
        trace.end_level();
        current = upcoming;
        depth += 1;
    };
    stats.bytes = seen.bytes() as u64;
    let n = stats.states as f64;
    stats.collision_probability = Some((n * (n - 1.0) / 2f64.powi(65)).min(1.0));
    stats.seconds = start.elapsed().as_secs_f64();
    Ok((result, stats))
}

/// The schedule through the states with fingerprints `path` (from the initial state), then
/// `last`: at each step, the first transition whose successor has the next fingerprint.
fn schedule_through(fast: &Fast<'_>, path: &[u64], last: ScheduleStep) -> Schedule {
    let mut state = fast.sem.initial();
    let mut next = state.clone();
    let mut steps = Vec::with_capacity(path.len());
    for &target in &path[1..] {
        let step = fast
            .step_to(&state, &mut next, |s| fingerprint(s) == target)
            .expect("a recorded state is reached from its parent");
        steps.push(step);
        std::mem::swap(&mut state, &mut next);
    }
    steps.push(last);
    Schedule { steps }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fingerprint_set_grows_by_half_and_keeps_every_fingerprint() {
        let mut s = Fingerprints::new();
        for i in 1..20_000u64 {
            assert!(s.insert(i.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1));
        }
        for i in 1..20_000u64 {
            assert!(!s.insert(i.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1));
        }
        // Between 50% and 80% full: at most 16 bytes per fingerprint.
        assert!(s.bytes() <= 16 * s.len, "{} bytes for {}", s.bytes(), s.len);
    }

    #[test]
    fn the_trace_file_gives_the_path_back() {
        let mut t = Trace::new().expect("a temp file");
        t.record(10, 0).expect("write");
        t.end_level();
        t.record(20, 10).expect("write");
        t.record(21, 10).expect("write");
        t.end_level();
        t.record(30, 21).expect("write");
        t.end_level();
        assert_eq!(t.path(30, 2).expect("read"), vec![10, 21, 30]);
        assert_eq!(t.path(20, 1).expect("read"), vec![10, 20]);
    }
}
