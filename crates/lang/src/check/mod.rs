//! The checker: resolves names, checks types, folds constants and lowers the model to the IR.
//!
//! This module handles the declarations; `expr` types expressions and `lower` turns task
//! bodies into instructions. Errors are collected rather than returned at the first, so that a
//! user sees every independent mistake at once; a construct that fails to check is skipped, and
//! the model is returned only when there were no errors at all.

mod expr;
mod lower;
mod procs;
mod shared;
mod suggest;

use std::collections::HashMap;
use std::rc::Rc;

use crate::ast::{self, ExpectKind, Item};
use crate::diag::Diagnostic;
use crate::ir::{EnumDef, Expect, LockDef, Model, Property, SharedVar, TaskInstance, ValueType};
use crate::source::SourceFile;
use crate::span::Span;
use expr::{Scopes, Ty};

/// Maps with more keys than this, and indexed tasks with more instances, are refused: such a
/// model cannot be explored anyway, and the limit keeps hostile input from exhausting memory.
const MAX_KEYS: i64 = 1 << 20;
const MAX_INSTANCES: i64 = 10_000;

/// What a global name (constant, enum, variant, shared variable, lock, proc) refers to.
#[derive(Debug, Clone, Copy)]
enum Global {
    /// A constant and its value; `None` when its value did not check (the error is reported
    /// there, and a use of the constant reports nothing more).
    Const(Option<i64>),
    Enum(u32),
    Variant {
        enum_id: u32,
        index: u32,
    },
    Shared(u32),
    Lock(u32),
    Proc(u32),
}

impl Global {
    fn describe(self) -> &'static str {
        match self {
            Global::Const(_) => "a constant",
            Global::Enum(_) => "an enum",
            Global::Variant { .. } => "an enum variant",
            Global::Shared(_) => "a shared variable",
            Global::Lock(_) => "a lock",
            Global::Proc(_) => "a proc",
        }
    }
}

/// Checks `model` and lowers it to the IR, or returns every error found. The model's `files`
/// list holds one unnamed file without text: use [`check_sources`] to give them.
pub fn check(model: &ast::Model) -> Result<Model, Vec<Diagnostic>> {
    check_sources(model, &[SourceFile::default()])
}

/// Checks `model`, whose spans point into `files` (the main file first), and lowers it to the
/// IR, or returns every error found, ordered by file and position. Any `include` must have been
/// resolved already ([`crate::compile_file`]); one left in `model` is ignored.
pub fn check_sources(model: &ast::Model, files: &[SourceFile]) -> Result<Model, Vec<Diagnostic>> {
    let mut ck = Checker {
        errors: Vec::new(),
        globals: HashMap::new(),
        declared_at: HashMap::new(),
        enums: Vec::new(),
        shared: Vec::new(),
        locks: Vec::new(),
        procs: Vec::new(),
        paths: files.iter().map(|f| f.path.clone()).collect(),
        all_globals: HashMap::new(),
        task_locals: HashMap::new(),
        failed_shared: HashMap::new(),
    };
    ck.collect_global_names(model);
    ck.declare_globals(model);
    ck.check_shared(model);
    ck.check_procs();
    let (bodies, tasks) = ck.check_tasks(model);
    let (invariants, finals) = ck.check_properties(model);
    let (expect, expect_span) = ck.check_expect(model);
    if !ck.errors.is_empty() {
        ck.errors.sort_by_key(|d| (d.span.file, d.span.start));
        return Err(ck.errors);
    }
    let num_slots = ck.shared.iter().map(|v| v.len).sum();
    Ok(Model {
        name: model.name.name.clone(),
        files: files.to_vec(),
        doc: model.doc.clone(),
        enums: ck.enums,
        shared: ck.shared,
        num_slots,
        locks: ck.locks,
        bodies,
        tasks,
        invariants,
        finals,
        expect,
        expect_span,
    })
}

