//! Budgets that end an exploration early (time, memory, an outside request to stop) and the
//! progress an exploration reports as it goes.
//!
//! An explorer calls [`Ticker::tick`] once per state it expands. Most calls only count; now and
//! then the ticker looks at the clock, and at most every [`POLL`] it checks the budgets and hands
//! the caller's progress callback a [`Progress`]. So a budget is noticed within a few
//! milliseconds of running out, and the per-state cost is one decrement.
//!
//! One state can take long by itself: a step with a billion resolutions (`choose c in
//! 0..1000000000`, or a `choose` in a local loop), or a state of megabytes (a map over a million
//! keys). So the enumeration of a step's resolutions consults a [`Guard`] too, once per
//! resolution, which looks at the budgets the same way (the clock, the stop flag, and at most
//! every [`POLL`] the memory, which one of the guards and tickers reads for all); once a guard
//! trips, the state being expanded is cut and the explorer ends as when its ticker runs out.
//!
//! Both count in units of work (a state expanded, a resolution; a state of more than
//! [`UNIT_BYTES`] counts as its size over that) and pace their looks the same way: a new one
//! looks after its first unit, then after at most twice as many units as the last time, as many
//! as took about a millisecond so far, and never more than [`EVERY`] (a ticker) or
//! [`GUARD_EVERY`] (a guard) units of small states. So a costly unit of work (a long local loop,
//! a huge state) does not push a look seconds away, not even for a ticker or guard just made
//! (the parallel explorer makes them per level), and cheap ones are counted at full speed.
//!
//! The state budget (`max_states`) is not here: the explorers cut at the exact state that makes
//! it, so that its figures are the same for every explorer and thread count. Time, memory and a
//! stop request cannot be exact: when one of them ends a search, the figures say how far it got.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::explore::Options;
use crate::step::StepLog;

/// The most ticks (expanded states of at most [`UNIT_BYTES`]) between two looks at the clock.
pub const EVERY: u32 = 256;

/// The most resolutions (of states of at most [`UNIT_BYTES`]) between two looks of a [`Guard`].
pub const GUARD_EVERY: u32 = 1024;

/// The size of a state that counts as one unit of work; a larger one counts as its size over
/// this, so that the clock is looked at after about as many bytes of state as with small ones.
pub const UNIT_BYTES: usize = 1024;

/// Time between two checks of the budgets (and two progress reports).
pub const POLL: Duration = Duration::from_millis(25);

/// The time between two looks at the clock that tickers and guards aim at, when their units of
/// work take long enough that [`EVERY`] (or [`GUARD_EVERY`]) of them would take longer.
const LOOK: Duration = Duration::from_millis(1);

/// How far an exploration has got.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Progress {
    /// States stored (for sampling strategies: steps taken).
    pub states: u64,
    pub transitions: u64,
    /// The breadth-first level being expanded, or the depth-first path's length.
    pub depth: usize,
    /// States waiting to be expanded.
    pub queue: u64,
    pub elapsed: Duration,
}

/// A callback that receives [`Progress`] reports (from any thread).
#[derive(Clone)]
pub struct Reporter(pub Arc<dyn Fn(&Progress) + Send + Sync>);

impl fmt::Debug for Reporter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Reporter")
    }
}

/// A flag another thread (a signal handler) raises to stop an exploration.
#[derive(Debug, Clone, Default)]
pub struct StopFlag(pub Arc<AtomicBool>);

