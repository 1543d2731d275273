//! Every class of bad input gives exit 2 with its position, and never a panic.

use super::util::{migcheck, model_file};

/// Checks `text` and asserts exit 2 with `needle` and the `line:col` position in the report.
fn refused(text: &str, needle: &str, position: &str) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = model_file(&dir, "bad", text);
    let run = migcheck(&["check", &path]);
    run.assert_code(2);
    assert!(
        run.stderr.contains(needle),
        "missing {needle:?} in:\n{}",
        run.stderr
    );
    let at = format!("{path}:{position}");
    assert!(
        run.stderr.contains(&at),
        "missing {at:?} in:\n{}",
        run.stderr
    );
    assert!(run.stderr.contains('^'), "no caret in:\n{}", run.stderr);
}

#[test]
fn a_syntax_error_is_shown_with_its_line_and_caret() {
    refused(
        "model t\nshared x: int = 0\ntask a { x = }\n",
        "expected an expression",
        "3:",
    );
}

#[test]
fn an_unknown_name_is_refused() {
    refused(
        "model t\nshared x: int = 0\ntask a { y = 1 }\n",
        "unknown",
        "3:10",
    );
}

#[test]
fn a_type_mismatch_is_refused() {
    refused(
        "model t\nshared b: bool = false\ntask a {\n    b = 1 + 2\n}\n",
        "type",
        "4:",
    );
}

#[test]
fn a_duplicate_declaration_is_refused() {
    refused(
        "model t\nshared x: int = 0\nlock x\ntask a { x = 1 }\n",
        "x",
        "3:",
    );
}

#[test]
fn an_expect_that_names_nothing_is_refused() {
    refused(
        "model t\nshared x: int = 0\ntask a { x = 1 }\nexpect lost_update y\n",
        "y",
        "4:",
    );
}

#[test]
fn a_constant_key_outside_its_domain_is_refused() {
    refused(
        "model t\nshared m: map[0..2] int = 0\ntask a { m[2] = 1 }\n",
        "domain",
        "3:",
    );
}

#[test]
fn files_that_are_not_models_are_refused_without_panic() {
    let dir = tempfile::tempdir().expect("a temp dir");
    for (i, text) in [
        "",
        "}}}",
        "model",
        "model t\ntask a {",
        "model t\ntask a { x = (1 + }",
        "model t\nshared x: int = 99999999999999999999999\n",
        "\u{0}\u{1}garbage ))) [[[",
        "model t\ntask a { lock }",
    ]
    .iter()
    .enumerate()
    {
        let path = model_file(&dir, &format!("m{i}"), text);
        let run = migcheck(&["check", &path]);
        run.assert_code(2);
        assert!(run.stderr.contains("error"), "{text:?}: {}", run.stderr);
    }
    let path = dir.path().join("latin1.mig");
    std::fs::write(&path, b"model t \xff\n").expect("write");
    migcheck(&["check", &path.display().to_string()]).assert_code(2);
}

const LOCKS: &str = "model t
enum S { p, q }
lock l
shared x: int = 0
task a { lock l; x = 1; unlock l }
task b {
    choose v in 0..3
    choose s in S
    lock l
    x = v
    unlock l
}
";

/// Replays `schedule` on the model above and asserts exit 2 naming the step and `needle`.
fn schedule_refused(schedule: &str, step: usize, needle: &str) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = model_file(&dir, "locks", LOCKS);
    let run = migcheck(&["replay", &path, "--schedule", schedule]);
    run.assert_code(2);
    assert!(
        run.stderr.contains(&format!("step {step}")),
        "no step {step} in:\n{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(needle),
        "missing {needle:?} in:\n{}",
        run.stderr
    );
    assert!(
        !run.stdout.contains("step 1"),
        "a refused schedule must not be replayed halfway:\n{}",
        run.stdout
    );
}

#[test]
fn a_schedule_with_an_unknown_task_is_refused() {
    schedule_refused("a,c", 2, "unknown task `c`");
}

#[test]
fn a_step_that_cannot_run_is_refused() {
    schedule_refused("a,b:1:p", 2, "blocked");
}

#[test]
fn a_finished_task_cannot_step() {
    schedule_refused("a,a,a,a", 4, "finished");
}

#[test]
fn a_missing_choice_is_refused() {
    schedule_refused("b:1", 1, "missing choice");
}

#[test]
fn an_impossible_choice_is_refused() {
    schedule_refused("b:7:p", 1, "impossible choice `7`");
    schedule_refused("b:1:r", 1, "impossible choice `r`");
    schedule_refused("b:x:p", 1, "impossible choice `x`");
}

#[test]
fn an_extra_choice_is_refused() {
    schedule_refused("a:1", 1, "extra choice");
}

#[test]
fn an_empty_step_is_refused() {
    schedule_refused("a,,b", 2, "empty step");
}

#[test]
fn replay_of_a_model_that_does_not_check_is_refused() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = model_file(&dir, "bad", "model t\ntask a { x = 1 }\n");
    migcheck(&["replay", &path, "--schedule", "a"]).assert_code(2);
}
