//! The differential soundness test: on random small models (`gen::model(seed)`), every explorer
//! gives the reference explorer's verdict and schedule, and the parallel explorer the sequential
//! fast one's figures too. The generator itself is checked here as well: its models compile and,
//! under the reference explorer, show every kind of verdict.
//!
//! `cargo test` runs 300 models. The nightly form asks for thousands (see [`seeds`]):
//!
//! ```sh
//! MIGCHECK_DIFF_MODELS=5000 cargo test --release -p migcheck-engine --test differential
//! ```
//!
//! A failure prints the seed and the model. `cargo run -p migcheck-engine --example gen-model --
//! SEED > m.mig` writes any seed's model, for `migcheck check m.mig`.

mod gen;

use std::collections::BTreeMap;

use migcheck_engine::{check, Explorer, Options, Verdict};

/// The seeds of a run: `0..MIGCHECK_DIFF_MODELS` (300 unless set), so that a nightly run can ask
/// for thousands.
pub fn seeds() -> std::ops::Range<u64> {
    let n = std::env::var("MIGCHECK_DIFF_MODELS")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(300);
    0..n
}

/// The seeds whose verdicts the generator is tuned on.
const TUNED: u64 = 500;

/// The state budget of one model.
const BUDGET: u64 = 20_000;

/// The reference explorer with the state budget (other settings at their defaults).
fn reference() -> Options {
    Options {
        max_states: Some(BUDGET),
        explorer: Explorer::Reference,
        ..Options::default()
    }
}

fn compile(seed: u64) -> migcheck_lang::ir::Model {
    let src = gen::model(seed);
    match migcheck_lang::compile(&src) {
        Ok(m) => m,
        Err(diags) => {
            panic!("seed {seed}: the generated model does not compile: {diags:#?}\n{src}")
        }
    }
}

#[test]
fn generated_models_compile() {
    // At least the tuned seeds, and every seed a longer run will use.
    let end = seeds().end.max(TUNED);
    let mut failures = Vec::new();
    for seed in 0..end {
        let src = gen::model(seed);
        assert_eq!(
            src,
            gen::model(seed),
            "seed {seed}: the generator is not deterministic"
        );
        if let Err(diags) = migcheck_lang::compile(&src) {
            eprintln!("seed {seed}: does not compile:\n{src}\n{diags:#?}\n");
            failures.push(seed);
        }
    }
    assert!(
        failures.is_empty(),
        "seeds that do not compile: {failures:?}"
    );
}

#[test]
fn generated_models_compile_at_other_sizes() {
    let tiny = gen::Config {
        tasks: (1, 2),
        scalars: (0, 1),
        maps: (0, 1),
        locks: (0, 1),
        enums: (0, 1),
        stmts: (0, 2),
        max_depth: 1,
        max_literal: 1,
        invariants: (0, 1),
        finals: (0, 1),
    };
    let large = gen::Config {
        tasks: (4, 6),
        scalars: (3, 6),
        maps: (1, 3),
        locks: (2, 4),
        enums: (1, 3),
        stmts: (6, 12),
        max_depth: 3,
        max_literal: 5,
        invariants: (1, 3),
        finals: (1, 3),
    };
    for (name, cfg) in [("tiny", tiny), ("large", large)] {
        for seed in 0..200 {
            let src = gen::model_with(seed, &cfg);
            if let Err(diags) = migcheck_lang::compile(&src) {
                panic!("{name} seed {seed}: does not compile:\n{src}\n{diags:#?}");
            }
        }
    }
}

