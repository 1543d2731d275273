//! Expressions: name resolution, typing, and constant folding.
//!
//! Ranges are integers in expressions: only a write checks a range, at run time. Folding
//! replaces an operation on constants by its value, except where it would overflow or divide by
//! zero: a task's expression is left for the engine to fail with a model error at run time, and a
//! constant context ([`eval_const`]) reports the failure as a check error.

use super::{Checker, Global};
use crate::ast::{self, ExprKind};
use crate::diag::Diagnostic;
use crate::ir::{BinOp, Expr, KeyDomain, UnOp, ValueType};

/// The type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ty {
    Bool,
    Int,
    Enum(u32),
}

impl Ty {
    pub(crate) fn of(v: ValueType) -> Ty {
        match v {
            ValueType::Bool => Ty::Bool,
            ValueType::Int | ValueType::Range { .. } => Ty::Int,
            ValueType::Enum(e) => Ty::Enum(e),
        }
    }
}

/// How a local was declared: only `let` and `choose` locals and `out` parameters can be
/// assigned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LocalKind {
    Let,
    Choose,
    For,
    Index,
    /// A proc's value parameter.
    Param,
    /// A proc's `out` parameter: the caller's local under the parameter's name.
    Out,
}

impl LocalKind {
    /// Why a local of this kind cannot be assigned, or `None` when it can.
    pub(crate) fn read_only(self) -> Option<&'static str> {
        match self {
            LocalKind::Let | LocalKind::Choose | LocalKind::Out => None,
            LocalKind::For => Some("a `for` variable"),
            LocalKind::Index => Some("a task's index"),
            LocalKind::Param => Some("a value parameter"),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Local {
    pub name: String,
    pub slot: u32,
    pub ty: ValueType,
    pub kind: LocalKind,
}

/// The locals in scope, innermost block last. Empty for invariants, finals and declarations.
#[derive(Debug, Default)]
pub(crate) struct Scopes {
    pub frames: Vec<Vec<Local>>,
}

impl Scopes {
    pub(crate) fn lookup(&self, name: &str) -> Option<&Local> {
        self.frames
            .iter()
            .rev()
            .flat_map(|f| f.iter().rev())
            .find(|l| l.name == name)
    }
}

/// Applies a binary operator to constants; `Err` names a failure (overflow, division by zero).
fn apply(op: BinOp, a: i64, b: i64) -> Result<i64, &'static str> {
    let overflow = "integer overflow in a constant expression";
    let by_zero = "division by zero in a constant expression";
    let r = match op {
        BinOp::Add => a.checked_add(b).ok_or(overflow)?,
        BinOp::Sub => a.checked_sub(b).ok_or(overflow)?,
        BinOp::Mul => a.checked_mul(b).ok_or(overflow)?,
        BinOp::Div | BinOp::Rem if b == 0 => return Err(by_zero),
        BinOp::Div => a.checked_div(b).ok_or(overflow)?,
        BinOp::Rem => a.checked_rem(b).ok_or(overflow)?,
        BinOp::Lt => (a < b) as i64,
        BinOp::Le => (a <= b) as i64,
        BinOp::Gt => (a > b) as i64,
        BinOp::Ge => (a >= b) as i64,
        BinOp::Eq => (a == b) as i64,
        BinOp::Ne => (a != b) as i64,
        BinOp::And => (a != 0 && b != 0) as i64,
        BinOp::Or => (a != 0 || b != 0) as i64,
    };
    Ok(r)
}

fn apply_unary(op: UnOp, a: i64) -> Result<i64, &'static str> {
    match op {
        UnOp::Not => Ok((a == 0) as i64),
        UnOp::Neg => a
            .checked_neg()
            .ok_or("integer overflow in a constant expression"),
    }
}

/// Evaluates an expression of constants. `Err(None)` when it reads state; `Err(Some(msg))` when
/// it overflows or divides by zero.
pub(crate) fn eval_const(e: &Expr) -> Result<i64, Option<String>> {
    match e {
        Expr::Const(v) => Ok(*v),
        Expr::Unary(op, a) => apply_unary(*op, eval_const(a)?).map_err(|m| Some(m.to_string())),
        Expr::Binary(op, a, b) => {
            apply(*op, eval_const(a)?, eval_const(b)?).map_err(|m| Some(m.to_string()))
        }
        Expr::Local(_) | Expr::Shared(_) | Expr::MapGet { .. } => Err(None),
    }
}

/// Builds `op a b`, folded when both are constants and the operation succeeds.
pub(crate) fn fold_binary(op: BinOp, a: Expr, b: Expr) -> Expr {
    if let (Expr::Const(x), Expr::Const(y)) = (&a, &b) {
        if let Ok(v) = apply(op, *x, *y) {
            return Expr::Const(v);
        }
    }
    Expr::Binary(op, Box::new(a), Box::new(b))
}

fn fold_unary(op: UnOp, a: Expr) -> Expr {
    if let Expr::Const(x) = a {
        if let Ok(v) = apply_unary(op, x) {
            return Expr::Const(v);
        }
    }
    Expr::Unary(op, Box::new(a))
}

