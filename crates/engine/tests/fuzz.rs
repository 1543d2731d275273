//! Bounded fuzzing of replay and exploration inside `cargo test`: the oracles of the
//! `schedule_replay` and `explore_generated` fuzz targets (`fuzz/src/engine.rs`, included here by
//! path) over thousands of seeded inputs:
//! - random walks through the enabled steps of every bundled model, which replay must accept;
//! - schedule text built from bytes (mutated walks, soups of the model's words, raw bytes), which
//!   replay must answer with a consistent trace or a clean refusal;
//! - small generated models, and mutants of the bundled models that still compile, explored by
//!   the reference and the other explorers and strategies under a state budget and a time limit.
//!
//! Every run uses the same inputs; `MIGCHECK_FUZZ_CASES` and `MIGCHECK_FUZZ_SEED` ask for more or
//! other ones (docs/fuzzing.md):
//!
//! ```sh
//! MIGCHECK_FUZZ_CASES=50000 MIGCHECK_FUZZ_SEED=7 cargo test --release -p migcheck-engine --test fuzz
//! ```
//!
//! A failure prints the model and the input that broke it.

// The harness serves the fuzz targets too; this file uses only part of it.
#[allow(dead_code)]
#[path = "../../../fuzz/src/bounded.rs"]
mod bounded;
#[allow(dead_code)]
#[path = "../../../fuzz/src/bundled.rs"]
mod bundled;
#[allow(dead_code)]
#[path = "../../../fuzz/src/engine.rs"]
mod engine;
#[allow(dead_code)]
mod gen;
#[allow(dead_code)]
#[path = "../../../fuzz/src/lang.rs"]
mod lang;
#[path = "common/long_states.rs"]
mod long_models;
#[allow(dead_code)]
#[path = "../../../fuzz/src/mutate.rs"]
mod mutate;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use arbitrary::Unstructured;
use long_models::LONG_STATES;
use migcheck_lang::ir::Model;
use mutate::Rng;

/// How many schedules the replay test tries (the other tests take a fraction).
fn cases() -> u64 {
    bounded::cases(3000)
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A model of the corpus: where it came from, its text, and the model when it compiles.
struct Entry {
    path: String,
    text: String,
    model: Option<Model>,
}

/// Every bundled model and conformance model, compiled (includes read from disk), plus the
/// replay fuzzer's own model.
fn corpus() -> Vec<Entry> {
    let root = repo();
    let load = |p: &str| std::fs::read_to_string(root.join(p)).map_err(|e| e.to_string());
    let mut out = Vec::new();
    for p in bounded::files(&root.join("models"), &[".mig"])
        .into_iter()
        .chain(bounded::files(
            &root.join("../shared/conformance"),
            &[".mig"],
        ))
    {
        let text = std::fs::read_to_string(&p).expect("a bundled model is readable");
        let path = p
            .strip_prefix(&root)
            .map(|r| r.to_string_lossy().into_owned())
            .unwrap_or_else(|_| p.to_string_lossy().into_owned());
        let model = migcheck_lang::compile_file(&path, &text, &load).ok();
        out.push(Entry { path, text, model });
    }
    out.push(Entry {
        path: "fuzz_choices.mig".into(),
        text: engine::CHOICES_MODEL.into(),
        model: migcheck_lang::compile(engine::CHOICES_MODEL).ok(),
    });
    let compiled = out.iter().filter(|e| e.model.is_some()).count();
    assert!(compiled >= 40, "only {compiled} bundled models compile");
    out
}

/// Runs `f`, turning a panic into `Err`.
fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| Err(bounded::panic_text(p)))
}

/// Runs `f` on a thread of its own and gives up after `limit`: a hang is reported, not waited
/// out (the thread is left behind; the test fails anyway).
fn watched<T: Send + 'static>(
    limit: Duration,
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(guarded(f));
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| Err(format!("still running after {limit:?}: a hang")))
}

/// Fails with the first few failures, each with its input.
fn report(what: &str, failures: &[(String, String)], total: u64) {
    if failures.is_empty() {
        return;
    }
    let mut msg = format!("{} of {total} {what} failed:\n", failures.len());
    for (label, why) in failures.iter().take(3) {
        msg.push_str(&format!("\n--- {label}\n{why}\n"));
    }
    panic!("{msg}");
}

#[test]
fn random_walks_replay_in_full() {
    let corpus = corpus();
    let models: Vec<&Entry> = corpus.iter().filter(|e| e.model.is_some()).collect();
    let mut rng = Rng(bounded::seed() ^ 0x7761_6c6b);
    let mut failures = Vec::new();
    let mut steps = 0;
    let n = cases() / 3;
    for case in 0..n {
        let e = models[rng.below(models.len() as u64) as usize];
        let model = e.model.as_ref().expect("compiled");
        let len = 16 + rng.below(64) as usize;
        let bytes = rng.bytes(len);
        let result = guarded(|| {
            let walk = engine::walk(model, &mut Unstructured::new(&bytes), 60);
            steps += walk.len();
            engine::check_walk(model, &walk)
        });
        if let Err(why) = result {
            failures.push((format!("case {case}, {}, bytes {bytes:?}", e.path), why));
        }
    }
    eprintln!("{n} walks, {steps} steps in all");
    report("walks", &failures, n);
    assert!(
        steps as u64 >= n * 3,
        "the walks are too short: {steps} steps"
    );
}

