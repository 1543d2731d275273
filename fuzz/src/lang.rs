//! The front end's oracle: text in, a checked model or diagnostics out, never a panic.
//!
//! [`check_source`] compiles a text and checks what came out against what the rest of migcheck
//! relies on:
//! - every diagnostic points inside the file it names, on character boundaries, and its line and
//!   column are those of its start (so a report can show the source line and the caret);
//! - messages read as the style guide asks (lowercase, no trailing period);
//! - compiling twice gives the same answer, and `compile` agrees with `compile_file` on a text
//!   without includes;
//! - a model that compiles is well formed for the engine: every index in range (variables,
//!   slots, locks, enums, jump targets), initial values inside their types, statements with spans
//!   inside their file, properties that read no locals, `atomic` markers that pair up.
//!
//! A broken rule comes back as `Err` with a description; a panic is left to the caller (the fuzz
//! target aborts, the bounded test catches it and prints the input).

use migcheck_lang::ir::{Domain, Expect, Expr, InstrKind, Model, ValueType};
use migcheck_lang::{Diagnostic, SourceFile, Span};

/// Libraries an `include` may name, as (resolved path, text).
pub type Libraries = [(String, String)];

/// Compiles `text` as the model file at `path`, resolving includes in `libs`, and checks the
/// result. `Ok(Some(model))` when it compiled, `Ok(None)` when it was refused with proper
/// diagnostics, `Err` when a rule above is broken.
pub fn check_source(path: &str, text: &str, libs: &Libraries) -> Result<Option<Model>, String> {
    let load = |p: &str| -> Result<String, String> {
        libs.iter()
            .find(|(lp, _)| lp == p)
            .map(|(_, t)| t.clone())
            .ok_or_else(|| "no such file".to_string())
    };
    let first = migcheck_lang::compile_file(path, text, &load);
    let again = migcheck_lang::compile_file(path, text, &load);
    if first != again {
        return Err("compiling the same text twice gave different results".into());
    }
    if !text.contains("include") {
        let plain = migcheck_lang::compile(text);
        let agree = match (&plain, &first) {
            (Ok(a), Ok(b)) => {
                let mut a = a.clone();
                a.files[0].path = path.to_string();
                a == *b
            }
            (Err(a), Err(b)) => *a == b.diagnostics,
            _ => false,
        };
        if !agree {
            return Err(format!(
                "`compile` and `compile_file` disagree: {} vs {}",
                outcome(&plain.as_ref().map(|_| ()).map_err(|d| d.len())),
                outcome(&first.as_ref().map(|_| ()).map_err(|f| f.diagnostics.len()))
            ));
        }
    }
    match first {
        Ok(model) => {
            if model
                .files
                .first()
                .map(|f| (f.path.as_str(), f.text.as_str()))
                != Some((path, text))
            {
                return Err("the model's file 0 is not the text compiled".into());
            }
            check_model(&model)?;
            Ok(Some(model))
        }
        Err(failure) => {
            if failure.diagnostics.is_empty() {
                return Err("refused without a diagnostic".into());
            }
            if failure.files.first().map(|f| f.text.as_str()) != Some(text) {
                return Err("the failure's file 0 is not the text compiled".into());
            }
            for d in &failure.diagnostics {
                check_diagnostic(&failure.files, d)?;
            }
            Ok(None)
        }
    }
}

fn outcome(r: &Result<(), usize>) -> String {
    match r {
        Ok(()) => "compiled".into(),
        Err(n) => format!("{n} error(s)"),
    }
}

/// The line and column (1-based, the column in characters) of byte `at` of `text`.
pub fn position(text: &str, at: usize) -> (u32, u32) {
    let before = &text[..at];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line as u32, col as u32)
}

/// Checks that `span` lies inside its file, on character boundaries, with the line and column of
/// its start.
pub fn check_span(files: &[SourceFile], span: Span, what: &str) -> Result<(), String> {
    let Some(file) = files.get(span.file as usize) else {
        return Err(format!(
            "{what}: span names file {} of {}",
            span.file,
            files.len()
        ));
    };
    let text = &file.text;
    let (s, e) = (span.start as usize, span.end as usize);
    if s > e || e > text.len() {
        return Err(format!(
            "{what}: span {s}..{e} is not inside the {} bytes of `{}`",
            text.len(),
            file.path
        ));
    }
    if !text.is_char_boundary(s) || !text.is_char_boundary(e) {
        return Err(format!(
            "{what}: span {s}..{e} cuts a character of `{}`",
            file.path
        ));
    }
    let (line, col) = position(text, s);
    if (span.line, span.col) != (line, col) {
        return Err(format!(
            "{what}: span {s}..{e} says line {} column {}, its start is at line {line} column {col}",
            span.line, span.col
        ));
    }
    Ok(())
}

fn check_diagnostic(files: &[SourceFile], d: &Diagnostic) -> Result<(), String> {
    let what = format!("diagnostic {:?}", d.message);
    check_span(files, d.span, &what)?;
    let m = &d.message;
    if m.is_empty() {
        return Err("a diagnostic with an empty message".into());
    }
    if m.starts_with(|c: char| c.is_ascii_uppercase()) || m.ends_with('.') {
        return Err(format!(
            "{what}: messages are lowercase, without a trailing period"
        ));
    }
    if d.label.as_deref() == Some("") || d.hint.as_deref() == Some("") {
        return Err(format!("{what}: an empty label or hint"));
    }
    Ok(())
}

