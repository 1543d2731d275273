//! The terminal rendering: one block per checked model, and a replayed trace step by step.

use std::fmt::Write;

use annotate_snippets::{Level, Renderer, Snippet};
use migcheck_engine::expect::{expected_text, found_text};
use migcheck_engine::replay::{Trace, TraceStep};
use migcheck_engine::semantics::Semantics;
use migcheck_engine::state::Layout;
use migcheck_engine::step::Event;
use migcheck_engine::{Outcome, Verdict, Violation};
use migcheck_lang::ir::Model;

use crate::{replay_command, Source};

/// One checked model, as the CLI hands it over.
#[derive(Debug, Clone, Copy)]
pub struct Checked<'a> {
    pub source: Source<'a>,
    pub model: &'a Model,
    pub outcome: &'a Outcome,
    /// For `migcheck test`: whether the outcome meets the model's `expect` line (`None` while
    /// incomplete); `None` for `check`.
    pub expectation: Option<Option<bool>>,
}

/// Renders one checked model: the verdict line, then for a violation its message, the source
/// lines involved, the schedule and the command that replays it.
pub fn render_checked(c: &Checked<'_>, color: bool) -> String {
    let mut out = String::new();
    let s = &c.outcome.stats;
    let mut figures = format!(
        "{} states, {} transitions, {:.3}s",
        s.states, s.transitions, s.seconds
    );
    if let Some(p) = s.collision_probability {
        figures.push_str(&format!(", fingerprints: P(collision) ~ {p:.1e}"));
    }
    let found = found_text(c.outcome);
    let status = match c.expectation {
        Some(Some(true)) => "PASS",
        Some(Some(false)) => "FAIL",
        Some(None) => "INCOMPLETE",
        None => match c.outcome.verdict {
            Verdict::Ok => "ok",
            Verdict::Violation(_) => "VIOLATION",
            Verdict::Incomplete { .. } => "INCOMPLETE",
        },
    };
    let _ = write!(out, "{status} {} ({})", c.source.path, c.model.name);
    if c.expectation.is_some() {
        let _ = write!(out, ": expected {}, found {found}", expected_text(c.model));
    } else if found != "ok" {
        let _ = write!(out, ": {found}");
    }
    let _ = writeln!(out, " [{figures}]");
    match &c.outcome.verdict {
        Verdict::Ok => {}
        Verdict::Incomplete { reason } => {
            let _ = writeln!(out, "  incomplete: {reason}");
        }
        Verdict::Violation(v) => {
            out.push_str(&render_violation(c.source, v, color));
            let schedule = v.schedule.format(c.model);
            let shown = if schedule.is_empty() {
                "(empty: the initial state)"
            } else {
                &schedule
            };
            let _ = writeln!(out, "  schedule ({} steps): {shown}", v.schedule.len());
            let _ = writeln!(
                out,
                "  replay with: {}",
                replay_command(c.source.path, &schedule)
            );
        }
    }
    if let Some(sampled) = &c.outcome.sampled {
        out.push_str(&render_sampled(c.model, sampled));
    }
    out
}

/// The summary of a sampling: how many runs failed, and the first few of them.
fn render_sampled(
    model: &migcheck_lang::ir::Model,
    s: &migcheck_engine::strategy::Sampled,
) -> String {
    const SHOWN: usize = 10;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  sampling: {} run(s), {} failing{}",
        s.runs,
        s.failing.len(),
        if s.cut_short > 0 {
            format!(", {} stopped at the step limit", s.cut_short)
        } else {
            String::new()
        }
    );
    for f in s.failing.iter().take(SHOWN) {
        let what = f
            .violation
            .as_ref()
            .map_or_else(String::new, |v| format!(" {}", violation_text(v)));
        let _ = writeln!(
            out,
            "    run {}:{what} in {} steps: {}",
            f.run,
            f.schedule.len(),
            f.schedule.format(model)
        );
    }
    if s.failing.len() > SHOWN {
        let _ = writeln!(out, "    ... and {} more", s.failing.len() - SHOWN);
    }
    out
}

/// `invariant capacity`, `lost_update alloc[instance]`, `deadlock`.
fn violation_text(v: &Violation) -> String {
    crate::violation_label(v.kind.as_str(), v.name.as_deref(), v.key.as_deref())
}

/// The violation's message with the source lines involved, rustc style.
pub fn render_violation(source: Source<'_>, v: &Violation, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let title = v.message.clone();
    // One snippet per file, in order of first mention, each with its annotations.
    let mut spans: Vec<(Level, migcheck_lang::Span, Option<&str>)> = Vec::new();
    if let Some(span) = v.span {
        if !v.notes.iter().any(|n| n.span == span) {
            spans.push((Level::Error, span, None));
        }
    }
    for (i, n) in v.notes.iter().enumerate() {
        let level = if Some(n.span) == v.span || (i == 0 && v.span.is_none()) {
            Level::Error
        } else {
            Level::Info
        };
        spans.push((level, n.span, Some(&n.text)));
    }
    let mut files: Vec<u32> = Vec::new();
    for (_, span, _) in &spans {
        if !files.contains(&span.file) {
            files.push(span.file);
        }
    }
    let mut message = Level::Error.title(&title).id(v.kind.as_str());
    for file in files {
        let Some(first) = spans.iter().find(|s| s.1.file == file) else {
            continue;
        };
        let src = source.for_span(first.1);
        let len = src.text.len();
        let mut snippet = Snippet::source(src.text)
            .line_start(1)
            .origin(src.path)
            .fold(true);
        for (level, span, label) in spans.iter().filter(|s| s.1.file == file) {
            let start = (span.start as usize).min(len);
            let end = (span.end as usize).clamp(start, len);
            let mut a = level.span(start..end);
            if let Some(l) = label {
                a = a.label(l);
            }
            snippet = snippet.annotation(a);
        }
        message = message.snippet(snippet);
    }
    let mut out = String::new();
    for line in renderer.render(message).to_string().lines() {
        let _ = writeln!(out, "  {line}");
    }
    out
}

