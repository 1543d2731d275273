//! Budgets that end an exploration early (time, memory, an outside request to stop) and the
//! progress an exploration reports as it goes.
//!
//! An explorer calls [`Ticker::tick`] once per state it expands. Most calls only count; every
//! [`EVERY`] calls the ticker looks at the clock, and at most every [`POLL`] it checks the
//! budgets and hands the caller's progress callback a [`Progress`]. So a budget is noticed within
//! a few milliseconds of running out, and the per-state cost is one increment.
//!
//! The state budget (`max_states`) is not here: the explorers cut at the exact state that makes
//! it, so that its figures are the same for every explorer and thread count. Time, memory and a
//! stop request cannot be exact: when one of them ends a search, the figures say how far it got.

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::explore::Options;

/// Ticks between two looks at the clock.
pub const EVERY: u32 = 256;

/// Time between two checks of the budgets (and two progress reports).
pub const POLL: Duration = Duration::from_millis(25);

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

/// The budgets of one exploration, shared by its threads.
#[derive(Debug)]
pub struct Monitor {
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
}

impl Monitor {
    /// The budgets of `options`, counted from `started` (when the check began: a search run
    /// again without reduction shares the first one's time).
    pub fn new(options: &Options) -> Monitor {
        let started = options.started.unwrap_or_else(Instant::now);
        Monitor {
            started,
            deadline: options.time_limit.map(|d| (started + d, d)),
            max_memory: options.max_memory,
            stop: options.stop.clone(),
            reporter: options.progress.clone(),
            reason: Mutex::new(None),
            ended: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
            last_poll: AtomicU64::new(0),
        }
    }

    /// A ticker for one thread.
    pub fn ticker(&self) -> Ticker<'_> {
        Ticker {
            monitor: self,
            count: 0,
            last: self.started,
        }
    }

    /// Why the exploration must end, if a budget ran out (as seen by any thread).
    pub fn ended(&self) -> Option<String> {
        if !self.ended.load(Ordering::Relaxed) {
            return None;
        }
        self.reason.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Whether the exploration ended because the stop flag was raised.
    pub fn interrupted(&self) -> bool {
        self.stopped.load(Ordering::SeqCst)
    }

    fn end(&self, reason: String) -> String {
        if let Ok(mut r) = self.reason.lock() {
            r.get_or_insert(reason);
            self.ended.store(true, Ordering::SeqCst);
            return r.clone().unwrap_or_default();
        }
        reason
    }

    /// Checks the budgets (whatever the tickers counted, but not more often than every
    /// [`POLL`]), and reports `progress`.
    pub fn poll_now(&self, progress: impl FnOnce() -> Progress) -> Option<String> {
        let now = Instant::now();
        let at = (now - self.started).as_nanos() as u64;
        let last = self.last_poll.load(Ordering::Relaxed);
        if at.saturating_sub(last) < POLL.as_nanos() as u64 {
            return self.ended();
        }
        self.last_poll.store(at, Ordering::Relaxed);
        self.poll(now, progress)
    }

    /// Checks the budgets now, and reports `progress`.
    fn poll(&self, now: Instant, progress: impl FnOnce() -> Progress) -> Option<String> {
        if let Some(reason) = self.ended() {
            return Some(reason);
        }
        if let Some(r) = &self.reporter {
            let mut p = progress();
            p.elapsed = now - self.started;
            (r.0)(&p);
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
        if let (Some(limit), Some(used)) = (self.max_memory, resident_bytes()) {
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
}

/// One thread's view of a [`Monitor`].
pub struct Ticker<'a> {
    monitor: &'a Monitor,
    count: u32,
    last: Instant,
}

impl Ticker<'_> {
    /// Counts one expanded state; now and then checks the budgets and reports progress (built
    /// by `progress` only then). `Some(reason)` once the exploration must end.
    #[inline]
    pub fn tick(&mut self, progress: impl FnOnce() -> Progress) -> Option<String> {
        self.count += 1;
        if self.count < EVERY {
            return None;
        }
        self.count = 0;
        let now = Instant::now();
        if now.duration_since(self.last) < POLL {
            return None;
        }
        self.last = now;
        self.monitor.poll(now, progress)
    }
}

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

    #[test]
    fn a_past_deadline_ends_the_search_at_the_next_poll() {
        let options = Options {
            time_limit: Some(Duration::from_millis(0)),
            started: Some(Instant::now() - Duration::from_secs(1)),
            ..Options::default()
        };
        let monitor = Monitor::new(&options);
        let mut ticker = monitor.ticker();
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
        let mut ticker = monitor.ticker();
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