/// Whether `v` is a value of type `ty`.
fn value_fits(model: &Model, ty: ValueType, v: i64) -> bool {
    match ty {
        ValueType::Bool => v == 0 || v == 1,
        ValueType::Int => true,
        ValueType::Range { lo, hi } => lo <= v && v < hi,
        ValueType::Enum(e) => model
            .enums
            .get(e as usize)
            .is_some_and(|en| 0 <= v && v < en.variants.len() as i64),
    }
}

fn type_ok(model: &Model, ty: ValueType) -> bool {
    match ty {
        ValueType::Enum(e) => (e as usize) < model.enums.len(),
        _ => true,
    }
}

/// Checks an expression's indices; `locals` is the number of local slots (`None` in a property,
/// which reads shared state only).
fn check_expr(model: &Model, e: &Expr, locals: Option<usize>, what: &str) -> Result<(), String> {
    match e {
        Expr::Const(_) => Ok(()),
        Expr::Local(slot) => match locals {
            Some(n) if (*slot as usize) < n => Ok(()),
            Some(n) => Err(format!("{what}: local slot {slot} of {n}")),
            None => Err(format!("{what}: a property reads local slot {slot}")),
        },
        Expr::Shared(var) => match model.shared.get(*var as usize) {
            Some(v) if v.key.is_none() => Ok(()),
            Some(v) => Err(format!("{what}: map `{}` read as a scalar", v.name)),
            None => Err(format!("{what}: shared variable {var} does not exist")),
        },
        Expr::MapGet { var, key } => {
            match model.shared.get(*var as usize) {
                Some(v) if v.key.is_some() => {}
                Some(v) => return Err(format!("{what}: scalar `{}` indexed", v.name)),
                None => return Err(format!("{what}: shared variable {var} does not exist")),
            }
            check_expr(model, key, locals, what)
        }
        Expr::Unary(_, a) => check_expr(model, a, locals, what),
        Expr::Binary(_, a, b) => {
            check_expr(model, a, locals, what)?;
            check_expr(model, b, locals, what)
        }
    }
}

fn check_domain(model: &Model, d: &Domain, locals: usize, what: &str) -> Result<(), String> {
    match d {
        Domain::Range { lo, hi } => {
            check_expr(model, lo, Some(locals), what)?;
            check_expr(model, hi, Some(locals), what)
        }
        Domain::Enum(e) if (*e as usize) < model.enums.len() => Ok(()),
        Domain::Enum(e) => Err(format!("{what}: enum {e} does not exist")),
    }
}

/// Checks that a compiled model is well formed for the engine.
pub fn check_model(model: &Model) -> Result<(), String> {
    let mut slot = 0usize;
    for (i, v) in model.shared.iter().enumerate() {
        let what = format!("shared `{}`", v.name);
        check_span(&model.files, v.span, &what)?;
        if v.base_slot != slot {
            return Err(format!(
                "{what}: base slot {} where {slot} was due",
                v.base_slot
            ));
        }
        let len = match v.key {
            Some(k) => {
                if let migcheck_lang::ir::KeyDomain::Enum(e) = k {
                    if e as usize >= model.enums.len() {
                        return Err(format!("{what}: key enum {e} does not exist"));
                    }
                }
                k.len(&model.enums)
            }
            None => 1,
        };
        if v.len != len || v.init.len() != len {
            return Err(format!(
                "{what}: {} slots and {} initial values for {len} keys",
                v.len,
                v.init.len()
            ));
        }
        if !type_ok(model, v.ty) {
            return Err(format!("{what}: its type names a missing enum"));
        }
        if let Some(bad) = v.init.iter().find(|&&x| !value_fits(model, v.ty, x)) {
            return Err(format!(
                "{what}: initial value {bad} is not of type {:?}",
                v.ty
            ));
        }
        if model.shared[..i].iter().any(|o| o.name == v.name) {
            return Err(format!("{what}: declared twice"));
        }
        slot += len;
    }
    if model.num_slots != slot {
        return Err(format!("num_slots is {} for {slot} slots", model.num_slots));
    }
    for l in &model.locks {
        check_span(&model.files, l.span, &format!("lock `{}`", l.name))?;
    }
    for e in &model.enums {
        check_span(&model.files, e.span, &format!("enum `{}`", e.name))?;
        if e.variants.is_empty() {
            return Err(format!("enum `{}` has no variant", e.name));
        }
    }
    for (i, t) in model.tasks.iter().enumerate() {
        let Some(body) = model.bodies.get(t.body as usize) else {
            return Err(format!("task `{}`: body {} does not exist", t.name, t.body));
        };
        if t.index.is_some() != body.index_slot.is_some() {
            return Err(format!(
                "task `{}`: an index without its slot, or a slot without an index",
                t.name
            ));
        }
        if model.tasks[..i].iter().any(|o| o.name == t.name) {
            return Err(format!("task `{}` twice", t.name));
        }
    }
    for body in &model.bodies {
        check_body(model, body)?;
    }
    for (kind, props) in [("invariant", &model.invariants), ("final", &model.finals)] {
        for (i, p) in props.iter().enumerate() {
            let what = format!("{kind} `{}`", p.name);
            check_span(&model.files, p.span, &what)?;
            check_expr(model, &p.expr, None, &what)?;
            if props[..i].iter().any(|o| o.name == p.name) {
                return Err(format!("{what}: declared twice"));
            }
        }
    }
    match &model.expect {
        Expect::LostUpdate(v) if *v as usize >= model.shared.len() => Err(format!(
            "expect lost_update of variable {v}, which does not exist"
        )),
        Expect::Invariant(n) if !model.invariants.iter().any(|p| &p.name == n) => {
            Err(format!("expect invariant `{n}`, which does not exist"))
        }
        Expect::Final(n) if !model.finals.iter().any(|p| &p.name == n) => {
            Err(format!("expect final `{n}`, which does not exist"))
        }
        _ => Ok(()),
    }
}