#[test]
fn fuzzed_schedules_replay_or_are_refused_cleanly() {
    let corpus = corpus();
    let models: Vec<&Entry> = corpus.iter().filter(|e| e.model.is_some()).collect();
    let mut rng = Rng(bounded::seed() ^ 0x7265_706c);
    let mut failures = Vec::new();
    let (mut refused, mut violations) = (0u64, 0u64);
    let n = cases();
    for case in 0..n {
        let e = models[rng.below(models.len() as u64) as usize];
        let model = e.model.as_ref().expect("compiled");
        let len = rng.below(160) as usize;
        let bytes = rng.bytes(len);
        let text = engine::schedule_text(model, &mut Unstructured::new(&bytes));
        match guarded(|| engine::check_replay(model, &text)) {
            Ok(()) => match migcheck_engine::replay::replay(model, &text) {
                Err(_) => refused += 1,
                Ok(t) => violations += u64::from(t.violation.is_some()),
            },
            Err(why) => failures.push((format!("case {case}, {}, schedule {text:?}", e.path), why)),
        }
    }
    eprintln!("{n} schedules: {refused} refused, {violations} reached a violation");
    report("schedules", &failures, n);
    // Both ways out of replay are exercised, and so is the way in, to a violation.
    assert!(
        refused * 10 >= n && (n - refused) * 10 >= n,
        "{refused} of {n} refused"
    );
    assert!(
        violations * 50 >= n,
        "only {violations} of {n} reached a violation"
    );
}

/// The budget of one exploration in the bounded tests.
const BUDGET: engine::Budget = engine::Budget {
    max_states: 400,
    time_limit: Duration::from_secs(2),
};

/// What exploring a set of models came to.
#[derive(Default, Debug)]
struct Tally {
    explored: u64,
    refused: u64,
    complete: u64,
}

/// Compiles `text` (the front end's oracle) and explores it under [`BUDGET`], watched.
fn explore_case(
    path: &str,
    text: String,
    selected: u8,
    seed: u64,
    load: &[(String, String)],
    tally: &mut Tally,
) -> Result<(), String> {
    let model = match guarded(|| lang::check_source(path, &text, load)) {
        Ok(Some(model)) => model,
        Ok(None) => {
            tally.refused += 1;
            return Ok(());
        }
        Err(why) => return Err(format!("front end: {why}\n{text}")),
    };
    let limit = BUDGET.allowed() * 4;
    let outcome = watched(limit, move || {
        engine::check_exploration(&model, &BUDGET, selected, seed)
    })
    .map_err(|why| format!("{why}\n{text}"))?;
    tally.explored += 1;
    tally.complete += u64::from(!matches!(
        outcome.verdict,
        migcheck_engine::Verdict::Incomplete { .. }
    ));
    Ok(())
}

#[test]
fn generated_models_explore_within_their_budgets() {
    let mut rng = Rng(bounded::seed() ^ 0x6765_6e65);
    let mut failures = Vec::new();
    let mut tally = Tally::default();
    let n = cases() / 3;
    for case in 0..n {
        let bytes = rng.bytes(48);
        let mut u = Unstructured::new(&bytes);
        let selected: u8 = u.arbitrary().unwrap_or(0);
        let seed: u64 = u.arbitrary().unwrap_or(0);
        let text = engine::generated_source(&mut u);
        if let Err(why) = explore_case("generated.mig", text, selected, seed, &[], &mut tally) {
            failures.push((format!("case {case}, bytes {bytes:?}"), why));
        }
    }
    eprintln!("{n} generated models: {tally:?}");
    report("generated models", &failures, n);
    assert!(tally.explored * 2 >= n, "only {} explored", tally.explored);
    assert!(
        tally.complete * 2 >= tally.explored,
        "mostly incomplete: {tally:?}"
    );
}

#[test]
fn mutated_bundled_models_explore_within_their_budgets() {
    let corpus = corpus();
    let texts: Vec<&str> = corpus.iter().map(|e| e.text.as_str()).collect();
    let root = repo();
    // The libraries the bundled models include, by the path an include resolves to.
    let libs: Vec<(String, String)> = bundled::LIBRARIES
        .iter()
        .map(|(p, _)| {
            let text = std::fs::read_to_string(root.join(p)).expect("a library is readable");
            (p.to_string(), text)
        })
        .collect();
    let mut rng = Rng(bounded::seed() ^ 0x6d75_7461);
    let mut failures = Vec::new();
    let mut tally = Tally::default();
    let n = cases() / 5;
    for case in 0..n {
        let e = &corpus[rng.below(corpus.len() as u64) as usize];
        let bytes = rng.bytes(40);
        let mut u = Unstructured::new(&bytes);
        let selected: u8 = u.arbitrary().unwrap_or(0);
        let text = mutate::mutate(&e.text, &texts, &mut u);
        let r = explore_case(&e.path, text, selected, case, &libs, &mut tally);
        if let Err(why) = r {
            failures.push((format!("case {case}, from {}", e.path), why));
        }
    }
    eprintln!("{n} mutated models: {tally:?}");
    report("mutated models", &failures, n);
    assert!(tally.explored * 5 >= n, "only {} explored", tally.explored);
}

/// The models whose one state once outlasted its budget by minutes (the tests and the fuzz
/// targets used to skip them) stop within the harness's budget, whatever the run.
#[test]
fn long_states_explore_within_their_budgets() {
    // The fuzz target's budget, every run selected.
    let budget = engine::Budget {
        max_states: 2000,
        time_limit: Duration::from_secs(1),
    };
    let mut failures = Vec::new();
    for (what, text) in LONG_STATES {
        let model = migcheck_lang::compile(text).unwrap_or_else(|e| panic!("{what}: {e:?}"));
        // Each run is timed against `Budget::allowed` by the oracle; the watch is for a hang.
        let limit = budget.allowed() * 10;
        let r = watched(limit, move || {
            engine::check_exploration(&model, &budget, 0xff, 0)
        });
        if let Err(why) = r {
            failures.push((what.to_string(), why));
        }
    }
    report("long states", &failures, LONG_STATES.len() as u64);
}
