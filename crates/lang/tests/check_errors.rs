//! Check errors: every class, with its line and column, and several errors reported together.

mod common;
use common::*;

use migcheck_lang::compile;

const H: &str = "model t\nenum S { p, q }\nconst N = 2\nshared x: int = 0\nshared b: bool = false\nshared s: S = p\nshared m: map[0..N] int = 0\nshared e: map[S] bool = false\nlock l\n";

/// `H` is 9 lines; the line after it is 10.
fn task(body: &str) -> String {
    format!("{H}task a {{ {body} }}\n")
}

#[test]
fn names() {
    fails_at(
        "model t\nconst A = 1\nlock A",
        3,
        6,
        "`A` is declared twice",
    );
    fails_at(
        "model t\nenum A { x, y }\nenum B { y }",
        3,
        10,
        "`y` is declared twice",
    );
    fails_at(
        "model t\nshared x: int = 0\nenum x { a }",
        3,
        6,
        "declared twice",
    );
    fails_at(
        "model t\ntask a { }\ntask a { }",
        3,
        6,
        "task `a` is declared twice",
    );
    fails_at(
        "model t\ninvariant i: true\nfinal i: true",
        3,
        7,
        "property `i` is declared twice",
    );
    fails_at(&task("y = 1"), 10, 10, "unknown name `y`");
    fails_at(&task("let v = zz"), 10, 18, "unknown name `zz`");
    fails_at(
        &task("let x = 1"),
        10,
        14,
        "the local `x` would shadow a shared variable",
    );
    fails_at(
        &task("choose p in 0..2"),
        10,
        17,
        "would shadow an enum variant",
    );
    fails_at(
        "model t\nconst N = 1\ntask a[N in 0..2] { }",
        3,
        8,
        "would shadow a constant",
    );
    fails_at(&task("lock x"), 10, 15, "`x` is not a lock");
    fails_at(&task("unlock nope"), 10, 17, "unknown lock `nope`");
    fails_at(&task("let v = l"), 10, 18, "`l` is a lock, not a value");
    fails_at(&task("let v = S"), 10, 18, "`S` is an enum, not a value");
    fails_at(&task("let v = m"), 10, 18, "`m` is a map and needs a key");
    fails_at(&task("let v = x[0]"), 10, 18, "`x` is not a map");
    fails_at(&task("for v in N { }"), 10, 19, "`N` is not an enum");
    fails_at("model t\nshared x: Nope = 0", 2, 11, "unknown type `Nope`");
}

#[test]
fn assignments() {
    fails_at(
        &task("b = 1"),
        10,
        14,
        "mismatched types: expected `bool`, found `int`",
    );
    fails_at(
        &task("for i in 0..3 { i = 2 }"),
        10,
        26,
        "cannot assign to `i`: it is a `for` variable",
    );
    fails_at(
        "model t\ntask a[i in 0..2] { i = 1 }",
        2,
        21,
        "it is a task's index",
    );
    fails_at(
        &task("N = 1"),
        10,
        10,
        "cannot assign to `N`: it is a constant",
    );
    fails_at(&task("p = q"), 10, 10, "it is an enum variant");
    fails_at(&task("m = 1"), 10, 10, "`m` is a map: assign to one key");
    fails_at(&task("let v = 1; v[0] = 1"), 10, 21, "`v` is not a map");
    fails_at(
        &task("let v = true; v = 3"),
        10,
        28,
        "expected `bool`, found `int`",
    );
    fails_at(&task("s = 1"), 10, 14, "expected `S`, found `int`");
    // `choose` declares an assignable local; a `let` local and a range write are fine.
    assert!(compile(&task("choose c in S; c = q; let v = 1; v = 2; x = v")).is_ok());
}

