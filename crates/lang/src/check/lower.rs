//! Lowering of task bodies to flat instruction lists (the shapes are documented in `ir.rs`).
//!
//! Every local declaration gets a fresh slot, never reused, so the slots declared inside a block
//! (nested blocks included) are contiguous and one `Clear` at the block's end resets them all.

use super::expr::{Local, LocalKind, Scopes, Ty};
use super::{Checker, Global};
use crate::ast::{self, Block, DomainExpr, Stmt, StmtKind};
use crate::diag::Diagnostic;
use crate::ir::{Domain, Expr, Instr, InstrKind, LocalInfo, TaskBody, ValueType};
use crate::span::Span;

struct Lower<'c> {
    ck: &'c mut Checker,
    code: Vec<Instr>,
    locals: Vec<LocalInfo>,
    scopes: Scopes,
}

impl Checker {
    pub(super) fn lower_task(&mut self, task: &ast::Task) -> TaskBody {
        let mut l = Lower {
            ck: self,
            code: Vec::new(),
            locals: Vec::new(),
            scopes: Scopes::default(),
        };
        l.scopes.frames.push(Vec::new());
        let index_slot = task
            .index
            .as_ref()
            .map(|(var, _)| l.declare(var, ValueType::Int, LocalKind::Index));
        // The task's own block: its locals are cleared by the engine when the task finishes.
        l.block(&task.body, false);
        TaskBody {
            name: task.name.name.clone(),
            code: l.code,
            locals: l.locals,
            index_slot,
            span: task.span,
        }
    }

    /// Whether a statement touches shared state, from its text: it names a shared variable or a
    /// lock, or is an `await`; compound statements by any part of them.
    fn stmt_shared(&self, s: &Stmt) -> bool {
        let block = |b: &Block| b.stmts.iter().any(|s| self.stmt_shared(s));
        let domain = |d: &DomainExpr| match d {
            DomainExpr::Range(r) => self.names_shared(&r.lo) || self.names_shared(&r.hi),
            DomainExpr::Named(_) => false,
        };
        match &s.kind {
            StmtKind::Let { value, .. } => self.names_shared(value),
            StmtKind::Assign { target, key, value } => {
                matches!(self.globals.get(&target.name), Some(Global::Shared(_)))
                    || key.as_ref().is_some_and(|k| self.names_shared(k))
                    || self.names_shared(value)
            }
            StmtKind::Lock(_) | StmtKind::Unlock(_) | StmtKind::Await(_) => true,
            StmtKind::Atomic(b) => block(b),
            StmtKind::If {
                branches,
                otherwise,
            } => {
                branches
                    .iter()
                    .any(|br| self.names_shared(&br.cond) || block(&br.body))
                    || otherwise.as_ref().is_some_and(block)
            }
            StmtKind::While { cond, body } => self.names_shared(cond) || block(body),
            StmtKind::For {
                domain: d, body, ..
            } => domain(d) || block(body),
            StmtKind::Choose { domain: d, .. } => domain(d),
            StmtKind::Either(bs) => bs.iter().any(block),
            StmtKind::Assert { cond, .. } => self.names_shared(cond),
            StmtKind::Return | StmtKind::Skip => false,
        }
    }
}