/// Renders a replayed trace: each step with its statements, values, locks and state changes,
/// then how the run ended.
pub fn render_trace(
    source: Source<'_>,
    model: &Model,
    trace: &Trace,
    schedule_len: usize,
    color: bool,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "replaying {} ({}): {} step(s)",
        source.path, model.name, schedule_len
    );
    let _ = writeln!(
        out,
        "initial state: {}",
        state_summary(model, &Semantics::new(model).initial().shared)
    );
    for step in &trace.steps {
        out.push_str(&render_step(source, model, step));
    }
    match &trace.violation {
        Some(v) => {
            let _ = writeln!(out);
            out.push_str(&render_violation(source, v, color));
            if trace.steps_left > 0 {
                let _ = writeln!(
                    out,
                    "  the schedule goes on for {} more step(s) after the violation; not replayed",
                    trace.steps_left
                );
            }
        }
        None => {
            let layout = Layout::new(model);
            let running: Vec<&str> = (0..model.tasks.len())
                .filter(|&t| !trace.state.finished(&layout, t))
                .map(|t| model.tasks[t].name.as_str())
                .collect();
            let _ = writeln!(out);
            if running.is_empty() {
                let _ = writeln!(
                    out,
                    "the run ended without a violation: every task has finished"
                );
            } else {
                let _ = writeln!(
                    out,
                    "the schedule ended without a violation; still running: {}",
                    running.join(", ")
                );
            }
        }
    }
    out
}

/// `x = 1, m[0] = 2, ...` for the whole shared state.
fn state_summary(model: &Model, shared: &[i64]) -> String {
    let parts: Vec<String> = (0..model.num_slots)
        .map(|slot| {
            let var = &model.shared[model.var_of_slot(slot)];
            format!(
                "{} = {}",
                model.slot_name(slot),
                model.format_value(var.ty, shared[slot])
            )
        })
        .collect();
    if parts.is_empty() {
        "(no shared variables)".into()
    } else {
        parts.join(", ")
    }
}

fn slot_value(model: &Model, slot: u32, value: i64) -> String {
    let var = &model.shared[model.var_of_slot(slot as usize)];
    model.format_value(var.ty, value)
}

fn render_step(source: Source<'_>, model: &Model, step: &TraceStep) -> String {
    let mut out = String::new();
    let task = &model.tasks[step.task];
    let body = &model.bodies[task.body as usize];
    let choices: Vec<String> = step
        .choices
        .iter()
        .map(|c| migcheck_engine::schedule::format_choice(model, *c))
        .collect();
    let _ = write!(out, "\nstep {}  {}", step.index, task.name);
    if !choices.is_empty() {
        let _ = write!(out, "  (choices: {})", choices.join(", "));
    }
    let _ = writeln!(out);
    for e in &step.events {
        match e {
            Event::Stmt(span) => {
                let file = source.for_span(*span);
                let at = if span.file > 0 {
                    format!("{}:{}", file.path, span.line)
                } else {
                    format!("line {:>4}", span.line)
                };
                let _ = writeln!(out, "  {at} | {}", file.statement(*span));
            }
            Event::Read { slot, value } => {
                let _ = writeln!(
                    out,
                    "              read  {} = {}",
                    model.slot_name(*slot as usize),
                    slot_value(model, *slot, *value)
                );
            }
            Event::Write { slot, old, new } => {
                let _ = writeln!(
                    out,
                    "              write {} = {} (was {})",
                    model.slot_name(*slot as usize),
                    slot_value(model, *slot, *new),
                    slot_value(model, *slot, *old)
                );
            }
            Event::Local { slot, value } => {
                let info = &body.locals[*slot as usize];
                if !info.name.starts_with('$') {
                    let _ = writeln!(
                        out,
                        "              local {} = {}",
                        info.name,
                        model.format_value(info.ty, *value)
                    );
                }
            }
            Event::Lock { lock } => {
                let _ = writeln!(
                    out,
                    "              takes lock {}",
                    model.locks[*lock as usize].name
                );
            }
            Event::Unlock { lock } => {
                let _ = writeln!(
                    out,
                    "              releases lock {}",
                    model.locks[*lock as usize].name
                );
            }
            Event::Choice { kind, value } => {
                let c = migcheck_engine::Choice {
                    kind: *kind,
                    value: *value,
                };
                let _ = writeln!(
                    out,
                    "              chooses {}",
                    migcheck_engine::schedule::format_choice(model, c)
                );
            }
        }
    }
    if let Some(e) = &step.error {
        let _ = writeln!(
            out,
            "  the step fails at {}: {}",
            model.at_line(e.span),
            migcheck_engine::violation::describe_error(model, Some(step.task), &e.kind)
        );
    } else {
        let changes: Vec<String> = step
            .changes
            .iter()
            .map(|c| {
                format!(
                    "{}: {} -> {}",
                    model.slot_name(c.slot as usize),
                    slot_value(model, c.slot, c.old),
                    slot_value(model, c.slot, c.new)
                )
            })
            .collect();
        if changes.is_empty() {
            let _ = writeln!(out, "  shared state unchanged");
        } else {
            let _ = writeln!(out, "  changed: {}", changes.join(", "));
        }
    }
    if step.finished {
        let _ = writeln!(out, "  {} has finished", task.name);
    }
    out
}
