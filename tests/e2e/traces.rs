//! Trace files through the binary: `--trace-dir` writes one per violation, `replay --trace`
//! replays it, warns when the model changed, and refuses a schedule that no longer fits or a
//! file that is not a trace.

use std::path::Path;

use serde_json::Value;

use super::util::{migcheck, model_file, RACE};

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The names of the files in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(dir)
        .expect("the trace folder")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

#[test]
fn trace_dir_writes_a_trace_per_violation_that_replay_trace_reproduces() {
    let dir = tempfile::tempdir().unwrap();
    let traces = dir.path().join("new/traces"); // created, parents included
    let traces_arg = traces.display().to_string();
    let check = migcheck(&[
        "check",
        "--format",
        "json",
        "--trace-dir",
        &traces_arg,
        "models/examples/",
    ]);
    check.assert_code(1);
    let doc = check.json();
    let violated: Vec<&Value> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["verdict"] == "violation")
        .collect();
    let expected: Vec<String> = violated
        .iter()
        .map(|r| {
            let stem = Path::new(r["path"].as_str().unwrap()).file_stem().unwrap();
            format!("{}.trace.json", stem.to_string_lossy())
        })
        .collect();
    assert_eq!(
        names(&traces),
        expected,
        "one file per violation, named by stem"
    );
    for r in violated {
        let stem = Path::new(r["path"].as_str().unwrap()).file_stem().unwrap();
        let file = traces.join(format!("{}.trace.json", stem.to_string_lossy()));
        let trace = read_json(&file);
        let v = &r["violation"];
        assert_eq!(trace["format"], "migcheck-trace");
        assert_eq!(trace["schema_version"], 1);
        assert_eq!(trace["model_path"], r["path"]);
        assert_eq!(trace["model"], r["model"]);
        let hash = trace["model_hash"].as_str().unwrap();
        assert!(hash.starts_with("sha256:") && hash.len() == 71, "{hash}");
        assert_eq!(trace["schedule"], v["schedule"]);
        for field in ["kind", "name", "message", "line"] {
            assert_eq!(trace["violation"][field], v[field], "{field}");
        }
        assert_eq!(trace["steps"], v["steps"]);
        let steps = trace["steps"].as_array().unwrap();
        assert_eq!(steps.len() as u64, v["length"].as_u64().unwrap());
        for s in steps {
            for field in ["task", "choices", "lines", "reads", "writes", "changes"] {
                assert!(!s[field].is_null(), "a step has {field}");
            }
        }

        // The round trip: replaying the trace file finds the same violation, silently.
        let file_arg = file.display().to_string();
        let replay = migcheck(&["replay", "--trace", &file_arg, "--format", "json"]);
        replay.assert_code(1);
        assert_eq!(replay.stderr, "", "no warning for an unchanged model");
        let again = replay.json();
        for field in ["kind", "name", "message", "line", "schedule"] {
            assert_eq!(again["violation"][field], v[field], "{field}");
        }
        assert_eq!(again["steps"], trace["steps"]);
    }
}

#[test]
fn test_writes_traces_for_expected_violations_too() {
    let dir = tempfile::tempdir().unwrap();
    let traces = dir.path().display().to_string();
    let run = migcheck(&[
        "test",
        "--trace-dir",
        &traces,
        "models/examples/02_deadlock_bug.mig",
    ]);
    run.assert_code(0);
    assert_eq!(names(dir.path()), ["02_deadlock_bug.trace.json"]);
    let file = dir.path().join("02_deadlock_bug.trace.json");
    assert!(
        run.stdout
            .contains(&format!("trace file: {}", file.display())),
        "the human report names the file:\n{}",
        run.stdout
    );
}

#[test]
fn two_models_with_one_stem_get_two_trace_files() {
    let models = tempfile::tempdir().unwrap();
    for sub in ["a", "b"] {
        let folder = models.path().join(sub);
        std::fs::create_dir(&folder).unwrap();
        std::fs::write(folder.join("race.mig"), RACE).unwrap();
    }
    let traces = tempfile::tempdir().unwrap();
    let run = migcheck(&[
        "check",
        "--trace-dir",
        &traces.path().display().to_string(),
        &models.path().display().to_string(),
    ]);
    run.assert_code(1);
    let files = names(traces.path());
    assert_eq!(files.len(), 2, "{files:?}");
    let flat = models
        .path()
        .display()
        .to_string()
        .trim_start_matches('/')
        .replace('/', "__");
    assert_eq!(
        files,
        [
            format!("{flat}__a__race.trace.json"),
            format!("{flat}__b__race.trace.json")
        ]
    );
    for (f, sub) in files.iter().zip(["a", "b"]) {
        let trace = read_json(&traces.path().join(f));
        let path = models.path().join(sub).join("race.mig");
        assert_eq!(trace["model_path"], path.display().to_string());
    }
}

/// Writes RACE to a fresh folder, checks it with `--trace-dir`, and gives (model, trace file).
fn race_trace(dir: &tempfile::TempDir) -> (String, String) {
    let model = model_file(dir, "race", RACE);
    let traces = dir.path().join("traces");
    migcheck(&[
        "check",
        "--trace-dir",
        &traces.display().to_string(),
        &model,
    ])
    .assert_code(1);
    (model, traces.join("race.trace.json").display().to_string())
}

