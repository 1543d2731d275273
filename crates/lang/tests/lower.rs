//! Lowering tests: the exact instructions, shared flags and slots of small bodies.

mod common;
use common::*;

use migcheck_lang::ir::{BinOp, Domain, Expect, Expr, InstrKind as I, KeyDomain, ValueType};

fn bin(op: BinOp, a: Expr, b: Expr) -> Expr {
    Expr::Binary(op, Box::new(a), Box::new(b))
}

const HEAD: &str = "model t\nshared x: int = 0\nshared m: map[0..3] int = [1, 2, 3]\nlock l\n";

#[test]
fn if_else_if_chain() {
    let src = format!(
        "{HEAD}task a {{\n let v = 1\n if x == 1 {{ let w = 2 }} else if v == 2 {{ x = 2 }} else {{ skip }}\n}}"
    );
    let eq = |a, b| bin(BinOp::Eq, a, b);
    assert_eq!(
        code(&src),
        vec![
            (
                I::SetLocal {
                    slot: 0,
                    value: c(1)
                },
                false
            ),
            (
                I::Branch {
                    cond: eq(Expr::Shared(0), c(1)),
                    target: 5
                },
                true
            ),
            (
                I::SetLocal {
                    slot: 1,
                    value: c(2)
                },
                false
            ),
            (I::Clear { from: 1, to: 2 }, false),
            (I::Jump(9), false),
            (
                I::Branch {
                    cond: eq(Expr::Local(0), c(2)),
                    target: 8
                },
                false
            ),
            (
                I::SetShared {
                    var: 0,
                    key: None,
                    value: c(2)
                },
                true
            ),
            (I::Jump(9), false),
            (I::Skip, false),
        ]
    );
}

#[test]
fn if_without_else_has_no_trailing_jump() {
    let src = format!("{HEAD}task a {{ if x > 0 {{ x = 0 }}; skip }}");
    assert_eq!(
        code(&src),
        vec![
            (
                I::Branch {
                    cond: bin(BinOp::Gt, Expr::Shared(0), c(0)),
                    target: 2
                },
                true
            ),
            (
                I::SetShared {
                    var: 0,
                    key: None,
                    value: c(0)
                },
                true
            ),
            (I::Skip, false),
        ]
    );
}

#[test]
fn while_loop() {
    let src = format!("{HEAD}task a {{\n while x < 3 {{\n  let y = x\n  x = y + 1\n }}\n}}");
    assert_eq!(
        code(&src),
        vec![
            (
                I::Branch {
                    cond: bin(BinOp::Lt, Expr::Shared(0), c(3)),
                    target: 5
                },
                true
            ),
            (
                I::SetLocal {
                    slot: 0,
                    value: Expr::Shared(0)
                },
                true
            ),
            (
                I::SetShared {
                    var: 0,
                    key: None,
                    value: bin(BinOp::Add, Expr::Local(0), c(1))
                },
                true
            ),
            (I::Clear { from: 0, to: 1 }, false),
            (I::Jump(0), false),
        ]
    );
}

#[test]
fn for_over_a_closed_range_and_an_enum() {
    let src = format!(
        "{HEAD}enum E {{ p, q }}\ntask a {{\n for k in 0..=2 {{ m[k] = k }}\n for e in E {{ let z = e }}\n}}"
    );
    let m = model(&src);
    let body = &m.bodies[0];
    let kinds: Vec<I> = body.code.iter().map(|i| i.kind.clone()).collect();
    assert_eq!(
        kinds,
        vec![
            I::ForEnter {
                var: 0,
                end_slot: 1,
                domain: Domain::Range { lo: c(0), hi: c(3) },
                exit: 3
            },
            I::SetShared {
                var: 1,
                key: Some(Expr::Local(0)),
                value: Expr::Local(0)
            },
            I::ForNext {
                var: 0,
                end_slot: 1,
                body: 1
            },
            I::Clear { from: 0, to: 2 },
            I::ForEnter {
                var: 2,
                end_slot: 3,
                domain: Domain::Enum(0),
                exit: 8
            },
            I::SetLocal {
                slot: 4,
                value: Expr::Local(2)
            },
            I::Clear { from: 4, to: 5 },
            I::ForNext {
                var: 2,
                end_slot: 3,
                body: 5
            },
            I::Clear { from: 2, to: 4 },
        ]
    );
    let shared: Vec<bool> = body.code.iter().map(|i| i.shared).collect();
    assert_eq!(
        shared,
        vec![false, true, false, false, false, false, false, false, false]
    );
    assert_eq!(body.locals[1].name.chars().next(), Some('$'));
    assert_eq!(body.locals[2].ty, ValueType::Enum(0));
    assert_eq!(body.locals[4].ty, ValueType::Enum(0));
}

