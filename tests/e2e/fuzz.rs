//! Bounded fuzzing of the binary as a user runs it (docs/fuzzing.md): mutants of the bundled
//! models through `migcheck check`, and mutated schedules through `migcheck replay`. Whatever the
//! input, migcheck exits with 0–3 and never panics; the library-level fuzz tests
//! (crates/lang/tests/fuzz.rs, crates/engine/tests/fuzz.rs) check the answers themselves.
//!
//! `MIGCHECK_FUZZ_SEED` picks other inputs (0 by default), as in the other fuzz tests.

use std::path::Path;

use arbitrary::Unstructured;

use super::util::{mig_files, migcheck, root, Run};

#[allow(dead_code)]
#[path = "../../fuzz/src/bounded.rs"]
mod bounded;
#[allow(dead_code)]
#[path = "../../fuzz/src/mutate.rs"]
mod mutate;

use bounded::seed;
use mutate::Rng;

/// Exit codes 0–3 and no panic, or the failure with what was run.
fn assert_sane(run: &Run, what: &str) {
    assert!(
        (0..=3).contains(&run.code) && !run.stderr.contains("panicked"),
        "{what}: exit code {}\nstdout:\n{}\nstderr:\n{}",
        run.code,
        run.stdout,
        run.stderr
    );
}

#[test]
fn mutated_models_get_an_answer_from_check() {
    let models = root().join("models");
    let originals: Vec<(String, String)> = mig_files(&models)
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&models).expect("under models/");
            let text = std::fs::read_to_string(&p).expect("a bundled model is readable");
            (rel.to_string_lossy().into_owned(), text)
        })
        .collect();
    let texts: Vec<&str> = originals.iter().map(|(_, t)| t.as_str()).collect();
    let dir = tempfile::tempdir().expect("a temporary folder");
    // The libraries the Nova models include, where their includes look for them.
    let lib = Path::new("nova/lib");
    std::fs::create_dir_all(dir.path().join(lib)).expect("a folder");
    for entry in std::fs::read_dir(models.join(lib)).expect("models/nova/lib") {
        let p = entry.expect("an entry").path();
        let to = dir.path().join(lib).join(p.file_name().expect("a name"));
        std::fs::copy(&p, to).expect("a library copied");
    }
    let mut rng = Rng(seed() ^ 0x6269_6e61);
    let n = 80;
    for case in 0..n {
        let (rel, text) = &originals[rng.below(originals.len() as u64) as usize];
        let bytes = rng.bytes(32);
        let mutant = mutate::mutate(text, &texts, &mut Unstructured::new(&bytes));
        let path = dir
            .path()
            .join(rel.replace(".mig", &format!("_mutant{case}.mig")));
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
        std::fs::write(&path, mutant).expect("a mutant written");
    }
    let folder = dir.path().to_string_lossy().into_owned();
    let run = migcheck(&[
        "check",
        "--format",
        "json",
        "--quiet",
        "--max-states",
        "3000",
        "--time-limit",
        "2s",
        "--threads",
        "2",
        &folder,
    ]);
    assert_sane(&run, "check on the mutants");
    // One result per mutant, refused (`error`, its diagnostics on stderr) or explored.
    let results = run.json()["results"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(results.len(), n, "stderr:\n{}", run.stderr);
    let verdicts: Vec<&str> = results
        .iter()
        .map(|r| r["verdict"].as_str().unwrap_or("none"))
        .collect();
    for v in &verdicts {
        assert!(
            ["ok", "violation", "incomplete", "error"].contains(v),
            "verdict {v}"
        );
    }
    let refused = verdicts.iter().filter(|v| **v == "error").count();
    let count = |verdict: &str| verdicts.iter().filter(|v| **v == verdict).count();
    eprintln!(
        "{n} mutants: {refused} refused, {} ok, {} violated, {} incomplete",
        count("ok"),
        count("violation"),
        count("incomplete")
    );
    assert_eq!(
        run.stderr.matches("ERROR ").count(),
        refused,
        "{}",
        run.stderr
    );
    // Mutations keep some models valid: the explorers ran, not only the front end.
    assert!(refused < n, "no mutant compiled:\n{}", run.stderr);
}

#[test]
fn mutated_schedules_are_replayed_or_refused() {
    let models = [
        "models/examples/01_lost_update_bug.mig",
        "models/examples/02_deadlock_bug.mig",
        "models/bench/claims_bug.mig",
    ];
    let mut rng = Rng(seed() ^ 0x7265_706c);
    for model in models {
        let found = migcheck(&["check", "--format", "json", model]);
        let schedule = found.json()["results"][0]["violation"]["schedule"]
            .as_str()
            .unwrap_or_else(|| panic!("{model}: a violation with a schedule"))
            .to_string();
        let model_text = std::fs::read_to_string(root().join(model)).expect("readable");
        for _ in 0..12 {
            let bytes = rng.bytes(24);
            let text = mutate::mutate(&schedule, &[&model_text], &mut Unstructured::new(&bytes))
                .replace('\0', ""); // an argument cannot hold a NUL byte
            let run = migcheck(&["replay", model, "--schedule", &text, "--format", "json"]);
            assert_sane(&run, &format!("replay {model} --schedule {text:?}"));
            if run.code == 2 {
                // A refused schedule says which step does not fit.
                assert!(run.stderr.contains("step"), "{text:?}: {}", run.stderr);
            }
        }
    }
}
