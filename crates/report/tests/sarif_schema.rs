//! The SARIF log is valid against the official SARIF 2.1.0 schema (`tests/data/`, see its
//! README), for a violation of every kind, an ok model, bad input, an incomplete exploration and
//! `test`'s unmet expectation; and the schema is really applied (a broken log is refused).

use std::path::PathBuf;

use serde_json::{json, Value};

use migcheck_engine::{expect, Options, Outcome};
use migcheck_lang::ir::Model;
use migcheck_lang::Diagnostic;
use migcheck_report::entry::{BadInput, Entry};
use migcheck_report::human::Checked;
use migcheck_report::{sarif, Source};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn validator() -> jsonschema::Validator {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let text = std::fs::read_to_string(&path).expect("the schema is in tests/data");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles")
}

/// The schema's complaints about `log`, one per line.
fn errors(validator: &jsonschema::Validator, log: &Value) -> String {
    validator
        .iter_errors(log)
        .map(|e| format!("{e} at {}\n", e.instance_path()))
        .collect()
}

/// A model of the repository, compiled under its path as a user would give it.
struct Compiled {
    path: String,
    text: String,
    model: Model,
}

fn compile(path: &str) -> Result<Compiled, Vec<Diagnostic>> {
    compile_in(&repo(), path)
}

/// Compiles the model at `path` under `root`, naming it `path`.
fn compile_in(root: &std::path::Path, path: &str) -> Result<Compiled, Vec<Diagnostic>> {
    let text = std::fs::read_to_string(root.join(path)).expect("the model file is there");
    let load = |p: &str| std::fs::read_to_string(root.join(p)).map_err(|e| e.to_string());
    match migcheck_lang::compile_file(path, &text, &load) {
        Ok(model) => Ok(Compiled {
            path: path.to_string(),
            text,
            model,
        }),
        Err(f) => Err(f.diagnostics),
    }
}

fn checked<'a>(c: &'a Compiled, outcome: &'a Outcome, test: bool) -> Checked<'a> {
    Checked {
        source: Source {
            path: &c.path,
            text: &c.text,
            files: &c.model.files,
        },
        model: &c.model,
        outcome,
        expectation: test.then(|| expect::meets(&c.model, outcome)),
    }
}

const VIOLATING: [(&str, &str); 7] = [
    ("models/examples/01_lost_update_bug.mig", "lost_update"),
    ("models/examples/02_deadlock_bug.mig", "deadlock"),
    ("models/examples/03_invariant_bug.mig", "invariant"),
    ("models/examples/04_final_bug.mig", "final"),
    ("models/examples/05_assertion_bug.mig", "assertion"),
    ("models/examples/06_model_error_bug.mig", "model_error"),
    // A lost update inside an included library: its locations name the library's file.
    (
        "models/nova/1836754_consumer_generation_swap_bug.mig",
        "lost_update",
    ),
];