#[test]
fn an_edited_model_gets_a_warning_and_is_still_replayed() {
    let dir = tempfile::tempdir().unwrap();
    let (model, trace) = race_trace(&dir);
    std::fs::write(
        &model,
        format!("{RACE}// an edit that keeps the schedule\n"),
    )
    .unwrap();
    let run = migcheck(&["replay", "--trace", &trace]);
    run.assert_code(1);
    assert!(
        run.stderr
            .contains("warning: the model changed since the trace was written (hash sha256:")
            && run
                .stderr
                .contains("now); replaying the schedule on the model as it is now"),
        "{}",
        run.stderr
    );
    assert!(
        run.stdout
            .contains("error[lost_update]: lost update of `x`"),
        "{}",
        run.stdout
    );

    // An edit that makes the violation go away: said too, and the replay passes.
    let fixed = RACE
        .replace("shared x: int = 0", "shared x: int = 0\nshared y: int = 0")
        .replace("task b { x = 5 }", "task b { y = 5 }");
    std::fs::write(&model, fixed).unwrap();
    let run = migcheck(&["replay", "--trace", &trace]);
    run.assert_code(0);
    assert!(
        run.stderr
            .contains("the model changed since the trace was written")
            && run.stderr.contains(
                "note: the trace file recorded lost_update x; this replay finds no violation"
            ),
        "{}",
        run.stderr
    );
}

#[test]
fn a_schedule_that_no_longer_fits_is_refused_with_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let (model, trace) = race_trace(&dir);
    std::fs::write(&model, RACE.replace("task b {", "task writer {")).unwrap();
    let run = migcheck(&["replay", "--trace", &trace]);
    run.assert_code(2);
    assert!(run.stderr.contains("the model changed"), "{}", run.stderr);
    assert!(
        run.stderr.contains("error: the schedule does not fit")
            && run.stderr.contains("step 2 (column 3): unknown task `b`"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty(), "nothing replayed halfway");
}

#[test]
fn a_file_that_is_not_a_trace_is_refused_with_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let (_, trace) = race_trace(&dir);
    let text = std::fs::read_to_string(&trace).unwrap();

    let cut = dir.path().join("cut.trace.json");
    std::fs::write(&cut, &text[..text.len() / 2]).unwrap();
    let cut = cut.display().to_string();
    let run = migcheck(&["replay", "--trace", &cut]);
    run.assert_code(2);
    assert!(
        run.stderr
            .starts_with(&format!("error: cannot read the trace file {cut}: "))
            && run.stderr.contains(" line "),
        "names the file and where: {}",
        run.stderr
    );

    let no_schedule = dir.path().join("no_schedule.json");
    let mut doc: Value = serde_json::from_str(&text).unwrap();
    doc.as_object_mut().unwrap().remove("schedule");
    std::fs::write(&no_schedule, doc.to_string()).unwrap();
    let run = migcheck(&["replay", "--trace", &no_schedule.display().to_string()]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("missing field `schedule`"),
        "{}",
        run.stderr
    );

    let sarif = dir.path().join("log.sarif");
    let log = migcheck(&[
        "check",
        "--format",
        "sarif",
        "models/examples/02_deadlock_fix.mig",
    ]);
    std::fs::write(&sarif, &log.stdout).unwrap();
    let run = migcheck(&["replay", "--trace", &sarif.display().to_string()]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("missing field `format`"),
        "{}",
        run.stderr
    );

    let other = dir.path().join("other.json");
    std::fs::write(&other, text.replace("migcheck-trace", "something-else")).unwrap();
    let run = migcheck(&["replay", "--trace", &other.display().to_string()]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("not a migcheck trace file"),
        "{}",
        run.stderr
    );

    let run = migcheck(&["replay", "--trace", "/nonexistent/x.trace.json"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("cannot read the trace file"),
        "{}",
        run.stderr
    );
}

#[test]
fn replay_takes_a_schedule_or_a_trace_file_not_both() {
    let dir = tempfile::tempdir().unwrap();
    let (model, trace) = race_trace(&dir);
    migcheck(&["replay", &model, "--schedule", "a,b,a"]).assert_code(1);
    migcheck(&["replay", "--trace", &trace]).assert_code(1);
    for args in [
        vec!["replay", &model, "--schedule", "a,b,a", "--trace", &trace],
        vec!["replay", "--schedule", "a,b,a", "--trace", &trace],
        vec!["replay", &model, "--trace", &trace],
        vec!["replay", &model],
        vec!["replay"],
    ] {
        let run = migcheck(&args);
        run.assert_code(2);
        assert!(
            run.stderr.contains("Usage:"),
            "clap explains: {}",
            run.stderr
        );
    }
}

#[test]
fn an_unwritable_trace_folder_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let run = migcheck(&[
        "check",
        "--trace-dir",
        &file.display().to_string(),
        "models/examples/01_lost_update_bug.mig",
    ]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("cannot create the trace folder"),
        "{}",
        run.stderr
    );
}
