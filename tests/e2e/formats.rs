//! The CI formats through the binary: SARIF (valid against the official schema, one result per
//! violation where `--format json` puts it), JUnit, the replayed steps in JSON, `--output`; and
//! the conventions: completions, help examples, `--version`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::util::{migcheck, model_file, root, RACE};

/// The official SARIF 2.1.0 schema, as the report crate's tests keep it.
fn sarif_validator() -> jsonschema::Validator {
    let path = root().join("crates/report/tests/data/sarif-schema-2.1.0.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("the schema is there"))
            .expect("the schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

fn assert_valid_sarif(log: &Value) {
    let complaints: Vec<String> = sarif_validator()
        .iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(complaints.is_empty(), "{}", complaints.join("\n"));
}

fn results(log: &Value) -> &Vec<Value> {
    log["runs"][0]["results"]
        .as_array()
        .expect("a run with results")
}

#[test]
fn sarif_is_valid_for_every_kind_of_violation_an_ok_model_and_bad_input() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let bad = model_file(&dir, "bad", "model bad\nshared x: int = \n");
    let missing = dir.path().join("missing.mig").display().to_string();
    let run = migcheck(&[
        "check",
        "--format",
        "sarif",
        "models/examples/",
        &bad,
        &missing,
    ]);
    run.assert_code(2);
    let log = run.json();
    assert_valid_sarif(&log);
    let rules: BTreeMap<String, usize> = results(&log).iter().fold(BTreeMap::new(), |mut m, r| {
        *m.entry(r["ruleId"].as_str().unwrap().to_string())
            .or_default() += 1;
        m
    });
    let expected: BTreeMap<String, usize> = [
        ("assertion", 1),
        ("bad_input", 2),
        ("deadlock", 1),
        ("final", 1),
        ("invariant", 1),
        ("lost_update", 1),
        ("model_error", 1),
    ]
    .into_iter()
    .map(|(k, n)| (k.to_string(), n))
    .collect();
    assert_eq!(
        rules, expected,
        "one result per violation; the fixes give none"
    );
    let driver = &log["runs"][0]["tool"]["driver"];
    assert_eq!(driver["name"], "migcheck");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    let bad_result = results(&log)
        .iter()
        .find(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .is_some_and(|u| u.ends_with("/bad.mig"))
        })
        .expect("a result for the model that does not parse");
    assert_eq!(bad_result["ruleId"], "bad_input");
    let region = &bad_result["locations"][0]["physicalLocation"]["region"];
    assert_eq!(
        (region["startLine"].as_u64(), region["startColumn"].as_u64()),
        (Some(2), Some(17))
    );
}

#[test]
fn a_sarif_result_sits_on_the_json_line_with_a_thread_flow_per_task_and_the_replay_command() {
    let sarif = migcheck(&[
        "check",
        "--format",
        "sarif",
        "models/examples/",
        "models/nova/",
    ]);
    sarif.assert_code(1);
    let log = sarif.json();
    assert_valid_sarif(&log);
    let json = migcheck(&[
        "check",
        "--format",
        "json",
        "models/examples/",
        "models/nova/",
    ]);
    let doc = json.json();
    let violations: Vec<(&Value, &Value)> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["verdict"] == "violation")
        .map(|r| (&r["path"], &r["violation"]))
        .collect();
    assert_eq!(results(&log).len(), violations.len());
    assert!(violations.len() >= 18, "every bug model violates");
    for (r, (path, v)) in results(&log).iter().zip(&violations) {
        let what = &v["replay"];
        assert_eq!(r["ruleId"], v["kind"], "{what}");
        assert_eq!(r["level"], "error");
        let location = &r["locations"][0]["physicalLocation"];
        assert_eq!(location["region"]["startLine"], v["line"], "{what}");
        // The model's file, or the included library's where the line is in one.
        let file = v["file"].as_str().unwrap_or_else(|| path.as_str().unwrap());
        assert_eq!(location["artifactLocation"]["uri"], file, "{what}");
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let message = r["message"]["text"].as_str().unwrap();
        assert!(
            message.starts_with(v["message"].as_str().unwrap()),
            "{message}"
        );
        assert!(message.contains(what.as_str().unwrap()), "{message}");
        assert_eq!(
            r["relatedLocations"].as_array().map_or(0, Vec::len),
            v["lines"].as_array().unwrap().len()
        );
        // One thread flow per task that steps, its steps in schedule order; all of them
        // together are the schedule.
        let steps = v["steps"].as_array().unwrap();
        let tasks: BTreeSet<&str> = steps.iter().map(|s| s["task"].as_str().unwrap()).collect();
        let flows = r["codeFlows"][0]["threadFlows"].as_array().unwrap();
        let ids: BTreeSet<&str> = flows.iter().map(|f| f["id"].as_str().unwrap()).collect();
        assert_eq!(ids, tasks, "{what}");
        let mut order: Vec<(u64, &str, u64)> = Vec::new();
        for f in flows {
            let mut last = 0;
            for l in f["locations"].as_array().unwrap() {
                let at = l["executionOrder"].as_u64().unwrap();
                assert!(at > last, "a task's steps in order");
                last = at;
                let line = l["location"]["physicalLocation"]["region"]["startLine"]
                    .as_u64()
                    .unwrap();
                order.push((at, f["id"].as_str().unwrap(), line));
            }
        }
        order.sort();
        let schedule: Vec<(u64, &str, u64)> = steps
            .iter()
            .map(|s| {
                (
                    s["index"].as_u64().unwrap(),
                    s["task"].as_str().unwrap(),
                    s["lines"]
                        .as_array()
                        .unwrap()
                        .last()
                        .unwrap()
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect();
        assert_eq!(order, schedule, "{what}");
    }
}

#[test]
fn sarif_for_test_reports_only_the_expectations_not_met() {
    let passing = migcheck(&["test", "--format", "sarif", "models/examples/"]);
    passing.assert_code(0);
    let log = passing.json();
    assert_valid_sarif(&log);
    assert!(results(&log).is_empty(), "an expected violation is a pass");

    let dir = tempfile::tempdir().unwrap();
    let race = model_file(&dir, "race", RACE); // expects ok (no `expect` line)
    let wrong = model_file(
        &dir,
        "wrong",
        "model wrong\nshared x: int = 0\ntask a { x = x + 1 }\nexpect deadlock\n",
    );
    let run = migcheck(&["test", "--format", "sarif", &race, &wrong]);
    run.assert_code(1);
    let log = run.json();
    assert_valid_sarif(&log);
    let r = results(&log);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0]["ruleId"], "lost_update");
    let message = r[0]["message"]["text"].as_str().unwrap();
    assert!(
        message.starts_with("expected ok, found lost_update x: "),
        "{message}"
    );
    assert_eq!(r[1]["ruleId"], "unmet_expectation");
    assert_eq!(
        r[1]["locations"][0]["physicalLocation"]["region"]["startLine"],
        4
    );
}

/// A JUnit `testcase` element.
struct Case {
    name: String,
    classname: String,
    /// Its `failure`, `error` or `skipped` child: (tag, message attribute, text).
    inner: Option<(String, String, String)>,
}

/// The `testcase` elements of a JUnit document.
fn testcases(xml: &str) -> Vec<Case> {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("not XML ({e}):\n{xml}"));
    doc.descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|n| Case {
            name: n.attribute("name").unwrap().to_string(),
            classname: n.attribute("classname").unwrap().to_string(),
            inner: n.children().find(|c| c.is_element()).map(|c| {
                (
                    c.tag_name().name().to_string(),
                    c.attribute("message").unwrap_or("").to_string(),
                    c.text().unwrap_or("").to_string(),
                )
            }),
        })
        .collect()
}

