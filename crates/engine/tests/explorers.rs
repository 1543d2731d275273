//! The explorers agree: on every bundled model and every conformance model, the sequential fast
//! explorer, the parallel one (1, 2 and 3 threads) and the compact one give the same verdict, the
//! same schedule and the same figures, with and without a state budget; and the reference
//! explorer the same verdict and schedule.

use std::path::{Path, PathBuf};

use migcheck_engine::{check, Explorer, Options, Outcome, Strategy, Verdict};
use migcheck_lang::ir::Model;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn mig_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            mig_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "mig") {
            out.push(p);
        }
    }
}

/// Every model that compiles, under models/ and the shared conformance folder.
fn models() -> Vec<(String, Model)> {
    let mut files = Vec::new();
    mig_files(&root().join("models"), &mut files);
    let conformance = std::env::var_os("MIGCHECK_CONFORMANCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/conformance"));
    mig_files(&conformance, &mut files);
    files.sort();
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| e.to_string());
    files
        .iter()
        .filter_map(|f| {
            let name = f.display().to_string();
            let text = std::fs::read_to_string(f).ok()?;
            let model = migcheck_lang::compile_file(&name, &text, &read).ok()?;
            Some((name, model))
        })
        .collect()
}

fn run(model: &Model, explorer: Explorer, threads: Option<usize>, max: Option<u64>) -> Outcome {
    check(
        model,
        &Options {
            max_states: max,
            explorer,
            threads,
            compact: false,
            no_reduction: false,
            strategy: Strategy::Bfs,
            ..Options::default()
        },
    )
}

fn compact(model: &Model, max: Option<u64>) -> Outcome {
    check(
        model,
        &Options {
            max_states: max,
            compact: true,
            ..Options::default()
        },
    )
}

/// Verdict and figures, without the time and the store's size.
fn essentials(o: &Outcome) -> String {
    format!(
        "{:?} states={} transitions={} depth={}",
        o.verdict, o.stats.states, o.stats.transitions, o.stats.depth
    )
}

#[test]
fn sequential_and_parallel_explorers_give_the_same_answer_and_figures() {
    let models = models();
    assert!(models.len() >= 40, "only {} models found", models.len());
    for (name, model) in &models {
        let seq = run(model, Explorer::Fast, None, None);
        for threads in [1, 2, 3] {
            let par = run(model, Explorer::Fast, Some(threads), None);
            assert_eq!(
                essentials(&seq),
                essentials(&par),
                "{name}, {threads} threads"
            );
        }
        // Budgets that run out before, at and after the answer.
        for max in [2, 3, seq.stats.states / 2, seq.stats.states] {
            let seq = run(model, Explorer::Fast, None, Some(max));
            let par = run(model, Explorer::Fast, Some(2), Some(max));
            assert_eq!(essentials(&seq), essentials(&par), "{name}, budget {max}");
            assert_eq!(
                essentials(&seq),
                essentials(&compact(model, Some(max))),
                "{name}, compact, budget {max}"
            );
        }
        assert_eq!(
            essentials(&seq),
            essentials(&compact(model, None)),
            "{name}, compact"
        );
        // Depth-first, with a roomy cache and (on small models: it re-explores all the time, which
        // costs time exponential in the depth) with a 16-slot cache: a violation exactly when
        // breadth-first finds one, and its schedule replays to one.
        let reference = run(model, Explorer::Reference, None, None);
        let small = reference.stats.states <= 2_000;
        for cache in [1 << 16, 16].into_iter().filter(|&c| small || c > 16) {
            let dfs = check(
                model,
                &Options {
                    strategy: Strategy::Dfs { cache },
                    ..Options::default()
                },
            );
            assert_eq!(
                matches!(dfs.verdict, Verdict::Ok),
                matches!(seq.verdict, Verdict::Ok),
                "{name}: dfs (cache {cache}) {:?} vs bfs {:?}",
                dfs.verdict,
                seq.verdict
            );
            if let Verdict::Violation(v) = &dfs.verdict {
                let trace = migcheck_engine::replay::replay_schedule(model, &v.schedule)
                    .expect("the schedule fits");
                assert!(trace.violation.is_some(), "{name}: dfs schedule replays");
            }
        }
        assert_eq!(seq.verdict, reference.verdict, "{name}: fast vs reference");
        assert!(seq.stats.states <= reference.stats.states, "{name}");
    }
}