pub(crate) struct Checker {
    errors: Vec<Diagnostic>,
    globals: HashMap<String, Global>,
    declared_at: HashMap<String, Span>,
    enums: Vec<EnumDef>,
    shared: Vec<SharedVar>,
    locks: Vec<LockDef>,
    procs: Vec<procs::ProcDef>,
    /// The path of each source file, to name another file's position in a hint.
    paths: Vec<String>,
    /// Every global name of the model and its first declaration, known before any is declared:
    /// a constant that uses a later one is told where that one is.
    all_globals: HashMap<String, Span>,
    /// The locals of the tasks' own bodies, each with the first task that declares it: an
    /// invariant that names one is told whose it is.
    task_locals: HashMap<String, String>,
    /// The shared variables whose declared type did not check, by id, each with whether it was
    /// declared as a map. Its type is then unknown, so a use of it reports nothing more (as for
    /// a failed local, [`expr::Local::failed`]): one mistake in a declaration gives one error,
    /// not one more at every use.
    failed_shared: HashMap<u32, bool>,
}

impl Checker {
    fn error(&mut self, d: Diagnostic) {
        self.errors.push(d);
    }

    /// Where `at` is, for a hint in a diagnostic at `from`: `line 3`, or `line 3 of `lib.migl``
    /// when the two are in different files.
    fn position(&self, at: Span, from: Span) -> String {
        if at.file == from.file {
            return format!("line {}", at.line);
        }
        match self.paths.get(at.file as usize) {
            Some(p) if !p.is_empty() => format!("line {} of `{p}`", at.line),
            _ => format!("line {} of file {}", at.line, at.file),
        }
    }

    /// Whether shared variable `id` is a map: its key domain checked, or it was declared as one.
    fn shared_is_map(&self, id: u32) -> bool {
        self.shared[id as usize].key.is_some() || self.failed_shared.get(&id) == Some(&true)
    }

    /// Whether the declared type of shared variable `id` did not check ([`Checker::failed_shared`]).
    fn shared_failed(&self, id: u32) -> bool {
        self.failed_shared.contains_key(&id)
    }

    /// Declares a global name, refusing a second declaration of it.
    fn declare(&mut self, name: &ast::Ident, g: Global) {
        if let Some(prev) = self.declared_at.get(&name.name) {
            let what = self
                .globals
                .get(&name.name)
                .map_or("a name", |g| g.describe());
            let d = Diagnostic::new(name.span, format!("`{}` is declared twice", name.name))
                .with_label("second declaration")
                .with_hint(format!(
                    "`{}` is already {what}, declared at {}; constants, enums, variants, shared variables, locks and procs share one namespace",
                    name.name, self.position(*prev, name.span)
                ));
            self.error(d);
            return;
        }
        self.declared_at.insert(name.name.clone(), name.span);
        self.globals.insert(name.name.clone(), g);
    }

    /// Every global name, for hints only ([`Checker::all_globals`]).
    fn collect_global_names(&mut self, model: &ast::Model) {
        let mut add = |id: &ast::Ident| {
            self.all_globals.entry(id.name.clone()).or_insert(id.span);
        };
        for item in &model.items {
            match item {
                Item::Const { name, .. } | Item::Shared { name, .. } | Item::Lock { name, .. } => {
                    add(name)
                }
                Item::Enum { name, variants, .. } => {
                    add(name);
                    variants.iter().for_each(&mut add);
                }
                Item::Proc(p) => add(&p.name),
                _ => {}
            }
        }
    }

    /// First pass: every global name, in order. Constants are evaluated here, so that a
    /// constant can use exactly the constants declared before it.
    fn declare_globals(&mut self, model: &ast::Model) {
        for item in &model.items {
            match item {
                Item::Const { name, value, .. } => {
                    let v = self.const_int(value, "a constant's value");
                    self.declare(name, Global::Const(v));
                }
                Item::Enum {
                    name,
                    variants,
                    span,
                } => {
                    let id = self.enums.len() as u32;
                    self.enums.push(EnumDef {
                        name: name.name.clone(),
                        variants: variants.iter().map(|v| v.name.clone()).collect(),
                        span: *span,
                    });
                    self.declare(name, Global::Enum(id));
                    if variants.is_empty() {
                        self.error(Diagnostic::new(
                            name.span,
                            format!("enum `{}` has no variants", name.name),
                        ));
                    }
                    for (i, v) in variants.iter().enumerate() {
                        let g = Global::Variant {
                            enum_id: id,
                            index: i as u32,
                        };
                        self.declare(v, g);
                    }
                }
                Item::Shared { name, span, .. } => {
                    let id = self.shared.len() as u32;
                    self.shared.push(SharedVar {
                        name: name.name.clone(),
                        ty: ValueType::Int,
                        key: None,
                        base_slot: 0,
                        len: 1,
                        init: vec![0],
                        last_writer_wins: false,
                        span: *span,
                    });
                    self.declare(name, Global::Shared(id));
                }
                Item::Lock { name, span } => {
                    let id = self.locks.len() as u32;
                    self.locks.push(LockDef {
                        name: name.name.clone(),
                        span: *span,
                    });
                    self.declare(name, Global::Lock(id));
                }
                Item::Proc(p) => {
                    let id = self.procs.len() as u32;
                    self.procs.push(procs::ProcDef::new(Rc::new(p.clone())));
                    self.declare(&p.name, Global::Proc(id));
                }
                _ => {}
            }
        }
    }

