//! Runs the front end over the shared conformance models: the bad-input ones must fail with an
//! error at the stated line, every other one must compile.

use std::path::PathBuf;

fn conformance_dir() -> PathBuf {
    match std::env::var_os("MIGCHECK_CONFORMANCE") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance"),
    }
}

/// The line of "error at line L." in a bad-input file's first line.
fn expected_error_line(first_line: &str) -> Option<u32> {
    if !first_line.contains("bad input") {
        return None;
    }
    let rest = first_line.split("error at line ").nth(1)?;
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

#[test]
fn conformance_models_compile_or_fail_at_the_stated_line() {
    let dir = conformance_dir();
    let Ok(entries) = std::fs::read_dir(&dir) else {
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        assert!(
            !ci,
            "conformance folder {} is missing under CI",
            dir.display()
        );
        eprintln!(
            "note: conformance folder {} not found; set MIGCHECK_CONFORMANCE to run this test",
            dir.display()
        );
        return;
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "mig"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .mig files in {}", dir.display());
    let mut failures = Vec::new();
    for path in &files {
        let src = std::fs::read_to_string(path).expect("readable conformance file");
        let first = src.lines().next().unwrap_or("");
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        match (expected_error_line(first), migcheck_lang::compile(&src)) {
            (None, Ok(_)) => {}
            (None, Err(errs)) => {
                failures.push(format!("{name}: expected to compile, got {errs:?}"))
            }
            (Some(line), Ok(_)) => failures.push(format!(
                "{name}: expected an error at line {line}, compiled"
            )),
            (Some(line), Err(errs)) => {
                if !errs.iter().any(|d| d.span.line == line) {
                    failures.push(format!(
                        "{name}: expected an error at line {line}, got {errs:?}"
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