impl Lower<'_> {
    fn pc(&self) -> u32 {
        self.code.len() as u32
    }

    fn emit(&mut self, kind: InstrKind, shared: bool, span: Span) -> u32 {
        self.code.push(Instr { kind, shared, span });
        self.pc() - 1
    }

    /// Points the forward reference in instruction `at` to `target`.
    fn patch(&mut self, at: u32, target: u32) {
        match &mut self.code[at as usize].kind {
            InstrKind::Branch { target: t, .. } | InstrKind::Jump(t) => *t = target,
            InstrKind::ForEnter { exit, .. } => *exit = target,
            InstrKind::AtomicBegin { end } => *end = target,
            _ => {}
        }
    }

    /// A fresh slot for a local in the innermost scope; a local may not reuse a global name.
    fn declare(&mut self, name: &ast::Ident, ty: ValueType, kind: LocalKind) -> u32 {
        if let Some(g) = self.ck.globals.get(&name.name) {
            let d = Diagnostic::new(
                name.span,
                format!("the local `{}` would shadow {}", name.name, g.describe()),
            )
            .with_hint("locals may shadow other locals, but not constants, enums, variants, shared variables or locks");
            self.ck.error(d);
        }
        let slot = self.locals.len() as u32;
        self.locals.push(LocalInfo {
            name: name.name.clone(),
            ty,
        });
        if let Some(frame) = self.scopes.frames.last_mut() {
            frame.push(Local {
                name: name.name.clone(),
                slot,
                ty,
                kind,
            });
        }
        slot
    }

    /// Lowers a block in its own scope, ending with a `Clear` of its locals when `clear`.
    fn block(&mut self, b: &Block, clear: bool) {
        let first = self.locals.len() as u32;
        self.scopes.frames.push(Vec::new());
        for s in &b.stmts {
            self.stmt(s);
        }
        self.scopes.frames.pop();
        let last = self.locals.len() as u32;
        if clear && last > first {
            self.emit(
                InstrKind::Clear {
                    from: first,
                    to: last,
                },
                false,
                b.close,
            );
        }
    }

    fn domain(&mut self, d: &DomainExpr) -> Option<(Domain, ValueType)> {
        match d {
            DomainExpr::Range(r) => {
                let lo = self.ck.int_expr(&r.lo, &self.scopes);
                let hi = self.ck.int_expr(&r.hi, &self.scopes);
                let (lo, mut hi) = (lo?, hi?);
                if r.inclusive {
                    hi = super::expr::fold_binary(crate::ir::BinOp::Add, hi, Expr::Const(1));
                }
                Some((Domain::Range { lo, hi }, ValueType::Int))
            }
            DomainExpr::Named(id) => match self.ck.globals.get(&id.name) {
                Some(Global::Enum(e)) => Some((Domain::Enum(*e), ValueType::Enum(*e))),
                found => {
                    let what = found.map_or("an unknown name", |g| g.describe());
                    self.ck.error(
                        Diagnostic::new(
                            id.span,
                            format!("`{}` is not an enum: it is {what}", id.name),
                        )
                        .with_hint("a domain is an enum or a range `a..b`"),
                    );
                    None
                }
            },
        }
    }

    fn stmt(&mut self, s: &Stmt) {
        let shared = self.ck.stmt_shared(s);
        let span = s.span;
        match &s.kind {
            StmtKind::Let { name, value } => {
                let v = self.ck.expr(value, &self.scopes);
                let ty = v.as_ref().map_or(ValueType::Int, |(_, t)| match *t {
                    Ty::Bool => ValueType::Bool,
                    Ty::Int => ValueType::Int,
                    Ty::Enum(e) => ValueType::Enum(e),
                });
                let slot = self.declare(name, ty, LocalKind::Let);
                if let Some((value, _)) = v {
                    self.emit(InstrKind::SetLocal { slot, value }, shared, span);
                }
            }
            StmtKind::Assign { target, key, value } => {
                self.assign(target, key, value, shared, span)
            }
            StmtKind::Lock(id) | StmtKind::Unlock(id) => {
                let Some(lock) = self.lock(id) else { return };
                let kind = if matches!(s.kind, StmtKind::Lock(_)) {
                    InstrKind::Lock(lock)
                } else {
                    InstrKind::Unlock(lock)
                };
                self.emit(kind, true, span);
            }
            StmtKind::Await(cond) => {
                if let Some(c) = self.ck.condition(cond, &self.scopes) {
                    self.emit(InstrKind::Await(c), true, span);
                }
            }
            StmtKind::Assert { cond, message } => {
                if let Some(cond) = self.ck.condition(cond, &self.scopes) {
                    let message = message.clone();
                    self.emit(InstrKind::Assert { cond, message }, shared, span);
                }
            }
            StmtKind::Return => {
                self.emit(InstrKind::Return, false, span);
            }
            StmtKind::Skip => {
                self.emit(InstrKind::Skip, false, span);
            }
            StmtKind::Choose { var, domain } => {
                let d = self.domain(domain);
                let ty = d.as_ref().map_or(ValueType::Int, |(_, t)| *t);
                let slot = self.declare(var, ty, LocalKind::Choose);
                if let Some((domain, _)) = d {
                    self.emit(InstrKind::Choose { slot, domain }, shared, span);
                }
            }
            StmtKind::Atomic(body) => {
                if shared {
                    let begin = self.emit(InstrKind::AtomicBegin { end: 0 }, true, span);
                    self.block(body, true);
                    let end = self.emit(InstrKind::AtomicEnd, false, body.close);
                    self.patch(begin, end);
                } else {
                    self.block(body, true);
                }
            }
            StmtKind::If {
                branches,
                otherwise,
            } => self.if_chain(branches, otherwise.as_ref()),
            StmtKind::While { cond, body } => {
                let top = self.pc();
                let c = self.ck.condition(cond, &self.scopes);
                let shared_cond = self.ck.names_shared(cond);
                let branch = self.emit(
                    InstrKind::Branch {
                        cond: c.unwrap_or(Expr::Const(0)),
                        target: 0,
                    },
                    shared_cond,
                    span,
                );
                self.block(body, true);
                self.emit(InstrKind::Jump(top), false, body.close);
                let exit = self.pc();
                self.patch(branch, exit);
            }
            StmtKind::For { var, domain, body } => self.for_loop(var, domain, body, span),
            StmtKind::Either(branches) => {
                let either = self.emit(
                    InstrKind::Either {
                        targets: Vec::new(),
                    },
                    false,
                    span,
                );
                let mut targets = Vec::new();
                let mut jumps = Vec::new();
                for (i, b) in branches.iter().enumerate() {
                    targets.push(self.pc());
                    self.block(b, true);
                    if i + 1 < branches.len() {
                        jumps.push(self.emit(InstrKind::Jump(0), false, b.close));
                    }
                }
                let end = self.pc();
                for j in jumps {
                    self.patch(j, end);
                }
                self.code[either as usize].kind = InstrKind::Either { targets };
            }
        }
    }

    fn lock(&mut self, id: &ast::Ident) -> Option<u32> {
        match self.ck.globals.get(&id.name) {
            Some(Global::Lock(l)) => Some(*l),
            found => {
                let what = found.map_or("an unknown name", |g| g.describe());
                self.ck.error(Diagnostic::new(
                    id.span,
                    format!("`{}` is not a lock: it is {what}", id.name),
                ));
                None
            }
        }
    }

    fn assign(
        &mut self,
        target: &ast::Ident,
        key: &Option<ast::Expr>,
        value: &ast::Expr,
        shared: bool,
        span: Span,
    ) {
        let v = self.ck.expr(value, &self.scopes);
        if let Some(key) = key {
            let Some(var) = self.ck.map_var(target) else {
                return;
            };
            let k = self.ck.map_key(var, key, &self.scopes);
            let ty = self.ck.shared[var as usize].ty;
            let (Some(k), Some((v, vt))) = (k, v) else {
                return;
            };
            if self.ck.type_fits(vt, ty, value.span) {
                let kind = InstrKind::SetShared {
                    var,
                    key: Some(k),
                    value: v,
                };
                self.emit(kind, shared, span);
            }
            return;
        }
        if let Some(local) = self.scopes.lookup(&target.name) {
            let (slot, ty, kind) = (local.slot, local.ty, local.kind);
            let why = match kind {
                LocalKind::Let | LocalKind::Choose => None,
                LocalKind::For => Some("a `for` variable"),
                LocalKind::Index => Some("a task's index"),
            };
            if let Some(why) = why {
                self.ck.error(Diagnostic::new(
                    target.span,
                    format!("cannot assign to `{}`: it is {why}", target.name),
                ));
                return;
            }
            if let Some((v, vt)) = v {
                if self.ck.type_fits(vt, ty, value.span) {
                    self.emit(InstrKind::SetLocal { slot, value: v }, shared, span);
                }
            }
            return;
        }
        match self.ck.globals.get(&target.name).copied() {
            Some(Global::Shared(var)) => {
                let sv = &self.ck.shared[var as usize];
                let ty = sv.ty;
                if sv.key.is_some() {
                    let d = Diagnostic::new(
                        target.span,
                        format!("`{}` is a map: assign to one key", target.name),
                    )
                    .with_hint(format!("write `{}[k] = ...`", target.name));
                    self.ck.error(d);
                    return;
                }
                if let Some((v, vt)) = v {
                    if self.ck.type_fits(vt, ty, value.span) {
                        let kind = InstrKind::SetShared {
                            var,
                            key: None,
                            value: v,
                        };
                        self.emit(kind, shared, span);
                    }
                }
            }
            Some(g) => {
                let d = Diagnostic::new(
                    target.span,
                    format!("cannot assign to `{}`: it is {}", target.name, g.describe()),
                );
                self.ck.error(d);
            }
            None => {
                let d = Diagnostic::new(target.span, format!("unknown name `{}`", target.name))
                    .with_hint(format!("declare a local with `let {} = ...`", target.name));
                self.ck.error(d);
            }
        }
    }

    /// `Branch{c1, L2}`, A, Clear, `Jump(END)`, L2: `Branch{c2, L3}`, B, ..., else C, END.
    fn if_chain(&mut self, branches: &[ast::IfBranch], otherwise: Option<&Block>) {
        let mut jumps = Vec::new();
        for (i, br) in branches.iter().enumerate() {
            let c = self.ck.condition(&br.cond, &self.scopes);
            let shared = self.ck.names_shared(&br.cond);
            let kind = InstrKind::Branch {
                cond: c.unwrap_or(Expr::Const(0)),
                target: 0,
            };
            let branch = self.emit(kind, shared, br.span);
            self.block(&br.body, true);
            // A jump to the very next pc is left out.
            if i + 1 < branches.len() || otherwise.is_some() {
                jumps.push(self.emit(InstrKind::Jump(0), false, br.body.close));
            }
            let next = self.pc();
            self.patch(branch, next);
        }
        if let Some(b) = otherwise {
            self.block(b, true);
        }
        let end = self.pc();
        for j in jumps {
            self.patch(j, end);
        }
    }

    /// `ForEnter`, A, Clear, `ForNext`, EXIT: `Clear{var, end_slot + 1}`.
    fn for_loop(&mut self, var: &ast::Ident, domain: &DomainExpr, body: &Block, span: Span) {
        let shared = match domain {
            DomainExpr::Range(r) => self.ck.names_shared(&r.lo) || self.ck.names_shared(&r.hi),
            DomainExpr::Named(_) => false,
        };
        let d = self.domain(domain);
        let ty = d.as_ref().map_or(ValueType::Int, |(_, t)| *t);
        self.scopes.frames.push(Vec::new());
        let var_slot = self.declare(var, ty, LocalKind::For);
        let end_slot = self.locals.len() as u32;
        self.locals.push(LocalInfo {
            name: format!("$end_{}", var.name),
            ty: ValueType::Int,
        });
        let kind = InstrKind::ForEnter {
            var: var_slot,
            end_slot,
            domain: d.map_or(Domain::Enum(0), |(d, _)| d),
            exit: 0,
        };
        let enter = self.emit(kind, shared, span);
        self.block(body, true);
        let kind = InstrKind::ForNext {
            var: var_slot,
            end_slot,
            body: enter + 1,
        };
        self.emit(kind, false, span);
        let exit = self.pc();
        self.patch(enter, exit);
        self.scopes.frames.pop();
        let kind = InstrKind::Clear {
            from: var_slot,
            to: end_slot + 1,
        };
        self.emit(kind, false, body.close);
    }
}
