//! Budgets other than the state count (time, memory, a stop request) end every explorer and
//! strategy early with an incomplete verdict that says how far it got, and progress reports flow
//! while it runs.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use migcheck_engine::budget::{Progress, Reporter, StopFlag};
use migcheck_engine::strategy::{Sampler, Sampling};
use migcheck_engine::{check, Explorer, Options, Strategy, Verdict};
use migcheck_lang::ir::Model;

/// The claims benchmark at a size that takes seconds even in release: far more than the budgets.
fn big_model() -> Model {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/bench/claims_fix.mig"
    );
    let text = std::fs::read_to_string(path)
        .expect("the benchmark model")
        .replace("const N = 3 ", "const N = 8 ")
        .replace("const H = 2 ", "const H = 3 ");
    migcheck_lang::compile(&text).expect("the model compiles")
}

/// Every way of exploring, by name.
fn configurations() -> Vec<(&'static str, Options)> {
    let sampling = |sampler| {
        Strategy::Sample(Sampling {
            sampler,
            seed: 1,
            first_run: 0,
            runs: u64::MAX,
            max_steps: 10_000,
        })
    };
    vec![
        ("sequential", Options::default()),
        (
            "parallel",
            Options {
                threads: Some(2),
                ..Options::default()
            },
        ),
        (
            "compact",
            Options {
                compact: true,
                ..Options::default()
            },
        ),
        (
            "reference",
            Options {
                explorer: Explorer::Reference,
                ..Options::default()
            },
        ),
        (
            "dfs",
            Options {
                strategy: Strategy::Dfs { cache: 1 << 10 },
                ..Options::default()
            },
        ),
        (
            "random",
            Options {
                strategy: sampling(Sampler::Random),
                ..Options::default()
            },
        ),
        (
            "pct",
            Options {
                strategy: sampling(Sampler::Pct { depth: 3 }),
                ..Options::default()
            },
        ),
    ]
}

fn incomplete_reason(verdict: &Verdict) -> &str {
    match verdict {
        Verdict::Incomplete { reason } => reason,
        other => panic!("expected an incomplete verdict, got {other:?}"),
    }
}

#[test]
fn a_time_limit_ends_every_explorer_promptly_and_says_how_far_it_got() {
    let model = big_model();
    for (name, options) in configurations() {
        let start = Instant::now();
        let outcome = check(
            &model,
            &Options {
                time_limit: Some(Duration::from_millis(200)),
                ..options
            },
        );
        let took = start.elapsed();
        let reason = incomplete_reason(&outcome.verdict);
        assert!(
            reason.starts_with("the time limit of 200ms ran out"),
            "{name}: {reason}"
        );
        assert!(took < Duration::from_secs(5), "{name}: took {took:?}");
        assert!(outcome.stats.transitions > 0, "{name}: {:?}", outcome.stats);
        if name == "random" || name == "pct" {
            assert!(reason.contains("run(s) from seed 1"), "{name}: {reason}");
        } else {
            assert!(outcome.stats.states > 1, "{name}: {:?}", outcome.stats);
            let got = format!(
                "{} states explored, to depth {}",
                outcome.stats.states, outcome.stats.depth
            );
            assert!(reason.ends_with(&got), "{name}: {reason} / {got}");
        }
    }
}

#[test]
fn a_memory_limit_ends_the_search_with_the_memory_in_use() {
    let model = big_model();
    for (name, options) in configurations().into_iter().take(4) {
        // Any process holds more than a kilobyte: the first check ends it.
        let outcome = check(
            &model,
            &Options {
                max_memory: Some(1024),
                ..options
            },
        );
        let reason = incomplete_reason(&outcome.verdict);
        assert!(
            reason.starts_with("the memory limit of 1 KiB was reached ("),
            "{name}: {reason}"
        );
    }
}

#[test]
fn a_raised_stop_flag_interrupts_and_progress_is_reported_on_the_way() {
    let model = big_model();
    for (name, options) in configurations().into_iter().take(3) {
        let stop = StopFlag::default();
        let seen: Arc<Mutex<Vec<Progress>>> = Arc::default();
        let (sink, flag) = (seen.clone(), stop.clone());
        let reporter = Reporter(Arc::new(move |p: &Progress| {
            let mut seen = sink.lock().expect("not poisoned");
            seen.push(*p);
            if seen.len() == 3 {
                flag.raise();
            }
        }));
        let outcome = check(
            &model,
            &Options {
                stop: Some(stop),
                progress: Some(reporter),
                ..options
            },
        );
        let reason = incomplete_reason(&outcome.verdict);
        assert!(reason.starts_with("interrupted: "), "{name}: {reason}");
        let seen = seen.lock().expect("not poisoned");
        assert!(seen.len() >= 3, "{name}: {} reports", seen.len());
        assert!(
            seen.windows(2)
                .all(|w| w[0].states <= w[1].states && w[0].elapsed <= w[1].elapsed),
            "{name}: progress goes forward: {seen:?}"
        );
        assert!(seen[2].states > 0 && seen[2].queue > 0, "{name}: {seen:?}");
    }
}