#[test]
fn expression_types() {
    fails_at(
        &task("let v = 1 + true"),
        10,
        18,
        "`+` needs two integers, found `int` and `bool`",
    );
    fails_at(&task("let v = -b"), 10, 18, "`-` needs `int`, found `bool`");
    fails_at(&task("let v = !x"), 10, 18, "`!` needs `bool`, found `int`");
    fails_at(&task("let v = p < q"), 10, 18, "`<` needs two integers");
    fails_at(
        &task("let v = s == 1"),
        10,
        18,
        "`==` needs two values of one type, found `S` and `int`",
    );
    fails_at(&task("let v = x && b"), 10, 18, "`&&` needs two `bool`s");
    fails_at(
        &task("if x { skip }"),
        10,
        13,
        "a condition must be `bool`, found `int`",
    );
    fails_at(
        &task("while 1 { skip }"),
        10,
        16,
        "a condition must be `bool`",
    );
    fails_at(
        &task("await s"),
        10,
        16,
        "a condition must be `bool`, found `S`",
    );
    fails_at(&task("assert x"), 10, 17, "a condition must be `bool`");
    fails_at(
        "model t\nshared x: int = 0\ninvariant i: x + 1",
        3,
        14,
        "a condition must be `bool`",
    );
    fails_at(
        &task("choose c in 0..b"),
        10,
        25,
        "a range bound must be an integer, found `bool`",
    );
}

#[test]
fn map_keys() {
    fails_at(
        &task("m[p] = 1"),
        10,
        12,
        "a key of `m` must be `int`, found `S`",
    );
    fails_at(
        &task("e[0] = true"),
        10,
        12,
        "a key of `e` must be `S`, found `int`",
    );
    fails_at(
        &task("m[2] = 1"),
        10,
        12,
        "the key 2 is outside the domain 0..2 of `m`",
    );
    fails_at(
        &task("let v = m[N - 3]"),
        10,
        20,
        "the key -1 is outside the domain",
    );
    // A key from state is checked at run time.
    assert!(compile(&task("let k = 5; m[k] = 1")).is_ok());
}

#[test]
fn declarations() {
    fails_at(
        "model t\nshared x: 0..3 = 3",
        2,
        18,
        "the initial value 3 is outside the type 0..3",
    );
    fails_at(
        "model t\nshared x: 0..=3 = [1]",
        2,
        19,
        "a list of initial values is for a map",
    );
    fails_at(
        "model t\nshared m: map[0..3] int = [1, 2]",
        2,
        27,
        "the map has 3 keys but 2 initial values are given",
    );
    fails_at(
        "model t\nshared m: map[0..3] 0..2 = [0, 1, 2]",
        2,
        35,
        "outside the type 0..2",
    );
    fails_at(
        "model t\nshared m: map[int] int = 0",
        2,
        15,
        "a map's keys must be a range or an enum",
    );
    fails_at(
        "model t\nshared m: map[0..2] map[0..2] int = 0",
        2,
        21,
        "a map cannot hold maps",
    );
    fails_at(
        "model t\nshared x: int = 0\nshared y: int = x",
        3,
        17,
        "an initial value cannot read shared state",
    );
    fails_at(
        "model t\nshared b: bool = 0",
        2,
        18,
        "expected `bool`, found `int`",
    );
    fails_at(
        "model t\nconst A = 9223372036854775807 + 1",
        2,
        11,
        "integer overflow in a constant expression",
    );
    fails_at(
        "model t\nconst A = 1 / (2 - 2)",
        2,
        11,
        "division by zero in a constant expression",
    );
    fails_at(
        "model t\nconst A = B\nconst B = 1",
        2,
        11,
        "unknown name `B`",
    );
    fails_at(
        "model t\nconst A = true",
        2,
        11,
        "a constant's value must be an integer, found `bool`",
    );
    fails_at(
        "model t\nshared x: int = 0\nconst A = x",
        3,
        11,
        "a constant's value cannot read shared state",
    );
    fails_at("model t\nenum E { }", 2, 6, "enum `E` has no variants");
    fails_at(
        "model t\nshared x: 0..9223372036854775807 = 0\nshared y: 0..=9223372036854775807 = 0",
        3,
        15,
        "the range's upper bound overflows",
    );
}

#[test]
fn properties_and_expect() {
    fails_at(
        "model t\ntask a { let v = 1 }\ninvariant i: v == 1",
        3,
        14,
        "unknown name `v`",
    );
    fails_at(
        "model t\nshared b: bool = false\ntask a { b = true }\nexpect invariant nosuch",
        4,
        18,
        "names no invariant `nosuch`",
    );
    fails_at(
        "model t\nfinal f: true\nexpect final g",
        3,
        14,
        "names no final property `g`",
    );
    fails_at(
        "model t\ninvariant f: true\nexpect final f",
        3,
        14,
        "names no final property `f`",
    );
    fails_at(
        "model t\nconst x = 1\nexpect lost_update x",
        3,
        20,
        "names no shared variable `x`",
    );
    fails_at(
        "model t\nexpect ok\nexpect deadlock",
        3,
        1,
        "at most one `expect`",
    );
}