#[test]
fn for_bounds_that_name_shared_state_make_the_entry_shared() {
    let src = format!("{HEAD}task a {{ for i in 0..x {{ skip }} }}");
    let got = code(&src);
    assert!(got[0].1, "{got:?}");
}

#[test]
fn either_with_three_branches() {
    let src =
        format!("{HEAD}task a {{\n either {{ x = 1 }}\n or {{ let q = 1 }}\n or {{ skip }}\n}}");
    assert_eq!(
        code(&src),
        vec![
            (
                I::Either {
                    targets: vec![1, 3, 6]
                },
                false
            ),
            (
                I::SetShared {
                    var: 0,
                    key: None,
                    value: c(1)
                },
                true
            ),
            (I::Jump(7), false),
            (
                I::SetLocal {
                    slot: 0,
                    value: c(1)
                },
                false
            ),
            (I::Clear { from: 0, to: 1 }, false),
            (I::Jump(7), false),
            (I::Skip, false),
        ]
    );
}

#[test]
fn shared_atomic_has_markers_and_local_atomic_is_inline() {
    let src =
        format!("{HEAD}task a {{\n atomic {{ let y = 1; x = y }}\n atomic {{ let z = 2 }}\n}}");
    assert_eq!(
        code(&src),
        vec![
            (I::AtomicBegin { end: 4 }, true),
            (
                I::SetLocal {
                    slot: 0,
                    value: c(1)
                },
                false
            ),
            (
                I::SetShared {
                    var: 0,
                    key: None,
                    value: Expr::Local(0)
                },
                true
            ),
            (I::Clear { from: 0, to: 1 }, false),
            (I::AtomicEnd, false),
            (
                I::SetLocal {
                    slot: 1,
                    value: c(2)
                },
                false
            ),
            (I::Clear { from: 1, to: 2 }, false),
        ]
    );
}

#[test]
fn shared_flags_of_simple_statements() {
    let src = format!(
        "{HEAD}task a {{\n let g = true\n await g\n lock l\n unlock l\n choose h in 0..3\n let r = m[h]\n assert r > 0, \"msg\"\n return\n}}"
    );
    assert_eq!(
        code(&src),
        vec![
            (
                I::SetLocal {
                    slot: 0,
                    value: c(1)
                },
                false
            ),
            (I::Await(Expr::Local(0)), true),
            (I::Lock(0), true),
            (I::Unlock(0), true),
            (
                I::Choose {
                    slot: 1,
                    domain: Domain::Range { lo: c(0), hi: c(3) }
                },
                false
            ),
            (
                I::SetLocal {
                    slot: 2,
                    value: Expr::MapGet {
                        var: 1,
                        key: Box::new(Expr::Local(1))
                    }
                },
                true
            ),
            (
                I::Assert {
                    cond: bin(BinOp::Gt, Expr::Local(2), c(0)),
                    message: Some("msg".into())
                },
                false
            ),
            (I::Return, false),
        ]
    );
}

