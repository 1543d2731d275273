//! The checked intermediate representation that the engine runs.
//!
//! A [`Model`] is what `lang` hands to `engine`: names resolved, types checked, constants folded,
//! and every task body lowered to a flat list of [`Instr`]uctions addressed by program counter.
//! The engine never sees syntax; spans are carried only so that reports can point at source lines.
//!
//! Values are `i64` throughout: `bool` is 0 or 1, an enum value is its variant's index in
//! declaration order, a range value is the integer itself.
//!
//! A `proc` call leaves no trace of its own: the proc's body is inlined at each call site, with
//! fresh local slots for its parameters and locals (docs/extensions.md).
//!
//! Architecture invariant: an instruction's [`Instr::shared`] flag is decided from the text alone
//! (DESIGN.md, "Precise semantics"), so the engine's step rule needs no analysis of its own.

use crate::source::SourceFile;
use crate::span::Span;

/// A whole checked model.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub name: String,
    /// The source files, indexed by [`Span::file`]: the main file (index 0), then the included
    /// libraries in order of first inclusion. [`crate::compile`] gives the main file an empty path.
    pub files: Vec<SourceFile>,
    /// The optional doc string after `model NAME`.
    pub doc: Option<String>,
    pub enums: Vec<EnumDef>,
    /// Shared variables in declaration order. Each occupies `len` consecutive state slots from
    /// `base_slot`: one for a scalar, one per key (in domain order) for a map.
    pub shared: Vec<SharedVar>,
    /// Total number of shared slots (sum of every variable's `len`).
    pub num_slots: usize,
    pub locks: Vec<LockDef>,
    /// Lowered task bodies, one per `task` declaration.
    pub bodies: Vec<TaskBody>,
    /// Task instances in declaration order, instances of one indexed task by ascending index.
    pub tasks: Vec<TaskInstance>,
    pub invariants: Vec<Property>,
    pub finals: Vec<Property>,
    /// What `migcheck test` expects; `Expect::Ok` when the model has no `expect` line.
    pub expect: Expect,
    pub expect_span: Option<Span>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    pub name: String,
    pub variants: Vec<String>,
    pub span: Span,
}

/// The type of a stored value (a shared variable, a map value, a local).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    Bool,
    Int,
    /// An integer range type, normalised to half-open `lo..hi`; writing a value outside it is a
    /// model error.
    Range {
        lo: i64,
        hi: i64,
    },
    /// An enum, by index into [`Model::enums`].
    Enum(u32),
}

/// The key domain of a map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyDomain {
    /// Half-open `lo..hi` (a closed `a..=b` is normalised to `a..b+1`).
    Range {
        lo: i64,
        hi: i64,
    },
    Enum(u32),
}

impl KeyDomain {
    /// Number of keys in the domain, given the number of variants of each enum.
    pub fn len(&self, enums: &[EnumDef]) -> usize {
        match *self {
            KeyDomain::Range { lo, hi } => (hi - lo).max(0) as usize,
            KeyDomain::Enum(e) => enums[e as usize].variants.len(),
        }
    }

    /// Offset of `key` within the domain, or `None` when it lies outside.
    pub fn offset(&self, key: i64, enums: &[EnumDef]) -> Option<usize> {
        match *self {
            KeyDomain::Range { lo, hi } => (lo <= key && key < hi).then(|| (key - lo) as usize),
            KeyDomain::Enum(e) => {
                let n = enums[e as usize].variants.len() as i64;
                (0 <= key && key < n).then_some(key as usize)
            }
        }
    }

