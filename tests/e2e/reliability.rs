//! Runtime model errors are violations with their line and a shortest schedule; the same model
//! and flags give the same JSON (time and memory measurements aside), run after run and whatever
//! the number of threads.

use serde_json::Value;

use super::util::{migcheck, model_file};

#[test]
fn each_runtime_model_error_is_reported_with_its_line_and_a_shortest_schedule() {
    // (name, model, line, schedule, words of the message)
    let cases = [
        (
            "overflow",
            "model m\nshared x: int = 9223372036854775000\ntask a {\n    let v = x\n    \
             x = v + 1000\n}\ntask b { x = 1 }\n",
            5,
            "a,a",
            "integer overflow",
        ),
        (
            "division_by_zero",
            "model m\nshared d: int = 1\ntask a { d = 0 }\ntask b {\n    let v = 10 / d\n    \
             d = v\n}\n",
            5,
            "a,b",
            "division by zero",
        ),
        (
            "key_out_of_domain",
            "model m\nshared k: int = 0\nshared m: map[0..3] int = 0\ntask a { k = 3 }\n\
             task b {\n    let i = k\n    m[i] = 1\n}\n",
            7,
            "a,b,b",
            "key 3 is outside the domain 0..3 of `m`",
        ),
        (
            "value_out_of_range",
            "model m\nshared x: 0..2 = 0\ntask a {\n    x = x + 5\n}\n",
            4,
            "a",
            "outside the range 0..2",
        ),
        (
            "unlock_not_held",
            "model m\nlock l\ntask a { lock l; unlock l }\ntask b {\n    unlock l\n}\n",
            5,
            "b",
            "b unlocks `l`, which is not held",
        ),
        (
            "lock_already_held",
            "model m\nlock l\ntask a {\n    lock l\n    lock l\n}\n",
            5,
            "a,a",
            "a takes lock `l`, which it already holds",
        ),
        (
            "blocking_inside_atomic",
            "model m\nlock l\nshared x: int = 0\ntask a { lock l; x = 1; unlock l }\n\
             task b {\n    atomic {\n        x = 2\n        lock l\n    }\n    unlock l\n}\n",
            8,
            "a,b",
            "a statement inside `atomic` would block: b waits for lock `l` held by a",
        ),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (name, text, line, schedule, words) in cases {
        let path = model_file(&dir, name, text);
        for explorer in [&[][..], &["--reference"][..], &["--threads", "2"][..]] {
            let mut args = vec!["check", "--format", "json", path.as_str()];
            args.extend(explorer);
            let run = migcheck(&args);
            run.assert_code(1);
            let v = &run.json()["results"][0]["violation"];
            assert_eq!(v["kind"], "model_error", "{name} {explorer:?}");
            assert_eq!(v["line"], line, "{name} {explorer:?}");
            assert_eq!(v["schedule"], schedule, "{name} {explorer:?}");
            let message = v["message"].as_str().unwrap_or_default();
            assert!(message.contains(words), "{name}: {message}");
        }
        // The schedule replays to the same error, and none of its prefixes reaches a violation.
        let replay = migcheck(&["replay", &path, "--schedule", schedule]);
        replay.assert_code(1);
        assert!(replay.stdout.contains(words), "{name}: {}", replay.stdout);
        let steps: Vec<&str> = schedule.split(',').collect();
        for n in 0..steps.len() {
            let prefix = steps[..n].join(",");
            migcheck(&["replay", &path, "--schedule", &prefix]).assert_code(0);
        }
        // `expect model_error` makes the model pass.
        let expected = model_file(
            &dir,
            &format!("{name}_expected"),
            &format!("{text}expect model_error\n"),
        );
        migcheck(&["test", &expected]).assert_code(0);
    }
}

/// The JSON of a run with the measurements of time and memory taken out.
fn without_measurements(stdout: &str) -> Value {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(map) => {
                map.remove("seconds");
                map.remove("store_bytes");
                map.values_mut().for_each(strip);
            }
            Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut doc: Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}"));
    strip(&mut doc);
    doc
}

#[test]
fn the_same_model_and_flags_give_the_same_json_whatever_the_run_and_the_threads() {
    let folders = ["models/examples/", "models/nova/", "models/bench/"];
    for flags in [
        &[][..],
        &["--no-reduction"][..],
        &["--no-symmetry"][..],
        &["--max-states", "40"][..],
        &["--strategy", "random", "--runs", "50", "--seed", "4"][..],
        &["--strategy", "pct", "--runs", "50", "--seed", "4"][..],
    ] {
        let run = |threads: &str| {
            let mut args = vec!["test", "--format", "json", "--threads", threads];
            args.extend(flags);
            args.extend(folders);
            let r = migcheck(&args);
            assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
            r.stdout
        };
        let first = run("1");
        let reference = without_measurements(&first);
        assert!(
            first.contains("\"seconds\""),
            "the figures are there to strip"
        );
        for threads in ["1", "2", "3"] {
            assert_eq!(
                without_measurements(&run(threads)),
                reference,
                "{flags:?} with {threads} thread(s)"
            );
        }
    }
}