#[test]
fn shared_slots_instances_and_index_slot() {
    let src = "model t \"doc\"\nenum S { a, b, c }\nconst N = 2\nshared x: 1..=3 = 2\nshared m: map[S] bool = [true, false, true]\nshared k: map[0..N] S = c last_writer_wins\ntask w[i in 0..N] { m[a] = i == 0 }\ntask z { }\nexpect lost_update k";
    let m = model(src);
    assert_eq!(m.doc.as_deref(), Some("doc"));
    assert_eq!(m.shared[0].ty, ValueType::Range { lo: 1, hi: 4 });
    assert_eq!(
        (
            m.shared[0].base_slot,
            m.shared[0].len,
            m.shared[0].init.clone()
        ),
        (0, 1, vec![2])
    );
    assert_eq!(m.shared[1].key, Some(KeyDomain::Enum(0)));
    assert_eq!(
        (m.shared[1].base_slot, m.shared[1].init.clone()),
        (1, vec![1, 0, 1])
    );
    assert_eq!(
        (m.shared[2].base_slot, m.shared[2].init.clone()),
        (4, vec![2, 2])
    );
    assert!(m.shared[2].last_writer_wins && !m.shared[1].last_writer_wins);
    assert_eq!(m.num_slots, 6);
    let names: Vec<_> = m
        .tasks
        .iter()
        .map(|t| (t.name.as_str(), t.body, t.index))
        .collect();
    assert_eq!(
        names,
        vec![("w[0]", 0, Some(0)), ("w[1]", 0, Some(1)), ("z", 1, None)]
    );
    assert_eq!(m.bodies[0].index_slot, Some(0));
    assert_eq!(m.bodies[0].locals[0].name, "i");
    assert_eq!(m.bodies[1].index_slot, None);
    assert!(m.bodies[1].code.is_empty());
    assert_eq!(m.expect, Expect::LostUpdate(2));
    assert!(m.expect_span.is_some());
}

#[test]
fn default_expect_is_ok_and_properties_are_lowered() {
    let m = model("model t\nshared x: int = 0\ninvariant i: x >= 0\nfinal f: !(x == 1)\n");
    assert_eq!((m.expect.clone(), m.expect_span), (Expect::Ok, None));
    assert_eq!(m.invariants[0].expr, bin(BinOp::Ge, Expr::Shared(0), c(0)));
    assert_eq!(m.finals[0].name, "f");
}

#[test]
fn constants_fold_but_runtime_errors_are_left_to_the_engine() {
    let src =
        "model t\nconst A = 6 / 4\nconst B = -7 % 2\nshared x: int = A + B\ntask a { x = 1 / 0 }";
    let m = model(src);
    assert_eq!(m.shared[0].init, vec![0]);
    let I::SetShared { value, .. } = &m.bodies[0].code[0].kind else {
        panic!("not a write");
    };
    assert_eq!(value, &bin(BinOp::Div, c(1), c(0)));
}

#[test]
fn instruction_spans_point_at_their_statements() {
    let src = "model t\nshared x: int = 0\ntask a {\n  if x == 0 {\n    x = 1\n  }\n}";
    let m = model(src);
    let lines: Vec<(u32, u32)> = m.bodies[0]
        .code
        .iter()
        .map(|i| (i.span.line, i.span.col))
        .collect();
    assert_eq!(lines, vec![(4, 3), (5, 5)]);
}

/// The example model of DESIGN.md, "The model language".
const DESIGN_EXAMPLE: &str = r#"model alloc_swap                       // name; a doc string may follow

const HOSTS = 3                        // integer constants
enum Status { pre_migrating, migrating, finished, error }
shared alloc_inst: int = 1
shared alloc_mig: int = 0
shared usage: map[0..HOSTS] int = 0
shared status: Status = pre_migrating
shared deleted: bool = false
lock inst_lock

task conductor {
    let a = alloc_inst
    alloc_mig = a
    alloc_inst = 0
}

task heal {
    let b = alloc_inst
    alloc_inst = b + 1
}

task migrate[i in 0..2] {
    choose h in 0..HOSTS
    lock inst_lock
    atomic { if usage[h] < 2 { usage[h] = usage[h] + 1 } }
    unlock inst_lock
    either { status = finished }
    or     { status = error }
}

invariant capacity: usage[0] <= 2 && usage[1] <= 2
final no_leak: deleted == false || alloc_inst == 0
expect lost_update alloc_inst
"#;

#[test]
fn the_design_example_compiles() {
    let m = model(DESIGN_EXAMPLE);
    let names: Vec<&str> = m.tasks.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, vec!["conductor", "heal", "migrate[0]", "migrate[1]"]);
    assert_eq!(m.num_slots, 7);
    assert_eq!(m.expect, Expect::LostUpdate(0));
    let migrate: Vec<I> = m.bodies[2].code.iter().map(|i| i.kind.clone()).collect();
    assert!(
        matches!(migrate[2], I::AtomicBegin { end: 5 }),
        "{migrate:?}"
    );
}
