//! `include` of library files through an in-memory loader: resolution, include-once, cycles,
//! library restrictions, and the file index of spans and diagnostics.

use std::collections::HashMap;

use migcheck_lang::ast::Item;
use migcheck_lang::ir::{InstrKind, Model};
use migcheck_lang::parser::parse;
use migcheck_lang::{compile, compile_file, Failure, SourceFile};

/// Compiles `files[main]` with a loader over `files`.
fn compile_in(files: &[(&str, &str)], main: &str) -> Result<Model, Failure> {
    let map: HashMap<String, String> = files
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect();
    let load = |p: &str| -> Result<String, String> {
        map.get(p)
            .cloned()
            .ok_or_else(|| "No such file or directory".to_string())
    };
    let src = map.get(main).expect("main file").clone();
    compile_file(main, &src, &load)
}

fn ok(files: &[(&str, &str)], main: &str) -> Model {
    compile_in(files, main).unwrap_or_else(|f| panic!("does not compile: {f:?}"))
}

fn fail(files: &[(&str, &str)], main: &str) -> Failure {
    match compile_in(files, main) {
        Ok(_) => panic!("compiled"),
        Err(f) => f,
    }
}

/// The diagnostics as (file, line, col, message).
fn diags(f: &Failure) -> Vec<(u32, u32, u32, String)> {
    f.diagnostics
        .iter()
        .map(|d| (d.span.file, d.span.line, d.span.col, d.message.clone()))
        .collect()
}

const PLACEMENT: &str = "library placement \"allocation writes\"
// Declared by the model that includes this library: `consumer_gen`, `Consumer`.
include \"common.migl\"

shared alloc: map[Host] int = 0

proc claim(c: Consumer, h: Host, seen: int, out ok: bool) {
    atomic {
        if consumer_gen[c] != seen { ok = false; return }
        alloc[h] = alloc[h] + 1
        consumer_gen[c] = seen + 1
        ok = true
    }
}
";

const COMMON: &str = "library common\nenum Host { h0, h1 }\nconst RETRIES = 2\n";

const MODEL: &str = "model mig
include \"lib/placement.migl\"
enum Consumer { inst, migr }
shared consumer_gen: map[Consumer] int = 0
task a {
    let g = consumer_gen[inst]
    let ok = false
    claim(inst, h0, g, ok)
}
";

fn nova() -> Vec<(&'static str, &'static str)> {
    vec![
        ("models/nova/mig.mig", MODEL),
        ("models/nova/lib/placement.migl", PLACEMENT),
        ("models/nova/lib/common.migl", COMMON),
    ]
}

#[test]
fn include_parses_as_a_declaration() {
    let m = parse("model t\ninclude \"lib/a.migl\"\nconst A = 1\n").expect("parses");
    let Item::Include { path, span } = &m.items[0] else {
        panic!("{:?}", m.items[0])
    };
    assert_eq!(path, "lib/a.migl");
    assert_eq!((span.line, span.col, span.start, span.end), (2, 1, 8, 28));
}

#[test]
fn included_declarations_are_visible_and_libraries_use_the_models_names() {
    let m = ok(&nova(), "models/nova/mig.mig");
    let files: Vec<&str> = m.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        files,
        vec![
            "models/nova/mig.mig",
            "models/nova/lib/placement.migl",
            "models/nova/lib/common.migl"
        ]
    );
    assert_eq!(m.files[0].text, MODEL);
    assert_eq!(m.files[2].text, COMMON);
    // Declaration order: the nested include's, then the library's, then the model's.
    let enums: Vec<&str> = m.enums.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(enums, vec!["Host", "Consumer"]);
    let shared: Vec<&str> = m.shared.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(shared, vec!["alloc", "consumer_gen"]);
    // Spans of included declarations carry their file.
    assert_eq!((m.enums[0].span.file, m.enums[0].span.line), (2, 2));
    assert_eq!((m.shared[0].span.file, m.shared[0].span.line), (1, 5));
    assert_eq!((m.shared[1].span.file, m.shared[1].span.line), (0, 4));
    // The inlined call's instructions point into the library; the task's into the model.
    let code = &m.bodies[0].code;
    let at: Vec<(u32, u32)> = code.iter().map(|i| (i.span.file, i.span.line)).collect();
    assert_eq!(at[0], (0, 6));
    assert!(matches!(code[0].kind, InstrKind::SetLocal { .. }));
    let begin = code
        .iter()
        .position(|i| matches!(i.kind, InstrKind::AtomicBegin { .. }))
        .expect("the proc's atomic block");
    assert_eq!(at[begin], (1, 8));
    assert_eq!(at[begin + 1], (1, 9));
}