    /// A constant integer expression (literals, constants, arithmetic), or `None` after an error.
    fn const_int(&mut self, e: &ast::Expr, what: &str) -> Option<i64> {
        let (ir, ty) = self.expr(e, &Scopes::default())?;
        if ty != Ty::Int {
            let found = self.ty_name(ty);
            self.error(Diagnostic::new(
                e.span,
                format!("{what} must be an integer, found `{found}`"),
            ));
            return None;
        }
        match expr::eval_const(&ir) {
            Ok(v) => Some(v),
            // An overflow or a division by zero.
            Err(Some(msg)) => {
                self.error(Diagnostic::new(e.span, msg));
                None
            }
            Err(None) => {
                self.error(
                    Diagnostic::new(e.span, format!("{what} cannot read shared state")).with_hint(
                        "a constant uses only literals, constants declared before it, and arithmetic",
                    ),
                );
                None
            }
        }
    }

    /// A range `lo..hi` / `lo..=hi` with constant bounds, normalised to half-open.
    fn const_range(&mut self, r: &ast::RangeExpr) -> Option<(i64, i64)> {
        let lo = self.const_int(&r.lo, "a range bound");
        let hi = self.const_int(&r.hi, "a range bound");
        let (lo, hi) = (lo?, hi?);
        if !r.inclusive {
            return Some((lo, hi));
        }
        match hi.checked_add(1) {
            Some(hi) => Some((lo, hi)),
            None => {
                self.error(Diagnostic::new(
                    r.hi.span,
                    "the range's upper bound overflows",
                ));
                None
            }
        }
    }

    /// Lowers every task; returns the bodies and the instances.
    fn check_tasks(&mut self, model: &ast::Model) -> (Vec<crate::ir::TaskBody>, Vec<TaskInstance>) {
        let mut bodies = Vec::new();
        let mut tasks = Vec::new();
        let mut names: HashMap<&str, Span> = HashMap::new();
        for item in &model.items {
            let Item::Task(task) = item else { continue };
            if let Some(prev) = names.get(task.name.name.as_str()) {
                let d = Diagnostic::new(
                    task.name.span,
                    format!("task `{}` is declared twice", task.name.name),
                )
                .with_hint(format!(
                    "the first is at {}",
                    self.position(*prev, task.name.span)
                ));
                self.error(d);
            } else {
                names.insert(&task.name.name, task.name.span);
            }
            let indices = match &task.index {
                None => Some(None),
                Some((_, r)) => self.const_range(r).and_then(|(lo, hi)| {
                    if hi.saturating_sub(lo) > MAX_INSTANCES {
                        self.error(Diagnostic::new(
                            r.span,
                            format!("a task may have at most {MAX_INSTANCES} instances"),
                        ));
                        None
                    } else {
                        Some(Some((lo, hi)))
                    }
                }),
            };
            let body = self.lower_task(task);
            let body_id = bodies.len() as u32;
            bodies.push(body);
            match indices {
                Some(None) => tasks.push(TaskInstance {
                    name: task.name.name.clone(),
                    body: body_id,
                    index: None,
                }),
                Some(Some((lo, hi))) => {
                    for i in lo..hi {
                        tasks.push(TaskInstance {
                            name: format!("{}[{i}]", task.name.name),
                            body: body_id,
                            index: Some(i),
                        });
                    }
                }
                None => {}
            }
        }
        (bodies, tasks)
    }

