//! Strategies for models too large to exhaust: many seeded random runs (`random`), or runs under
//! probabilistic concurrency testing (`pct`, Burckhardt et al., ASPLOS 2010: random task
//! priorities and `d - 1` random points where the running task drops to the lowest priority,
//! which finds any bug of depth `d` with probability at least `1/(n k^(d-1))` per run for `n`
//! tasks and `k` steps).
//!
//! Every run is reproducible from the model, the seed and the run's number; a run that reaches a
//! violation yields its schedule, which `migcheck replay` replays like any other. A sampling that
//! finds nothing proves nothing: its verdict is *incomplete*.

use migcheck_lang::ir::Model;

use crate::budget::{Monitor, Progress, Ticker};
use crate::explore::{Found, Options, Stats};
use crate::schedule::{Choice, Schedule, ScheduleStep};
use crate::semantics::{Semantics, StateCheck};
use crate::state::State;
use crate::step::{StepEnd, StepLog};

/// How runs are sampled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sampler {
    /// Each step: a task chosen uniformly among those that can step, then one of its resolutions.
    Random,
    /// Probabilistic concurrency testing with this bug depth `d` (at least 1).
    Pct { depth: u32 },
}

/// The settings of a sampling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sampling {
    pub sampler: Sampler,
    pub seed: u64,
    /// The runs numbered `first_run..first_run + runs` are made (a CI job's share of a larger
    /// sampling: each run's seed derives from `seed` and its number).
    pub first_run: u64,
    pub runs: u64,
    /// A run stops after this many steps (a model whose tasks can loop forever).
    pub max_steps: u64,
}

/// One run that reached a violation.
#[derive(Debug, Clone, PartialEq)]
pub struct FailingRun {
    /// 0-based.
    pub run: u64,
    pub schedule: Schedule,
    /// The violation, described by replay (for the first [`DESCRIBED`] failing runs).
    pub violation: Option<Box<crate::Violation>>,
}

/// How many failing runs [`crate::check`] describes in full.
pub const DESCRIBED: usize = 100;

/// What a sampling found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Sampled {
    pub runs: u64,
    /// Every failing run, in run order.
    pub failing: Vec<FailingRun>,
    /// Runs stopped by `max_steps`.
    pub cut_short: u64,
}

/// xorshift64*: small, fast, and the same everywhere.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, run: u64) -> Rng {
        // splitmix64 of the pair, so that neighbouring seeds and runs are unrelated.
        let mut z = seed ^ run.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x6a09_e667_f3bc_c909;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        Rng((z ^ (z >> 31)).max(1))
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
}

/// What the runs of one sampling reuse: the ticker, and the logs (under the budgets) and buffers
/// of a step.
struct Runner<'a> {
    ticker: Ticker<'a>,
    log: StepLog,
    scratch: StepLog,
    /// Per task: how many resolutions of its step are enabled.
    enabled: Vec<u64>,
    next: State,
}

/// Runs the sampling.
pub fn sample(model: &Model, sampling: &Sampling, options: &Options) -> (Found, Stats, Sampled) {
    let sem = Semantics::new(model);
    let mut stats = Stats::default();
    let mut sampled = Sampled::default();
    let mut initial = sem.initial();
    let monitor = Monitor::new(options);
    let bytes = initial.bytes();
    let mut runner = Runner {
        ticker: monitor.ticker(bytes),
        log: monitor.step_log(bytes),
        scratch: monitor.step_log(bytes),
        enabled: vec![0; model.tasks.len()],
        next: initial.clone(),
    };
    let check = sem.check_state_in(&mut initial, &mut runner.scratch, |_, _| true);
    if check.as_ref().is_ok_and(|c| *c != StateCheck::Fine) {
        sampled.runs = 1;
        return (Found::Violation(Schedule::default()), stats, sampled);
    }
    let mut ended = check.is_err().then(|| monitor.reason());
    // PCT needs the length of a run: the longest seen so far, starting from the code's size.
    let mut longest: u64 = model
        .tasks
        .iter()
        .map(|t| model.bodies[t.body as usize].code.len() as u64)
        .sum::<u64>()
        .max(1);
    let runs = if ended.is_some() { 0 } else { sampling.runs };
    for run in sampling.first_run..sampling.first_run.saturating_add(runs) {
        let mut rng = Rng::new(sampling.seed, run);
        let (failed, steps) = one_run(
            &sem,
            &initial,
            sampling,
            &mut rng,
            longest,
            &mut stats,
            &mut runner,
        );
        // A run that a budget ended (between two steps, or inside one) does not count.
        if let Some(reason) = monitor.ended() {
            ended = Some(reason);
            break;
        }
        longest = longest.max(steps);
        sampled.runs += 1;
        match failed {
            Some(schedule) => sampled.failing.push(FailingRun {
                run,
                schedule,
                violation: None,
            }),
            None if steps >= sampling.max_steps => sampled.cut_short += 1,
            None => {}
        }
    }
    let found = match sampled.failing.first() {
        Some(f) => Found::Violation(f.schedule.clone()),
        None => Found::Incomplete(format!(
            "{}no violation in {} {} run(s) from seed {} (a sampling, not a proof){}",
            ended.map_or_else(String::new, |r| format!("{r}: ")),
            sampled.runs,
            match sampling.sampler {
                Sampler::Random => "random".to_string(),
                Sampler::Pct { depth } => format!("PCT (depth {depth})"),
            },
            sampling.seed,
            if sampled.cut_short > 0 {
                format!(
                    "; {} run(s) stopped at {} steps",
                    sampled.cut_short, sampling.max_steps
                )
            } else {
                String::new()
            }
        )),
    };
    (found, stats, sampled)
}