fn op_text(op: BinOp) -> &'static str {
    match op {
        BinOp::Add => "+",
        BinOp::Sub => "-",
        BinOp::Mul => "*",
        BinOp::Div => "/",
        BinOp::Rem => "%",
        BinOp::Lt => "<",
        BinOp::Le => "<=",
        BinOp::Gt => ">",
        BinOp::Ge => ">=",
        BinOp::Eq => "==",
        BinOp::Ne => "!=",
        BinOp::And => "&&",
        BinOp::Or => "||",
    }
}

impl Checker {
    pub(crate) fn ty_name(&self, t: Ty) -> String {
        match t {
            Ty::Bool => "bool".to_string(),
            Ty::Int => "int".to_string(),
            Ty::Enum(e) => self
                .enums
                .get(e as usize)
                .map_or_else(|| "enum".to_string(), |d| d.name.clone()),
        }
    }

    /// Whether a value of type `found` can be stored in `target`; reports the mismatch if not.
    pub(crate) fn type_fits(&mut self, found: Ty, target: ValueType, span: crate::Span) -> bool {
        let want = Ty::of(target);
        if found == want {
            return true;
        }
        let (w, f) = (self.ty_name(want), self.ty_name(found));
        self.error(Diagnostic::new(
            span,
            format!("mismatched types: expected `{w}`, found `{f}`"),
        ));
        false
    }

    /// A condition: an expression of type `bool`.
    pub(crate) fn condition(&mut self, e: &ast::Expr, scopes: &Scopes) -> Option<Expr> {
        let (ir, ty) = self.expr(e, scopes)?;
        if ty != Ty::Bool {
            let f = self.ty_name(ty);
            self.error(Diagnostic::new(
                e.span,
                format!("a condition must be `bool`, found `{f}`"),
            ));
            return None;
        }
        Some(ir)
    }

    /// An integer expression (a `for`/`choose` bound).
    pub(crate) fn int_expr(&mut self, e: &ast::Expr, scopes: &Scopes) -> Option<Expr> {
        let (ir, ty) = self.expr(e, scopes)?;
        if ty != Ty::Int {
            let f = self.ty_name(ty);
            self.error(Diagnostic::new(
                e.span,
                format!("expected an integer, found `{f}`"),
            ));
            return None;
        }
        Some(ir)
    }

