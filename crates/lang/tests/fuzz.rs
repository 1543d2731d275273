//! Bounded fuzzing of the front end inside `cargo test`: the oracle of the `parse_check` fuzz
//! target (`fuzz/src/lang.rs`, included here by path) over thousands of seeded inputs, mostly
//! mutations of the bundled models (models/, the Nova libraries, ../shared/conformance/), then
//! random bytes and token soups, then fixed inputs that once broke something.
//!
//! Every run uses the same inputs. Longer or different runs, and the cargo-fuzz targets, are in
//! docs/fuzzing.md:
//!
//! ```sh
//! MIGCHECK_FUZZ_CASES=100000 MIGCHECK_FUZZ_SEED=7 cargo test --release -p migcheck-lang --test fuzz
//! ```
//!
//! A failure prints the input (as a Rust string literal) and what broke; add it to
//! [`regressions`] once fixed.

// The harness serves the fuzz targets too; this file uses only part of it.
#[allow(dead_code)]
#[path = "../../../fuzz/src/bounded.rs"]
mod bounded;
#[allow(dead_code)]
#[path = "../../../fuzz/src/lang.rs"]
mod lang;
#[allow(dead_code)]
#[path = "../../../fuzz/src/mutate.rs"]
mod mutate;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use arbitrary::Unstructured;
use mutate::Rng;

/// Inputs that once broke the front end, each with what it broke (built by code where they are
/// too long to write out).
fn regressions() -> Vec<(String, &'static str)> {
    let deep = 5000;
    vec![
        (
            format!("model m\nshared x: {}int = 0\n", "map[0..1] ".repeat(deep)),
            "nested map types overflowed the parser's stack",
        ),
        (
            format!(
                "model m\nshared x: {}0..1{} = 0\n",
                "map[".repeat(deep),
                "] int".repeat(deep)
            ),
            "map types nested in keys overflowed the parser's stack",
        ),
        (
            format!(
                "model m\nproc p(a: {}int) {{ skip }}\n",
                "map[E] ".repeat(deep)
            ),
            "nested map types of a parameter overflowed the parser's stack",
        ),
    ]
}

