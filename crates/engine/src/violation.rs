//! Violations as data: what was broken, where, and the schedule that reaches it.

use migcheck_lang::ir::Model;
use migcheck_lang::Span;

use crate::schedule::Schedule;
use crate::step::{ErrorKind, WaitFor, LOCAL_STEP_LIMIT};

/// The kinds of DESIGN.md's "What is checked".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ViolationKind {
    Deadlock,
    LostUpdate,
    Assertion,
    Invariant,
    Final,
    ModelError,
}

impl ViolationKind {
    /// The JSON name of the kind, also used by `expect`.
    pub fn as_str(self) -> &'static str {
        match self {
            ViolationKind::Deadlock => "deadlock",
            ViolationKind::LostUpdate => "lost_update",
            ViolationKind::Assertion => "assertion",
            ViolationKind::Invariant => "invariant",
            ViolationKind::Final => "final",
            ViolationKind::ModelError => "model_error",
        }
    }
}

/// A source line that a violation involves, with its role ("read here", "holds l").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub span: Span,
    pub text: String,
}

/// A task that cannot step in a deadlock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockedTask {
    pub task: usize,
    pub wait: WaitFor,
    /// The statement it is blocked at.
    pub span: Span,
}

/// One step of a lost update: its 1-based index in the schedule, its task and statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepRef {
    pub step: usize,
    pub task: usize,
    pub span: Span,
}

/// The three steps of a lost update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostUpdate {
    /// The location: `x` or `m[3]`.
    pub location: String,
    pub read: StepRef,
    pub write: StepRef,
    pub overwrite: StepRef,
}

/// A violation found by exploration or replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub kind: ViolationKind,
    /// The property for `invariant`/`final`, the variable for `lost_update`.
    pub name: Option<String>,
    /// The map key of a lost update on a map.
    pub key: Option<String>,
    /// One sentence, lowercase, that says what happened.
    pub message: String,
    /// A shortest schedule that reaches the violation (when found by an exact explorer).
    pub schedule: Schedule,
    /// The primary source position: the failing statement, the property, the overwrite.
    pub span: Option<Span>,
    /// Further lines involved.
    pub notes: Vec<Note>,
    /// For a deadlock: every task that has not finished, and what it waits for.
    pub blocked: Vec<BlockedTask>,
    /// For a deadlock: the wait-for cycle, when there is one (each task waits for the next, the
    /// last for the first).
    pub cycle: Vec<usize>,
    pub lost_update: Option<LostUpdate>,
}

impl Violation {
    pub(crate) fn new(kind: ViolationKind, message: String, schedule: Schedule) -> Violation {
        Violation {
            kind,
            name: None,
            key: None,
            message,
            schedule,
            span: None,
            notes: Vec::new(),
            blocked: Vec::new(),
            cycle: Vec::new(),
            lost_update: None,
        }
    }
}

/// Describes a wait in words: "lock `l` held by a" or "its await condition".
pub fn describe_wait(model: &Model, wait: &WaitFor) -> String {
    match wait {
        WaitFor::Lock { lock, holder } => format!(
            "lock `{}` held by {}",
            model.locks[*lock as usize].name, model.tasks[*holder].name
        ),
        WaitFor::Await => "its await condition".to_string(),
    }
}

/// Describes a step error in words, for task `task`.
pub fn describe_error(model: &Model, task: Option<usize>, kind: &ErrorKind) -> String {
    let who = task.map_or("the property", |t| model.tasks[t].name.as_str());
    match kind {
        ErrorKind::Overflow => "integer overflow".into(),
        ErrorKind::DivisionByZero => "division by zero".into(),
        ErrorKind::OutOfRange { var, value } => {
            let v = &model.shared[*var as usize];
            let range = match v.ty {
                migcheck_lang::ir::ValueType::Range { lo, hi } => format!("{lo}..{hi}"),
                _ => "its type".into(),
            };
            format!("value {value} is outside the range {range} of `{}`", v.name)
        }
        ErrorKind::KeyOutOfDomain { var, key } => {
            let v = &model.shared[*var as usize];
            let domain = match v.key {
                Some(migcheck_lang::ir::KeyDomain::Range { lo, hi }) => format!("{lo}..{hi}"),
                Some(migcheck_lang::ir::KeyDomain::Enum(e)) => model.enums[e as usize].name.clone(),
                None => "its domain".into(),
            };
            format!("key {key} is outside the domain {domain} of `{}`", v.name)
        }
        ErrorKind::Relock { lock } => format!(
            "{who} takes lock `{}`, which it already holds",
            model.locks[*lock as usize].name
        ),
        ErrorKind::UnlockNotHeld { lock, holder } => {
            let name = &model.locks[*lock as usize].name;
            match holder {
                Some(h) => format!(
                    "{who} unlocks `{name}`, which is held by {}",
                    model.tasks[*h].name
                ),
                None => format!("{who} unlocks `{name}`, which is not held"),
            }
        }
        ErrorKind::BlockInAtomic(wait) => format!(
            "a statement inside `atomic` would block: {who} waits for {}",
            describe_wait(model, wait)
        ),
        ErrorKind::EmptyChoose { lo, hi } => format!("choose over an empty range {lo}..{hi}"),
        ErrorKind::LocalLoop => format!(
            "{who} ran more than {LOCAL_STEP_LIMIT} statements in one step without touching \
             shared state (a local loop that never ends)"
        ),
        ErrorKind::Assertion { message } => match message {
            Some(m) => format!("assertion failed: {m}"),
            None => "assertion failed".into(),
        },
    }
}
