//! The command line as a user meets it: the human report, the replay command it prints, JSON,
//! exit codes, budgets.

use super::util::{check_json, check_json_with, migcheck, model_file};

const RACE: &str = "model race
shared x: int = 0
task a {
    let v = x
    x = v + 1
}
task b { x = 5 }
expect lost_update x
";

const CLEAN: &str = "model clean
shared x: int = 0
task a { x = x + 1 }
task b { x = x + 2 }
final sum: x == 3
";

#[test]
fn a_violation_report_names_the_kind_lines_schedule_and_replay_command() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = model_file(&dir, "race", RACE);
    let run = migcheck(&["check", &path]);
    run.assert_code(1);
    let out = &run.stdout;
    assert!(
        out.contains(&format!("VIOLATION {path} (race): lost_update x")),
        "{out}"
    );
    assert!(
        out.contains("states") && out.contains("transitions"),
        "{out}"
    );
    assert!(out.contains("schedule (3 steps): a,b,a"), "{out}");
    assert!(out.contains(&format!("--> {path}:4:5")), "{out}");
    assert!(
        out.contains("5 |     x = v + 1"),
        "the overwrite's line:\n{out}"
    );
    assert!(out.contains("a overwrites `x` (step 3)"), "{out}");
    assert!(out.contains("a reads `x` (step 1)"), "{out}");
    assert!(out.contains("b writes `x` (step 2)"), "{out}");
    let command = format!("replay with: migcheck replay {path} --schedule a,b,a");
    assert!(out.contains(&command), "{out}");
}

#[test]
fn the_printed_replay_command_reproduces_the_violation_step_by_step() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = model_file(&dir, "race", RACE);
    let run = migcheck(&["check", &path]);
    let line = run
        .stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("replay with: migcheck "))
        .expect("a replay command");
    let args: Vec<&str> = line.split_whitespace().collect();
    let replay = migcheck(&args);
    replay.assert_code(1);
    let out = &replay.stdout;
    for needle in [
        "step 1  a",
        "line    4 | let v = x",
        "read  x = 0",
        "local v = 0",
        "step 2  b",
        "write x = 5 (was 0)",
        "changed: x: 0 -> 5",
        "step 3  a",
        "changed: x: 5 -> 1",
        "error[lost_update]: lost update of `x`",
    ] {
        assert!(out.contains(needle), "missing {needle:?} in:\n{out}");
    }
}

#[test]
fn replay_past_the_violation_says_how_many_steps_were_left() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = model_file(&dir, "race", RACE);
    let run = migcheck(&["replay", &path, "--schedule", "a, b, a"]);
    run.assert_code(1);
    let run = migcheck(&["replay", &path, "--schedule", "a,b,a", "--format", "json"]);
    assert_eq!(run.json()["steps_left"], 0);
    let dir2 = tempfile::tempdir().expect("a temp dir");
    let path = model_file(
        &dir2,
        "inv",
        "model t\nshared x: int = 0\ntask a { x = 1; x = 2; x = 3 }\ninvariant small: x < 2\n",
    );
    let run = migcheck(&["replay", &path, "--schedule", "a,a,a"]);
    run.assert_code(1);
    assert!(
        run.stdout.contains("goes on for 1 more step(s)"),
        "{}",
        run.stdout
    );
}

#[test]
fn replay_without_a_violation_exits_zero() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = model_file(&dir, "clean", CLEAN);
    let run = migcheck(&["replay", &path, "--schedule", "a,b"]);
    run.assert_code(0);
    assert!(
        run.stdout.contains("every task has finished"),
        "{}",
        run.stdout
    );
    let run = migcheck(&["replay", &path, "--schedule", "a"]);
    run.assert_code(0);
    assert!(run.stdout.contains("still running: b"), "{}", run.stdout);
    let run = migcheck(&["replay", &path, "--schedule", ""]);
    run.assert_code(0);
}

#[test]
fn json_output_follows_the_design() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = model_file(&dir, "race", RACE);
    let (code, r) = check_json(&path);
    assert_eq!(code, 1);
    assert_eq!(r["model"], "race");
    assert_eq!(r["path"], path.as_str());
    assert_eq!(r["verdict"], "violation");
    assert_eq!(r["violation"]["kind"], "lost_update");
    assert_eq!(r["violation"]["name"], "x");
    assert_eq!(r["violation"]["schedule"], "a,b,a");
    assert!(r["violation"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("lost update"));
    assert!(r["stats"]["states"].as_u64().unwrap_or_default() >= 3);
    assert!(r["stats"]["transitions"].as_u64().unwrap_or_default() >= 3);
    assert!(r["stats"]["seconds"].is_number());
    let path = model_file(&dir, "clean", CLEAN);
    let (code, r) = check_json(&path);
    assert_eq!(code, 0);
    assert_eq!(r["verdict"], "ok");
    assert!(r.get("violation").is_none());
}

