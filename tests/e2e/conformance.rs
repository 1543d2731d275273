//! The shared conformance models: each file's first line states the verdict, the violation and
//! the exact shortest schedule (or the bad-input line) that a correct implementation reports.

use std::path::PathBuf;

use super::util::{check_json, check_json_with, mig_files, migcheck};

/// What a conformance file's first line expects.
#[derive(Debug, PartialEq)]
enum Expected {
    Ok,
    Violation {
        kind: String,
        name: Option<String>,
        steps: usize,
        schedule: String,
    },
    BadInput {
        line: u64,
    },
}

fn parse_expected(first_line: &str) -> Expected {
    let at = first_line
        .rfind("Expected: ")
        .unwrap_or_else(|| panic!("no `Expected:` in {first_line:?}"));
    let rest = first_line[at + "Expected: ".len()..].trim();
    if rest.starts_with("ok") {
        return Expected::Ok;
    }
    if rest.starts_with("bad input") {
        let line = rest
            .rsplit("error at line ")
            .next()
            .and_then(|l| l.trim_end_matches('.').parse().ok())
            .unwrap_or_else(|| panic!("no line in {rest:?}"));
        return Expected::BadInput { line };
    }
    let (what, sched) = rest
        .split_once(", shortest schedule ")
        .unwrap_or_else(|| panic!("no schedule in {rest:?}"));
    let mut words = what.split_whitespace();
    let kind = words.next().expect("a kind").to_string();
    let name = words.next().map(str::to_string);
    let (n, tail) = sched.split_once(" steps").expect("N steps");
    let schedule = match tail.split('`').nth(1) {
        Some(s) => s.to_string(),
        None => String::new(),
    };
    Expected::Violation {
        kind,
        name,
        steps: n.trim().parse().expect("a step count"),
        schedule,
    }
}

/// The conformance folder: `MIGCHECK_CONFORMANCE`, else `../shared/conformance` beside the
/// checkout. `None` (with a note) when neither exists outside CI; under CI its absence fails.
fn folder() -> Option<PathBuf> {
    let dir = std::env::var_os("MIGCHECK_CONFORMANCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| super::util::root().join("../shared/conformance"));
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").map_or(true, |v| v != "true"),
        "the conformance models are missing at {} (set MIGCHECK_CONFORMANCE)",
        dir.display()
    );
    eprintln!(
        "note: conformance models not found at {}; skipping (set MIGCHECK_CONFORMANCE)",
        dir.display()
    );
    None
}

#[test]
fn expectation_lines_parse() {
    assert_eq!(
        parse_expected(
            "// conformance: x. Expected: lost_update x, shortest schedule 3 steps: `a,b,a`."
        ),
        Expected::Violation {
            kind: "lost_update".into(),
            name: Some("x".into()),
            steps: 3,
            schedule: "a,b,a".into()
        }
    );
    assert_eq!(
        parse_expected(
            "// conformance: y. Expected: final f, shortest schedule 0 steps: the empty schedule."
        ),
        Expected::Violation {
            kind: "final".into(),
            name: Some("f".into()),
            steps: 0,
            schedule: String::new()
        }
    );
    assert_eq!(
        parse_expected("// conformance: z. Expected: bad input, exit 2, error at line 4."),
        Expected::BadInput { line: 4 }
    );
}

#[test]
fn every_conformance_model_gives_its_stated_result() {
    let Some(dir) = folder() else { return };
    let files = mig_files(&dir);
    assert!(files.len() >= 30, "only {} conformance models", files.len());
    let mut failures = Vec::new();
    // The fast explorer (the default) and the reference one, each on its own.
    for (file, flags) in files
        .iter()
        .flat_map(|f| [(f, &[][..]), (f, &["--reference"][..])])
    {
        let text = std::fs::read_to_string(file).expect("read");
        let expected = parse_expected(text.lines().next().unwrap_or_default());
        let path = file.display().to_string();
        let (code, result) = check_json_with(&path, flags);
        let ok = match &expected {
            Expected::Ok => code == 0 && result["verdict"] == "ok",
            Expected::BadInput { line } => {
                code == 2 && result["verdict"] == "error" && result["errors"][0]["line"] == *line
            }
            Expected::Violation {
                kind,
                name,
                steps,
                schedule,
            } => {
                let v = &result["violation"];
                code == 1
                    && v["kind"] == kind.as_str()
                    && v["name"].as_str() == name.as_deref()
                    && v["length"] == *steps
                    && v["schedule"] == schedule.as_str()
            }
        };
        if !ok {
            failures.push(format!(
                "{} {flags:?}: expected {expected:?}, got exit {code}: {result}",
                file.file_name().unwrap_or_default().to_string_lossy()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_conformance_violation_replays_to_the_same_violation() {
    let Some(dir) = folder() else { return };
    for file in mig_files(&dir) {
        let path = file.display().to_string();
        let (code, result) = check_json(&path);
        if code != 1 {
            continue;
        }
        let v = &result["violation"];
        let schedule = v["schedule"].as_str().expect("a schedule");
        let run = migcheck(&["replay", &path, "--schedule", schedule, "--format", "json"]);
        run.assert_code(1);
        let replayed = run.json();
        assert_eq!(replayed["violation"]["kind"], v["kind"], "{path}");
        assert_eq!(replayed["violation"]["name"], v["name"], "{path}");
        assert_eq!(replayed["violation"]["message"], v["message"], "{path}");
        assert_eq!(replayed["steps_left"], 0, "{path}");
    }
}

#[test]
fn every_clean_conformance_model_passes_migcheck_test() {
    let Some(dir) = folder() else { return };
    for file in mig_files(&dir) {
        let text = std::fs::read_to_string(&file).expect("read");
        if matches!(
            parse_expected(text.lines().next().unwrap_or_default()),
            Expected::BadInput { .. }
        ) {
            continue;
        }
        let path = file.display().to_string();
        migcheck(&["test", &path]).assert_code(0);
    }
}