#[test]
fn junit_has_a_testcase_per_model_and_a_failure_per_violation() {
    let run = migcheck(&["check", "--format", "junit", "models/examples/"]);
    run.assert_code(1);
    let cases = testcases(&run.stdout);
    assert_eq!(cases.len(), 12);
    for Case {
        name,
        classname,
        inner,
    } in &cases
    {
        assert_eq!(classname, "models/examples");
        if name.ends_with("_bug.mig") {
            let (tag, message, text) = inner.as_ref().expect("a failure");
            assert_eq!(tag, "failure", "{name}");
            assert!(!message.is_empty());
            // The text is the human report of the model.
            assert!(text.starts_with(&format!("VIOLATION {name}")), "{text}");
            assert!(text.contains("replay with: migcheck replay"), "{text}");
        } else {
            assert!(inner.is_none(), "{name} passed");
        }
    }
    let doc = roxmltree::Document::parse(&run.stdout).unwrap();
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .expect("a testsuite");
    assert_eq!(suite.attribute("name"), Some("migcheck"));
    assert_eq!(suite.attribute("tests"), Some("12"));
    assert_eq!(suite.attribute("failures"), Some("6"));
    assert_eq!(suite.attribute("errors"), Some("0"));
    assert!(suite
        .attribute("time")
        .is_some_and(|t| t.parse::<f64>().is_ok()));

    // For `test`, the expected violations pass.
    let run = migcheck(&["test", "--format", "junit", "models/examples/"]);
    run.assert_code(0);
    assert!(testcases(&run.stdout).iter().all(|c| c.inner.is_none()));
}

#[test]
fn junit_escapes_markup_in_paths_and_messages() {
    let dir = tempfile::tempdir().unwrap();
    let nasty = model_file(
        &dir,
        "a<&\"'>b",
        "model nasty\nshared x: int = 0\ntask t { x = 1; assert x == 0, \"x <&\\\"'> 0\" }\n",
    );
    let bad = model_file(&dir, "bad", "model bad\nshared x: int = <\n");
    let run = migcheck(&["check", "--format", "junit", &nasty, &bad]);
    run.assert_code(2);
    let cases = testcases(&run.stdout);
    assert_eq!(cases.len(), 2);
    assert_eq!(cases[0].name, nasty);
    let (tag, message, text) = cases[0].inner.as_ref().unwrap();
    assert_eq!(tag, "failure");
    assert_eq!(message, "assertion: assertion failed: x <&\"'> 0");
    assert!(text.contains("assert x == 0, \"x <&\\\"'> 0\""), "{text}");
    let (tag, message, text) = cases[1].inner.as_ref().unwrap();
    assert_eq!(tag, "error");
    assert!(!message.is_empty());
    assert!(text.contains("shared x: int = <"), "{text}");
}

