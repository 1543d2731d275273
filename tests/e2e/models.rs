//! The bundled models: `migcheck test models/` passes, every bug model shows its violation with
//! the expected shortest schedule, every fixed twin passes, and every reported schedule replays
//! to the same violation.

use super::util::{check_json, check_json_with, mig_files, migcheck, root};

#[test]
fn migcheck_test_passes_on_the_bundled_models() {
    let run = migcheck(&["test", "models/"]);
    run.assert_code(0);
    assert!(run.stdout.contains("PASS"), "{}", run.stdout);
    assert!(!run.stdout.contains("FAIL"), "{}", run.stdout);
}

/// The tutorial series: (file stem, violation kind, name, shortest schedule length).
const EXAMPLES: &[(&str, &str, Option<&str>, usize)] = &[
    ("01_lost_update", "lost_update", Some("alloc_inst"), 5),
    ("02_deadlock", "deadlock", None, 2),
    ("03_invariant", "invariant", Some("capacity"), 4),
    ("04_final", "final", Some("no_leak"), 7),
    ("05_assertion", "assertion", None, 4),
    ("06_model_error", "model_error", None, 4),
];

#[test]
fn every_example_bug_is_found_with_its_shortest_schedule() {
    for (stem, kind, name, len) in EXAMPLES {
        let path = format!("models/examples/{stem}_bug.mig");
        let (code, r) = check_json(&path);
        assert_eq!(code, 1, "{path}: {r}");
        let v = &r["violation"];
        assert_eq!(v["kind"], *kind, "{path}");
        assert_eq!(v["name"].as_str(), *name, "{path}");
        assert_eq!(v["length"], *len, "{path}: {v}");
    }
}

#[test]
fn every_check_kind_has_a_tutorial_model() {
    for kind in [
        "lost_update",
        "deadlock",
        "invariant",
        "final",
        "assertion",
        "model_error",
    ] {
        assert!(
            EXAMPLES.iter().any(|e| e.1 == kind),
            "no example shows {kind}"
        );
    }
}

#[test]
fn every_bug_model_has_a_fixed_twin_that_passes() {
    let files = mig_files(&root().join("models"));
    let bugs: Vec<_> = files
        .iter()
        .filter(|p| p.to_string_lossy().ends_with("_bug.mig"))
        .collect();
    assert!(!bugs.is_empty());
    for bug in bugs {
        let fix = bug.to_string_lossy().replace("_bug.mig", "_fix.mig");
        let (code, r) = check_json(&fix);
        assert_eq!(code, 0, "{fix}: {r}");
        assert_eq!(r["verdict"], "ok", "{fix}");
    }
}

#[test]
fn every_reported_schedule_replays_to_the_same_violation() {
    for file in mig_files(&root().join("models")) {
        let path = file.display().to_string();
        let (code, r) = check_json(&path);
        if code != 1 {
            continue;
        }
        let v = &r["violation"];
        let schedule = v["schedule"].as_str().expect("a schedule");
        let run = migcheck(&["replay", &path, "--schedule", schedule, "--format", "json"]);
        run.assert_code(1);
        let t = run.json();
        assert_eq!(t["violation"]["kind"], v["kind"], "{path}");
        assert_eq!(t["violation"]["name"], v["name"], "{path}");
        assert_eq!(t["violation"]["message"], v["message"], "{path}");
        assert_eq!(
            t["steps"].as_array().map(Vec::len),
            v["length"].as_u64().map(|n| n as usize)
        );
    }
}

#[test]
fn fast_and_reference_explorers_agree_on_every_bundled_model() {
    for file in mig_files(&root().join("models")) {
        let path = file.display().to_string();
        let (code, fast) = check_json_with(&path, &[]);
        let (ref_code, reference) = check_json_with(&path, &["--reference"]);
        assert_eq!(code, ref_code, "{path}");
        assert_eq!(fast["verdict"], reference["verdict"], "{path}");
        assert_eq!(fast["violation"], reference["violation"], "{path}");
        // The fast explorer merges states that differ only in lost-update marks that can no
        // longer matter: never more states than the reference.
        let states = |r: &serde_json::Value| r["stats"]["states"].as_u64().expect("states");
        assert!(states(&fast) <= states(&reference), "{path}");
    }
}

/// The rows of a markdown table without their last cell (the time, which varies from run to run).
fn rows_without_time(table: &str) -> Vec<String> {
    table
        .lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.trim_end_matches('|').split(" | ").collect();
            cells[..cells.len() - 1].join(" | ")
        })
        .collect()
}

#[test]
fn docs_models_table_is_current() {
    let doc = std::fs::read_to_string(root().join("docs/models.md")).expect("docs/models.md");
    let mut tables = 0;
    let mut rest = doc.as_str();
    while let Some(start) = rest.find("<!-- table: ") {
        let after = &rest[start + "<!-- table: ".len()..];
        let (folder, after) = after.split_once(" -->").expect("the marker closes");
        let (table, after) = after
            .split_once("<!-- end table -->")
            .expect("each table has an end marker");
        let run = migcheck(&["test", "--format", "markdown", folder]);
        run.assert_code(0);
        assert_eq!(
            rows_without_time(table),
            rows_without_time(&run.stdout),
            "the table of {folder} in docs/models.md is stale: run scripts/models-doc"
        );
        tables += 1;
        rest = after;
    }
    assert!(tables >= 2, "docs/models.md has lost its tables");
}

/// The Launchpad bugs of the Nova library (`../shared/nova-workflows.md`), each with a bug model
/// and its fix.
const NOVA_BUGS: &[&str] = &[
    "1879878", "1944759", "1848343", "1729371", "1855927", "1790204", "1836754", "1719933",
    "1764883", "1732976", "1715182",
];

#[test]
fn every_nova_bug_has_a_model_and_a_fix() {
    let files: Vec<String> = mig_files(&root().join("models/nova"))
        .iter()
        .map(|p| {
            p.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    for bug in NOVA_BUGS {
        assert!(
            files
                .iter()
                .any(|f| f.starts_with(bug) && f.ends_with("_bug.mig")),
            "no bug model for {bug}"
        );
        assert!(
            files
                .iter()
                .any(|f| f.starts_with(bug) && f.ends_with("_fix.mig")),
            "no fix model for {bug}"
        );
    }
}

/// A bug model's header quotes the command that replays its violation: it must be the schedule
/// migcheck reports today.
#[test]
fn every_quoted_replay_command_is_the_reported_one() {
    let mut quoted = 0;
    for file in mig_files(&root().join("models")) {
        let text = std::fs::read_to_string(&file).expect("read");
        let Some(line) = text.lines().find(|l| l.starts_with("// Replay: ")) else {
            continue;
        };
        let path = file.display().to_string();
        let (_, r) = check_json(&path);
        let command = r["violation"]["replay"].as_str().unwrap_or_default();
        let relative = command.replace(&format!("{}/", root().display()), "");
        assert_eq!(
            line.trim_start_matches("// Replay: "),
            relative,
            "{path}: the header's replay command is stale"
        );
        quoted += 1;
    }
    assert!(
        quoted >= NOVA_BUGS.len(),
        "only {quoted} headers quote a replay command"
    );
}