    /// Resolves and types an expression; `None` after reporting an error.
    pub(crate) fn expr(&mut self, e: &ast::Expr, scopes: &Scopes) -> Option<(Expr, Ty)> {
        match &e.kind {
            ExprKind::Int(v) => Some((Expr::Const(*v), Ty::Int)),
            ExprKind::Bool(b) => Some((Expr::Const(*b as i64), Ty::Bool)),
            ExprKind::Name(name) => self.name(name, e.span, scopes),
            ExprKind::Index(map, key) => {
                let var = self.map_var(map)?;
                let key = self.map_key(var, key, scopes)?;
                let ty = Ty::of(self.shared[var as usize].ty);
                Some((
                    Expr::MapGet {
                        var,
                        key: Box::new(key),
                    },
                    ty,
                ))
            }
            ExprKind::Unary(op, a) => {
                let (a_ir, ty) = self.expr(a, scopes)?;
                let want = match op {
                    UnOp::Not => Ty::Bool,
                    UnOp::Neg => Ty::Int,
                };
                if ty != want {
                    self.unary_type_error(*op, want, ty, e.span);
                    return None;
                }
                Some((fold_unary(*op, a_ir), want))
            }
            ExprKind::Call(name, _) => {
                self.call_in_expr(name, e.span);
                None
            }
            ExprKind::Binary(op, a, b) => {
                let l = self.expr(a, scopes);
                let r = self.expr(b, scopes);
                let ((l, lt), (r, rt)) = (l?, r?);
                let result = match op {
                    BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Rem => {
                        (lt == Ty::Int && rt == Ty::Int).then_some(Ty::Int)
                    }
                    BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                        (lt == Ty::Int && rt == Ty::Int).then_some(Ty::Bool)
                    }
                    BinOp::Eq | BinOp::Ne => (lt == rt).then_some(Ty::Bool),
                    BinOp::And | BinOp::Or => {
                        (lt == Ty::Bool && rt == Ty::Bool).then_some(Ty::Bool)
                    }
                };
                let Some(ty) = result else {
                    self.binary_type_error(*op, lt, rt, e.span);
                    return None;
                };
                Some((fold_binary(*op, l, r), ty))
            }
        }
    }

    // The error paths live in their own functions so that the recursive `expr` keeps a small
    // stack frame: a long operator chain recurses once per operator.
    #[inline(never)]
    fn unary_type_error(&mut self, op: UnOp, want: Ty, found: Ty, span: crate::Span) {
        let (w, f) = (self.ty_name(want), self.ty_name(found));
        let sym = if op == UnOp::Not { "!" } else { "-" };
        self.error(Diagnostic::new(
            span,
            format!("`{sym}` needs `{w}`, found `{f}`"),
        ));
    }

    #[inline(never)]
    fn binary_type_error(&mut self, op: BinOp, lt: Ty, rt: Ty, span: crate::Span) {
        let (ln, rn) = (self.ty_name(lt), self.ty_name(rt));
        let need = match op {
            BinOp::Eq | BinOp::Ne => "two values of one type",
            BinOp::And | BinOp::Or => "two `bool`s",
            _ => "two integers",
        };
        let mut d = Diagnostic::new(
            span,
            format!("`{}` needs {need}, found `{ln}` and `{rn}`", op_text(op)),
        );
        if matches!(op, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge) && matches!(lt, Ty::Enum(_))
        {
            d = d.with_hint("enum variants are not ordered; compare with `==`");
        }
        self.error(d);
    }

    #[inline(never)]
    fn call_in_expr(&mut self, name: &ast::Ident, span: crate::Span) {
        self.error(
            Diagnostic::new(
                span,
                format!(
                    "`{}(...)` is a call, and a call is a statement, not an expression",
                    name.name
                ),
            )
            .with_hint("a proc gives results through `out` parameters: call it on its own line, then read the local passed for `out`"),
        );
    }

    #[inline(never)]
    fn name(&mut self, name: &str, span: crate::Span, scopes: &Scopes) -> Option<(Expr, Ty)> {
        if let Some(l) = scopes.lookup(name) {
            return Some((Expr::Local(l.slot), Ty::of(l.ty)));
        }
        let d = match self.globals.get(name).copied() {
            Some(Global::Const(v)) => return Some((Expr::Const(v), Ty::Int)),
            Some(Global::Variant { enum_id, index }) => {
                return Some((Expr::Const(index as i64), Ty::Enum(enum_id)))
            }
            Some(Global::Shared(id)) => {
                let v = &self.shared[id as usize];
                if v.key.is_none() {
                    return Some((Expr::Shared(id), Ty::of(v.ty)));
                }
                Diagnostic::new(span, format!("`{name}` is a map and needs a key"))
                    .with_hint(format!("read one key: `{name}[k]`"))
            }
            Some(Global::Enum(_)) => {
                Diagnostic::new(span, format!("`{name}` is an enum, not a value"))
                    .with_hint("name one of its variants")
            }
            Some(Global::Lock(_)) => {
                Diagnostic::new(span, format!("`{name}` is a lock, not a value"))
            }
            Some(Global::Proc(_)) => {
                Diagnostic::new(span, format!("`{name}` is a proc, not a value"))
                    .with_hint(format!("call it as a statement: `{name}(...)`"))
            }
            None => Diagnostic::new(span, format!("unknown name `{name}`")),
        };
        self.error(d);
        None
    }

    /// The shared map named `map`.
    pub(crate) fn map_var(&mut self, map: &ast::Ident) -> Option<u32> {
        match self.globals.get(&map.name) {
            Some(Global::Shared(id)) if self.shared[*id as usize].key.is_some() => Some(*id),
            found => {
                let what = found.map_or("an unknown name", |g| g.describe());
                let d = Diagnostic::new(
                    map.span,
                    format!("`{}` is not a map: it is {what}", map.name),
                )
                .with_hint("only a shared `map[K] V` variable can be indexed");
                self.error(d);
                None
            }
        }
    }

    /// A key of map `var`: of the domain's type, and inside the domain when constant.
    #[inline(never)]
    pub(crate) fn map_key(&mut self, var: u32, key: &ast::Expr, scopes: &Scopes) -> Option<Expr> {
        let (ir, ty) = self.expr(key, scopes)?;
        let v = &self.shared[var as usize];
        let domain = v.key?;
        let want = match domain {
            KeyDomain::Range { .. } => Ty::Int,
            KeyDomain::Enum(e) => Ty::Enum(e),
        };
        if ty != want {
            let (w, f, n) = (self.ty_name(want), self.ty_name(ty), v.name.clone());
            self.error(Diagnostic::new(
                key.span,
                format!("a key of `{n}` must be `{w}`, found `{f}`"),
            ));
            return None;
        }
        if let (Ok(k), KeyDomain::Range { lo, hi }) = (eval_const(&ir), domain) {
            if !(lo <= k && k < hi) {
                let n = v.name.clone();
                self.error(Diagnostic::new(
                    key.span,
                    format!("the key {k} is outside the domain {lo}..{hi} of `{n}`"),
                ));
                return None;
            }
        }
        Some(ir)
    }

    /// Whether an expression names a shared variable (decided from the text).
    pub(crate) fn names_shared(&self, e: &ast::Expr) -> bool {
        match &e.kind {
            ExprKind::Int(_) | ExprKind::Bool(_) => false,
            ExprKind::Name(n) => matches!(self.globals.get(n), Some(Global::Shared(_))),
            ExprKind::Index(_, _) => true,
            ExprKind::Unary(_, a) => self.names_shared(a),
            ExprKind::Binary(_, a, b) => self.names_shared(a) || self.names_shared(b),
            ExprKind::Call(_, args) => args.iter().any(|a| self.names_shared(a)),
        }
    }
}
