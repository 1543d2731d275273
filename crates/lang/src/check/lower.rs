//! Lowering of task bodies to flat instruction lists (the shapes are documented in `ir.rs`).
//!
//! Every local declaration gets a fresh slot, never reused, so the slots declared inside a block
//! (nested blocks included) are contiguous and one `Clear` at the block's end resets them all.
//!
//! A `proc` call is inlined (docs/extensions.md): one `SetLocal` per value parameter (a fresh
//! slot, bound like `let p = e`), then the body in a scope of its own holding only the
//! parameters (an `out` parameter names the caller's local slot), then a `Clear` of every slot
//! the call declared. A `return` in the body is a `Jump` to that `Clear`; from inside `atomic`
//! blocks of the body it first passes through one `AtomicEnd` per block it leaves.

use super::expr::{Local, LocalKind, Scopes, Ty};
use super::procs::{ParamDef, MAX_CALL_DEPTH};
use super::suggest::did_you_mean;
use super::{Checker, Global};
use crate::ast::{self, Block, DomainExpr, ExprKind, Stmt, StmtKind};
use crate::diag::Diagnostic;
use crate::ir::{Domain, Expr, Instr, InstrKind, LocalInfo, TaskBody, ValueType};
use crate::span::Span;

/// A task body with more instructions than this after inlining its calls is refused (calls
/// nested in calls can multiply the size).
const MAX_CODE: usize = 1 << 20;

struct Lower<'c> {
    ck: &'c mut Checker,
    code: Vec<Instr>,
    locals: Vec<LocalInfo>,
    scopes: Scopes,
    /// Whether calls are inlined: true for a task; false when a proc's body is checked on its
    /// own, where a call only checks its arguments.
    inline: bool,
    /// The calls being inlined (or the proc being checked), innermost last.
    calls: Vec<CallFrame>,
    /// How many `atomic` blocks with markers enclose the current instruction.
    atomic_depth: u32,
    /// Calls inlined so far, and whether inlining stopped at [`MAX_CODE`] (instructions or
    /// calls).
    inlined: usize,
    too_large: bool,
    /// The names of the locals declared by the task's own text (not by an inlined proc).
    own_locals: Vec<String>,
}

struct CallFrame {
    proc: u32,
    /// `atomic_depth` at the call.
    atomic_depth: u32,
    /// Each `return` of the body: its `Jump`, and how many atomic blocks (of the body) it leaves.
    returns: Vec<(u32, u32)>,
}

/// How an argument is passed, once checked.
enum Arg {
    /// A value parameter: bound by a `SetLocal` of the value (shared when the argument names
    /// shared state), at the argument's position.
    Value(Expr, bool, Span),
    /// An `out` parameter: the caller's local slot and its type.
    Out(u32, ValueType),
}

impl<'c> Lower<'c> {
    fn new(ck: &'c mut Checker, inline: bool) -> Lower<'c> {
        let mut scopes = Scopes::default();
        scopes.frames.push(Vec::new());
        Lower {
            ck,
            code: Vec::new(),
            locals: Vec::new(),
            scopes,
            inline,
            calls: Vec::new(),
            atomic_depth: 0,
            inlined: 0,
            too_large: false,
            own_locals: Vec::new(),
        }
    }
}

impl Checker {
    pub(super) fn lower_task(&mut self, task: &ast::Task) -> TaskBody {
        let mut l = Lower::new(self, true);
        let index_slot = task
            .index
            .as_ref()
            .map(|(var, _)| l.declare(var, ValueType::Int, LocalKind::Index));
        // The task's own block: its locals are cleared by the engine when the task finishes.
        l.block(&task.body, false);
        if l.too_large {
            l.ck.error(Diagnostic::new(
                task.span,
                format!(
                    "task `{}` has more than {MAX_CODE} instructions or calls once its proc calls are inlined",
                    task.name.name
                ),
            ));
        }
        for name in std::mem::take(&mut l.own_locals) {
            l.ck.task_locals
                .entry(name)
                .or_insert_with(|| task.name.name.clone());
        }
        TaskBody {
            name: task.name.name.clone(),
            code: l.code,
            locals: l.locals,
            index_slot,
            span: task.span,
        }
    }

    /// Checks a proc's body once, on its own: its parameters are fresh locals, and calls in it
    /// check their arguments without being inlined. (Inlined copies are not checked again.)
    pub(super) fn check_proc_body(&mut self, id: u32) {
        let def = self.procs[id as usize].clone();
        let mut l = Lower::new(self, false);
        for p in &def.params {
            let kind = if p.out {
                LocalKind::Out
            } else {
                LocalKind::Param
            };
            l.declare(&p.ident, p.ty, kind);
            if p.failed {
                l.fail_last();
            }
        }
        l.calls.push(CallFrame {
            proc: id,
            atomic_depth: 0,
            returns: Vec::new(),
        });
        l.block(&def.ast.body, false);
    }

