//! Helpers: running the binary, writing throwaway models, reading JSON output.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// A model with a lost update: `a` reads `x`, `b` writes it, `a` writes back what it read plus one.
pub const RACE: &str = "model race
shared x: int = 0
task a {
    let v = x
    x = v + 1
}
task b { x = 5 }
";

/// What one run of the binary gave.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// Asserts that the run did not panic and exited with `code`.
    pub fn assert_code(&self, code: i32) -> &Run {
        assert!(
            !self.stderr.contains("panicked"),
            "migcheck panicked:\n{}",
            self.stderr
        );
        assert_eq!(
            self.code, code,
            "exit code\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

/// Runs `migcheck` with `args` from the repository root.
pub fn migcheck(args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_migcheck"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Writes `text` to a fresh `.mig` file and returns its path.
pub fn model_file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(format!("{name}.mig"));
    std::fs::write(&path, text).expect("write the model");
    path.display().to_string()
}

/// `migcheck check --format json PATH` on one model: (exit code, the one result).
pub fn check_json(path: &str) -> (i32, Value) {
    check_json_with(path, &[])
}

/// [`check_json`] with further flags (`--reference`).
pub fn check_json_with(path: &str, flags: &[&str]) -> (i32, Value) {
    let mut args = vec!["check", "--format", "json", path];
    args.extend(flags);
    let run = migcheck(&args);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    let doc = run.json();
    (run.code, doc["results"][0].clone())
}

/// Every `.mig` file under `dir`, sorted.
pub fn mig_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read the folder") {
            let p = e.expect("a folder entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "mig") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