#[test]
fn a_file_included_twice_is_included_once() {
    let files = [
        (
            "m.mig",
            "model m\ninclude \"a.migl\"\ninclude \"./a.migl\"\ninclude \"b.migl\"\n",
        ),
        ("a.migl", "library a\nconst A = 1\n"),
        (
            "b.migl",
            "library b\ninclude \"sub/../a.migl\"\nconst B = A + 1\n",
        ),
    ];
    let m = ok(&files, "m.mig");
    let paths: Vec<&str> = m.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, vec!["m.mig", "a.migl", "b.migl"]);
}

#[test]
fn duplicates_across_files_name_both_positions() {
    let files = [
        ("dir/m.mig", "model m\ninclude \"a.migl\"\nconst A = 2\n"),
        ("dir/a.migl", "library a\n\nconst A = 1\n"),
    ];
    let f = fail(&files, "dir/m.mig");
    assert_eq!(
        diags(&f),
        vec![(0, 3, 7, "`A` is declared twice".to_string())]
    );
    let hint = f.diagnostics[0].hint.clone().unwrap_or_default();
    assert!(hint.contains("line 3 of `dir/a.migl`"), "{hint}");
}

#[test]
fn an_include_cycle_is_an_error_at_the_include_that_closes_it() {
    let files = [
        ("m.mig", "model m\ninclude \"lib/a.migl\"\n"),
        ("lib/a.migl", "library a\ninclude \"b.migl\"\n"),
        (
            "lib/b.migl",
            "library b\nconst B = 1\n  include \"a.migl\"\n",
        ),
    ];
    let f = fail(&files, "m.mig");
    assert_eq!(
        diags(&f),
        vec![(
            2,
            3,
            3,
            "include cycle: lib/a.migl -> lib/b.migl -> lib/a.migl".to_string()
        )]
    );
    assert_eq!(f.files[2].path, "lib/b.migl");
}

#[test]
fn a_missing_file_is_an_error_at_its_include() {
    let files = [(
        "models/m.mig",
        "model m\nconst A = 1\ninclude \"lib/nope.migl\"\n",
    )];
    let f = fail(&files, "models/m.mig");
    assert_eq!(
        diags(&f),
        vec![(
            0,
            3,
            1,
            "cannot read `lib/nope.migl`: No such file or directory".to_string()
        )]
    );
    let hint = f.diagnostics[0].hint.clone().unwrap_or_default();
    assert!(hint.contains("`models/lib/nope.migl`"), "{hint}");
    assert_eq!(f.files.len(), 1);
}

#[test]
fn a_library_holds_no_tasks_properties_or_expect() {
    for (decl, word) in [
        ("task t { skip }", "task"),
        ("invariant i: true", "invariant"),
        ("final f: true", "final"),
        ("expect ok", "expect"),
        ("model other", "model"),
    ] {
        let lib = format!("library l\nconst A = 1\n{decl}\n");
        let files = [("m.mig", "model m\ninclude \"l.migl\"\n"), ("l.migl", &lib)];
        let f = fail(&files, "m.mig");
        assert_eq!(
            diags(&f),
            vec![(1, 3, 1, format!("`{word}` is not allowed in a library"))],
            "{decl}"
        );
        assert_eq!(
            f.files[1],
            SourceFile {
                path: "l.migl".to_string(),
                text: lib.clone()
            }
        );
    }
}

#[test]
fn an_included_file_is_a_migl_library() {
    let files = [
        (
            "m.mig",
            "model m\ninclude \"other.mig\"\ninclude \"l.migl\"\n",
        ),
        ("other.mig", "model other\n"),
        ("l.migl", "model l\n"),
    ];
    let f = fail(&files, "m.mig");
    let d = diags(&f);
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(
        d[0],
        (
            0,
            2,
            1,
            "cannot include `other.mig`: it is not a library".to_string()
        )
    );
    assert_eq!(
        d[1],
        (1, 1, 1, "expected `library`, found `model`".to_string())
    );
}

#[test]
fn a_library_is_not_a_model() {
    let files = [("l.migl", "library l\nconst A = 1\n")];
    let f = fail(&files, "l.migl");
    assert_eq!(
        diags(&f),
        vec![(
            0,
            1,
            1,
            "expected `model`, found identifier `library`".to_string()
        )]
    );
    assert!(f.diagnostics[0]
        .hint
        .as_deref()
        .is_some_and(|h| h.contains("this is a library")));
}

