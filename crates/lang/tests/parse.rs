//! Parser tests: the grammar, the newline rules, and syntax errors with their positions.

use migcheck_lang::ast::{Item, StmtKind};
use migcheck_lang::parser::parse;

/// The statements of the first task.
fn stmts(src: &str) -> Vec<StmtKind> {
    let m = match parse(src) {
        Ok(m) => m,
        Err(e) => panic!("does not parse: {e:?}"),
    };
    for item in m.items {
        if let Item::Task(t) = item {
            return t.body.stmts.into_iter().map(|s| s.kind).collect();
        }
    }
    panic!("no task");
}

/// The first error's (line, col, message).
fn err(src: &str) -> (u32, u32, String) {
    let e = parse(src).expect_err("should not parse");
    (e[0].span.line, e[0].span.col, e[0].message.clone())
}

#[test]
fn one_line_blocks_and_semicolons() {
    assert_eq!(stmts("model t\ntask a { lock l; x = 1 }").len(), 2);
    assert_eq!(stmts("model t\ntask a { }").len(), 0);
    assert_eq!(stmts("model t\ntask a {\n\n skip;; skip\n}").len(), 2);
    let m = parse("model t; shared x: int = 0; shared y: int = 0").expect("parses");
    assert_eq!(m.items.len(), 2);
}

#[test]
fn else_and_or_may_start_a_line() {
    let s = stmts("model t\ntask a {\n if x { skip }\n else if y { skip }\n else { skip }\n either { skip }\n or { skip }\n or { skip }\n}");
    let StmtKind::If {
        branches,
        otherwise,
    } = &s[0]
    else {
        panic!("not an if: {s:?}");
    };
    assert_eq!(branches.len(), 2);
    assert!(otherwise.is_some());
    let StmtKind::Either(bs) = &s[1] else {
        panic!("not an either");
    };
    assert_eq!(bs.len(), 3);
}

#[test]
fn continuation_after_a_binary_operator_and_inside_parentheses() {
    let s = stmts("model t\ntask a {\n let v = (1 +\n 2) *\n 3\n let w = m[\n 1 ]\n}");
    assert_eq!(s.len(), 2);
}

#[test]
fn precedence_is_rusts() {
    let s = stmts("model t\ntask a { let v = !a || b && 1 + 2 * 3 == 7 }");
    // `||` at the top, `&&` under it, `==` under that.
    let StmtKind::Let { value, .. } = &s[0] else {
        panic!()
    };
    use migcheck_lang::ast::ExprKind::Binary;
    use migcheck_lang::ir::BinOp;
    let Binary(BinOp::Or, _, r) = &value.kind else {
        panic!("{value:?}")
    };
    let Binary(BinOp::And, _, r) = &r.kind else {
        panic!()
    };
    let Binary(BinOp::Eq, l, _) = &r.kind else {
        panic!()
    };
    let Binary(BinOp::Add, _, r) = &l.kind else {
        panic!()
    };
    assert!(matches!(r.kind, Binary(BinOp::Mul, _, _)));
}

#[test]
fn every_declaration_parses() {
    let src = "model m \"a doc\"\nconst N = 2 * 3\nenum S {\n a,\n b,\n}\nshared x: 0..N = 0 last_writer_wins\nshared y: map[S] 0..=3 = [1, 2]\nlock l\ntask t[i in 0..N] { choose c in S; choose d in 0..N + 1; for e in 1..=2 { skip } }\ninvariant inv: x < 3\nfinal fin: true\nexpect invariant inv";
    let m = parse(src).expect("parses");
    assert_eq!(m.doc.as_deref(), Some("a doc"));
    assert_eq!(m.items.len(), 9);
}

#[test]
fn syntax_errors_point_at_the_offending_token() {
    let cases: &[(&str, u32, u32, &str)] = &[
        (
            "model t\nshared x: int =\ntask a { }",
            2,
            16,
            "expected an initial value, found a newline",
        ),
        (
            "model t\ntask a {\n let v =\n}",
            3,
            9,
            "expected an expression, found a newline",
        ),
        (
            "model t\ntask a { let v = 1 < 2 < 3 }",
            2,
            24,
            "comparison operators cannot be chained",
        ),
        (
            "model t\ntask a { either { skip } }",
            2,
            10,
            "`either` needs at least one `or` branch",
        ),
        (
            "model t\ntask a { x = 1 2 }",
            2,
            16,
            "expected a newline or `;` after the statement, found integer `2`",
        ),
        (
            // The end of the file is shown at the end of its last line, not past it.
            "model t\ntask a {\n skip\n",
            3,
            6,
            "expected `}`, found the end of the file",
        ),
        (
            "shared x: int = 0",
            1,
            1,
            "expected `model`, found `shared`",
        ),
        ("model t\nmodel u", 2, 1, "`model` may appear only once"),
        ("model t\nexpect nothing", 2, 8, "expected `ok`"),
        (
            "model t\ntask a { x == 1 }",
            2,
            12,
            "expected `=`, found `==`",
        ),
        (
            "model t\ntask a { else { } }",
            2,
            10,
            "`else` without a preceding `if`",
        ),
        ("model t\nshared x: map[0..2] = 0", 2, 21, "expected a type"),
        (
            "model t\ntask a { let if = 1 }",
            2,
            14,
            "expected the local's name, found `if`",
        ),
        ("model t\nfoo", 2, 1, "expected a declaration"),
        (
            "model t\ntask a { for x in 0 { } }",
            2,
            21,
            "expected `..` or `..=` in a range",
        ),
        (
            "model t\ntask a { assert true, 3 }",
            2,
            23,
            "expected a message string",
        ),
    ];
    for (src, line, col, msg) in cases {
        let (l, c, m) = err(src);
        assert_eq!((l, c), (*line, *col), "{src:?}: {m}");
        assert!(m.contains(msg), "{src:?}: got {m:?}, want {msg:?}");
        assert!(m.chars().next().is_some_and(|c| !c.is_uppercase()), "{m}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let src = format!(
        "model t\ninvariant i: {}1{}",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    let (_, _, m) = err(&src);
    assert!(m.contains("nested too deeply"), "{m}");
    let src = format!("model t\ninvariant i: {}true", "!".repeat(100_000));
    assert!(parse(&src).is_err());
    let src = format!(
        "model t\ntask a {}{}",
        "{ atomic ".repeat(50_000),
        "}".repeat(50_000)
    );
    assert!(parse(&src).is_err());
}

#[test]
fn long_operator_chains_are_bounded() {
    let ok = format!(
        "model t\nshared x: int = 0\ninvariant i: x < 1{}",
        " + 1".repeat(990)
    );
    assert!(migcheck_lang::compile(&ok).is_ok());
    let deep = format!(
        "model t\nshared x: int = 0\ninvariant i: {}x{}",
        "(".repeat(60),
        ")".repeat(60)
    );
    assert!(migcheck_lang::compile(&format!("{deep} == 0")).is_ok());
    let bad = format!("model t\ninvariant i: 1{}", " + 1".repeat(100_000));
    let (_, _, m) = err(&bad);
    assert!(m.contains("more than 1000 operators"), "{m}");
}