#[test]
fn several_errors_are_reported_together_in_source_order() {
    let errs = errors(&format!(
        "{H}task a {{\n b = 1\n y = 2\n}}\ninvariant i: x\n"
    ));
    let lines: Vec<u32> = errs.iter().map(|e| e.0).collect();
    assert_eq!(lines, vec![11, 12, 14], "{errs:?}");
    assert!(errs.iter().all(|(_, _, m)| m
        .chars()
        .next()
        .is_some_and(|c| c.is_lowercase() || c == '`')));
}

#[test]
fn locals_shadow_outer_locals_and_go_out_of_scope() {
    assert!(compile(&task("let v = 1; if true { let v = b; b = v }; x = v")).is_ok());
    fails_at(
        &task("if true { let w = 1 }; x = w"),
        10,
        37,
        "unknown name `w`",
    );
}

/// The message and hint of the only error of `src`.
fn only_error(src: &str) -> (String, Option<String>) {
    match compile(src) {
        Ok(_) => panic!("compiled: {src}"),
        Err(e) => {
            assert_eq!(e.len(), 1, "{src:?}: want one error, got {e:?}");
            (e[0].message.clone(), e[0].hint.clone())
        }
    }
}

/// Asserts that `src` fails with one error whose message contains `msg` and whose hint
/// contains `hint`.
fn hinted(src: &str, msg: &str, hint: &str) {
    let (m, h) = only_error(src);
    assert!(m.contains(msg), "{src:?}: message {m:?}, want {msg:?}");
    let h = h.unwrap_or_default();
    assert!(h.contains(hint), "{src:?}: hint {h:?}, want {hint:?}");
}

#[test]
fn misspelled_names_get_the_closest_declared_one() {
    hinted(&task("let v = usage"), "unknown name `usage`", "");
    hinted(
        "model t\nshared alloc_inst: int = 0\ntask a { let v = alloc_isnt }",
        "unknown name `alloc_isnt`",
        "did you mean `alloc_inst`?",
    );
    // A local in scope is a candidate too.
    hinted(
        "model t\ntask a { let count = 1; let v = cuont }",
        "unknown name `cuont`",
        "did you mean `count`?",
    );
    // An assignment suggests shared variables and locals, else a `let`.
    hinted(
        "model t\nshared total: int = 0\ntask a { totl = 1 }",
        "unknown name `totl`",
        "did you mean `total`?",
    );
    hinted(
        &task("total = 1"),
        "unknown name `total`",
        "let total = ...",
    );
    hinted(
        "model t\nenum Status { a }\nshared s: Staus = a",
        "unknown type `Staus`",
        "did you mean `Status`?",
    );
    hinted(
        "model t\nlock inst_lock\ntask a { lock inst_lok }",
        "unknown lock `inst_lok`",
        "did you mean `inst_lock`?",
    );
    hinted(
        "model t\nshared usage: map[0..2] int = 0\ninvariant i: usgae[0] == 0",
        "unknown map `usgae`",
        "did you mean `usage`?",
    );
    hinted(
        "model t\nenum Status { a }\ntask t { for s in Staus { skip } }",
        "unknown enum `Staus`",
        "did you mean `Status`?",
    );
    hinted(
        "model t\nproc claim() { skip }\ntask a { clam() }",
        "unknown proc `clam`",
        "did you mean `claim`?",
    );
    hinted(
        "model t\nshared alloc: int = 0\ntask a { alloc = 1 }\nexpect lost_update aloc",
        "names no shared variable `aloc`",
        "did you mean `alloc`?",
    );
    hinted(
        "model t\ninvariant capacity: true\nexpect invariant capacty",
        "names no invariant `capacty`",
        "did you mean `capacity`?",
    );
    // Short names get no suggestion: against them almost anything is close.
    let (_, hint) = only_error("model t\nshared x: int = 0\ninvariant i: y == 0");
    assert_eq!(hint, None);
}