#[test]
fn errors_inside_an_included_file_carry_its_index() {
    // A syntax error: parsing stops in that file.
    let files = [
        ("m.mig", "model m\ninclude \"a.migl\"\ninclude \"b.migl\"\n"),
        ("a.migl", "library a\nconst A = 1\n"),
        ("b.migl", "library b\n\nconst = 2\n"),
    ];
    let f = fail(&files, "m.mig");
    assert_eq!(
        diags(&f),
        vec![(
            2,
            3,
            7,
            "expected the constant's name, found `=`".to_string()
        )]
    );
    assert_eq!(f.files.len(), 3);
    assert_eq!(f.files[2].path, "b.migl");
    assert_eq!(f.files[2].text, "library b\n\nconst = 2\n");
    // A check error in a library proc, and one in the model: ordered by file.
    let files = [
        (
            "m.mig",
            "model m\ninclude \"p.migl\"\ntask t { let v = nope }\n",
        ),
        ("p.migl", "library p\nproc f() {\n  let y = true + 1\n}\n"),
    ];
    let f = fail(&files, "m.mig");
    assert_eq!(
        diags(&f),
        vec![
            (0, 3, 18, "unknown name `nope`".to_string()),
            (
                1,
                3,
                11,
                "`+` needs two integers, found `bool` and `int`".to_string()
            ),
        ]
    );
    assert_eq!(f.files[1].path, "p.migl");
}

#[test]
fn compile_without_a_file_refuses_include() {
    let errs = compile("model m\ninclude \"a.migl\"\n").expect_err("refused");
    assert_eq!(errs.len(), 1);
    assert_eq!(
        errs[0].message,
        "`include` needs a file: check the model through a path"
    );
    assert_eq!((errs[0].span.line, errs[0].span.col), (2, 1));
    // A model without includes: one file, with no path.
    let m = compile("model m\n").expect("compiles");
    assert_eq!(
        m.files,
        vec![SourceFile {
            path: String::new(),
            text: "model m\n".to_string()
        }]
    );
    // The same through a path, with a loader that is never called.
    let m = compile_file(
        "x/m.mig",
        "model m\n",
        &|_: &str| -> Result<String, String> { panic!("no include to load") },
    )
    .expect("compiles");
    assert_eq!(m.files[0].path, "x/m.mig");
}

#[test]
fn the_words_of_the_extensions_stay_usable_as_names() {
    compile(
        "model m\nshared include: int = 0\nshared library: int = 0\nshared proc: int = 0\nshared out: int = 0\ntask t { include = 1; proc = library + out }\n",
    )
    .expect("compiles");
}

#[test]
fn include_paths_are_resolved_against_the_including_file() {
    use migcheck_lang::source::resolve_include;
    assert_eq!(
        resolve_include("models/nova/m.mig", "lib/p.migl"),
        "models/nova/lib/p.migl"
    );
    assert_eq!(
        resolve_include("models/nova/m.mig", "../common/c.migl"),
        "models/common/c.migl"
    );
    assert_eq!(resolve_include("m.mig", "./p.migl"), "p.migl");
    assert_eq!(resolve_include("m.mig", "../p.migl"), "../p.migl");
    assert_eq!(resolve_include("/abs/m.mig", "../../p.migl"), "/p.migl");
    assert_eq!(resolve_include("a/m.mig", "/lib/p.migl"), "/lib/p.migl");
}

/// The fenced block of docs/extensions.md that starts with `first_line`.
fn doc_block(doc: &str, first_line: &str) -> String {
    doc.split("```\n")
        .find(|b| b.starts_with(first_line))
        .unwrap_or_else(|| panic!("no block starting with {first_line:?}"))
        .to_string()
}

#[test]
fn the_documented_placement_example_compiles() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/extensions.md");
    let doc = std::fs::read_to_string(path).expect("docs/extensions.md");
    let lib = doc_block(&doc, "library placement \"Placement: allocations");
    let model = doc_block(&doc, "model migrate_claim");
    let files = [
        ("models/nova/migrate_claim.mig", model.as_str()),
        ("models/nova/lib/placement.migl", lib.as_str()),
    ];
    let m = ok(&files, "models/nova/migrate_claim.mig");
    assert_eq!(m.files.len(), 2);
    // conductor: `let g`, `let ok`, three bindings, the atomic block (with its `return` exit),
    // then the `assert`.
    let code = &m.bodies[0].code;
    let shared: Vec<bool> = code.iter().map(|i| i.shared).collect();
    assert_eq!(&shared[..6], &[true, false, false, false, false, true]);
    assert!(matches!(code[5].kind, InstrKind::AtomicBegin { .. }));
    assert_eq!(code[5].span.file, 1);
    assert!(matches!(
        code.last().map(|i| &i.kind),
        Some(InstrKind::Assert { .. })
    ));
}
