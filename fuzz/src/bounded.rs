//! What the bounded fuzz tests inside `cargo test` share (crates/lang/tests/fuzz.rs,
//! crates/engine/tests/fuzz.rs and tests/e2e/fuzz.rs include this file by path): the settings of a
//! run, the bundled files they start from, and a panic turned into text.

use std::path::{Path, PathBuf};

/// The number of inputs of a file's main test (its other tests take a fraction of it):
/// `MIGCHECK_FUZZ_CASES`, `default` unless set.
pub fn cases(default: u64) -> u64 {
    setting("MIGCHECK_FUZZ_CASES").unwrap_or(default)
}

/// The seed of the run: `MIGCHECK_FUZZ_SEED`, 0 unless set. The same seed gives the same inputs.
pub fn seed() -> u64 {
    setting("MIGCHECK_FUZZ_SEED").unwrap_or(0)
}

fn setting(name: &str) -> Option<u64> {
    std::env::var(name).ok().and_then(|s| s.trim().parse().ok())
}

/// The files under `dir` (recursively) whose names end in one of `exts`, sorted; none when `dir`
/// cannot be read.
pub fn files(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p, exts));
        } else if exts.iter().any(|x| p.to_string_lossy().ends_with(x)) {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The message of a caught panic.
pub fn panic_text(panic: Box<dyn std::any::Any + Send>) -> String {
    let msg = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    format!("panicked: {msg}")
}
