//! Budgets hold inside one state: a step with 2^40 resolutions stops at the time limit.

use std::time::{Duration, Instant};

use super::util::{migcheck, model_file};

/// One step of `a` runs 40 rounds of a two-way `choose`: 2^40 resolutions, hours to enumerate.
const CHOOSE_IN_A_LOOP: &str = "model m
shared x: int = 0
task a {
    let i = 0
    let s = 0
    while i < 40 { choose c in 0..2; s = s + c; i = i + 1 }
    x = s
}
";

#[test]
fn a_time_limit_ends_a_step_with_billions_of_resolutions() {
    let dir = tempfile::tempdir().unwrap();
    let path = model_file(&dir, "choose_in_a_loop", CHOOSE_IN_A_LOOP);
    for threads in ["1", "2"] {
        let start = Instant::now();
        let run = migcheck(&[
            "check",
            "--time-limit",
            "1s",
            "--threads",
            threads,
            "--format",
            "json",
            &path,
        ]);
        let took = start.elapsed();
        run.assert_code(3);
        let reason = run.json()["results"][0]["incomplete"]
            .as_str()
            .expect("a reason")
            .to_string();
        assert!(
            reason.starts_with("the time limit of 1s ran out: "),
            "{threads} thread(s): {reason}"
        );
        assert!(
            took < Duration::from_secs(5),
            "{threads} thread(s): took {took:?}"
        );
    }
}