#[test]
fn a_map_lost_update_names_its_key() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = model_file(
        &dir,
        "map",
        "model m\nenum H { h0, h1 }\nshared u: map[H] int = 0\ntask a { let v = u[h1]; u[h1] = v + 1 }\ntask b { u[h1] = 3 }\n",
    );
    let (code, r) = check_json(&path);
    assert_eq!(code, 1);
    assert_eq!(r["violation"]["name"], "u");
    assert_eq!(r["violation"]["key"], "h1");
}

#[test]
fn exit_codes_combine_over_several_models() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let race = model_file(&dir, "race", RACE);
    let clean = model_file(&dir, "clean", CLEAN);
    let bad = model_file(&dir, "bad", "model t\ntask a { x = 1 }\n");
    migcheck(&["check", &clean]).assert_code(0);
    migcheck(&["check", &clean, &race]).assert_code(1);
    migcheck(&["check", &race, &bad, &clean]).assert_code(2);
    // `test` passes when the expectation is met, violation or not.
    migcheck(&["test", &race, &clean]).assert_code(0);
    let wrong = model_file(
        &dir,
        "wrong",
        &RACE.replace("expect lost_update x", "expect ok"),
    );
    let run = migcheck(&["test", &wrong]);
    run.assert_code(1);
    assert!(run.stdout.contains("FAIL"), "{}", run.stdout);
    assert!(
        run.stdout.contains("expected ok, found lost_update x"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_folder_is_checked_file_by_file() {
    let dir = tempfile::tempdir().expect("a temp dir");
    model_file(&dir, "race", RACE);
    model_file(&dir, "clean", CLEAN);
    let run = migcheck(&[
        "check",
        "--format",
        "json",
        &dir.path().display().to_string(),
    ]);
    run.assert_code(1);
    let doc = run.json();
    let results = doc["results"].as_array().expect("results");
    assert_eq!(results.len(), 2);
    assert_eq!(results[0]["model"], "clean");
    assert_eq!(results[1]["model"], "race");
}

#[test]
fn a_state_budget_that_runs_out_is_incomplete() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = model_file(
        &dir,
        "big",
        "model big\nshared x: int = 0\ntask a[i in 0..4] { x = x + 1; x = x + 1 }\n",
    );
    let run = migcheck(&["check", "--max-states", "5", "--format", "json", &path]);
    run.assert_code(3);
    assert_eq!(run.json()["results"][0]["verdict"], "incomplete");
    migcheck(&["check", &path]).assert_code(0);
}

#[test]
fn missing_paths_and_bad_flags_are_bad_input() {
    migcheck(&["check", "no/such/model.mig"]).assert_code(2);
    migcheck(&["check", "--no-such-flag", "models/"]).assert_code(2);
    migcheck(&["check", "--format", "yaml", "models/"]).assert_code(2);
    migcheck(&["replay", "models/"]).assert_code(2);
}

#[test]
fn the_readme_example_gives_the_output_the_readme_shows() {
    let readme = std::fs::read_to_string(super::util::root().join("README.md")).expect("README");
    let after = readme
        .split_once("Save this as `alloc_heal.mig`:")
        .expect("the 30-second example")
        .1;
    let mut blocks = after.split("```").skip(1).step_by(2);
    let model = blocks.next().expect("the model").trim_start_matches('\n');
    let shown = blocks.next().expect("the output");
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::write(dir.path().join("alloc_heal.mig"), model).expect("write");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_migcheck"))
        .args(["check", "alloc_heal.mig"])
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // Every line the README shows, except the timing figures, is what the tool prints.
    let strip_time = |l: &str| l.split(" [").next().unwrap_or(l).to_string();
    for line in shown
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with("$ "))
    {
        assert!(
            stdout.lines().any(|o| strip_time(o) == strip_time(line)),
            "README line not in the output: {line:?}\n{stdout}"
        );
    }
}