#[test]
fn an_unknown_name_says_why_when_it_can() {
    hinted(
        &task("if b { let seen = x }\n x = seen"),
        "unknown name `seen`",
        "a local `seen` was declared at line 10, in a block that has ended",
    );
    hinted(
        "model t\nconst A = B + 1\nconst B = 2",
        "unknown name `B`",
        "`B` is declared later, at line 3",
    );
    hinted(
        "model t\nshared x: int = 0\ntask a { let before = x; x = before + 1 }\ninvariant i: x >= before",
        "unknown name `before`",
        "`before` is a local of task `a`; invariants and finals see only shared variables",
    );
    hinted(
        "model t\ninvariant capacity: true\nexpect final capacity",
        "names no final property `capacity`",
        "`capacity` is an invariant: write `expect invariant capacity`",
    );
    hinted(
        "model t\nfinal done: true\nexpect invariant done",
        "names no invariant `done`",
        "`done` is a final property: write `expect final done`",
    );
}

#[test]
fn a_local_is_named_as_a_local() {
    fails_at(
        &task("let u = 0; u[1] = 1"),
        10,
        21,
        "`u` is not a map: it is a local",
    );
    fails_at(
        &task("let held = true; unlock held"),
        10,
        34,
        "`held` is not a lock: it is a local",
    );
    fails_at(
        &task("let k = 1; for v in k { skip }"),
        10,
        30,
        "`k` is not an enum: it is a local",
    );
    fails_at(
        &task("let k = 1; k(2)"),
        10,
        21,
        "`k` is a local, not a proc",
    );
}

#[test]
fn type_errors_say_what_the_values_are() {
    hinted(
        &task("if x { skip }"),
        "a condition must be `bool`",
        "compare it, as in `x != 0`",
    );
    hinted(
        &task("await s"),
        "a condition must be `bool`",
        "compare it with a variant, as in `s == p`",
    );
    hinted(
        &task("s = 1"),
        "expected `S`, found `int`",
        "the values of `S` are its variants: `p`, `q`",
    );
    hinted(
        &task("b = 1"),
        "expected `bool`",
        "a `bool` is `true` or `false`",
    );
    hinted(
        &task("let v = s == 0"),
        "`==` needs two values of one type",
        "the values of `S` are its variants",
    );
    hinted(
        &task("e[0] = true"),
        "a key of `e` must be `S`",
        "the values of `S` are its variants",
    );
    hinted(
        &task("m[N] = 1"),
        "the key 2 is outside the domain 0..2 of `m`",
        "the keys of `m` are 0 to 1: a range `a..b` leaves out `b`",
    );
    hinted(
        "model t\nshared x: 0..3 = 3",
        "the initial value 3 is outside the type 0..3",
        "the type 0..3 holds 0 to 2: a range `a..b` leaves out `b`; `a..=b` includes it",
    );
    hinted(
        "model t\nshared x: 0..3 = 7",
        "outside the type 0..3",
        "the type 0..3 holds 0 to 2",
    );
    hinted(
        "model t\nshared x: int = 0\nconst A = x",
        "a constant's value cannot read shared state",
        "a constant uses only literals",
    );
    // An overflow is no question of constness: no hint about it.
    let (m, hint) = only_error("model t\nconst A = 9223372036854775807 + 1");
    assert!(m.contains("integer overflow"), "{m}");
    assert_eq!(hint, None);
}

#[test]
fn one_mistake_gives_one_error() {
    // A local whose value, domain or type did not check has no known type: its uses report
    // nothing more.
    for src in [
        task("let v = zz\n b = v"),
        task("choose c in Nope\n s = c"),
        task("for c in Nope { s = c }"),
        "model t\nenum S { p }\nshared s: S = p\nproc f(c: Sx) { s = c }\ntask a { f(1) }"
            .to_string(),
        "model t\nproc f(out r: Sx) { r = 1 }\ntask a { let v = true; f(v) }".to_string(),
    ] {
        only_error(&src);
    }
    // An independent mistake with such a local is still reported.
    let errs = errors(&task("for c in Nope { c = 1 }"));
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert!(errs[1].2.contains("cannot assign to `c`"), "{errs:?}");
}