    /// Invariants and finals: boolean expressions over globals, with unique names.
    fn check_properties(&mut self, model: &ast::Model) -> (Vec<Property>, Vec<Property>) {
        let mut invariants = Vec::new();
        let mut finals = Vec::new();
        let mut names: HashMap<&str, Span> = HashMap::new();
        for item in &model.items {
            let (decl, is_final) = match item {
                Item::Invariant(d) => (d, false),
                Item::Final(d) => (d, true),
                _ => continue,
            };
            if let Some(prev) = names.get(decl.name.name.as_str()) {
                let d = Diagnostic::new(
                    decl.name.span,
                    format!("property `{}` is declared twice", decl.name.name),
                )
                .with_hint(format!(
                    "invariant and final names are unique together; the first is at {}",
                    self.position(*prev, decl.name.span)
                ));
                self.error(d);
            } else {
                names.insert(&decl.name.name, decl.name.span);
            }
            let Some(expr) = self.condition(&decl.expr, &Scopes::default()) else {
                continue;
            };
            let p = Property {
                name: decl.name.name.clone(),
                expr,
                span: decl.span,
            };
            if is_final {
                finals.push(p);
            } else {
                invariants.push(p);
            }
        }
        (invariants, finals)
    }

    fn check_expect(&mut self, model: &ast::Model) -> (Expect, Option<Span>) {
        // Names as declared, so that an invariant with an error of its own is still found.
        let declared = |want_final: bool, name: &str| {
            model.items.iter().any(|item| match item {
                Item::Invariant(d) => !want_final && d.name.name == name,
                Item::Final(d) => want_final && d.name.name == name,
                _ => false,
            })
        };
        let mut result = (Expect::Ok, None);
        for item in &model.items {
            let Item::Expect { kind, span } = item else {
                continue;
            };
            if let Some(prev) = result.1 {
                let prev: Span = prev;
                self.error(
                    Diagnostic::new(*span, "a model has at most one `expect`")
                        .with_hint(format!("the first is at line {}", prev.line)),
                );
                continue;
            }
            let expect = match kind {
                ExpectKind::Ok => Expect::Ok,
                ExpectKind::Deadlock => Expect::Deadlock,
                ExpectKind::Assertion => Expect::Assertion,
                ExpectKind::ModelError => Expect::ModelError,
                ExpectKind::LostUpdate(v) => match self.globals.get(&v.name) {
                    Some(Global::Shared(id)) => Expect::LostUpdate(*id),
                    found => {
                        let shared = self.globals.iter().filter_map(|(n, g)| {
                            matches!(g, Global::Shared(_)).then_some(n.as_str())
                        });
                        let hint = suggest::did_you_mean(&v.name, shared)
                            .or_else(|| found.map(|g| format!("`{}` is {}", v.name, g.describe())));
                        let mut d = Diagnostic::new(
                            v.span,
                            format!("`expect lost_update` names no shared variable `{}`", v.name),
                        );
                        if let Some(h) = hint {
                            d = d.with_hint(h);
                        }
                        self.error(d);
                        Expect::Ok
                    }
                },
                ExpectKind::Invariant(n) => {
                    if !declared(false, &n.name) {
                        let d = Diagnostic::new(
                            n.span,
                            format!("`expect invariant` names no invariant `{}`", n.name),
                        );
                        self.error(property_hint(model, d, &n.name, false));
                    }
                    Expect::Invariant(n.name.clone())
                }
                ExpectKind::Final(n) => {
                    if !declared(true, &n.name) {
                        let d = Diagnostic::new(
                            n.span,
                            format!("`expect final` names no final property `{}`", n.name),
                        );
                        self.error(property_hint(model, d, &n.name, true));
                    }
                    Expect::Final(n.name.clone())
                }
            };
            result = (expect, Some(*span));
        }
        result
    }
}

/// Adds a hint to an `expect invariant`/`expect final` naming no such property: the other kind
/// of property by that name, or the closest name of the kind wanted.
fn property_hint(model: &ast::Model, d: Diagnostic, name: &str, want_final: bool) -> Diagnostic {
    let props = || {
        model.items.iter().filter_map(|item| match item {
            Item::Invariant(p) => Some((false, p.name.name.as_str())),
            Item::Final(p) => Some((true, p.name.name.as_str())),
            _ => None,
        })
    };
    if props().any(|(f, n)| f != want_final && n == name) {
        let (is, write) = if want_final {
            ("an invariant", "invariant")
        } else {
            ("a final property", "final")
        };
        return d.with_hint(format!("`{name}` is {is}: write `expect {write} {name}`"));
    }
    let same_kind = props().filter(|(f, _)| *f == want_final).map(|(_, n)| n);
    match suggest::did_you_mean(name, same_kind) {
        Some(h) => d.with_hint(h),
        None => d,
    }
}
