//! Expressions: name resolution, typing, and constant folding.
//!
//! Ranges are integers in expressions: only a write checks a range, at run time. Folding
//! replaces an operation on constants by its value, except where it would overflow or divide by
//! zero: a task's expression is left for the engine to fail with a model error at run time, and a
//! constant context ([`eval_const`]) reports the failure as a check error.

use super::suggest::did_you_mean;
use super::{Checker, Global};
use crate::ast::{self, ExprKind};
use crate::diag::Diagnostic;
use crate::ir::{BinOp, Expr, KeyDomain, UnOp, ValueType};
use crate::span::Span;

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
    /// Where it was declared.
    pub span: Span,
    /// Whether its declaration had an error (its value or domain did not check): its type is
    /// then unknown, and a use of it reports nothing more, so one mistake gives one error.
    pub failed: bool,
}

/// The locals in scope, innermost block last. Empty for invariants, finals and declarations.
#[derive(Debug, Default)]
pub(crate) struct Scopes {
    pub frames: Vec<Vec<Local>>,
    /// Locals whose block has ended (name and declaration), latest last: only for the hint of an
    /// unknown name.
    pub ended: Vec<(String, Span)>,
}

impl Scopes {
    pub(crate) fn lookup(&self, name: &str) -> Option<&Local> {
        self.frames
            .iter()
            .rev()
            .flat_map(|f| f.iter().rev())
            .find(|l| l.name == name)
    }

    /// Leaves the innermost block: its locals go out of scope.
    pub(crate) fn pop(&mut self) {
        if let Some(frame) = self.frames.pop() {
            self.ended
                .extend(frame.into_iter().map(|l| (l.name, l.span)));
        }
    }