#[test]
fn a_violation_inside_an_included_library_points_at_the_library() {
    let dir = tempfile::tempdir().expect("a temp dir");
    std::fs::create_dir(dir.path().join("lib")).expect("mkdir");
    std::fs::write(
        dir.path().join("lib/placement.migl"),
        "library placement\nproc bump(c: int) {\n    let v = alloc[c]\n    alloc[c] = v + 1\n}\n",
    )
    .expect("write");
    let path = model_file(
        &dir,
        "m",
        "model m\ninclude \"lib/placement.migl\"\nshared alloc: map[0..2] int = 0\n\
         task a { bump(0) }\ntask b { alloc[0] = 5 }\nexpect lost_update alloc\n",
    );
    let run = migcheck(&["check", &path]);
    run.assert_code(1);
    assert!(
        run.stdout.contains("lib/placement.migl:3:5"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("schedule (3 steps): a,b,a"),
        "{}",
        run.stdout
    );
    migcheck(&["test", &path]).assert_code(0);
    // The JSON names the library wherever a position is in it, and so does the message.
    let run = migcheck(&["check", "--format", "json", &path]);
    let v = &run.json()["results"][0]["violation"];
    assert!(
        v["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("lib/placement.migl")),
        "{v}"
    );
    assert!(
        v["lines"][0]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("lib/placement.migl")),
        "{v}"
    );
    assert!(
        v["message"]
            .as_str()
            .is_some_and(|m| m.contains("placement.migl (step 1)")),
        "{v}"
    );
    let run = migcheck(&["replay", "--format", "json", &path, "--schedule", "a,b,a"]);
    let step = &run.json()["steps"][0];
    assert_eq!(step["statements"][1]["line"], 3, "{step}"); // the call, then the proc's line
    assert!(
        step["statements"][1]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("lib/placement.migl")),
        "{step}"
    );
    let run = migcheck(&["replay", &path, "--schedule", "a,b,a"]);
    run.assert_code(1);
    assert!(
        run.stdout.contains("placement.migl:4 | alloc[c] = v + 1"),
        "{}",
        run.stdout
    );
    // A library is no model, and a missing include is bad input with its position.
    let lib = dir.path().join("lib/placement.migl").display().to_string();
    migcheck(&["check", &lib]).assert_code(2);
    let bad = model_file(&dir, "bad", "model bad\ninclude \"lib/nosuch.migl\"\n");
    let run = migcheck(&["check", &bad]);
    run.assert_code(2);
    assert!(run.stderr.contains("cannot read"), "{}", run.stderr);
    assert!(run.stderr.contains(&format!("{bad}:2:1")), "{}", run.stderr);
}

#[test]
fn markdown_format_is_one_table_row_per_model() {
    let run = migcheck(&["test", "--format", "markdown", "models/examples/"]);
    run.assert_code(0);
    let rows: Vec<&str> = run.stdout.lines().collect();
    assert!(
        rows[0].starts_with("| Model | What it shows | Expected | Found |"),
        "{}",
        run.stdout
    );
    assert_eq!(rows.len(), 2 + 12, "{}", run.stdout);
    assert!(
        rows[2].starts_with("| `models/examples/01_lost_update_bug.mig` |")
            && rows[2].contains("| `lost_update alloc_inst` at line ")
            && rows[2].contains(" | 5 | "),
        "{}",
        rows[2]
    );
    // A replay has no table form.
    let run = migcheck(&[
        "replay",
        "--format",
        "markdown",
        "models/examples/02_deadlock_bug.mig",
        "--schedule",
        "a",
    ]);
    run.assert_code(2);
}

/// The explorer and strategy flags through the binary: every exhaustive explorer gives the same
/// shortest schedule; `--compact` reports its collision estimate; `dfs` finds the violation too;
/// a sampling is reproducible from its seed, lists its failing runs with replay commands, and
/// proves nothing on a correct model (exit 3).
#[test]
fn explorer_and_strategy_flags() {
    let bug = "models/examples/03_invariant_bug.mig";
    let (_, base) = check_json(bug);
    let schedule = base["violation"]["schedule"].clone();
    for flags in [
        &["--threads", "1"][..],
        &["--threads", "3"],
        &["--no-reduction"],
        &["--no-symmetry"],
        &["--compact"],
        &["--reference"],
    ] {
        let (code, r) = check_json_with(bug, flags);
        assert_eq!(code, 1, "{flags:?}");
        assert_eq!(r["violation"]["schedule"], schedule, "{flags:?}");
    }
    let (_, compact) = check_json_with(bug, &["--compact"]);
    assert!(
        compact["stats"]["collision_probability"].as_f64().is_some(),
        "{compact}"
    );
    let (code, dfs) = check_json_with(bug, &["--strategy", "dfs"]);
    assert_eq!(code, 1);
    assert_eq!(dfs["violation"]["kind"], "invariant");

    let sample = ["--strategy", "random", "--seed", "5", "--runs", "50"];
    let (code, first) = check_json_with(bug, &sample);
    assert_eq!(code, 1);
    let (_, again) = check_json_with(bug, &sample);
    assert_eq!(
        first["sampling"], again["sampling"],
        "the same seed, the same runs"
    );
    let failing = first["sampling"]["failing"]
        .as_array()
        .expect("failing runs");
    assert!(!failing.is_empty());
    let replay = failing[0]["replay"].as_str().expect("a replay command");
    assert!(replay.starts_with("migcheck replay models/examples/03_invariant_bug.mig"));
    let (code, pct) = check_json_with(
        "models/examples/03_invariant_fix.mig",
        &["--strategy", "pct", "--runs", "20"],
    );
    assert_eq!(code, 3, "{pct}");
    assert_eq!(pct["verdict"], "incomplete");
}