#[test]
fn a_log_of_every_kind_of_result_is_valid() {
    let validator = validator();
    let options = Options::default();
    let mut results = Vec::new();
    for (path, kind) in VIOLATING {
        let c = compile(path).unwrap_or_else(|e| panic!("{path} compiles: {e:?}"));
        let outcome = migcheck_engine::check(&c.model, &options);
        let r = sarif::results(&Entry::Checked(checked(&c, &outcome, false)));
        assert_eq!(r.len(), 1, "{path}: one result per violation");
        let one = serde_json::to_value(&r[0]).expect("a result serialises");
        assert_eq!(one["ruleId"], kind, "{path}");
        results.extend(r);
    }
    // An ok model gives no result.
    let ok = compile("models/examples/01_lost_update_fix.mig").expect("the fix compiles");
    let outcome = migcheck_engine::check(&ok.model, &options);
    assert!(sarif::results(&Entry::Checked(checked(&ok, &outcome, false))).is_empty());
    // Incomplete: a warning at the model's file.
    let budget = Options {
        max_states: Some(2),
        ..Options::default()
    };
    let big = compile("models/examples/01_lost_update_bug.mig").expect("it compiles");
    let cut = migcheck_engine::check(&big.model, &budget);
    let r = sarif::results(&Entry::Checked(checked(&big, &cut, false)));
    assert_eq!(serde_json::to_value(&r[0]).unwrap()["ruleId"], "incomplete");
    results.extend(r);
    // `test`: a model that expects a violation no interleaving reaches.
    let dir = std::env::temp_dir().join(format!("migcheck-sarif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("wrong.mig"),
        "model wrong\nshared x: int = 0\ntask a { x = x + 1 }\nexpect deadlock\n",
    )
    .unwrap();
    let wrong = compile_in(&dir, "wrong.mig").expect("compiles");
    let outcome = migcheck_engine::check(&wrong.model, &options);
    let r = sarif::results(&Entry::Checked(checked(&wrong, &outcome, true)));
    let unmet = serde_json::to_value(&r[0]).unwrap();
    assert_eq!(unmet["ruleId"], "unmet_expectation");
    assert_eq!(
        unmet["locations"][0]["physicalLocation"]["region"]["startLine"], 4,
        "the `expect` line"
    );
    results.extend(r);
    // Bad input: a model that does not parse, and a path that cannot be read.
    let bad_path = dir.join("bad.mig");
    std::fs::write(&bad_path, "model bad\nshared x: int = \n").unwrap();
    let bad_name = bad_path.display().to_string();
    let text = std::fs::read_to_string(&bad_path).unwrap();
    let failure = migcheck_lang::compile_file(&bad_name, &text, &|p: &str| {
        std::fs::read_to_string(p).map_err(|e| e.to_string())
    })
    .expect_err("the model does not parse");
    let r = sarif::results(&Entry::Bad(BadInput {
        source: Source {
            path: &bad_name,
            text: &text,
            files: &failure.files,
        },
        diagnostics: &failure.diagnostics,
    }));
    let first = serde_json::to_value(&r[0]).unwrap();
    assert_eq!(first["ruleId"], "bad_input");
    assert_eq!(
        first["locations"][0]["physicalLocation"]["region"]["startLine"],
        2
    );
    results.extend(r);
    let missing = [Diagnostic::new(
        migcheck_lang::Span::default(),
        "no such file or folder",
    )];
    results.extend(sarif::results(&Entry::Bad(BadInput {
        source: Source {
            path: "models/no such.mig",
            text: "",
            files: &[],
        },
        diagnostics: &missing,
    })));
    std::fs::remove_dir_all(&dir).ok();

    let log = serde_json::to_value(sarif::log(results)).expect("the log serialises");
    let complaints = errors(&validator, &log);
    assert!(complaints.is_empty(), "{complaints}");
    assert_eq!(
        log["runs"][0]["results"].as_array().map(Vec::len),
        Some(VIOLATING.len() + 4)
    );
    // The library's lost update points into the library.
    let lib = &log["runs"][0]["results"][VIOLATING.len() - 1];
    assert_eq!(
        lib["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "models/nova/lib/placement.migl"
    );
}

#[test]
fn an_empty_run_is_valid() {
    let log = serde_json::to_value(sarif::log(Vec::new())).unwrap();
    let complaints = errors(&validator(), &log);
    assert!(complaints.is_empty(), "{complaints}");
}

#[test]
fn the_schema_refuses_a_broken_log() {
    let validator = validator();
    let broken = [
        // No message.
        json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "m"}},
            "results": [{"ruleId": "x"}]}]}),
        // Line 0.
        json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "m"}},
            "results": [{"message": {"text": "t"}, "locations": [{"physicalLocation": {
                "artifactLocation": {"uri": "a.mig"}, "region": {"startLine": 0}}}]}]}]}),
        // A field SARIF does not have.
        json!({"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "m",
            "information_uri": "https://example.org"}}}]}),
        // Another version.
        json!({"version": "2.0.0", "runs": []}),
    ];
    for log in broken {
        assert!(!errors(&validator, &log).is_empty(), "accepted: {log}");
    }
}
