//! A search stopped by its stop flag leaves a checkpoint; going on from it ends exactly as the
//! uninterrupted search does (verdict, schedule, figures), whichever explorer wrote it and
//! whichever resumes it, through the bytes it is saved as.

use std::sync::{Arc, Mutex};

use migcheck_engine::budget::{Progress, Reporter, StopFlag};
use migcheck_engine::checkpoint::Checkpoint;
use migcheck_engine::{check, Options, Outcome, Verdict};
use migcheck_lang::ir::Model;

/// The claims benchmark at N=`n`, H=`h`, with a final property that only some deep terminal
/// states break (with `violated`), or none.
fn model(n: u32, h: u32, violated: bool) -> Model {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../models/bench/claims_fix.mig"
    );
    let mut text = std::fs::read_to_string(path)
        .expect("the benchmark model")
        .replace("const N = 3 ", &format!("const N = {n} "))
        .replace("const H = 2 ", &format!("const H = {h} "))
        .replace("expect ok", "");
    if violated {
        text.push_str("final first_is_placed: phase[0] != unplaced || phase[3] != confirmed\n");
    }
    migcheck_lang::compile(&text).expect("the model compiles")
}

/// What must be equal between an uninterrupted and a resumed search.
fn essentials(o: &Outcome, m: &Model) -> (String, u64, u64, usize) {
    let verdict = match &o.verdict {
        Verdict::Ok => "ok".to_string(),
        Verdict::Violation(v) => format!("{:?} {}", v.kind, v.schedule.format(m)),
        Verdict::Incomplete { reason } => format!("incomplete: {reason}"),
    };
    (verdict, o.stats.states, o.stats.transitions, o.stats.depth)
}

/// Runs `options` on `m`, raising the stop flag at the `after`-th progress report.
fn interrupted(m: &Model, options: &Options, after: usize) -> Outcome {
    let stop = StopFlag::default();
    let reports = Arc::new(Mutex::new(0usize));
    let (flag, count) = (stop.clone(), reports.clone());
    check(
        m,
        &Options {
            stop: Some(stop),
            progress: Some(Reporter(Arc::new(move |_: &Progress| {
                let mut n = count.lock().expect("not poisoned");
                *n += 1;
                if *n == after {
                    flag.raise();
                }
            }))),
            ..options.clone()
        },
    )
}

/// Stops `m`'s search under `base` (with one thread and with two) and resumes it from the saved
/// bytes (with one thread and with two): each resumed search ends as the uninterrupted one.
fn resumes_as_whole(m: &Model, base: &Options, violated: bool) {
    let threads = [None, Some(2)];
    let whole = check(m, base);
    assert_eq!(
        matches!(whole.verdict, Verdict::Violation(_)),
        violated,
        "{:?}",
        whole.verdict
    );
    for (i, writer) in threads.into_iter().enumerate() {
        let options = Options {
            threads: writer,
            ..base.clone()
        };
        let stopped = interrupted(m, &options, 2 + 3 * i);
        let Some(checkpoint) = stopped.checkpoint else {
            panic!("no checkpoint: {:?}", stopped.verdict);
        };
        match &stopped.verdict {
            Verdict::Incomplete { reason } => assert!(reason.starts_with("interrupted: ")),
            other => panic!("{other:?}"),
        }
        let bytes = checkpoint.to_bytes();
        let read = Arc::new(Checkpoint::from_bytes(&bytes).expect("it reads back"));
        assert!(read.fits(m).is_ok());
        assert_eq!(read.symmetric, base.symmetric());
        for reader in threads {
            // The checkpoint, not the options, says whether symmetric states are merged.
            let resumed = check(
                m,
                &Options {
                    threads: reader,
                    resume: Some(read.clone()),
                    no_symmetry: !base.no_symmetry,
                    ..base.clone()
                },
            );
            assert_eq!(
                essentials(&resumed, m),
                essentials(&whole, m),
                "violated {violated}, written with {writer:?} threads, resumed with {reader:?}"
            );
        }
    }
}

#[test]
fn a_resumed_search_ends_as_the_uninterrupted_one() {
    // Symmetry reduction would make N=4 too small to stop (and the final property of the
    // violated variant reads `phase[0]`, which turns it off there anyway).
    let base = Options {
        no_symmetry: true,
        ..Options::default()
    };
    for violated in [false, true] {
        resumes_as_whole(&model(4, 2, violated), &base, violated);
    }
}

#[test]
fn a_resumed_symmetric_search_ends_as_the_uninterrupted_one() {
    // 314,176 states: big enough to be stopped at its fifth progress report.
    resumes_as_whole(&model(6, 3, false), &Options::default(), false);
}

#[test]
fn a_checkpoint_of_another_model_does_not_fit() {
    let m = model(4, 2, false);
    let options = Options {
        no_symmetry: true,
        ..Options::default()
    };
    let stopped = interrupted(&m, &options, 2);
    let checkpoint = stopped.checkpoint.expect("a checkpoint");
    let other = migcheck_lang::compile(
        "model other\nshared x: int = 0\ntask a { x = 1 }\ntask b { x = 2 }\n",
    )
    .expect("compiles");
    let err = checkpoint.fits(&other).expect_err("does not fit");
    assert!(err.contains("fields"), "{err}");
}
