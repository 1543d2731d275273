//! `proc`: parsing, the exact inlined instructions, shared flags, slots, and every error class
//! with its position.

mod common;
use common::*;

use migcheck_lang::ast::{Item, StmtKind, TypeExpr};
use migcheck_lang::ir::{BinOp, Expr, InstrKind as I, ValueType};
use migcheck_lang::parser::parse;

fn l(slot: u32) -> Expr {
    Expr::Local(slot)
}

fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    Expr::Binary(op, Box::new(a), Box::new(b))
}

fn set(slot: u32, value: Expr) -> I {
    I::SetLocal { slot, value }
}

fn set_x(value: Expr) -> I {
    I::SetShared {
        var: 0,
        key: None,
        value,
    }
}

#[test]
fn proc_declarations_and_calls_parse() {
    let m = parse(
        "model t\nenum S { p, q }\nproc f(a: int, b: 0..3, c: S, d: bool, out r: int) { r = a }\ntask w { let v = 0; f(1, 2, p, true, v) }\nproc out(out: int) { skip }\n",
    )
    .expect("parses");
    let Item::Proc(f) = &m.items[1] else {
        panic!("not a proc: {:?}", m.items[1])
    };
    assert_eq!(f.name.name, "f");
    let params: Vec<(&str, bool)> = f
        .params
        .iter()
        .map(|p| (p.name.name.as_str(), p.out))
        .collect();
    assert_eq!(
        params,
        vec![
            ("a", false),
            ("b", false),
            ("c", false),
            ("d", false),
            ("r", true)
        ]
    );
    assert!(matches!(f.params[1].ty, TypeExpr::Range(_)));
    assert!(matches!(f.params[2].ty, TypeExpr::Named(_)));
    assert_eq!((f.span.line, f.span.col), (3, 1));
    let Item::Task(t) = &m.items[2] else { panic!() };
    let StmtKind::Call { name, args } = &t.body.stmts[1].kind else {
        panic!("not a call: {:?}", t.body.stmts[1])
    };
    assert_eq!((name.name.as_str(), args.len()), ("f", 5));
    // `out` is contextual: a parameter may be named so.
    let Item::Proc(g) = &m.items[3] else { panic!() };
    assert_eq!(
        (g.params[0].name.name.as_str(), g.params[0].out),
        ("out", false)
    );
    // Zero parameters, and arguments over several lines.
    parse("model t\nproc z() { skip }\ntask w {\n z()\n}\n").expect("parses");
    parse("model t\nproc z(a: int, b: int) { skip }\ntask w {\n z(1,\n  2)\n}\n").expect("parses");
}

const PROC: &str = "model t
shared x: int = 0
proc f(a: int, out r: int) {
    let t = a + 1
    if t > 2 { r = t; return }
    r = x
}
";

#[test]
fn a_call_inlines_value_and_out_parameters_and_return() {
    // Lines 8..: the task.
    let src = format!("{PROC}task w {{\n    let v = 0\n    f(x, v)\n    x = v\n}}\n");
    assert_eq!(
        code(&src),
        vec![
            (set(0, c(0)), false),
            // `let a = x`: names shared state, so an interleaving point.
            (set(1, Expr::Shared(0)), true),
            (set(2, bin(BinOp::Add, l(1), c(1))), false),
            (
                I::Branch {
                    cond: bin(BinOp::Gt, l(2), c(2)),
                    target: 6
                },
                false
            ),
            // `r = t` writes the caller's `v`.
            (set(0, l(2)), false),
            // `return`: to the end of the call.
            (I::Jump(7), false),
            (set(0, Expr::Shared(0)), true),
            (I::Clear { from: 1, to: 3 }, false),
            (set_x(l(0)), true),
        ]
    );
    let m = model(&src);
    let body = &m.bodies[0];
    let names: Vec<&str> = body.locals.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, vec!["v", "a", "t"]);
    assert_eq!(body.locals[1].ty, ValueType::Int);
    // Spans: the binding is at its argument (line 10), the body's instructions at the proc's
    // lines.
    let lines: Vec<u32> = body.code.iter().map(|i| i.span.line).collect();
    assert_eq!(lines, vec![9, 10, 4, 5, 5, 5, 6, 7, 11]);
    assert_eq!((body.code[1].span.col, body.code[5].span.col), (7, 23));
}