    /// The names of the locals in scope.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.frames.iter().flatten().map(|l| l.name.as_str())
    }

    /// Where a local of this name, now out of scope, was declared (the latest such).
    fn ended(&self, name: &str) -> Option<Span> {
        self.ended
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, s)| *s)
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
        let mut d = Diagnostic::new(
            span,
            format!("mismatched types: expected `{w}`, found `{f}`"),
        );
        if let Some(h) = self.values_hint(want) {
            d = d.with_hint(h);
        }
        self.error(d);
        false
    }

    /// What the values of `t` are written as, for a hint where a value of it was expected:
    /// an enum's variants, or `true`/`false`.
    pub(crate) fn values_hint(&self, t: Ty) -> Option<String> {
        match t {
            Ty::Bool => Some("a `bool` is `true` or `false`".to_string()),
            Ty::Int => None,
            Ty::Enum(e) => {
                let def = self.enums.get(e as usize)?;
                let mut shown: Vec<String> = def
                    .variants
                    .iter()
                    .take(4)
                    .map(|v| format!("`{v}`"))
                    .collect();
                if def.variants.len() > 4 {
                    shown.push("...".to_string());
                }
                Some(format!(
                    "the values of `{}` are its variants: {}",
                    def.name,
                    shown.join(", ")
                ))
            }
        }
    }

    /// A condition: an expression of type `bool`.
    pub(crate) fn condition(&mut self, e: &ast::Expr, scopes: &Scopes) -> Option<Expr> {
        let (ir, ty) = self.expr(e, scopes)?;
        if ty != Ty::Bool {
            let f = self.ty_name(ty);
            let mut d = Diagnostic::new(e.span, format!("a condition must be `bool`, found `{f}`"));
            if let Some(h) = self.condition_hint(e, ty) {
                d = d.with_hint(h);
            }
            self.error(d);
            return None;
        }
        Some(ir)
    }

    /// How to turn a value of type `ty` into a condition: compare it.
    fn condition_hint(&self, e: &ast::Expr, ty: Ty) -> Option<String> {
        let text = match &e.kind {
            ExprKind::Name(n) => n.clone(),
            _ => "...".to_string(),
        };
        match ty {
            Ty::Int => Some(format!("compare it, as in `{text} != 0`")),
            Ty::Enum(id) => {
                let first = self.enums.get(id as usize)?.variants.first()?;
                Some(format!(
                    "compare it with a variant, as in `{text} == {first}`"
                ))
            }
            Ty::Bool => None,
        }
    }

    /// An integer expression (a `for`/`choose` bound).
    pub(crate) fn int_expr(&mut self, e: &ast::Expr, scopes: &Scopes) -> Option<Expr> {
        let (ir, ty) = self.expr(e, scopes)?;
        if ty != Ty::Int {
            let f = self.ty_name(ty);
            self.error(Diagnostic::new(
                e.span,
                format!("a range bound must be an integer, found `{f}`"),
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
                let var = self.map_var(map, scopes)?;
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
        } else if matches!(op, BinOp::Eq | BinOp::Ne) {
            // One side is an enum (or a bool) and the other is not: say what its values are.
            let typed = if matches!(lt, Ty::Enum(_)) { lt } else { rt };
            if let Some(h) = self.values_hint(typed) {
                d = d.with_hint(h);
            }
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
            if l.failed {
                return None;
            }
            return Some((Expr::Local(l.slot), Ty::of(l.ty)));
        }
        let d = match self.globals.get(name).copied() {
            Some(Global::Const(v)) => return v.map(|v| (Expr::Const(v), Ty::Int)),
            Some(Global::Variant { enum_id, index }) => {
                return Some((Expr::Const(index as i64), Ty::Enum(enum_id)))
            }
            Some(Global::Shared(id)) => {
                let v = &self.shared[id as usize];
                if !self.shared_is_map(id) {
                    if self.shared_failed(id) {
                        return None;
                    }
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
            None => {
                let d = Diagnostic::new(span, format!("unknown name `{name}`"));
                match self.unknown_name_hint(name, span, scopes, true) {
                    Some(h) => d.with_hint(h),
                    None => d,
                }
            }
        };
        self.error(d);
        None
    }

    /// Why `name` is unknown where it is read (`read`) or assigned, when a likely reason is
    /// known: a local whose block has ended, a name declared after the constant that uses it, a
    /// task's local named in a property, or a misspelling of a name in scope.
    pub(crate) fn unknown_name_hint(
        &self,
        name: &str,
        span: Span,
        scopes: &Scopes,
        read: bool,
    ) -> Option<String> {
        if let Some(at) = scopes.ended(name) {
            return Some(format!(
                "a local `{name}` was declared at line {}, in a block that has ended; declare it before that block to use it after",
                at.line
            ));
        }
        if let Some(at) = self.all_globals.get(name) {
            return Some(format!(
                "`{name}` is declared later, at {}: a constant may use only the constants declared before it",
                self.position(*at, span)
            ));
        }
        if scopes.frames.is_empty() {
            if let Some(task) = self.task_locals.get(name) {
                return Some(format!(
                    "`{name}` is a local of task `{task}`; invariants and finals see only shared variables and constants"
                ));
            }
        }
        let globals = self.globals.iter().filter(|(_, g)| match g {
            Global::Shared(_) => true,
            Global::Const(_) | Global::Variant { .. } => read,
            _ => false,
        });
        did_you_mean(name, scopes.names().chain(globals.map(|(n, _)| n.as_str())))
    }

    /// The shared map named `map` (a local of that name hides it).
    #[inline(never)]
    pub(crate) fn map_var(&mut self, map: &ast::Ident, scopes: &Scopes) -> Option<u32> {
        let found = match scopes.lookup(&map.name) {
            Some(_) => Some("a local"),
            None => match self.globals.get(&map.name) {
                Some(Global::Shared(id)) if self.shared_is_map(*id) => return Some(*id),
                found => found.map(|g| g.describe()),
            },
        };
        let d = match found {
            Some(what) => Diagnostic::new(
                map.span,
                format!("`{}` is not a map: it is {what}", map.name),
            )
            .with_hint("only a shared `map[K] V` variable can be indexed"),
            None => {
                let maps = self.globals.iter().filter_map(|(n, g)| match g {
                    Global::Shared(id) if self.shared_is_map(*id) => Some(n.as_str()),
                    _ => None,
                });
                let d = Diagnostic::new(map.span, format!("unknown map `{}`", map.name));
                match did_you_mean(&map.name, maps) {
                    Some(h) => d.with_hint(h),
                    None => d.with_hint("declare it as `shared NAME: map[K] V = ...`"),
                }
            }
        };
        self.error(d);
        None
    }

    /// A key of map `var`: of the domain's type, and inside the domain when constant. `None`
    /// after an error, and, with no error of its own, when the map's declared type did not
    /// check: the key is still checked for errors of its own, but the map's uses go no further.
    #[inline(never)]
    pub(crate) fn map_key(&mut self, var: u32, key: &ast::Expr, scopes: &Scopes) -> Option<Expr> {
        let (ir, ty) = self.expr(key, scopes)?;
        if self.shared_failed(var) {
            return None;
        }
        let v = &self.shared[var as usize];
        let domain = v.key?;
        let want = match domain {
            KeyDomain::Range { .. } => Ty::Int,
            KeyDomain::Enum(e) => Ty::Enum(e),
        };
        if ty != want {
            let (w, f, n) = (self.ty_name(want), self.ty_name(ty), v.name.clone());
            let mut d = Diagnostic::new(
                key.span,
                format!("a key of `{n}` must be `{w}`, found `{f}`"),
            );
            if let Some(h) = self.values_hint(want) {
                d = d.with_hint(h);
            }
            self.error(d);
            return None;
        }
        if let (Ok(k), KeyDomain::Range { lo, hi }) = (eval_const(&ir), domain) {
            if !(lo <= k && k < hi) {
                let n = v.name.clone();
                let keys = if lo < hi {
                    format!("the keys of `{n}` are {lo} to {}", hi - 1)
                } else {
                    format!("`{n}` has no keys")
                };
                let hint = if k == hi {
                    format!("{keys}: a range `a..b` leaves out `b`")
                } else {
                    keys
                };
                self.error(
                    Diagnostic::new(
                        key.span,
                        format!("the key {k} is outside the domain {lo}..{hi} of `{n}`"),
                    )
                    .with_hint(hint),
                );
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