impl StopFlag {
    pub fn raise(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn raised(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The budgets of one exploration, shared by its threads (and by their guards).
#[derive(Debug)]
pub struct Monitor {
    budgets: Arc<Budgets>,
}

/// What a [`Monitor`] shares with the [`Guard`]s it hands out.
#[derive(Debug)]
struct Budgets {
    started: Instant,
    deadline: Option<(Instant, Duration)>,
    max_memory: Option<u64>,
    stop: Option<StopFlag>,
    reporter: Option<Reporter>,
    /// Why the exploration must end, once it must.
    reason: Mutex<Option<String>>,
    ended: AtomicBool,
    /// It ended because the stop flag was raised (a checkpoint is then worth writing).
    stopped: AtomicBool,
    /// When [`Monitor::poll_now`] last polled, in nanoseconds from `started`.
    last_poll: AtomicU64,
    /// When the memory may be read next, in nanoseconds from `started`: every ticker and guard
    /// checks the budgets, but reading the memory (a file of `/proc`) is worth doing once per
    /// [`POLL`] for the whole exploration, not once per thread and guard.
    next_memory_read: AtomicU64,
}

impl Monitor {
    /// The budgets of `options`, counted from `started` (when the check began: a search run
    /// again without reduction shares the first one's time).
    pub fn new(options: &Options) -> Monitor {
        let started = options.started.unwrap_or_else(Instant::now);
        Monitor {
            budgets: Arc::new(Budgets {
                started,
                deadline: options.time_limit.map(|d| (started + d, d)),
                max_memory: options.max_memory,
                stop: options.stop.clone(),
                reporter: options.progress.clone(),
                reason: Mutex::new(None),
                ended: AtomicBool::new(false),
                stopped: AtomicBool::new(false),
                last_poll: AtomicU64::new(0),
                next_memory_read: AtomicU64::new(0),
            }),
        }
    }

    /// A ticker for one thread that expands states of `state_bytes` bytes
    /// ([`crate::State::bytes`]).
    pub fn ticker(&self, state_bytes: usize) -> Ticker<'_> {
        Ticker {
            monitor: self,
            pace: Pace::new(EVERY, state_bytes),
            last: self.budgets.started,
        }
    }

    /// A guard for the enumeration of the resolutions of steps from states of `state_bytes`
    /// bytes, to keep in a [`StepLog`] of one thread.
    pub fn guard(&self, state_bytes: usize) -> Guard {
        Guard {
            budgets: Some(self.budgets.clone()),
            pace: Pace::new(GUARD_EVERY, state_bytes),
            cut: false,
        }
    }

    /// A step log for one thread under a [`Monitor::guard`] of its own: every enumeration of
    /// resolutions an explorer runs (of a step, of a check) goes through such a log.
    pub fn step_log(&self, state_bytes: usize) -> StepLog {
        StepLog {
            guard: self.guard(state_bytes),
            ..StepLog::default()
        }
    }

    /// Why the exploration must end, if a budget ran out (as seen by any thread or guard).
    pub fn ended(&self) -> Option<String> {
        self.budgets.ended()
    }

    /// Why the exploration ended, once a guard cut (it recorded the reason).
    pub fn reason(&self) -> String {
        self.ended()
            .unwrap_or_else(|| "a budget ran out in the middle of a state".into())
    }

    /// Whether the exploration ended because the stop flag was raised.
    pub fn interrupted(&self) -> bool {
        self.budgets.stopped.load(Ordering::SeqCst)
    }

    /// Checks the budgets (whatever the tickers counted, but not more often than every
    /// [`POLL`]), and reports `progress`.
    pub fn poll_now(&self, progress: impl FnOnce() -> Progress) -> Option<String> {
        let b = &self.budgets;
        let now = Instant::now();
        let at = (now - b.started).as_nanos() as u64;
        let last = b.last_poll.load(Ordering::Relaxed);
        if at.saturating_sub(last) < POLL.as_nanos() as u64 {
            return b.ended();
        }
        b.last_poll.store(at, Ordering::Relaxed);
        self.poll(now, progress)
    }

    /// Checks the budgets now, and reports `progress`.
    fn poll(&self, now: Instant, progress: impl FnOnce() -> Progress) -> Option<String> {
        let b = &self.budgets;
        if let Some(reason) = b.ended() {
            return Some(reason);
        }
        if let Some(r) = &b.reporter {
            let mut p = progress();
            p.elapsed = now - b.started;
            (r.0)(&p);
        }
        b.check(now)
    }
}

impl Budgets {
    fn ended(&self) -> Option<String> {
        if !self.ended.load(Ordering::Relaxed) {
            return None;
        }
        self.reason.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Records why the exploration must end (the first reason given stays) and returns it.
    fn end(&self, reason: String) -> String {
        if let Ok(mut r) = self.reason.lock() {
            r.get_or_insert(reason);
            self.ended.store(true, Ordering::SeqCst);
            return r.clone().unwrap_or_default();
        }
        reason
    }

    /// Whether a budget ran out at `now` (the memory read only if no one read it in the last
    /// [`POLL`]); records why.
    fn check(&self, now: Instant) -> Option<String> {
        if let Some(reason) = self.ended() {
            return Some(reason);
        }
        if self.stop.as_ref().is_some_and(StopFlag::raised) {
            let reason = self.end("interrupted".into());
            self.stopped
                .store(reason == "interrupted", Ordering::SeqCst);
            return Some(reason);
        }
        if let Some((deadline, limit)) = self.deadline {
            if now >= deadline {
                return Some(self.end(format!(
                    "the time limit of {} ran out",
                    format_duration(limit)
                )));
            }
        }
        let limit = self.max_memory?;
        if !self.memory_due(now) {
            return None;
        }
        if let Some(used) = resident_bytes() {
            if used >= limit {
                return Some(self.end(format!(
                    "the memory limit of {} was reached ({} in use)",
                    format_bytes(limit),
                    format_bytes(used)
                )));
            }
        }
        None
    }

    /// Whether the caller is the one to read the memory at `now`: the first to ask once
    /// [`POLL`] has passed since the last read.
    fn memory_due(&self, now: Instant) -> bool {
        let at = now.saturating_duration_since(self.started).as_nanos() as u64;
        let next = self.next_memory_read.load(Ordering::Relaxed);
        at >= next
            && self
                .next_memory_read
                .compare_exchange(
                    next,
                    at + POLL.as_nanos() as u64,
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
    }
}

/// When to look at the clock: after `every` units of work, where `every` adapts to how long
/// the units take (see [`LOOK`]) up to `most`, which is smaller for larger states. It starts at
/// one unit and at most doubles from look to look: a ticker or guard is made for a level or a
/// search whose units may take milliseconds each, and must not wait `most` of them to find out.
#[derive(Debug, Clone)]
struct Pace {
    /// Units left before the next look.
    left: u32,
    every: u32,
    most: u32,
    /// The last look, once there was one.
    last: Option<Instant>,
}

impl Pace {
    /// Looks at the first unit, then at most every `most_small` units of a state of at most
    /// [`UNIT_BYTES`], fewer for a larger one.
    fn new(most_small: u32, state_bytes: usize) -> Pace {
        let units = state_bytes.div_ceil(UNIT_BYTES).max(1);
        let most = (most_small as usize / units).max(1) as u32;
        Pace {
            left: 1,
            every: 1,
            most,
            last: None,
        }
    }

    /// A pace that never looks (it counts down from `u32::MAX`, then starts again).
    fn never() -> Pace {
        Pace {
            left: u32::MAX,
            every: u32::MAX,
            most: u32::MAX,
            last: None,
        }
    }

    /// Counts one unit of work; whether it is time to look.
    #[inline]
    fn due(&mut self) -> bool {
        self.left -= 1;
        self.left == 0
    }

    /// Notes a look at `now`: the next one comes after as many units as should take [`LOOK`],
    /// going by the last ones (at most twice as many as before, at most `most`; the first look
    /// has nothing to go by and keeps the pace).
    fn looked(&mut self, now: Instant) {
        if let Some(last) = self.last {
            let took = now.saturating_duration_since(last).as_nanos().max(1);
            let fit = u128::from(self.every) * LOOK.as_nanos() / took;
            let most = self.most.min(self.every.saturating_mul(2));
            self.every = fit.clamp(1, u128::from(most)) as u32;
        }
        self.last = Some(now);
        self.left = self.every;
    }
}

/// One thread's view of a [`Monitor`].
pub struct Ticker<'a> {
    monitor: &'a Monitor,
    pace: Pace,
    /// The last poll of the budgets.
    last: Instant,
}

impl Ticker<'_> {
    /// Counts one expanded state; now and then checks the budgets and reports progress (built
    /// by `progress` only then). `Some(reason)` once the exploration must end.
    #[inline]
    pub fn tick(&mut self, progress: impl FnOnce() -> Progress) -> Option<String> {
        if !self.pace.due() {
            return None;
        }
        let now = Instant::now();
        self.pace.looked(now);
        if now.duration_since(self.last) < POLL {
            return None;
        }
        self.last = now;
        self.monitor.poll(now, progress)
    }
}

/// The budgets as the enumeration of a step's resolutions sees them
/// ([`crate::semantics::Semantics::for_each_resolution_into`] spends one unit per resolution):
/// now and then it looks at the clock, the stop flag, whether another thread ended the
/// exploration and, at most every [`POLL`], the memory. Once a budget has run out the guard
/// *cuts*: the enumeration stops early, and so does every later one, so the explorer must not
/// draw any conclusion from the state being expanded (the reason is recorded in the
/// [`Monitor`]). The default guard is unarmed: it never cuts (replay, and callers that want
/// every resolution).
#[derive(Debug, Clone)]
pub struct Guard {
    budgets: Option<Arc<Budgets>>,
    pace: Pace,
    cut: bool,
}

impl Default for Guard {
    fn default() -> Guard {
        Guard {
            budgets: None,
            pace: Pace::never(),
            cut: false,
        }
    }
}

impl Guard {
    /// Counts one resolution; whether the enumeration must stop here (a budget ran out).
    #[inline]
    pub fn spend(&mut self) -> bool {
        self.pace.due() && self.look()
    }

    /// Whether a budget ran out: the enumerations since were cut short.
    #[inline]
    pub fn cut(&self) -> bool {
        self.cut
    }

    #[cold]
    fn look(&mut self) -> bool {
        if self.cut {
            self.pace.left = 1;
            return true;
        }
        let Some(budgets) = &self.budgets else {
            self.pace.left = u32::MAX;
            return false;
        };
        let now = Instant::now();
        self.pace.looked(now);
        if budgets.check(now).is_some() {
            self.cut = true;
            self.pace.left = 1;
        }
        self.cut
    }
}

/// What a check answers when its guard cut it: a budget ran out in its middle, so it means
/// nothing (see [`Guard`]), and the explorer must end without a conclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut;

/// The memory the process holds (its resident set), where the system tells it.
pub fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

/// `1.5 GiB`, `300 MiB`, `12 KiB`, `100 B`.
pub fn format_bytes(b: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if b < 1024 {
        return format!("{b} B");
    }
    let mut v = b as f64 / 1024.0;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    if v.fract() == 0.0 || v >= 100.0 {
        format!("{v:.0} {}", UNITS[unit])
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// `90s`, `1.5s`, `250ms`.
pub fn format_duration(d: Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{}ms", d.as_millis())
    } else if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Options whose time limit ran out a second ago.
    fn out_of_time() -> Options {
        Options {
            time_limit: Some(Duration::from_millis(0)),
            started: Some(Instant::now() - Duration::from_secs(1)),
            ..Options::default()
        }
    }

    #[test]
    fn a_past_deadline_ends_the_search_at_the_next_poll() {
        let monitor = Monitor::new(&out_of_time());
        let mut ticker = monitor.ticker(0);
        let reason = (0..EVERY).find_map(|_| ticker.tick(Progress::default));
        assert_eq!(reason.as_deref(), Some("the time limit of 0ms ran out"));
        assert_eq!(
            monitor.ended().as_deref(),
            Some("the time limit of 0ms ran out")
        );
    }

    #[test]
    fn a_raised_flag_stops_and_progress_is_reported() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let sink = seen.clone();
        let stop = StopFlag::default();
        let options = Options {
            stop: Some(stop.clone()),
            progress: Some(Reporter(Arc::new(move |p: &Progress| {
                sink.lock().expect("not poisoned").push(p.states)
            }))),
            started: Some(Instant::now() - Duration::from_secs(1)),
            ..Options::default()
        };
        let monitor = Monitor::new(&options);
        let mut ticker = monitor.ticker(0);
        assert_eq!(
            (0..EVERY).find_map(|_| ticker.tick(Progress::default)),
            None
        );
        stop.raise();
        std::thread::sleep(POLL);
        let progress = || Progress {
            states: 7,
            ..Progress::default()
        };
        let reason = (0..EVERY).find_map(|_| ticker.tick(progress));
        assert_eq!(reason.as_deref(), Some("interrupted"));
        assert_eq!(*seen.lock().expect("not poisoned"), vec![0, 7]);
    }

    #[test]
    fn a_guard_cuts_within_its_pace_and_stays_cut() {
        let monitor = Monitor::new(&out_of_time());
        let mut guard = monitor.guard(100);
        assert!(!guard.cut());
        // A new guard looks at its first resolution (it may take long).
        assert!(guard.spend());
        assert!(guard.cut() && guard.spend() && guard.spend());
        assert_eq!(
            monitor.ended().as_deref(),
            Some("the time limit of 0ms ran out")
        );
        // A state of megabytes looks at every resolution; an unarmed guard never cuts.
        let mut huge = monitor.guard(8 << 20);
        assert!(huge.spend());
        let mut unarmed = Guard::default();
        assert!(!(0..10 * GUARD_EVERY).any(|_| unarmed.spend()));
    }

    #[test]
    fn a_new_pace_looks_at_once_then_doubles_up_to_its_most() {
        let mut pace = Pace::new(GUARD_EVERY, 100);
        let start = Instant::now();
        let mut gaps = Vec::new();
        let mut units = 0;
        // Units that take no time: the pace grows as fast as it may.
        while gaps.len() < 14 {
            units += 1;
            if pace.due() {
                pace.looked(start);
                gaps.push(units);
                units = 0;
            }
        }
        assert_eq!(
            gaps,
            [1, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1024, 1024]
        );
        // Units of a millisecond each: a look after every one of them.
        let mut slow = Pace::new(GUARD_EVERY, 100);
        for i in 0..5u32 {
            assert!(slow.due(), "unit {i} is looked at");
            slow.looked(start + LOOK * i);
        }
        // A state of 64 units is looked at after at most a 64th as many resolutions.
        let mut huge = Pace::new(GUARD_EVERY, 64 * UNIT_BYTES);
        assert_eq!(huge.most, GUARD_EVERY / 64);
        assert!(huge.due());
    }

    #[test]
    fn a_new_guard_catches_a_stop_at_its_first_resolution() {
        let stop = StopFlag::default();
        let options = Options {
            stop: Some(stop.clone()),
            ..Options::default()
        };
        let monitor = Monitor::new(&options);
        let mut guard = monitor.guard(0);
        // Without a stop, a guard spends many resolutions between looks.
        assert!(!(0..10 * GUARD_EVERY).any(|_| guard.spend()));
        stop.raise();
        // A guard made now (as the parallel explorer makes one per worker and level) does not
        // first spend a full pace of resolutions, each of which may take milliseconds.
        let mut fresh = monitor.guard(0);
        assert!(fresh.spend());
        assert_eq!(monitor.reason(), "interrupted");
    }

    #[test]
    fn a_guard_sees_the_stop_flag_and_the_monitor_records_it() {
        let stop = StopFlag::default();
        let options = Options {
            stop: Some(stop.clone()),
            ..Options::default()
        };
        let monitor = Monitor::new(&options);
        let mut guard = monitor.guard(0);
        assert!(!(0..GUARD_EVERY).any(|_| guard.spend()));
        stop.raise();
        assert!((0..GUARD_EVERY).any(|_| guard.spend()));
        assert!(monitor.interrupted());
        // Another thread's guard stops too.
        let mut other = monitor.guard(0);
        assert!((0..GUARD_EVERY).any(|_| other.spend()));
        assert_eq!(monitor.reason(), "interrupted");
    }

    #[test]
    fn the_memory_is_read_once_per_poll_for_all_guards_and_tickers() {
        let options = Options {
            max_memory: Some(u64::MAX),
            ..Options::default()
        };
        let monitor = Monitor::new(&options);
        let b = &monitor.budgets;
        let now = Instant::now();
        // The first to ask reads it; the others (another thread's guard) leave it for later.
        assert!(b.memory_due(now));
        assert!(!b.memory_due(now));
        assert!(!b.memory_due(now + POLL / 2));
        assert!(b.memory_due(now + POLL));
        assert!(!b.memory_due(now + POLL));
    }

    #[test]
    fn a_ticker_looks_at_every_state_of_megabytes() {
        let monitor = Monitor::new(&out_of_time());
        let mut ticker = monitor.ticker(8 << 20);
        assert!(ticker.tick(Progress::default).is_some());
    }

    #[test]
    fn sizes_and_durations_read_naturally() {
        assert_eq!(format_bytes(100), "100 B");
        assert_eq!(format_bytes(1536), "1.5 KiB");
        assert_eq!(format_bytes(512 << 20), "512 MiB");
        assert_eq!(format_bytes(3 << 30), "3 GiB");
        assert_eq!(format_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(format_duration(Duration::from_secs(90)), "90s");
        assert_eq!(format_duration(Duration::from_millis(1500)), "1.5s");
    }
}
