//! Budgets, the progress line, sharding and the HTML page, through the binary.

use std::collections::BTreeSet;
use std::process::Command;

use super::util::{migcheck, model_file, root};

/// The claims benchmark at a size that takes far longer than any budget here.
fn big_model(dir: &tempfile::TempDir) -> String {
    let text = std::fs::read_to_string(root().join("models/bench/claims_fix.mig"))
        .expect("the benchmark model")
        .replace("const N = 3 ", "const N = 10 ")
        .replace("const H = 2 ", "const H = 3 ");
    model_file(dir, "big", &text)
}

#[test]
fn a_time_limit_makes_a_model_incomplete_and_says_how_far_it_got() {
    let dir = tempfile::tempdir().unwrap();
    let big = big_model(&dir);
    let run = migcheck(&["check", "--time-limit", "300ms", "--format", "json", &big]);
    run.assert_code(3);
    let result = &run.json()["results"][0];
    assert_eq!(result["verdict"], "incomplete");
    let reason = result["incomplete"].as_str().expect("a reason");
    let states = result["stats"]["states"].as_u64().expect("states");
    let depth = result["stats"]["depth"].as_u64().expect("depth");
    assert!(states > 1 && depth > 0, "{result}");
    assert_eq!(
        reason,
        format!("the time limit of 300ms ran out: {states} states explored, to depth {depth}")
    );
    let human = migcheck(&["check", "--time-limit", "0.3", &big]);
    human.assert_code(3);
    assert!(
        human.stdout.contains("INCOMPLETE") && human.stdout.contains("the time limit of 300ms"),
        "{}",
        human.stdout
    );
}

#[test]
fn a_memory_limit_makes_a_model_incomplete() {
    let dir = tempfile::tempdir().unwrap();
    let big = big_model(&dir);
    let run = migcheck(&["test", "--max-memory", "1K", "--format", "json", &big]);
    run.assert_code(3);
    let reason = run.json()["results"][0]["incomplete"]
        .as_str()
        .expect("a reason")
        .to_string();
    assert!(
        reason.starts_with("the memory limit of 1 KiB was reached ("),
        "{reason}"
    );
}

#[test]
fn budget_values_that_do_not_read_are_bad_input() {
    for (flag, value, message) in [
        ("--time-limit", "soon", "is not a duration"),
        ("--time-limit", "3d", "unknown unit `d`"),
        ("--max-memory", "lots", "is not a size"),
        ("--shard", "5/4", "between 1 and the number of shards"),
        ("--shard", "half", "is not a shard"),
    ] {
        let run = migcheck(&["check", flag, value, "models/examples/"]);
        run.assert_code(2);
        assert!(
            run.stderr.contains(message),
            "{flag} {value}: {}",
            run.stderr
        );
    }
}

#[test]
fn no_progress_line_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let big = big_model(&dir);
    let run = migcheck(&["check", "--time-limit", "1500ms", &big]);
    run.assert_code(3);
    assert_eq!(run.stderr, "");
}