#[test]
fn parameter_bindings_are_shared_exactly_when_the_argument_names_shared_state() {
    let src = "model t\nshared x: int = 0\nshared m: map[0..2] int = 0\nconst K = 1\nproc g(a: int, b: int, c: int, d: int) { skip }\ntask w { let v = 1; g(K, v + 1, m[v], x * 2) }\n";
    assert_eq!(
        code(src),
        vec![
            (set(0, c(1)), false),
            (set(1, c(1)), false),
            (set(2, bin(BinOp::Add, l(0), c(1))), false),
            (
                set(
                    3,
                    Expr::MapGet {
                        var: 1,
                        key: Box::new(l(0))
                    }
                ),
                true
            ),
            (set(4, bin(BinOp::Mul, Expr::Shared(0), c(2))), true),
            (I::Skip, false),
            (I::Clear { from: 1, to: 5 }, false),
        ]
    );
}

#[test]
fn two_calls_get_distinct_slots() {
    let src = format!("{PROC}task w {{ let v = 0; f(1, v); f(2, v) }}\n");
    let m = model(&src);
    let body = &m.bodies[0];
    let names: Vec<&str> = body.locals.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, vec!["v", "a", "t", "a", "t"]);
    let kinds: Vec<I> = body.code.iter().map(|i| i.kind.clone()).collect();
    assert_eq!(kinds[1], set(1, c(1)));
    assert_eq!(kinds[7], I::Clear { from: 1, to: 3 });
    assert_eq!(kinds[8], set(3, c(2)));
    assert_eq!(kinds[9], set(4, bin(BinOp::Add, l(3), c(1))));
    assert_eq!(kinds[12], I::Jump(14));
    assert_eq!(kinds[14], I::Clear { from: 3, to: 5 });
    assert_eq!(kinds.len(), 15);
}

#[test]
fn return_inside_an_atomic_block_of_a_proc_leaves_it() {
    let src = "model t
shared x: int = 0
proc claim(out ok: bool) {
    atomic {
        if x != 0 { ok = false; return }
        x = 1
        ok = true
    }
}
task w { let ok = false; claim(ok); assert ok }
";
    assert_eq!(
        code(src),
        vec![
            (set(0, c(0)), false),
            (I::AtomicBegin { end: 7 }, true),
            (
                I::Branch {
                    cond: bin(BinOp::Ne, Expr::Shared(0), c(0)),
                    target: 5
                },
                true
            ),
            (set(0, c(0)), false),
            (I::Jump(9), false),
            (set_x(c(1)), true),
            (set(0, c(1)), false),
            (I::AtomicEnd, false),
            // The end of the body skips the exit of the `return`.
            (I::Jump(11), false),
            (I::AtomicEnd, false),
            (I::Jump(11), false),
            (
                I::Assert {
                    cond: l(0),
                    message: None
                },
                false
            ),
        ]
    );
}

#[test]
fn a_call_inside_atomic_is_inlined_in_that_one_step() {
    let src = "model t\nshared x: int = 0\nproc bump() { x = x + 1 }\nproc local(out r: int) { r = 3 }\ntask w {\n let v = 0\n atomic { bump() }\n atomic { local(v) }\n}\n";
    assert_eq!(
        code(src),
        vec![
            (set(0, c(0)), false),
            // The call names no shared state itself: the proc's body does.
            (I::AtomicBegin { end: 3 }, true),
            (set_x(bin(BinOp::Add, Expr::Shared(0), c(1))), true),
            (I::AtomicEnd, false),
            // An atomic block over locals only needs no markers.
            (set(0, c(3)), false),
        ]
    );
}

