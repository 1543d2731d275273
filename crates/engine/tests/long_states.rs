//! Budgets hold inside one state: a step with a billion resolutions (a wide `choose`, a `choose`
//! over a computed range, a `choose` in a local loop) or a state of megabytes (a map over a
//! million keys) ends every explorer and strategy at its time limit, its stop flag or its memory
//! limit, and a state whose expansion was cut is never taken for a violation.
//!
//! The tests take turns ([`one_at_a_time`]): they measure wall time and the process's memory.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use migcheck_engine::budget::{resident_bytes, StopFlag};
use migcheck_engine::strategy::{Sampler, Sampling};
use migcheck_engine::{check, Explorer, Options, Outcome, Strategy, Verdict};
use migcheck_lang::ir::Model;

#[path = "common/long_states.rs"]
mod long_models;

use long_models::LONG_STATES;

/// The huge map of [`LONG_STATES`].
const HUGE_MAP: usize = 3;

/// Every explorer and strategy, by name, and whether a stop leaves a checkpoint.
fn configurations() -> Vec<(&'static str, Options, bool)> {
    let sampling = |sampler| {
        Strategy::Sample(Sampling {
            sampler,
            seed: 1,
            first_run: 0,
            runs: u64::MAX,
            max_steps: 10_000,
        })
    };
    let with = |f: &dyn Fn(&mut Options)| {
        let mut o = Options::default();
        f(&mut o);
        o
    };
    vec![
        ("fast", Options::default(), true),
        (
            "fast without reduction",
            with(&|o| o.no_reduction = true),
            true,
        ),
        ("parallel", with(&|o| o.threads = Some(2)), true),
        ("compact", with(&|o| o.compact = true), false),
        (
            "reference",
            with(&|o| o.explorer = Explorer::Reference),
            false,
        ),
        (
            "depth-first",
            with(&|o| o.strategy = Strategy::Dfs { cache: 1 << 10 }),
            false,
        ),
        (
            "random",
            with(&|o| o.strategy = sampling(Sampler::Random)),
            false,
        ),
        (
            "pct",
            with(&|o| o.strategy = sampling(Sampler::Pct { depth: 3 })),
            false,
        ),
    ]
}

fn compile(what: &str, text: &str) -> Model {
    migcheck_lang::compile(text).unwrap_or_else(|e| panic!("{what}: {e:?}"))
}

/// The tests take turns: each measures time and the memory of the whole process.
fn one_at_a_time() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|e| e.into_inner())
}

fn incomplete_reason<'a>(what: &str, outcome: &'a Outcome) -> &'a str {
    match &outcome.verdict {
        Verdict::Incomplete { reason } => reason,
        other => panic!("{what}: expected an incomplete verdict, got {other:?}"),
    }
}

#[test]
fn a_time_limit_ends_every_explorer_inside_a_long_state() {
    let _turn = one_at_a_time();
    for (what, text) in LONG_STATES {
        let model = compile(what, text);
        for (name, options, _) in configurations() {
            let start = Instant::now();
            let outcome = check(
                &model,
                &Options {
                    time_limit: Some(Duration::from_secs(1)),
                    ..options
                },
            );
            let took = start.elapsed();
            let reason = incomplete_reason(name, &outcome);
            assert!(
                reason.starts_with("the time limit of 1s ran out"),
                "{what}, {name}: {reason}"
            );
            assert!(
                took < Duration::from_secs(5),
                "{what}, {name}: took {took:?}"
            );
        }
    }
}

#[test]
fn a_stop_flag_ends_every_explorer_inside_a_long_state() {
    let _turn = one_at_a_time();
    for (what, text) in LONG_STATES {
        let model = compile(what, text);
        for (name, options, checkpoints) in configurations() {
            let stop = StopFlag::default();
            let raised = stop.clone();
            let start = Instant::now();
            let raiser = std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(300));
                raised.raise();
            });
            let outcome = check(
                &model,
                &Options {
                    stop: Some(stop),
                    ..options
                },
            );
            let took = start.elapsed();
            raiser.join().expect("the raiser ends");
            let reason = incomplete_reason(name, &outcome);
            assert!(
                reason.starts_with("interrupted"),
                "{what}, {name}: {reason}"
            );
            assert!(
                took < Duration::from_secs(5),
                "{what}, {name}: took {took:?}"
            );
            assert_eq!(
                outcome.checkpoint.is_some(),
                checkpoints,
                "{what}, {name}: a checkpoint where supported"
            );
        }
    }
}