#[test]
fn json_violations_carry_the_steps_that_replay_gives() {
    let path = "models/examples/02_deadlock_bug.mig";
    let check = migcheck(&["check", "--format", "json", path]);
    check.assert_code(1);
    let violation = &check.json()["results"][0]["violation"];
    for field in [
        "kind", "message", "schedule", "length", "line", "lines", "replay",
    ] {
        assert!(!violation[field].is_null(), "DESIGN.md's {field} is kept");
    }
    let schedule = violation["schedule"].as_str().unwrap();
    let replay = migcheck(&["replay", path, "--schedule", schedule, "--format", "json"]);
    replay.assert_code(1);
    let steps = &violation["steps"];
    assert_eq!(steps.as_array().map(Vec::len), Some(2));
    assert_eq!(steps, &replay.json()["steps"]);
    assert_eq!(steps[0]["locks_taken"][0], "inst_lock");
}

#[test]
fn output_sends_the_report_to_the_file_and_the_summary_to_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let summary = "12 model(s): 6 passed, 6 violated, 0 incomplete, 0 with bad input\n";
    for (format, check) in [
        (
            "json",
            (|t: &str| serde_json::from_str::<Value>(t).is_ok()) as fn(&str) -> bool,
        ),
        ("sarif", |t| t.contains("\"version\": \"2.1.0\"")),
        ("junit", |t| roxmltree::Document::parse(t).is_ok()),
        ("markdown", |t| t.starts_with('|')),
        ("human", |t| {
            t.contains("VIOLATION models/examples/01_lost_update_bug.mig")
                && t.ends_with("6 violated, 0 incomplete, 0 with bad input\n")
                && !t.contains('\u{1b}')
        }),
    ] {
        let file = dir.path().join(format!("report.{format}"));
        let file = file.display().to_string();
        let run = migcheck(&[
            "check",
            "--format",
            format,
            "--output",
            &file,
            "models/examples/",
        ]);
        run.assert_code(1);
        assert_eq!(run.stdout, summary, "{format}: the summary alone");
        let written = std::fs::read_to_string(&file).expect("the report file");
        assert!(check(&written), "{format}:\n{written}");
    }
    let run = migcheck(&[
        "check",
        "--output",
        "/nonexistent-folder/report.json",
        "models/examples/01_lost_update_fix.mig",
    ]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("error: cannot write the report to /nonexistent-folder/report.json"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
}

#[test]
fn completions_print_a_script_for_each_shell() {
    let bash = migcheck(&["completions", "bash"]);
    bash.assert_code(0);
    assert!(bash.stdout.contains("migcheck"), "{}", bash.stdout);
    assert!(bash.stdout.contains("complete -F"), "{}", bash.stdout);
    for word in ["check", "replay", "--trace-dir", "--format"] {
        assert!(bash.stdout.contains(word), "the script knows {word}");
    }
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let run = migcheck(&["completions", shell]);
        run.assert_code(0);
        assert!(run.stdout.contains("migcheck"), "{shell}");
    }
    migcheck(&["completions", "tcsh"]).assert_code(2);
}

#[test]
fn each_command_s_help_ends_with_examples_that_run() {
    for command in ["check", "test", "replay", "completions"] {
        let run = migcheck(&[command, "--help"]);
        run.assert_code(0);
        let examples = run
            .stdout
            .split_once("\nExamples:\n")
            .unwrap_or_else(|| panic!("{command} --help has examples:\n{}", run.stdout))
            .1;
        let lines: Vec<&str> = examples.lines().filter(|l| !l.trim().is_empty()).collect();
        let commands = lines
            .iter()
            .filter(|l| l.trim_start().starts_with(&format!("migcheck {command} ")))
            .count();
        assert!((2..=4).contains(&commands), "{command}: {lines:?}");
    }
    // The replay example reproduces its violation.
    let run = migcheck(&["replay", "--help"]);
    let example = run
        .stdout
        .split_once("\nExamples:\n")
        .unwrap()
        .1
        .split("\n  migcheck")
        .next()
        .unwrap()
        .replace("\\\n", " ");
    let args: Vec<&str> = example.split_whitespace().skip(1).collect();
    assert_eq!(args[0], "replay");
    migcheck(&args).assert_code(1);
}

#[test]
fn version_prints_the_package_version() {
    let run = migcheck(&["--version"]);
    run.assert_code(0);
    assert_eq!(
        run.stdout,
        format!("migcheck {}\n", env!("CARGO_PKG_VERSION"))
    );
}
