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
use crate::step::{StepLog, StepResult};

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

/// A transition of one run's current state.
struct Move {
    task: usize,
    choices: Vec<Choice>,
    result: StepResult,
    log: StepLog,
}

/// Runs the sampling.
pub fn sample(model: &Model, sampling: &Sampling, options: &Options) -> (Found, Stats, Sampled) {
    let sem = Semantics::new(model);
    let mut stats = Stats::default();
    let mut sampled = Sampled::default();
    let initial = sem.initial();
    if sem.check_state(&initial) != StateCheck::Fine {
        sampled.runs = 1;
        return (Found::Violation(Schedule::default()), stats, sampled);
    }
    // PCT needs the length of a run: the longest seen so far, starting from the code's size.
    let mut longest: u64 = model
        .tasks
        .iter()
        .map(|t| model.bodies[t.body as usize].code.len() as u64)
        .sum::<u64>()
        .max(1);
    let monitor = Monitor::new(options);
    let mut ticker = monitor.ticker();
    let mut ended = None;
    for run in sampling.first_run..sampling.first_run.saturating_add(sampling.runs) {
        let mut rng = Rng::new(sampling.seed, run);
        let (failed, steps) = one_run(
            &sem,
            &initial,
            sampling,
            &mut rng,
            longest,
            &mut stats,
            &mut ticker,
        );
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

/// One run: its violation's schedule, if it reached one, and the steps it took.
fn one_run(
    sem: &Semantics<'_>,
    initial: &State,
    sampling: &Sampling,
    rng: &mut Rng,
    length: u64,
    stats: &mut Stats,
    ticker: &mut Ticker<'_>,
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
    let mut log = StepLog::default();
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
        let mut options: Vec<Move> = Vec::new();
        for task in 0..tasks {
            if state.finished(&sem.layout, task) {
                continue;
            }
            sem.for_each_resolution(&state, task, &mut log, |result, choices, log| {
                if !matches!(result, StepResult::Blocked { .. }) {
                    options.push(Move {
                        task,
                        choices: choices.to_vec(),
                        result,
                        log: log.clone(),
                    });
                }
                true
            });
        }
        if options.is_empty() {
            // Every task finished, or a deadlock: both were checked when the state was reached.
            return (None, step);
        }
        let task = match sampling.sampler {
            Sampler::Random => {
                let mut ts: Vec<usize> = options.iter().map(|o| o.task).collect();
                ts.dedup();
                ts[rng.below(ts.len() as u64) as usize]
            }
            Sampler::Pct { .. } => {
                let t = options
                    .iter()
                    .map(|o| o.task)
                    .max_by_key(|&t| priority[t])
                    .expect("not empty");
                if let Some(i) = change_points.iter().position(|&c| c == step) {
                    priority[t] = i as u64;
                }
                t
            }
        };
        let mine: Vec<usize> = (0..options.len())
            .filter(|&i| options[i].task == task)
            .collect();
        let pick = options.swap_remove(mine[rng.below(mine.len() as u64) as usize]);
        schedule.steps.push(ScheduleStep {
            task,
            choices: pick.choices,
        });
        stats.transitions += 1;
        match pick.result {
            StepResult::Next(mut next) => {
                if sem.apply_lost_update(&mut next, task, &pick.log).is_some()
                    || sem.check_state(&next) != StateCheck::Fine
                {
                    return (Some(schedule), step + 1);
                }
                stats.states += 1;
                state = next;
            }
            _ => return (Some(schedule), step + 1),
        }
    }
    (None, sampling.max_steps)
}