/// One run: its violation's schedule, if it reached one, and the steps it took. A run that a
/// budget ends (the monitor says so) stops at once with neither.
fn one_run(
    sem: &Semantics<'_>,
    initial: &State,
    sampling: &Sampling,
    rng: &mut Rng,
    length: u64,
    stats: &mut Stats,
    runner: &mut Runner<'_>,
) -> (Option<Schedule>, u64) {
    let tasks = sem.model.tasks.len();
    let mut state = initial.clone();
    let mut schedule = Schedule::default();
    // PCT: distinct priorities above `depth`, and `depth - 1` change points.
    let (mut priority, change_points) = match sampling.sampler {
        Sampler::Pct { depth } => {
            let mut order: Vec<usize> = (0..tasks).collect();
            for i in (1..tasks).rev() {
                order.swap(i, rng.below(i as u64 + 1) as usize);
            }
            let mut p = vec![0u64; tasks];
            for (rank, &t) in order.iter().enumerate() {
                p[t] = u64::from(depth) + rank as u64;
            }
            let points: Vec<u64> = (1..depth).map(|_| rng.below(length)).collect();
            (p, points)
        }
        Sampler::Random => (Vec::new(), Vec::new()),
    };
    let Runner {
        ticker,
        log,
        scratch,
        enabled,
        next,
    } = runner;
    for step in 0..sampling.max_steps {
        let progress = || Progress {
            states: stats.states,
            transitions: stats.transitions,
            depth: step as usize,
            ..Progress::default()
        };
        if ticker.tick(progress).is_some() {
            return (None, step);
        }
        // The enabled resolutions are counted, then the one picked is found again: a step may
        // have billions of them, which are not worth keeping.
        for (task, n) in enabled.iter_mut().enumerate() {
            *n = 0;
            if state.finished(&sem.layout, task) {
                continue;
            }
            sem.for_each_resolution_into(&state, task, log, next, |end, _, _, _| {
                *n += u64::from(!matches!(end, StepEnd::Blocked { .. }));
                true
            });
        }
        if log.cut() {
            return (None, step);
        }
        let mut can_step = (0..tasks).filter(|&t| enabled[t] > 0);
        let task = match sampling.sampler {
            Sampler::Random => {
                let k = can_step.clone().count();
                if k == 0 {
                    // Every task finished, or a deadlock: both were checked when the state was
                    // reached.
                    return (None, step);
                }
                can_step
                    .nth(rng.below(k as u64) as usize)
                    .expect("the pick is below the count")
            }
            Sampler::Pct { .. } => {
                let Some(t) = can_step.max_by_key(|&t| priority[t]) else {
                    return (None, step);
                };
                if let Some(i) = change_points.iter().position(|&c| c == step) {
                    priority[t] = i as u64;
                }
                t
            }
        };
        let mut pick = rng.below(enabled[task]);
        // The resolution picked: its choices, and its state unless it fails or loses an update.
        let mut taken: Option<(Vec<Choice>, bool)> = None;
        sem.for_each_resolution_into(&state, task, log, next, |end, choices, log, next| {
            let fine = match end {
                StepEnd::Blocked { .. } => return true,
                _ if pick > 0 => {
                    pick -= 1;
                    return true;
                }
                StepEnd::Ran => sem.apply_lost_update(next, task, log).is_none(),
                _ => false,
            };
            taken = Some((choices.to_vec(), fine));
            false
        });
        let Some((choices, fine)) = taken else {
            // Cut by a budget before it got there.
            return (None, step);
        };
        schedule.steps.push(ScheduleStep { task, choices });
        stats.transitions += 1;
        if !fine {
            return (Some(schedule), step + 1);
        }
        let Ok(check) = sem.check_state_in(next, scratch, |_, _| true) else {
            return (None, step);
        };
        if check != StateCheck::Fine {
            return (Some(schedule), step + 1);
        }
        stats.states += 1;
        std::mem::swap(&mut state, next);
    }
    (None, sampling.max_steps)
}
