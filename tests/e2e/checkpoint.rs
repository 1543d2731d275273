//! SIGINT or SIGTERM during a long exploration saves a checkpoint and exits 3; `--resume` goes on
//! and ends as a run never stopped; a checkpoint of another version of the model is refused.

use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::util::{migcheck, model_file, root};

/// The claims benchmark at N=6, H=3: over a second in the test build (314,176 states, with the
/// migrations' symmetry, the dead locals and the marks that cannot matter reduced).
fn long_model(dir: &tempfile::TempDir) -> String {
    let text = std::fs::read_to_string(root().join("models/bench/claims_fix.mig"))
        .expect("the benchmark model")
        .replace("const N = 3 ", "const N = 6 ")
        .replace("const H = 2 ", "const H = 3 ");
    model_file(dir, "long", &text)
}

/// The verdict and figures of a `--format json` run (time aside).
fn essentials(stdout: &str) -> (String, Value) {
    let doc: Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    let r = &doc["results"][0];
    let stats = &r["stats"];
    (
        r["verdict"].as_str().unwrap_or_default().to_string(),
        serde_json::json!([stats["states"], stats["transitions"], stats["depth"]]),
    )
}

/// Runs `migcheck check --format json ARGS` and sends it `signal` after `after`.
fn signalled(args: &[&str], signal: &str, after: Duration) -> (i32, String, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_migcheck"))
        .args(["check", "--format", "json"])
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    std::thread::sleep(after);
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(sent.success(), "the signal was sent");
    let out = child.wait_with_output().expect("the binary ends");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_stopped_search_resumes_to_the_same_end_whatever_the_signal_and_threads() {
    let dir = tempfile::tempdir().unwrap();
    let model = long_model(&dir);
    let whole = migcheck(&["check", "--format", "json", &model]);
    whole.assert_code(0);
    let expected = essentials(&whole.stdout);
    for (signal, writer, reader) in [("TERM", "1", "2"), ("INT", "2", "1")] {
        let file = dir.path().join(format!("{signal}.checkpoint"));
        let file = file.display().to_string();
        let (code, stdout, stderr) = signalled(
            &["--threads", writer, "--checkpoint", &file, &model],
            signal,
            Duration::from_millis(400),
        );
        assert_eq!(code, 3, "SIG{signal}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        let (verdict, _) = essentials(&stdout);
        assert_eq!(verdict, "incomplete");
        assert!(stdout.contains("interrupted: "), "{stdout}");
        assert!(
            stderr.contains(&format!("--resume {file}")),
            "the way on is shown: {stderr}"
        );
        let resumed = migcheck(&[
            "check",
            "--format",
            "json",
            "--threads",
            reader,
            "--resume",
            &file,
            &model,
        ]);
        resumed.assert_code(0);
        assert_eq!(
            essentials(&resumed.stdout),
            expected,
            "SIG{signal}, written with {writer} thread(s), resumed with {reader}"
        );
    }
}

#[test]
fn a_checkpoint_of_another_version_of_the_model_or_a_damaged_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let model = long_model(&dir);
    let file = dir.path().join("long.checkpoint").display().to_string();
    let (code, _, stderr) = signalled(
        &["--checkpoint", &file, &model],
        "INT",
        Duration::from_millis(300),
    );
    assert_eq!(code, 3, "{stderr}");

    // The model edited since: refused, with both hashes and what to do.
    let text = std::fs::read_to_string(&model).unwrap();
    std::fs::write(&model, text.replace("const CAP = 1 ", "const CAP = 2 ")).unwrap();
    let run = migcheck(&["check", "--resume", &file, &model]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("another version of the model")
            && run.stderr.contains("start again without --resume"),
        "{}",
        run.stderr
    );
    std::fs::write(&model, &text).unwrap();

    // A search with symmetry reduction goes on only with it.
    let run = migcheck(&["check", "--no-symmetry", "--resume", &file, &model]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("leave out --no-symmetry"),
        "{}",
        run.stderr
    );

    // Damaged: one byte flipped deep in the states, then cut short.
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.len() - 100;
    bytes[at] ^= 0x40;
    std::fs::write(&file, &bytes).unwrap();
    let run = migcheck(&["check", "--resume", &file, &model]);
    run.assert_code(2);
    assert!(run.stderr.contains("damaged"), "{}", run.stderr);
    std::fs::write(&file, &bytes[..bytes.len() / 2]).unwrap();
    let run = migcheck(&["check", "--resume", &file, &model]);
    run.assert_code(2);
    assert!(run.stderr.contains("cannot resume from"), "{}", run.stderr);

    // Not a checkpoint at all, and flags that cannot resume.
    let run = migcheck(&[
        "check",
        "--resume",
        "models/examples/01_lost_update_bug.mig",
        &model,
    ]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("not a migcheck checkpoint"),
        "{}",
        run.stderr
    );
    let run = migcheck(&["check", "--strategy", "dfs", "--resume", &file, &model]);
    run.assert_code(2);
    assert!(run.stderr.contains("breadth-first"), "{}", run.stderr);
}
