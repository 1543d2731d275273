//! The syntax tree of a model, as written: names unresolved, types unchecked.
//!
//! Every node carries its span so that the checker can point at the text it rejects.

use crate::ir::{BinOp, UnOp};
use crate::span::Span;

/// A name as written, with its position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// A whole model file, or a library file (`library NAME`, docs/extensions.md).
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub name: Ident,
    pub doc: Option<String>,
    /// Whether the file starts with `library` rather than `model`.
    pub library: bool,
    /// Declarations in source order. After include resolution ([`crate::compile_file`]), the
    /// declarations of each included file stand in place of its first `include`.
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Const {
        name: Ident,
        value: Expr,
        span: Span,
    },
    Enum {
        name: Ident,
        variants: Vec<Ident>,
        span: Span,
    },
    Shared {
        name: Ident,
        ty: TypeExpr,
        init: Init,
        last_writer_wins: bool,
        span: Span,
    },
    Lock {
        name: Ident,
        span: Span,
    },
    Task(Task),
    Invariant(PropertyDecl),
    Final(PropertyDecl),
    Expect {
        kind: ExpectKind,
        span: Span,
    },
    /// `include "path.migl"`: the path as written, relative to the including file's folder.
    Include {
        path: String,
        span: Span,
    },
    /// `proc NAME(params) { ... }`: a procedure, inlined at each call.
    Proc(Proc),
}

/// `proc NAME(p: T, out r: T) { body }`.
#[derive(Debug, Clone, PartialEq)]
pub struct Proc {
    pub name: Ident,
    pub params: Vec<Param>,
    pub body: Block,
    /// `proc NAME(...)`, for reports.
    pub span: Span,
}

/// One parameter of a `proc`.
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: Ident,
    pub ty: TypeExpr,
    /// `out r: T`: the argument is a local of the caller, which the body reads and writes.
    pub out: bool,
}

/// A type as written.
#[derive(Debug, Clone, PartialEq)]
pub enum TypeExpr {
    Bool(Span),
    Int(Span),
    Range(RangeExpr),
    /// An enum, by name.
    Named(Ident),
    Map {
        key: Box<TypeExpr>,
        value: Box<TypeExpr>,
        span: Span,
    },
}

impl TypeExpr {
    pub fn span(&self) -> Span {
        match self {
            TypeExpr::Bool(s) | TypeExpr::Int(s) => *s,
            TypeExpr::Range(r) => r.span,
            TypeExpr::Named(id) => id.span,
            TypeExpr::Map { span, .. } => *span,
        }
    }
}

/// `lo..hi` or `lo..=hi`.
#[derive(Debug, Clone, PartialEq)]
pub struct RangeExpr {
    pub lo: Expr,
    pub hi: Expr,
    pub inclusive: bool,
    pub span: Span,
}

/// The domain of a `for` or `choose`: a range, or an enum by name.
#[derive(Debug, Clone, PartialEq)]
pub enum DomainExpr {
    Range(RangeExpr),
    Named(Ident),
}

/// The initial value of a shared variable: one value, or a list with one value per map key.
#[derive(Debug, Clone, PartialEq)]
pub enum Init {
    One(Expr),
    List(Vec<Expr>, Span),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub name: Ident,
    /// `task NAME[i in a..b]`.
    pub index: Option<(Ident, RangeExpr)>,
    pub body: Block,
    /// `task NAME` (and its index), for reports.
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PropertyDecl {
    pub name: Ident,
    pub expr: Expr,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExpectKind {
    Ok,
    Deadlock,
    LostUpdate(Ident),
    Assertion,
    Invariant(Ident),
    Final(Ident),
    ModelError,
}

/// `{ ... }`: a scope for the locals declared in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub stmts: Vec<Stmt>,
    /// The closing `}`.
    pub close: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    /// The whole statement (for `if`, `while`, `for`: the head only).
    pub span: Span,
}

/// One branch of an `if` / `else if` chain.
#[derive(Debug, Clone, PartialEq)]
pub struct IfBranch {
    pub cond: Expr,
    /// `if COND`.
    pub span: Span,
    pub body: Block,
}

#[derive(Debug, Clone, PartialEq)]
pub enum StmtKind {
    Let {
        name: Ident,
        value: Expr,
    },
    /// `x = e` or `m[k] = e`.
    Assign {
        target: Ident,
        key: Option<Expr>,
        value: Expr,
    },
    Lock(Ident),
    Unlock(Ident),
    Await(Expr),
    Atomic(Block),
    If {
        branches: Vec<IfBranch>,
        otherwise: Option<Block>,
    },
    While {
        cond: Expr,
        body: Block,
    },
    For {
        var: Ident,
        domain: DomainExpr,
        body: Block,
    },
    Choose {
        var: Ident,
        domain: DomainExpr,
    },
    Either(Vec<Block>),
    Assert {
        cond: Expr,
        message: Option<String>,
    },
    Return,
    Skip,
    /// `NAME(e1, e2, x)`: a call of a `proc`.
    Call {
        name: Ident,
        args: Vec<Expr>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Int(i64),
    Bool(bool),
    Name(String),
    /// `m[k]`.
    Index(Ident, Box<Expr>),
    Unary(UnOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `f(...)` inside an expression: parsed only to be refused by the checker with a clear
    /// message (a call is a statement).
    Call(Ident, Vec<Expr>),
}