fn check_body(model: &Model, body: &migcheck_lang::ir::TaskBody) -> Result<(), String> {
    let end = body.code.len() as u32;
    let locals = body.locals.len();
    let slot_ok = |s: u32| (s as usize) < locals;
    if let Some(s) = body.index_slot {
        if !slot_ok(s) {
            return Err(format!("task `{}`: index slot {s} of {locals}", body.name));
        }
    }
    for l in &body.locals {
        if !type_ok(model, l.ty) {
            return Err(format!(
                "task `{}`: local `{}` of a missing enum",
                body.name, l.name
            ));
        }
    }
    for (pc, instr) in body.code.iter().enumerate() {
        let what = format!("task `{}` pc {pc} ({:?})", body.name, instr.kind);
        let target_ok = |t: u32| t <= end;
        let statement = !matches!(
            instr.kind,
            InstrKind::Jump(_) | InstrKind::Clear { .. } | InstrKind::AtomicEnd
        );
        if statement {
            check_span(&model.files, instr.span, &what)?;
        } else if instr.shared {
            return Err(format!("{what}: a non-statement marked shared"));
        }
        let bad = |why: &str| Err(format!("{what}: {why}"));
        match &instr.kind {
            InstrKind::SetLocal { slot, value } => {
                if !slot_ok(*slot) {
                    return bad("local slot out of range");
                }
                check_expr(model, value, Some(locals), &what)?;
            }
            InstrKind::SetShared { var, key, value } => {
                let Some(v) = model.shared.get(*var as usize) else {
                    return bad("shared variable out of range");
                };
                if v.key.is_some() != key.is_some() {
                    return bad("a map written without a key, or a scalar with one");
                }
                if let Some(k) = key {
                    check_expr(model, k, Some(locals), &what)?;
                }
                check_expr(model, value, Some(locals), &what)?;
            }
            InstrKind::Lock(l) | InstrKind::Unlock(l) => {
                if *l as usize >= model.locks.len() {
                    return bad("lock out of range");
                }
            }
            InstrKind::Await(e) | InstrKind::Assert { cond: e, .. } => {
                check_expr(model, e, Some(locals), &what)?;
            }
            InstrKind::Skip | InstrKind::Return | InstrKind::AtomicEnd => {}
            InstrKind::Choose { slot, domain } => {
                if !slot_ok(*slot) {
                    return bad("local slot out of range");
                }
                check_domain(model, domain, locals, &what)?;
            }
            InstrKind::Either { targets } => {
                if targets.len() < 2 || !targets.iter().all(|&t| target_ok(t)) {
                    return bad("fewer than two branches, or a branch target out of range");
                }
            }
            InstrKind::Branch { cond, target } => {
                if !target_ok(*target) {
                    return bad("target out of range");
                }
                check_expr(model, cond, Some(locals), &what)?;
            }
            InstrKind::ForEnter {
                var,
                end_slot,
                domain,
                exit,
            } => {
                if !slot_ok(*var) || !slot_ok(*end_slot) || !target_ok(*exit) {
                    return bad("slot or exit out of range");
                }
                check_domain(model, domain, locals, &what)?;
            }
            InstrKind::ForNext {
                var,
                end_slot,
                body: target,
            } => {
                if !slot_ok(*var) || !slot_ok(*end_slot) || !target_ok(*target) {
                    return bad("slot or target out of range");
                }
            }
            InstrKind::AtomicBegin { end: close } => {
                let closes = body
                    .code
                    .get(*close as usize)
                    .is_some_and(|i| i.kind == InstrKind::AtomicEnd);
                if *close as usize <= pc || !closes {
                    return bad("its end is not an `AtomicEnd` after it");
                }
            }
            InstrKind::Jump(t) => {
                if !target_ok(*t) {
                    return bad("target out of range");
                }
            }
            InstrKind::Clear { from, to } => {
                if from > to || *to as usize > locals {
                    return bad("cleared slots out of range");
                }
            }
        }
    }
    Ok(())
}
