//! The bad-input catalogue: one small model per error the front end can report, in
//! `tests/bad_input/`, each checked against its expected stderr (`NAME.mig` and `NAME.stderr`)
//! byte for byte. `tests/bad_input/README.md` lists the entries.
//!
//! After changing a message on purpose, or adding an entry, write the snapshots instead of
//! comparing them, then read the diff of `tests/bad_input/*.stderr` as a user would:
//!
//! ```text
//! MIGCHECK_BLESS=1 cargo test --test tests catalogue
//! ```
//!
//! The other tests here read the snapshots, which the first one keeps equal to the binary's
//! output: each shows one error, at `path:line:col` in the entry's own files, with that source
//! line and a caret under the column.

use std::path::{Path, PathBuf};

use super::util::{migcheck, root};

const FOLDER: &str = "tests/bad_input";

/// Entries whose rendering is known to be wrong, with the reason. The structure test asserts
/// that they still fail it, so that a fix is noticed and the entry leaves this list.
const KNOWN_WRONG: &[(&str, &str)] = &[];

/// The catalogue's entries: the names of `tests/bad_input/*.mig`, sorted.
fn entries() -> Vec<String> {
    names_with_extension("mig")
}

fn names_with_extension(ext: &str) -> Vec<String> {
    let dir = root().join(FOLDER);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/bad_input exists")
        .map(|e| e.expect("a folder entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .map(|p| {
            p.file_stem()
                .expect("a file name")
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

fn snapshot_path(name: &str) -> PathBuf {
    root().join(FOLDER).join(format!("{name}.stderr"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Fails with every problem found, one per line, rather than at the first.
fn assert_no_problems(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "the catalogue has {} problem(s): {what}\n\n{}",
        problems.len(),
        problems.join("\n\n")
    );
}

/// Where two texts first differ, for a short failure message.
fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let i = w.iter().zip(&g).take_while(|(a, b)| a == b).count();
    format!(
        "first difference at line {}:\n  want: {:?}\n  got:  {:?}",
        i + 1,
        w.get(i).unwrap_or(&"(end)"),
        g.get(i).unwrap_or(&"(end)")
    )
}

#[test]
fn every_entry_matches_its_snapshot() {
    let bless = std::env::var_os("MIGCHECK_BLESS").is_some_and(|v| v == "1");
    let names = entries();
    assert!(
        names.len() >= 60,
        "the catalogue has only {} entries",
        names.len()
    );
    let mut problems = Vec::new();
    for name in &names {
        let path = format!("{FOLDER}/{name}.mig");
        let run = migcheck(&["check", &path]);
        if run.stderr.contains("panicked") || run.code != 2 {
            problems.push(format!(
                "{path}: exit code {} (want 2, bad input), stderr:\n{}",
                run.code, run.stderr
            ));
            continue;
        }
        let snapshot = snapshot_path(name);
        if bless {
            std::fs::write(&snapshot, &run.stderr).expect("write the snapshot");
            continue;
        }
        let Ok(want) = std::fs::read_to_string(&snapshot) else {
            problems.push(format!(
                "{path}: no snapshot {FOLDER}/{name}.stderr; write it with \
                 `MIGCHECK_BLESS=1 cargo test --test tests catalogue` and review it"
            ));
            continue;
        };
        if want != run.stderr {
            problems.push(format!(
                "{path}: stderr differs from {name}.stderr ({}); if the change is meant, \
                 bless with `MIGCHECK_BLESS=1 cargo test --test tests catalogue`\ngot:\n{}",
                first_difference(&want, &run.stderr),
                run.stderr
            ));
        }
    }
    assert_no_problems("entries that do not match their snapshots", &problems);
}

#[test]
fn every_snapshot_has_its_model() {
    let models = entries();
    let orphans: Vec<String> = names_with_extension("stderr")
        .into_iter()
        .filter(|s| !models.contains(s))
        .map(|s| format!("{FOLDER}/{s}.stderr has no {s}.mig: delete it or restore the model"))
        .collect();
    assert_no_problems("snapshots without a model", &orphans);
}

/// What is wrong with one rendered error, if anything: it must name a position in the entry's
/// own files (`--> tests/bad_input/NAME...:line:col`), show that source line, and put a caret
/// under the column.
fn structure_problem(name: &str, snapshot: &str) -> Option<String> {
    let lines: Vec<&str> = snapshot.lines().collect();
    let Some(arrow) = lines
        .iter()
        .find_map(|l| l.trim_start().strip_prefix("--> "))
    else {
        return Some("no `--> path:line:col` line".to_string());
    };
    let mut parts = arrow.rsplitn(3, ':');
    let (col, line, path) = (parts.next(), parts.next(), parts.next());
    let (Some(Ok(col)), Some(Ok(line)), Some(path)) = (
        col.map(str::parse::<usize>),
        line.map(str::parse::<usize>),
        path,
    ) else {
        return Some(format!("`{arrow}` is not `path:line:col`"));
    };
    if !path.starts_with(&format!("{FOLDER}/{name}")) {
        return Some(format!(
            "the position `{arrow}` is not in the entry's own files"
        ));
    }
    let text = std::fs::read_to_string(root().join(path)).ok()?;
    let Some(source) = text.lines().nth(line.wrapping_sub(1)) else {
        return Some(format!("`{path}` has no line {line}"));
    };
    // The source line is shown as `N | text` (a long one cut short with `...`), and the caret
    // line right after it as `  | ^^^`, the first `^` under column `col`.
    let prefix = format!("{line} |");
    let Some(at) = lines
        .iter()
        .position(|l| l.trim_start().starts_with(&prefix))
    else {
        return Some(format!("no source line `{prefix} ...`"));
    };
    let shown = lines[at];
    let bar = shown.find('|').expect("the prefix has a bar");
    let shown_text = shown[bar + 1..].strip_prefix(' ').unwrap_or("");
    let shown_text = shown_text.strip_suffix("...").unwrap_or(shown_text);
    if !source.starts_with(shown_text) {
        return Some(format!(
            "the line shown, {shown_text:?}, is not line {line} of `{path}`, {source:?}"
        ));
    }
    let caret = lines.get(at + 1).copied().unwrap_or("");
    let Some(first) = caret.find('^') else {
        return Some("no caret under the source line".to_string());
    };
    let caret_col = caret[..first].len().saturating_sub(bar + 2) + 1;
    if caret_col != col {
        return Some(format!(
            "the caret is at column {caret_col}, the position says {col}"
        ));
    }
    None
}

#[test]
fn every_snapshot_shows_one_error_with_its_position_line_and_caret() {
    let mut problems = Vec::new();
    for name in entries() {
        let Ok(snapshot) = std::fs::read_to_string(snapshot_path(&name)) else {
            continue; // reported by every_entry_matches_its_snapshot
        };
        let errors = snapshot
            .lines()
            .filter(|l| l.starts_with("error: "))
            .count();
        if errors != 1 || !snapshot.contains("(1 error(s))") {
            problems.push(format!(
                "{name}: shows {errors} errors, where an entry shows exactly one:\n{snapshot}"
            ));
        }
        let problem = structure_problem(&name, &snapshot);
        match (KNOWN_WRONG.iter().find(|(n, _)| *n == name), problem) {
            (None, Some(p)) => problems.push(format!("{name}: {p}:\n{snapshot}")),
            (Some((_, why)), None) => problems.push(format!(
                "{name}: now renders well; remove it from KNOWN_WRONG (it was: {why})"
            )),
            _ => {}
        }
    }
    assert_no_problems(
        "snapshots that do not show one error at its place",
        &problems,
    );
}

#[test]
fn every_entry_says_what_it_shows_and_is_listed_in_the_readme() {
    let readme = read(&root().join(FOLDER).join("README.md"));
    let mut problems = Vec::new();
    for name in entries() {
        let text = read(&root().join(FOLDER).join(format!("{name}.mig")));
        if !text.starts_with("// ") {
            problems.push(format!(
                "{name}.mig: the first line is not a `// ` comment saying what it shows"
            ));
        }
        if !readme.contains(&format!("`{name}`")) {
            problems.push(format!("{name}: not listed in {FOLDER}/README.md"));
        }
    }
    assert_no_problems("entries not documented", &problems);
}