#[test]
fn a_run_over_a_second_on_a_terminal_shows_a_progress_line_unless_quiet() {
    // `script` gives the binary a terminal (util-linux; the test says so and passes without it).
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: no `script` command to give migcheck a terminal");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let big = big_model(&dir);
    let on_terminal = |quiet: bool| {
        let command = format!(
            "{} check --time-limit 2500ms {} {big}",
            env!("CARGO_BIN_EXE_migcheck"),
            if quiet { "--quiet" } else { "" }
        );
        let out = Command::new("script")
            .args(["-qec", &command, "/dev/null"])
            .env("NO_COLOR", "1")
            .output()
            .expect("script runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let shown = on_terminal(false);
    assert!(
        shown.contains("big.mig: ") && shown.contains(" states (") && shown.contains(", depth "),
        "{shown}"
    );
    assert!(shown.contains("INCOMPLETE"), "{shown}");
    let quiet = on_terminal(true);
    assert!(!quiet.contains(" states ("), "{quiet}");
    assert!(quiet.contains("INCOMPLETE"), "{quiet}");
}

/// The model paths a `test --format json` run reported.
fn reported(args: &[&str]) -> Vec<String> {
    let run = migcheck(args);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run.json()["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["path"].as_str().expect("a path").to_string())
        .collect()
}

#[test]
fn shards_check_every_model_exactly_once() {
    let all = reported(&[
        "test",
        "--format",
        "json",
        "models/examples/",
        "models/nova/",
    ]);
    assert!(all.len() > 20);
    let mut seen = Vec::new();
    for i in 1..=3 {
        let shard = format!("{i}/3");
        let part = reported(&[
            "test",
            "--format",
            "json",
            "--shard",
            &shard,
            "models/examples/",
            "models/nova/",
        ]);
        assert!(
            part.len() >= all.len() / 3 && part.len() <= all.len().div_ceil(3),
            "{shard}: {part:?}"
        );
        seen.extend(part);
    }
    assert_eq!(seen.len(), all.len());
    assert_eq!(
        seen.iter().collect::<BTreeSet<_>>(),
        all.iter().collect::<BTreeSet<_>>()
    );
    // More shards than models: the extra jobs have nothing to do, and pass.
    let run = migcheck(&[
        "test",
        "--shard",
        "7/9",
        "models/examples/01_lost_update_bug.mig",
    ]);
    run.assert_code(0);
    assert!(run.stdout.contains("0 model(s)"), "{}", run.stdout);
}

#[test]
fn shards_of_a_sampling_share_out_its_runs() {
    let model = "models/bench/claims_bug.mig";
    let failing = |args: &[&str]| {
        let mut all = vec![
            "check",
            "--format",
            "json",
            "--strategy",
            "random",
            "--seed",
            "3",
        ];
        all.extend(args);
        all.push(model);
        let run = migcheck(&all);
        run.assert_code(1);
        let sampling = run.json()["results"][0]["sampling"].clone();
        let runs = sampling["runs"].as_u64().expect("runs");
        let ids: Vec<u64> = sampling["failing"]
            .as_array()
            .expect("failing runs")
            .iter()
            .map(|f| f["run"].as_u64().expect("a run number"))
            .collect();
        (runs, ids)
    };
    let (runs, whole) = failing(&["--runs", "90"]);
    assert_eq!(runs, 90);
    let mut parts = Vec::new();
    for (i, range) in [(1, 0..30), (2, 30..60), (3, 60..90)] {
        let shard = format!("{i}/3");
        let (n, ids) = failing(&["--runs", "90", "--shard", &shard]);
        assert_eq!(n, 30, "{shard}");
        assert!(ids.iter().all(|r| range.contains(r)), "{shard}: {ids:?}");
        parts.extend(ids);
    }
    assert_eq!(parts, whole);
}

#[test]
fn replay_writes_the_html_page_from_a_schedule_or_a_trace_file() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("trace.html");
    let page_path = page.display().to_string();
    let run = migcheck(&[
        "replay",
        "models/examples/01_lost_update_bug.mig",
        "--schedule",
        "conductor,conductor,heal,conductor,heal",
        "--html",
        &page_path,
    ]);
    run.assert_code(1);
    assert!(run.stdout.contains("lost update"), "{}", run.stdout);
    let html = std::fs::read_to_string(&page).expect("the page is written");
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..100]);
    assert_eq!(html.matches("id=\"step-").count(), 5, "one row per step");
    assert!(!html.contains("http://") && !html.contains("https://"));

    let traces = dir.path().join("traces");
    let traces_path = traces.display().to_string();
    migcheck(&[
        "check",
        "--trace-dir",
        &traces_path,
        "models/examples/02_deadlock_bug.mig",
    ])
    .assert_code(1);
    let trace = std::fs::read_dir(&traces)
        .expect("the trace folder")
        .next()
        .expect("a trace file")
        .expect("readable")
        .path();
    let page2 = dir.path().join("deadlock.html");
    migcheck(&[
        "replay",
        "--trace",
        &trace.display().to_string(),
        "--html",
        &page2.display().to_string(),
    ])
    .assert_code(1);
    let html = std::fs::read_to_string(&page2).expect("the page is written");
    assert!(html.contains("deadlock"), "the verdict is on the page");

    let unwritable = migcheck(&[
        "replay",
        "models/examples/01_lost_update_bug.mig",
        "--schedule",
        "conductor",
        "--html",
        "/nonexistent-folder/x.html",
    ]);
    unwritable.assert_code(2);
    assert!(
        unwritable.stderr.contains("cannot write the page"),
        "{}",
        unwritable.stderr
    );
}

#[test]
fn the_human_report_is_coloured_on_a_terminal_only_and_never_with_no_color() {
    let model = "models/examples/01_lost_update_bug.mig";
    let piped = Command::new(env!("CARGO_BIN_EXE_migcheck"))
        .args(["check", model])
        .current_dir(root())
        .env_remove("NO_COLOR")
        .output()
        .expect("the binary runs");
    let piped = String::from_utf8_lossy(&piped.stdout).into_owned();
    assert!(
        piped.contains("VIOLATION") && !piped.contains('\x1b'),
        "{piped}"
    );
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped the terminal half: no `script` command");
        return;
    }
    let on_terminal = |no_color: Option<&str>| {
        let mut command = Command::new("script");
        command
            .args([
                "-qec",
                &format!("{} check {model}", env!("CARGO_BIN_EXE_migcheck")),
                "/dev/null",
            ])
            .current_dir(root())
            .env_remove("NO_COLOR");
        if let Some(v) = no_color {
            command.env("NO_COLOR", v);
        }
        let out = command.output().expect("script runs");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let coloured = on_terminal(None);
    assert!(
        coloured.contains("VIOLATION") && coloured.contains("\x1b["),
        "{coloured}"
    );
    let plain = on_terminal(Some("1"));
    assert!(
        plain.contains("VIOLATION") && !plain.contains("\x1b["),
        "{plain}"
    );
}

#[test]
fn a_state_space_larger_than_the_memory_limit_ends_incomplete_near_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let big = big_model(&dir);
    for threads in ["1", "2"] {
        let run = migcheck(&[
            "check",
            "--max-memory",
            "120M",
            "--time-limit",
            "60s",
            "--threads",
            threads,
            "--format",
            "json",
            &big,
        ]);
        run.assert_code(3);
        let result = &run.json()["results"][0];
        let reason = result["incomplete"].as_str().expect("a reason");
        assert!(
            reason.starts_with("the memory limit of 120 MiB was reached ("),
            "{threads} thread(s): {reason}"
        );
        // What was covered: a good part of the states that fit, and how deep.
        let states = result["stats"]["states"].as_u64().expect("states");
        assert!(states > 100_000, "{reason}");
        assert!(
            reason.ends_with(&format!(
                "{states} states explored, to depth {}",
                result["stats"]["depth"]
            )),
            "{reason}"
        );
    }
}