#[test]
fn generated_models_cover_every_verdict() {
    let options = reference();
    let mut kinds: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut sizes: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut incomplete = Vec::new();
    let mut total_states = 0u64;
    for seed in 0..TUNED {
        let model = compile(seed);
        let outcome = check(&model, &options);
        let kind = match &outcome.verdict {
            Verdict::Ok => "ok",
            Verdict::Violation(v) => v.kind.as_str(),
            Verdict::Incomplete { .. } => {
                incomplete.push(seed);
                "incomplete"
            }
        };
        *kinds.entry(kind).or_default() += 1;
        let states = outcome.stats.states;
        total_states += states;
        let bucket = match states {
            0..=1 => "1",
            2..=10 => "2-10",
            11..=100 => "11-100",
            101..=1_000 => "101-1000",
            1_001..=5_000 => "1001-5000",
            5_001..=19_999 => "5001-19999",
            _ => "budget",
        };
        *sizes.entry(bucket).or_default() += 1;
    }
    eprintln!("verdicts over seeds 0..{TUNED}:");
    for (k, n) in &kinds {
        eprintln!("  {k:<12} {n:>5}");
    }
    eprintln!("states per model:");
    for b in [
        "1",
        "2-10",
        "11-100",
        "101-1000",
        "1001-5000",
        "5001-19999",
        "budget",
    ] {
        eprintln!("  {b:<12} {:>5}", sizes.get(b).copied().unwrap_or(0));
    }
    eprintln!("  total        {total_states}");
    eprintln!("incomplete seeds: {incomplete:?}");

    for kind in [
        "ok",
        "deadlock",
        "lost_update",
        "assertion",
        "invariant",
        "final",
        "model_error",
    ] {
        let n = kinds.get(kind).copied().unwrap_or(0);
        assert!(
            n >= 5,
            "only {n} of {TUNED} models have verdict {kind}: {kinds:?}"
        );
    }
    assert!(
        incomplete.len() as u64 * 10 <= TUNED,
        "{} of {TUNED} models exceed the budget of {BUDGET} states",
        incomplete.len()
    );
}

/// Verdict and figures, without the time and the store's size.
fn essentials(o: &migcheck_engine::Outcome) -> String {
    format!(
        "{:?} states={} transitions={} depth={}",
        o.verdict, o.stats.states, o.stats.transitions, o.stats.depth
    )
}

#[test]
fn every_explorer_agrees_with_the_reference() {
    let mut compared = 0;
    let mut reduced = 0;
    for seed in seeds() {
        let model = compile(seed);
        let fast = |threads| {
            check(
                &model,
                &Options {
                    max_states: Some(BUDGET),
                    threads,
                    ..Options::default()
                },
            )
        };
        let sequential = fast(None);
        let parallel = fast(Some(2));
        let compact = check(
            &model,
            &Options {
                max_states: Some(BUDGET),
                compact: true,
                ..Options::default()
            },
        );
        let context = || format!("seed {seed}:\n{}", gen::model(seed));
        assert_eq!(
            essentials(&sequential),
            essentials(&parallel),
            "sequential vs parallel, {}",
            context()
        );
        // Fingerprints of a few thousand states: a collision has odds below 10^-12.
        assert_eq!(
            essentials(&sequential),
            essentials(&compact),
            "sequential vs compact, {}",
            context()
        );
        let full = check(
            &model,
            &Options {
                max_states: Some(BUDGET),
                no_reduction: true,
                ..Options::default()
            },
        );
        if let (Verdict::Ok, Verdict::Ok) = (&sequential.verdict, &full.verdict) {
            if sequential.stats.states < full.stats.states {
                reduced += 1;
            }
        }
        let dfs = check(
            &model,
            &Options {
                max_states: Some(BUDGET),
                strategy: migcheck_engine::Strategy::Dfs { cache: 1 << 12 },
                ..Options::default()
            },
        );
        let reference = check(&model, &reference());
        // The fast explorers store fewer states, so a budget can run out for the reference alone.
        if matches!(reference.verdict, Verdict::Incomplete { .. }) {
            continue;
        }
        assert_eq!(
            sequential.verdict,
            reference.verdict,
            "fast vs reference, {}",
            context()
        );
        assert_eq!(
            full.verdict,
            reference.verdict,
            "fast without reduction vs reference, {}",
            context()
        );
        if !matches!(dfs.verdict, Verdict::Incomplete { .. }) {
            assert_eq!(
                matches!(dfs.verdict, Verdict::Ok),
                matches!(reference.verdict, Verdict::Ok),
                "depth-first vs reference, {}",
                context()
            );
        }
        assert!(
            sequential.stats.states <= reference.stats.states,
            "{}",
            context()
        );
        compared += 1;
    }
    assert!(
        compared * 10 >= seeds().count() * 9,
        "only {compared} models compared"
    );
    // Partial-order reduction is on by default and must bite somewhere.
    eprintln!("reduction stored fewer states on {reduced} of {compared} models");
    assert!(reduced > 0, "reduction never reduced anything");
}