    /// Whether a statement touches shared state, from its text: it names a shared variable or a
    /// lock, or is an `await`; compound statements by any part of them.
    pub(super) fn stmt_shared(&self, s: &Stmt) -> bool {
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
            StmtKind::Call { name, args } => {
                args.iter().any(|a| self.names_shared(a))
                    || match self.globals.get(&name.name) {
                        Some(Global::Proc(id)) => self.procs[*id as usize].shared,
                        _ => false,
                    }
            }
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
        if self.inline && self.calls.is_empty() {
            self.own_locals.push(name.name.clone());
        }
        if let Some(frame) = self.scopes.frames.last_mut() {
            frame.push(Local {
                name: name.name.clone(),
                slot,
                ty,
                kind,
                span: name.span,
                failed: false,
            });
        }
        slot
    }

    /// Marks the local declared last as failed ([`Local::failed`]).
    fn fail_last(&mut self) {
        if let Some(l) = self.scopes.frames.last_mut().and_then(|f| f.last_mut()) {
            l.failed = true;
        }
    }

    /// Lowers a block in its own scope, ending with a `Clear` of its locals when `clear`.
    fn block(&mut self, b: &Block, clear: bool) {
        let first = self.locals.len() as u32;
        self.scopes.frames.push(Vec::new());
        for s in &b.stmts {
            self.stmt(s);
        }
        self.scopes.pop();
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
            DomainExpr::Named(id) => {
                let found = match self.scopes.lookup(&id.name) {
                    Some(_) => Some("a local"),
                    None => match self.ck.globals.get(&id.name) {
                        Some(Global::Enum(e)) => {
                            return Some((Domain::Enum(*e), ValueType::Enum(*e)))
                        }
                        found => found.map(|g| g.describe()),
                    },
                };
                let d = match found {
                    Some(what) => Diagnostic::new(
                        id.span,
                        format!("`{}` is not an enum: it is {what}", id.name),
                    )
                    .with_hint("a domain is an enum or a range `a..b`"),
                    None => {
                        let enums = self.ck.enums.iter().map(|e| e.name.as_str());
                        let hint = did_you_mean(&id.name, enums)
                            .unwrap_or_else(|| "a domain is an enum or a range `a..b`".to_string());
                        Diagnostic::new(id.span, format!("unknown enum `{}`", id.name))
                            .with_hint(hint)
                    }
                };
                self.ck.error(d);
                None
            }
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
                match v {
                    Some((value, _)) => {
                        self.emit(InstrKind::SetLocal { slot, value }, shared, span);
                    }
                    None => self.fail_last(),
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
                let depth = self.atomic_depth;
                if let Some(frame) = self.calls.last() {
                    let leaves = depth - frame.atomic_depth;
                    let jump = self.emit(InstrKind::Jump(0), false, span);
                    if let Some(frame) = self.calls.last_mut() {
                        frame.returns.push((jump, leaves));
                    }
                } else {
                    self.emit(InstrKind::Return, false, span);
                }
            }
            StmtKind::Call { name, args } => self.call(name, args, span),
            StmtKind::Skip => {
                self.emit(InstrKind::Skip, false, span);
            }
            StmtKind::Choose { var, domain } => {
                let d = self.domain(domain);
                let ty = d.as_ref().map_or(ValueType::Int, |(_, t)| *t);
                let slot = self.declare(var, ty, LocalKind::Choose);
                match d {
                    Some((domain, _)) => {
                        self.emit(InstrKind::Choose { slot, domain }, shared, span);
                    }
                    None => self.fail_last(),
                }
            }
            StmtKind::Atomic(body) => {
                if shared {
                    let begin = self.emit(InstrKind::AtomicBegin { end: 0 }, true, span);
                    self.atomic_depth += 1;
                    self.block(body, true);
                    self.atomic_depth -= 1;
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
        let found = match self.scopes.lookup(&id.name) {
            Some(_) => Some("a local"),
            None => match self.ck.globals.get(&id.name) {
                Some(Global::Lock(l)) => return Some(*l),
                found => found.map(|g| g.describe()),
            },
        };
        let d = match found {
            Some(what) => Diagnostic::new(
                id.span,
                format!("`{}` is not a lock: it is {what}", id.name),
            )
            .with_hint("`lock` and `unlock` take a lock, declared as `lock NAME`"),
            None => {
                let locks = self.ck.locks.iter().map(|l| l.name.as_str());
                let hint = did_you_mean(&id.name, locks)
                    .unwrap_or_else(|| format!("declare it as `lock {}`", id.name));
                Diagnostic::new(id.span, format!("unknown lock `{}`", id.name)).with_hint(hint)
            }
        };
        self.ck.error(d);
        None
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
            let Some(var) = self.ck.map_var(target, &self.scopes) else {
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
            let (slot, ty, kind, failed) = (local.slot, local.ty, local.kind, local.failed);
            if let Some(why) = kind.read_only() {
                let mut d = Diagnostic::new(
                    target.span,
                    format!("cannot assign to `{}`: it is {why}", target.name),
                );
                if kind == LocalKind::Param {
                    d = d.with_hint(format!(
                        "a proc writes only its `out` parameters; copy a value parameter into a local to change it: `let v = {}`",
                        target.name
                    ));
                }
                self.ck.error(d);
                return;
            }
            if failed {
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
                let ty = self.ck.shared[var as usize].ty;
                if self.ck.shared_is_map(var) {
                    let d = Diagnostic::new(
                        target.span,
                        format!("`{}` is a map: assign to one key", target.name),
                    )
                    .with_hint(format!("write `{}[k] = ...`", target.name));
                    self.ck.error(d);
                    return;
                }
                if self.ck.shared_failed(var) {
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
                let hint = self
                    .ck
                    .unknown_name_hint(&target.name, target.span, &self.scopes, false)
                    .unwrap_or_else(|| format!("declare a local with `let {} = ...`", target.name));
                let d = Diagnostic::new(target.span, format!("unknown name `{}`", target.name))
                    .with_hint(hint);
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

    /// A call statement: checks the arguments in the caller's scope, then (for a task) inlines
    /// the proc's body.
    fn call(&mut self, name: &ast::Ident, args: &[ast::Expr], span: Span) {
        let proc_id = match self.scopes.lookup(&name.name) {
            Some(_) => Err(Some("a local")),
            None => match self.ck.globals.get(&name.name) {
                Some(Global::Proc(id)) => Ok(*id),
                found => Err(found.map(|g| g.describe())),
            },
        };
        let id = match proc_id {
            Ok(id) => id,
            Err(found) => {
                let d = match found {
                    Some(what) => {
                        Diagnostic::new(name.span, format!("`{}` is {what}, not a proc", name.name))
                    }
                    None => {
                        let procs = self.ck.procs.iter().map(|p| p.ast.name.name.as_str());
                        let hint = did_you_mean(&name.name, procs).unwrap_or_else(|| {
                            "declare it with `proc NAME(params) { ... }`, here or in an included library".to_string()
                        });
                        Diagnostic::new(name.span, format!("unknown proc `{}`", name.name))
                            .with_hint(hint)
                    }
                };
                self.ck.error(d);
                return;
            }
        };
        let def = self.ck.procs[id as usize].clone();
        if args.len() != def.params.len() {
            let n = def.params.len();
            let d = Diagnostic::new(
                span,
                format!(
                    "`{}` takes {n} argument{} but {} {} given",
                    name.name,
                    if n == 1 { "" } else { "s" },
                    args.len(),
                    if args.len() == 1 { "is" } else { "are" }
                ),
            )
            .with_hint(format!(
                "declared at {}",
                self.ck.position(def.ast.span, span)
            ));
            self.ck.error(d);
            return;
        }
        let mut bound = Vec::new();
        for (p, a) in def.params.iter().zip(args) {
            let arg = if p.out {
                self.out_arg(&name.name, p, a)
            } else {
                self.value_arg(&name.name, p, a)
            };
            bound.extend(arg);
        }
        if bound.len() != args.len() || !self.inline {
            return;
        }
        // A recursive or too deep proc has its error already: it is not inlined.
        let on_stack = self.calls.iter().any(|c| c.proc == id);
        if on_stack || def.recursive || def.depth > MAX_CALL_DEPTH {
            return;
        }
        // Calls that emit little can still multiply: count them too.
        self.inlined += 1;
        if self.code.len() > MAX_CODE || self.inlined > MAX_CODE {
            self.too_large = true;
            return;
        }
        // Errors in the inlined body were reported when it was checked on its own.
        let mark = self.ck.errors.len();
        let first = self.locals.len() as u32;
        let caller = std::mem::take(&mut self.scopes);
        self.scopes.frames.push(Vec::new());
        for (p, arg) in def.params.iter().zip(bound) {
            match arg {
                Arg::Value(value, shared, at) => {
                    let slot = self.declare(&p.ident, p.ty, LocalKind::Param);
                    self.emit(InstrKind::SetLocal { slot, value }, shared, at);
                }
                Arg::Out(slot, ty) => {
                    if let Some(frame) = self.scopes.frames.last_mut() {
                        frame.push(Local {
                            name: p.ident.name.clone(),
                            slot,
                            ty,
                            kind: LocalKind::Out,
                            span: p.ident.span,
                            failed: false,
                        });
                    }
                }
            }
        }
        self.calls.push(CallFrame {
            proc: id,
            atomic_depth: self.atomic_depth,
            returns: Vec::new(),
        });
        let body = &def.ast.body;
        self.block(body, false);
        let returns = self.calls.pop().map(|f| f.returns).unwrap_or_default();
        let mut to_end = Vec::new();
        if returns.iter().any(|&(_, leaves)| leaves > 0) {
            // The body's end skips the exits below.
            to_end.push(self.emit(InstrKind::Jump(0), false, body.close));
        }
        for (jump, leaves) in returns {
            if leaves == 0 {
                to_end.push(jump);
                continue;
            }
            let at = self.code[jump as usize].span;
            let exit = self.pc();
            self.patch(jump, exit);
            for _ in 0..leaves {
                self.emit(InstrKind::AtomicEnd, false, at);
            }
            to_end.push(self.emit(InstrKind::Jump(0), false, at));
        }
        let end = self.pc();
        for j in to_end {
            self.patch(j, end);
        }
        self.scopes = caller;
        let last = self.locals.len() as u32;
        if last > first {
            self.emit(
                InstrKind::Clear {
                    from: first,
                    to: last,
                },
                false,
                body.close,
            );
        }
        self.ck.errors.truncate(mark);
    }

    /// The argument of a value parameter: an expression of the parameter's type.
    fn value_arg(&mut self, proc: &str, p: &ParamDef, a: &ast::Expr) -> Option<Arg> {
        let (value, ty) = self.ck.expr(a, &self.scopes)?;
        let want = Ty::of(p.ty);
        if p.failed {
            return None;
        }
        if ty != want {
            let (w, f) = (self.ck.ty_name(want), self.ck.ty_name(ty));
            self.ck.error(Diagnostic::new(
                a.span,
                format!(
                    "mismatched types: parameter `{}` of `{proc}` is `{w}`, found `{f}`",
                    p.ident.name
                ),
            ));
            return None;
        }
        Some(Arg::Value(value, self.ck.names_shared(a), a.span))
    }

    /// The argument of an `out` parameter: an assignable local of the caller, of the
    /// parameter's type.
    fn out_arg(&mut self, proc: &str, p: &ParamDef, a: &ast::Expr) -> Option<Arg> {
        let pname = &p.ident.name;
        let ExprKind::Name(n) = &a.kind else {
            self.ck.error(
                Diagnostic::new(
                    a.span,
                    format!("the argument for `out {pname}` must be the name of a local"),
                )
                .with_hint(
                    "the proc writes its result there: declare one first, as in `let r = 0`",
                ),
            );
            return None;
        };
        let Some(local) = self.scopes.lookup(n) else {
            let what = self
                .ck
                .globals
                .get(n)
                .map_or("an unknown name", |g| g.describe());
            self.ck.error(
                Diagnostic::new(
                    a.span,
                    format!("`{n}` is {what}: the argument for `out {pname}` must be a local of the caller"),
                )
                .with_hint(format!("declare a local first, as in `let {n}_result = ...`, and pass it")),
            );
            return None;
        };
        let (slot, ty, kind, failed) = (local.slot, local.ty, local.kind, local.failed);
        if let Some(why) = kind.read_only() {
            self.ck.error(Diagnostic::new(
                a.span,
                format!("`{n}` is {why}, which cannot be assigned: it cannot be the argument for `out {pname}`"),
            ));
            return None;
        }
        if failed || p.failed {
            return None;
        }
        if Ty::of(ty) != Ty::of(p.ty) {
            let (w, f) = (self.ck.ty_name(Ty::of(p.ty)), self.ck.ty_name(Ty::of(ty)));
            self.ck.error(Diagnostic::new(
                a.span,
                format!("mismatched types: `out {pname}` of `{proc}` is `{w}`, but `{n}` is `{f}`"),
            ));
            return None;
        }
        Some(Arg::Out(slot, ty))
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
        if d.is_none() {
            self.fail_last();
        }
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
        self.scopes.pop();
        let kind = InstrKind::Clear {
            from: var_slot,
            to: end_slot + 1,
        };
        self.emit(kind, false, body.close);
    }
}
