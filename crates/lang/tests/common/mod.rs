//! Helpers shared by the front-end test files: compile or fail, the lowered code, the errors.

// Each test file uses only some of these helpers; `expect` would fire in the files that use all.
#![allow(dead_code)]

use migcheck_lang::compile;
use migcheck_lang::ir::{Expr, InstrKind, Model};

pub fn model(src: &str) -> Model {
    match compile(src) {
        Ok(m) => m,
        Err(e) => panic!("does not compile: {e:?}"),
    }
}

/// The first body's instructions with their shared flags.
pub fn code(src: &str) -> Vec<(InstrKind, bool)> {
    model(src).bodies[0]
        .code
        .iter()
        .map(|i| (i.kind.clone(), i.shared))
        .collect()
}

pub fn c(v: i64) -> Expr {
    Expr::Const(v)
}

/// The errors as (line, col, message).
pub fn errors(src: &str) -> Vec<(u32, u32, String)> {
    match compile(src) {
        Ok(_) => panic!("compiled: {src}"),
        Err(e) => e
            .into_iter()
            .map(|d| (d.span.line, d.span.col, d.message))
            .collect(),
    }
}

/// Asserts that `src` fails with an error at (line, col) whose message contains `msg`.
pub fn fails_at(src: &str, line: u32, col: u32, msg: &str) {
    let errs = errors(src);
    assert!(
        errs.iter()
            .any(|(l, c, m)| (*l, *c) == (line, col) && m.contains(msg)),
        "{src:?}\nwant {line}:{col} {msg:?}\ngot {errs:?}"
    );
}