#[test]
fn procs_call_procs_and_pass_out_parameters_on() {
    let src = "model t\nshared x: int = 0\nproc inner(a: int, out r: int) { r = a * 2 }\nproc outer(out r: int) { inner(5, r); r = r + 1 }\ntask w { let v = 0; outer(v); x = v }\n";
    assert_eq!(
        code(src),
        vec![
            (set(0, c(0)), false),
            (set(1, c(5)), false),
            (set(0, bin(BinOp::Mul, l(1), c(2))), false),
            (I::Clear { from: 1, to: 2 }, false),
            (set(0, bin(BinOp::Add, l(0), c(1))), false),
            // The outer call's slots include those of the calls in it, as a block's do.
            (I::Clear { from: 1, to: 2 }, false),
            (set_x(l(0)), true),
        ]
    );
}

#[test]
fn a_proc_body_sees_only_its_parameters_and_globals() {
    // The library-style use: the proc names a shared variable declared after it.
    let src = "model t\nproc put(v: int) { late = v }\nshared late: int = 0\ntask w { put(4) }\n";
    assert_eq!(
        code(src),
        vec![
            (set(0, c(4)), false),
            (set_x_var(0, l(0)), true),
            (I::Clear { from: 0, to: 1 }, false)
        ]
    );
    // A caller's local is not in scope in the body.
    fails_at(
        "model t\nshared x: int = 0\nproc f() { x = hidden }\ntask w { let hidden = 1; f() }\n",
        3,
        16,
        "unknown name `hidden`",
    );
}

fn set_x_var(var: u32, value: Expr) -> I {
    I::SetShared {
        var,
        key: None,
        value,
    }
}

#[test]
fn a_proc_with_an_error_reports_it_once_however_often_called() {
    let src = "model t\nproc f() { let y = nope }\ntask a { f(); f() }\ntask b { f() }\nproc g() { skip }\n";
    let errs = errors(src);
    assert_eq!(errs, vec![(2, 20, "unknown name `nope`".to_string())]);
    // An unused proc is checked too.
    fails_at(
        "model t\nproc f() { let y = true + 1 }\n",
        2,
        20,
        "`+` needs two integers",
    );
}

#[test]
fn call_errors() {
    let h = "model t\nenum S { p, q }\nshared x: int = 0\nlock l\nproc f(a: int, out r: int) { r = a }\nproc g(s: S) { skip }\n";
    let task = |body: &str| format!("{h}task w {{ {body} }}\n");
    // Line 7 is the task; column 10 is the first statement.
    fails_at(&task("nope(1)"), 7, 10, "unknown proc `nope`");
    fails_at(&task("x(1)"), 7, 10, "`x` is a shared variable, not a proc");
    fails_at(&task("f(1)"), 7, 10, "`f` takes 2 arguments but 1 is given");
    fails_at(
        &task("let v = 0; g(p, v)"),
        7,
        21,
        "`g` takes 1 argument but 2 are given",
    );
    fails_at(
        &task("let v = 0; f(true, v)"),
        7,
        23,
        "mismatched types: parameter `a` of `f` is `int`, found `bool`",
    );
    fails_at(
        &task("g(1)"),
        7,
        12,
        "parameter `s` of `g` is `S`, found `int`",
    );
    // `out` arguments.
    fails_at(
        &task("f(1, x)"),
        7,
        15,
        "`x` is a shared variable: the argument for `out r` must be a local of the caller",
    );
    fails_at(&task("f(1, nope)"), 7, 15, "`nope` is an unknown name");
    fails_at(
        &task("let v = 0; f(1, v + 1)"),
        7,
        26,
        "the argument for `out r` must be the name of a local",
    );
    fails_at(
        &task("for i in 0..2 { f(1, i) }"),
        7,
        31,
        "`i` is a `for` variable, which cannot be assigned",
    );
    fails_at(
        &task("let b = true; f(1, b)"),
        7,
        29,
        "mismatched types: `out r` of `f` is `int`, but `b` is `bool`",
    );
    fails_at(
        "model t\nproc f(a: int, out r: int) { r = a }\ntask w[i in 0..2] { f(1, i) }\n",
        3,
        26,
        "`i` is a task's index",
    );
    fails_at(
        "model t\nproc f(a: int, out r: int) { r = a }\nproc h(a: int) { f(1, a) }\n",
        3,
        23,
        "`a` is a value parameter, which cannot be assigned",
    );
    // A `choose` local is assignable, so it can be passed for `out`.
    model(&task("choose c in 0..3; f(1, c)"));
}

