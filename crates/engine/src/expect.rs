//! Whether an outcome meets the model's `expect` line (the pass condition of `migcheck test`).

use migcheck_lang::ir::{Expect, Model};

use crate::explore::{Outcome, Verdict};
use crate::violation::ViolationKind;

/// Whether the expectation is met: `None` while the outcome is incomplete.
pub fn meets(model: &Model, outcome: &Outcome) -> Option<bool> {
    let v = match &outcome.verdict {
        Verdict::Incomplete { .. } => return None,
        Verdict::Ok => return Some(model.expect == Expect::Ok),
        Verdict::Violation(v) => v,
    };
    let name = v.name.as_deref();
    Some(match &model.expect {
        Expect::Ok => false,
        Expect::Deadlock => v.kind == ViolationKind::Deadlock,
        Expect::LostUpdate(var) => {
            v.kind == ViolationKind::LostUpdate && name == Some(&model.shared[*var as usize].name)
        }
        Expect::Assertion => v.kind == ViolationKind::Assertion,
        Expect::Invariant(n) => v.kind == ViolationKind::Invariant && name == Some(n),
        Expect::Final(n) => v.kind == ViolationKind::Final && name == Some(n),
        Expect::ModelError => v.kind == ViolationKind::ModelError,
    })
}

/// The expectation as written after `expect`.
pub fn expected_text(model: &Model) -> String {
    match &model.expect {
        Expect::Ok => "ok".into(),
        Expect::Deadlock => "deadlock".into(),
        Expect::LostUpdate(var) => format!("lost_update {}", model.shared[*var as usize].name),
        Expect::Assertion => "assertion".into(),
        Expect::Invariant(n) => format!("invariant {n}"),
        Expect::Final(n) => format!("final {n}"),
        Expect::ModelError => "model_error".into(),
    }
}

/// The outcome in the words of an `expect` line: `ok`, `lost_update x`, `incomplete`.
pub fn found_text(outcome: &Outcome) -> String {
    match &outcome.verdict {
        Verdict::Ok => "ok".into(),
        Verdict::Incomplete { .. } => "incomplete".into(),
        Verdict::Violation(v) => match &v.name {
            Some(n) => format!("{} {n}", v.kind.as_str()),
            None => v.kind.as_str().into(),
        },
    }
}