#[test]
fn a_search_stopped_inside_a_state_expands_it_again_on_resume() {
    let _turn = one_at_a_time();
    let (what, text) = LONG_STATES[0];
    let model = compile(what, text);
    // The initial state's expansion takes minutes: the stop cuts it, and the checkpoint must
    // hold it as still to be expanded. (Without reduction: the reduction's plan would look at
    // every resolution first.)
    let budget = Options {
        max_states: Some(1000),
        no_reduction: true,
        ..Options::default()
    };
    let uninterrupted = check(&model, &budget);
    for threads in [None, Some(2)] {
        let stop = StopFlag::default();
        stop.raise();
        let stopped = check(
            &model,
            &Options {
                stop: Some(stop),
                threads,
                no_reduction: true,
                ..Options::default()
            },
        );
        let checkpoint = stopped.checkpoint.expect("a checkpoint");
        assert_eq!(checkpoint.frontier, 0, "{threads:?}");
        assert_eq!(checkpoint.len(), 1, "{threads:?}");
        if threads.is_some() {
            // The parallel search applies a state budget once a level is done: not here.
            continue;
        }
        let resumed = check(
            &model,
            &Options {
                resume: Some(Arc::new(*checkpoint)),
                threads,
                ..budget.clone()
            },
        );
        assert_eq!(resumed.verdict, uninterrupted.verdict, "{threads:?}");
        assert_eq!(resumed.stats.states, 1000, "{threads:?}");
        assert_eq!(
            resumed.stats.transitions, uninterrupted.stats.transitions,
            "{threads:?}"
        );
    }
}

#[test]
fn a_memory_limit_ends_the_search_of_huge_states_near_the_limit() {
    let _turn = one_at_a_time();
    let (what, text) = LONG_STATES[HUGE_MAP];
    let model = compile(what, text);
    let headroom = 256u64 << 20;
    // Fast, without reduction, parallel, compact and reference: they keep what they explore.
    for (name, options, _) in configurations().into_iter().take(5) {
        let before = resident_bytes().expect("the resident memory is readable here");
        let limit = before + headroom;
        // The peak, sampled every millisecond while the search runs.
        let (done, peak) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicU64::new(0)),
        );
        let watcher = {
            let (done, peak) = (done.clone(), peak.clone());
            std::thread::spawn(move || {
                while !done.load(Ordering::SeqCst) {
                    peak.fetch_max(resident_bytes().unwrap_or(0), Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(1));
                }
            })
        };
        let start = Instant::now();
        let outcome = check(
            &model,
            &Options {
                max_memory: Some(limit),
                time_limit: Some(Duration::from_secs(60)),
                ..options
            },
        );
        let took = start.elapsed();
        done.store(true, Ordering::SeqCst);
        watcher.join().expect("the watcher ends");
        let reason = incomplete_reason(name, &outcome);
        assert!(
            reason.starts_with("the memory limit of "),
            "{name}: {reason} after {took:?}"
        );
        // Past the limit by at most what a few of its states take between two looks.
        let peak = peak.load(Ordering::SeqCst);
        assert!(
            peak < limit + (128 << 20),
            "{name}: {} MiB at the peak under a limit of {} MiB",
            peak >> 20,
            limit >> 20
        );
    }
}

#[test]
fn a_cut_expansion_is_never_a_deadlock() {
    let _turn = one_at_a_time();
    // Every resolution but the last blocks: a search that took the first billion for all of
    // them would report a deadlock that is not there.
    let model = compile(
        "a long blocked prefix",
        "model m\nshared x: int = 999999999\n\
         task a { choose c in 0..1000000000; await x == c; x = 0 }\ntask b { await x == 0 }\n",
    );
    for (name, options, _) in configurations() {
        let outcome = check(
            &model,
            &Options {
                time_limit: Some(Duration::from_millis(500)),
                ..options
            },
        );
        let reason = incomplete_reason(name, &outcome);
        assert!(
            reason.starts_with("the time limit of 500ms ran out"),
            "{name}: {reason}"
        );
    }
    // The same with a hundred values: the search ends, and finds no deadlock either.
    let small = compile(
        "a short blocked prefix",
        "model m\nshared x: int = 99\n\
         task a { choose c in 0..100; await x == c; x = 0 }\ntask b { await x == 0 }\n",
    );
    for (name, options, _) in configurations().into_iter().take(6) {
        assert_eq!(check(&small, &options).verdict, Verdict::Ok, "{name}");
    }
}