#[test]
fn a_value_parameter_cannot_be_assigned() {
    fails_at(
        "model t\nproc f(a: int) {\n  a = 2\n}\n",
        3,
        3,
        "cannot assign to `a`: it is a value parameter",
    );
    // It may be shadowed by a local, like any local.
    model("model t\nproc f(a: int) { let a = 2; a = 3 }\ntask w { f(1) }\n");
}

#[test]
fn recursion_is_an_error_naming_the_cycle() {
    fails_at(
        "model t\nproc f() {\n  f()\n}\ntask w { f() }\n",
        3,
        3,
        "recursive call: `f` calls itself",
    );
    fails_at(
        "model t\nproc f() { g() }\nproc g() { h() }\nproc h() { skip; f() }\ntask w { f() }\n",
        4,
        18,
        "recursive call: `f` -> `g` -> `h` -> `f`",
    );
}

#[test]
fn a_call_is_no_expression() {
    fails_at(
        "model t\nproc f(a: int) { skip }\ntask w { let y = f(1) }\n",
        3,
        18,
        "`f(...)` is a call, and a call is a statement, not an expression",
    );
    fails_at(
        "model t\nshared x: int = 0\nproc f() { skip }\ntask w { if f() { skip } }\n",
        4,
        13,
        "is a call",
    );
    fails_at(
        "model t\nproc f() { skip }\ntask w { let y = f }\n",
        3,
        18,
        "`f` is a proc, not a value",
    );
}

#[test]
fn declaration_errors() {
    fails_at(
        "model t\nshared f: int = 0\nproc f() { skip }\n",
        3,
        6,
        "`f` is declared twice",
    );
    fails_at(
        "model t\nproc f(a: int, a: bool) { skip }\n",
        2,
        16,
        "parameter `a` is declared twice",
    );
    fails_at(
        "model t\nproc f(m: map[0..2] int) { skip }\n",
        2,
        11,
        "a parameter cannot be a map",
    );
    fails_at(
        "model t\nproc f(a: Nope) { skip }\n",
        2,
        11,
        "unknown type `Nope`",
    );
    fails_at(
        "model t\nshared x: int = 0\nproc f(x: int) { skip }\n",
        3,
        8,
        "the local `x` would shadow a shared variable",
    );
    fails_at(
        "model t\nproc f() { skip }\ntask w { let f = 1 }\n",
        3,
        14,
        "the local `f` would shadow a proc",
    );
    fails_at(
        "model t\nproc f() { skip }\nlock l\ntask w { lock f }\n",
        4,
        15,
        "`f` is not a lock: it is a proc",
    );
}

#[test]
fn hostile_call_trees_are_bounded() {
    // Each proc calls the next twice: 2^40 instructions if inlined in full.
    let mut src = String::from("model t\nshared x: int = 0\nproc p0() { x = 1 }\n");
    for i in 1..=40 {
        src += &format!("proc p{i}() {{ p{}(); p{}() }}\n", i - 1, i - 1);
    }
    src += "task w { p40() }\n";
    let errs = errors(&src);
    assert!(
        errs.iter()
            .any(|(_, _, m)| m.contains("calls nest more than 32 deep")),
        "{errs:?}"
    );
    let mut src = String::from("model t\nshared x: int = 0\nproc p0() { x = 1 }\n");
    for i in 1..=25 {
        src += &format!("proc p{i}() {{ p{}(); p{}() }}\n", i - 1, i - 1);
    }
    src += "task w { p25() }\n";
    let errs = errors(&src);
    assert!(
        errs.iter()
            .any(|(_, _, m)| m.contains("once its proc calls are inlined")),
        "{errs:?}"
    );
    // Calls that emit nothing are counted as well.
    let mut src = String::from("model t\nproc p0() { }\n");
    for i in 1..=30 {
        src += &format!("proc p{i}() {{ p{}(); p{}() }}\n", i - 1, i - 1);
    }
    src += "task w { p30() }\n";
    let errs = errors(&src);
    assert!(
        errs.iter()
            .any(|(_, _, m)| m.contains("once its proc calls are inlined")),
        "{errs:?}"
    );
}