/// The number of generated inputs of the mutation test (the others take a fraction of it).
fn cases() -> u64 {
    bounded::cases(3000)
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A seed of the mutations: a path relative to the repository (for include resolution) and text.
struct Seed {
    path: String,
    text: String,
}

fn relative(p: &Path) -> String {
    let root = repo().canonicalize().unwrap_or_else(|_| repo());
    let p = p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    match p.strip_prefix(&root) {
        Ok(r) => r.to_string_lossy().into_owned(),
        Err(_) => format!(
            "conformance/{}",
            p.file_name().unwrap_or_default().to_string_lossy()
        ),
    }
}

/// The bundled models (and libraries, fuzzed as models too), and the libraries by resolved path.
fn corpus() -> (Vec<Seed>, Vec<(String, String)>) {
    let mut seeds = Vec::new();
    let mut libs = Vec::new();
    let conformance = repo().join("../shared/conformance");
    for p in bounded::files(&repo().join("models"), &[".mig", ".migl"])
        .into_iter()
        .chain(bounded::files(&conformance, &[".mig"]))
    {
        let text = std::fs::read_to_string(&p).expect("a bundled model is readable");
        let path = relative(&p);
        if path.ends_with(".migl") {
            libs.push((path.clone(), text.clone()));
        }
        seeds.push(Seed { path, text });
    }
    assert!(
        seeds.len() >= 40,
        "only {} bundled models found under {}",
        seeds.len(),
        repo().display()
    );
    (seeds, libs)
}

/// Runs the oracle on one input; a panic or a broken rule comes back as `Err`.
fn run(path: &str, text: &str, libs: &lang::Libraries) -> Result<bool, String> {
    match catch_unwind(AssertUnwindSafe(|| lang::check_source(path, text, libs))) {
        Ok(Ok(compiled)) => Ok(compiled.is_some()),
        Ok(Err(broken)) => Err(broken),
        Err(panic) => Err(bounded::panic_text(panic)),
    }
}

/// Fails with the first few failures, each with its input.
fn report(what: &str, failures: &[(String, String, String)], total: u64) {
    if failures.is_empty() {
        return;
    }
    let mut msg = format!(
        "{} of {total} {what} broke the front end:\n",
        failures.len()
    );
    for (label, text, why) in failures.iter().take(3) {
        msg.push_str(&format!("\n--- {label}: {why}\ninput: {text:?}\n"));
    }
    panic!("{msg}");
}

#[test]
fn bundled_models_pass_the_oracle() {
    let (seeds, libs) = corpus();
    let mut failures = Vec::new();
    for s in &seeds {
        let lib = s.path.ends_with(".migl");
        match run(&s.path, &s.text, &libs) {
            Ok(compiled) => {
                // The library files are not models; the conformance folder holds bad inputs too.
                if !compiled && s.path.starts_with("models/") && !lib {
                    failures.push((s.path.clone(), s.text.clone(), "does not compile".into()));
                }
            }
            Err(why) => failures.push((s.path.clone(), s.text.clone(), why)),
        }
    }
    report("bundled models", &failures, seeds.len() as u64);
}

#[test]
fn mutated_models_never_break_the_front_end() {
    let (seeds, libs) = corpus();
    let texts: Vec<&str> = seeds.iter().map(|s| s.text.as_str()).collect();
    let mut rng = Rng(bounded::seed() ^ 0x6c61_6e67);
    let mut failures = Vec::new();
    let mut compiled = 0u64;
    let n = cases();
    for case in 0..n {
        let s = &seeds[rng.below(seeds.len() as u64) as usize];
        let bytes = rng.bytes(48);
        let text = mutate::mutate(&s.text, &texts, &mut Unstructured::new(&bytes));
        match run(&s.path, &text, &libs) {
            Ok(c) => compiled += u64::from(c),
            Err(why) => failures.push((format!("case {case}, from {}", s.path), text, why)),
        }
    }
    eprintln!("{n} mutated models, {compiled} of them compiled");
    report("mutated models", &failures, n);
    // Mutations keep many models valid, so the checker and lowering are fuzzed too, not only the
    // parser's error paths.
    assert!(
        compiled * 10 >= n,
        "only {compiled} of {n} mutants compiled"
    );
}

#[test]
fn random_bytes_and_token_soups_never_break_the_front_end() {
    let mut rng = Rng(bounded::seed() ^ 0x736f_7570);
    let mut failures = Vec::new();
    let n = cases() / 3;
    for case in 0..n {
        let text = if case % 2 == 0 {
            let len = rng.below(200) as usize;
            String::from_utf8_lossy(&rng.bytes(len)).into_owned()
        } else {
            let mut t = String::from("model m\n");
            for _ in 0..rng.below(60) {
                let pool = if rng.below(4) == 0 {
                    mutate::INTS
                } else {
                    mutate::TOKENS
                };
                t.push_str(pool[rng.below(pool.len() as u64) as usize]);
                t.push(' ');
            }
            t
        };
        if let Err(why) = run("soup.mig", &text, &[]) {
            failures.push((format!("case {case}"), text, why));
        }
    }
    report("random inputs", &failures, n);
}

/// A model that uses most of the language, for [`every_prefix_is_handled`].
const SAMPLE: &str = r#"model alloc "doc"
const HOSTS = 3
enum Status { pre, mid, done, error }
shared usage: map[0..HOSTS] int = 0
shared status: Status = pre
shared n: 0..=4 = 1
lock l
task migrate[i in 0..2] {
    choose h in 0..HOSTS
    lock l
    atomic { if usage[h] < 2 { usage[h] = usage[h] + 1 } else if h == 1 { skip } else { return } }
    unlock l
    either { status = done }
    or     { status = error }
    for s in Status { while false { let q = -(1 % 2) } }
    assert !(h > 5), "bad"
    await status != pre
}
invariant capacity: usage[0] <= 2 && usage[1] <= 2 || (usage[2] ==
    0)
final f: status == done
expect lost_update usage
"#;

/// A model cut anywhere (an editor's buffer, a truncated file) is refused with diagnostics that
/// pass the oracle, or compiles.
#[test]
fn every_prefix_is_handled() {
    let mut failures = Vec::new();
    for (i, _) in SAMPLE.char_indices() {
        let text = &SAMPLE[..i];
        if let Err(why) = run("prefix.mig", text, &[]) {
            failures.push((format!("prefix of {i} bytes"), text.to_string(), why));
        }
    }
    report("prefixes", &failures, SAMPLE.len() as u64);
    assert!(
        run("sample.mig", SAMPLE, &[]) == Ok(true),
        "the sample compiles"
    );
}

#[test]
fn regressions_stay_fixed() {
    let cases = regressions();
    let mut failures = Vec::new();
    for (text, what) in &cases {
        if let Err(why) = run("regression.mig", text, &[]) {
            failures.push((what.to_string(), text.clone(), why));
        }
    }
    report("regressions", &failures, cases.len() as u64);
}

/// Nesting past the parser's limit, of every kind that nests, is refused with one clear error
/// (the stack of a test thread is 2 MiB, smaller than a main thread's: an unguarded recursion
/// over 5000 levels overflows it).
#[test]
fn deep_nesting_is_refused_cleanly() {
    let n = 5000;
    let cases = [
        (
            "map types",
            format!("model m\nshared x: {}int = 0\n", "map[0..1] ".repeat(n)),
        ),
        (
            "parentheses",
            format!("model m\nconst C = {}1{}\n", "(".repeat(n), ")".repeat(n)),
        ),
        (
            "negations",
            format!("model m\nconst C = {}1\n", "-".repeat(n)),
        ),
        (
            "blocks",
            format!(
                "model m\ntask a {}{}\n",
                "{ atomic ".repeat(n),
                "}".repeat(n)
            ),
        ),
        (
            "map reads",
            format!(
                "model m\nshared m: map[0..2] int = 0\ntask a {{ let v = {}0{} }}\n",
                "m[".repeat(n),
                "]".repeat(n)
            ),
        ),
        (
            "calls",
            format!(
                "model m\nproc p(a: int) {{ skip }}\ntask a {{ p({}1{}) }}\n",
                "p(".repeat(n),
                ")".repeat(n)
            ),
        ),
    ];
    for (what, text) in cases {
        let errors = migcheck_lang::compile(&text).expect_err(what);
        assert_eq!(errors.len(), 1, "{what}: {errors:?}");
        assert!(
            errors[0].message.contains("nested too deeply"),
            "{what}: {errors:?}"
        );
        assert_eq!(run("deep.mig", &text, &[]), Ok(false), "{what}");
    }
}

/// The oracle itself: a diagnostic's position must be its start's line and character column.
#[test]
fn the_oracle_checks_positions_in_characters() {
    let files = [migcheck_lang::SourceFile {
        path: "m.mig".into(),
        text: "model m\nx \u{e9} y\n".into(),
    }];
    let y = files[0].text.find('y').expect("a y");
    assert_eq!(lang::position(&files[0].text, y), (2, 5));
    let at = |start: usize, end: usize, line: u32, col: u32| migcheck_lang::Span {
        start: start as u32,
        end: end as u32,
        line,
        col,
        file: 0,
    };
    assert_eq!(lang::check_span(&files, at(y, y + 1, 2, 5), "y"), Ok(()));
    // The column counted in bytes, not characters.
    assert!(lang::check_span(&files, at(y, y + 1, 2, 6), "y").is_err());
    // Past the end, inside the two bytes of `é`, in a file that does not exist.
    assert!(lang::check_span(&files, at(y, 99, 2, 5), "y").is_err());
    assert!(lang::check_span(&files, at(y - 2, y, 2, 4), "y").is_err());
    let mut other = at(y, y + 1, 2, 5);
    other.file = 1;
    assert!(lang::check_span(&files, other, "y").is_err());
}