    /// The key at `offset` within the domain.
    pub fn key_at(&self, offset: usize) -> i64 {
        match *self {
            KeyDomain::Range { lo, .. } => lo + offset as i64,
            KeyDomain::Enum(_) => offset as i64,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct SharedVar {
    pub name: String,
    /// The value type (of each key, for a map).
    pub ty: ValueType,
    /// `Some` for a map.
    pub key: Option<KeyDomain>,
    pub base_slot: usize,
    /// 1 for a scalar, the domain size for a map.
    pub len: usize,
    /// Initial value of each slot (`len` values).
    pub init: Vec<i64>,
    /// `last_writer_wins`: never reported as a lost update.
    pub last_writer_wins: bool,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LockDef {
    pub name: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskInstance {
    /// `conductor`, or `migrate[0]` for an instance of an indexed task.
    pub name: String,
    /// Index into [`Model::bodies`].
    pub body: u32,
    /// The instance index for `task migrate[i in 0..2]`; stored in the body's `index_slot` local
    /// at the start.
    pub index: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TaskBody {
    /// The declared task name (without index).
    pub name: String,
    pub code: Vec<Instr>,
    /// Every local slot of this body: declared locals, `for` variables, hidden `for` bounds, the
    /// task index, and the value parameters and locals of each inlined `proc` call. Locals start at 0 (false, the first variant) and are reset when they go
    /// out of scope.
    pub locals: Vec<LocalInfo>,
    /// The slot holding the task index, for an indexed task.
    pub index_slot: Option<u32>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LocalInfo {
    /// The source name; hidden slots (a `for`'s upper bound) start with `$`.
    pub name: String,
    pub ty: ValueType,
}

/// One instruction of a lowered task body.
#[derive(Debug, Clone, PartialEq)]
pub struct Instr {
    pub kind: InstrKind,
    /// Whether this statement touches shared state (names a shared variable or a lock, is an
    /// `await`, or is an `atomic` block containing such a statement). Always false for the
    /// non-statements `Jump`, `Clear` and `AtomicEnd`.
    pub shared: bool,
    /// The statement's source position (for an `if`/`while`, its condition; for a `for`, its head).
    pub span: Span,
}

/// Program counters are indices into [`TaskBody::code`]; `code.len()` is the task's end.
#[derive(Debug, Clone, PartialEq)]
pub enum InstrKind {
    /// `let x = e` or `x = e` for a local.
    SetLocal {
        slot: u32,
        value: Expr,
    },
    /// `x = e` or `m[k] = e` for a shared variable (by index into [`Model::shared`]).
    SetShared {
        var: u32,
        key: Option<Expr>,
        value: Expr,
    },
    Lock(u32),
    Unlock(u32),
    /// Blocks until the condition holds.
    Await(Expr),
    Assert {
        cond: Expr,
        message: Option<String>,
    },
    Skip,
    /// Ends the task: continues at `code.len()`. (A `return` inside a `proc` is lowered to a
    /// `Jump` to the end of the inlined call instead.)
    Return,
    /// `choose x in ...`: one transition per value, in ascending order.
    Choose {
        slot: u32,
        domain: Domain,
    },
    /// `either { } or { } ...`: one transition per branch; `targets[i]` is the first pc of branch i.
    Either {
        targets: Vec<u32>,
    },
    /// An `if`/`else if`/`while` condition: falls through when true, continues at `target` when
    /// false.
    Branch {
        cond: Expr,
        target: u32,
    },
    /// Entering a `for`: evaluates the bounds once, sets `var` to the first value and `end_slot`
    /// to the (exclusive) upper bound; continues at `exit` when the domain is empty.
    ForEnter {
        var: u32,
        end_slot: u32,
        domain: Domain,
        exit: u32,
    },
    /// Advancing a `for`: `var += 1`; continues at `body` while `var < end_slot`, else falls
    /// through (to the loop's exit).
    ForNext {
        var: u32,
        end_slot: u32,
        body: u32,
    },
    /// Opens an `atomic` block that touches shared state: everything up to the matching
    /// `AtomicEnd` at `end` runs in this one step. (An `atomic` block over locals only is lowered
    /// inline, without these markers.)
    AtomicBegin {
        end: u32,
    },
    /// Closes an `atomic` block. Not a statement. Usually one per `AtomicBegin`, at its `end`; a
    /// `return` inside an `atomic` block of an inlined `proc` leaves through `AtomicEnd`s of its
    /// own (one per atomic block it leaves), followed by a `Jump` to the end of the call.
    AtomicEnd,
    /// Not a statement: control flow only (leaving a block, looping back).
    Jump(u32),
    /// Not a statement: the locals `from..to` go out of scope and are reset to 0.
    Clear {
        from: u32,
        to: u32,
    },
}

/// The domain of a `choose` or `for`.
#[derive(Debug, Clone, PartialEq)]
pub enum Domain {
    /// `lo..hi`; a closed `lo..=hi` is lowered with `hi` as `hi + 1`.
    Range {
        lo: Expr,
        hi: Expr,
    },
    Enum(u32),
}

/// A typed, resolved expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A literal, a folded constant, `true`/`false` (1/0) or an enum variant (its index).
    Const(i64),
    Local(u32),
    /// A scalar shared variable, by index into [`Model::shared`].
    Shared(u32),
    /// `m[k]`: a map read, by index into [`Model::shared`].
    MapGet {
        var: u32,
        key: Box<Expr>,
    },
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnOp {
    Not,
    Neg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Rem,
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
    /// Short-circuit: the right operand is evaluated only when the left is true.
    And,
    /// Short-circuit: the right operand is evaluated only when the left is false.
    Or,
}

/// An `invariant` or `final` property: an expression over shared state only.
#[derive(Debug, Clone, PartialEq)]
pub struct Property {
    pub name: String,
    pub expr: Expr,
    pub span: Span,
}

/// What `migcheck test` expects of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    Ok,
    Deadlock,
    /// `lost_update VAR`, by index into [`Model::shared`].
    LostUpdate(u32),
    Assertion,
    Invariant(String),
    Final(String),
    ModelError,
}
