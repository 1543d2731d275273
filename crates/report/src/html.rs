//! The HTML sequence diagram of a replayed trace (`migcheck replay ... --html FILE`): one
//! self-contained page with a lane per task, a column of shared state and a row per step.
//!
//! The page needs no network: its style and its one script are inline, and it uses no fonts,
//! images or links to anything outside itself. The table is static HTML, so the page reads
//! without JavaScript; the script only makes the side panel follow the row under the pointer or
//! the selected one. The state after every step is computed here, from the initial state and each
//! step's changes, and embedded as JSON for that panel.
//!
//! Every piece of text that comes from the model (its doc string, statements, assertion messages,
//! paths) is escaped: a model cannot inject markup into the page.

use std::fmt::Write;

use migcheck_engine::replay::{Trace, TraceStep};
use migcheck_engine::semantics::Semantics;
use migcheck_engine::step::{Event, WaitFor};
use migcheck_engine::{Violation, ViolationKind};
use migcheck_lang::ir::Model;
use migcheck_lang::Span;
use serde_json::json;

use crate::{replay_command, violation_label, Source};

/// Renders the page of `trace`, the replay of `schedule` on `model` read from `source`.
///
/// `schedule` is shown, and put in the replay command, as the user wrote it. The page holds a
/// header (model, schedule, replay command, verdict and a legend), the table of steps with a lane
/// per task and the shared-state column, the side panel and the state after every step as JSON
/// (`<script type="application/json" id="states">`). Rendering never fails and gives the same
/// text for the same inputs.
pub fn page(source: Source<'_>, model: &Model, trace: &Trace, schedule: &str) -> String {
    let snapshots = snapshots(model, trace);
    let marks = Marks::new(trace);
    let verdict = verdict_text(model, trace);
    let mut out = String::with_capacity(16 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"migcheck\">\n\
         <title>{} — {} — migcheck</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(&model.name),
        esc(&verdict.0),
    );
    header(&mut out, source, model, trace, schedule, &verdict);
    out.push_str("<main class=\"layout\">\n<div class=\"diagram\">\n");
    table(&mut out, source, model, trace, &marks, &snapshots);
    out.push_str("</div>\n");
    panel(
        &mut out,
        model,
        snapshots.last().expect("the initial state is always there"),
    );
    out.push_str("</main>\n");
    let _ = write!(
        out,
        "<script type=\"application/json\" id=\"states\">{}</script>\n\
         <script>{SCRIPT}</script>\n</body>\n</html>\n",
        states_json(model, &snapshots)
    );
    out
}

/// Escapes text for HTML content and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The role of a step in a lost update, each drawn in its own colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Read,
    Write,
    Overwrite,
}

impl Role {
    fn class(self) -> &'static str {
        match self {
            Role::Read => "lu-read",
            Role::Write => "lu-write",
            Role::Overwrite => "lu-overwrite",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Role::Read => "read",
            Role::Write => "other task's write",
            Role::Overwrite => "overwrite",
        }
    }
}

/// What the violation highlights: the lost-update triple, the step that failed, or the state
/// that broke a property.
struct Marks<'t> {
    violation: Option<&'t Violation>,
    /// (1-based step, task, role) of a lost update.
    roles: Vec<(usize, usize, Role)>,
    /// The location of a lost update: `x` or `m[3]`.
    location: Option<&'t str>,
    /// The step whose statement failed (an assertion or a model error in a step).
    failed_step: Option<usize>,
    /// The state (0 the initial one) where an invariant, a final property or its evaluation
    /// failed.
    bad_state: Option<usize>,
}

impl<'t> Marks<'t> {
    fn new(trace: &'t Trace) -> Marks<'t> {
        let mut m = Marks {
            violation: trace.violation.as_ref(),
            roles: Vec::new(),
            location: None,
            failed_step: None,
            bad_state: None,
        };
        let Some(v) = &trace.violation else {
            return m;
        };
        if let Some(lu) = &v.lost_update {
            m.location = Some(&lu.location);
            m.roles = vec![
                (lu.read.step, lu.read.task, Role::Read),
                (lu.write.step, lu.write.task, Role::Write),
                (lu.overwrite.step, lu.overwrite.task, Role::Overwrite),
            ];
        }
        let last = trace.steps.last();
        match v.kind {
            ViolationKind::Deadlock | ViolationKind::LostUpdate => {}
            _ if last.is_some_and(|s| s.error.is_some()) => m.failed_step = last.map(|s| s.index),
            _ => m.bad_state = Some(trace.steps.len()),
        }
        m
    }

    fn roles_of(&self, step: usize, task: usize) -> impl Iterator<Item = Role> + '_ {
        self.roles
            .iter()
            .filter(move |r| r.0 == step && r.1 == task)
            .map(|r| r.2)
    }
}

/// The shared state, the tasks and the locks after one step (or initially).
struct Snapshot {
    /// Formatted value per shared slot.
    values: Vec<String>,
    /// The slots this step changed.
    changed: Vec<usize>,
    /// Per task: `running`, `finished` or `blocked`, and the words shown for it.
    tasks: Vec<(&'static str, String)>,
    /// Per lock: the holding task.
    holders: Vec<Option<usize>>,
}

/// The state before the first step and after each one: `trace.steps.len() + 1` snapshots.
fn snapshots(model: &Model, trace: &Trace) -> Vec<Snapshot> {
    let sem = Semantics::new(model);
    let initial = sem.initial();
    let mut shared: Vec<i64> = initial.shared.to_vec();
    let mut finished: Vec<bool> = (0..model.tasks.len())
        .map(|t| initial.finished(&sem.layout, t))
        .collect();
    let mut holders: Vec<Option<usize>> = vec![None; model.locks.len()];
    let format = |shared: &[i64]| -> Vec<String> {
        (0..model.num_slots)
            .map(|slot| slot_value(model, slot, shared[slot]))
            .collect()
    };
    let status = |finished: &[bool]| -> Vec<(&'static str, String)> {
        finished
            .iter()
            .map(|&f| {
                if f {
                    ("finished", "finished".to_string())
                } else {
                    ("running", "running".to_string())
                }
            })
            .collect()
    };
    let mut out = vec![Snapshot {
        values: format(&shared),
        changed: Vec::new(),
        tasks: status(&finished),
        holders: holders.clone(),
    }];
    for step in &trace.steps {
        // A failed step changes nothing: the explorer never stores the state it aborted in.
        let mut changed = Vec::new();
        if step.error.is_none() {
            for c in &step.changes {
                shared[c.slot as usize] = c.new;
                changed.push(c.slot as usize);
            }
            for e in &step.events {
                match e {
                    Event::Lock { lock } => holders[*lock as usize] = Some(step.task),
                    Event::Unlock { lock } => holders[*lock as usize] = None,
                    _ => {}
                }
            }
            finished[step.task] |= step.finished;
        }
        out.push(Snapshot {
            values: format(&shared),
            changed,
            tasks: status(&finished),
            holders: holders.clone(),
        });
    }
    if let Some(v) = trace.violation.as_ref().filter(|v| !v.blocked.is_empty()) {
        let last = out.last_mut().expect("the initial state is always there");
        for b in &v.blocked {
            last.tasks[b.task] = ("blocked", format!("blocked: {}", wait_text(model, &b.wait)));
        }
    }
    out
}

fn slot_value(model: &Model, slot: usize, value: i64) -> String {
    let var = &model.shared[model.var_of_slot(slot)];
    model.format_value(var.ty, value)
}

/// "waits for lock L held by T" or "waits for its await condition", in plain words.
fn wait_text(model: &Model, wait: &WaitFor) -> String {
    match wait {
        WaitFor::Lock { lock, holder } => format!(
            "waits for lock {} held by {}",
            model.locks[*lock as usize].name, model.tasks[*holder].name
        ),
        WaitFor::Await => "waits for its await condition".to_string(),
    }
}

/// The verdict in a few words (`lost_update alloc_inst`, `no violation`) and its sentence.
fn verdict_text(model: &Model, trace: &Trace) -> (String, String) {
    match &trace.violation {
        Some(v) => (
            violation_label(v.kind.as_str(), v.name.as_deref(), v.key.as_deref()),
            v.message.clone(),
        ),
        None if trace.all_finished => (
            "no violation".to_string(),
            "the run ended without a violation: every task has finished".to_string(),
        ),
        None => {
            let sem = Semantics::new(model);
            let running: Vec<&str> = (0..model.tasks.len())
                .filter(|&t| !trace.state.finished(&sem.layout, t))
                .map(|t| model.tasks[t].name.as_str())
                .collect();
            (
                "no violation".to_string(),
                format!(
                    "the schedule ended without a violation; still running: {}",
                    running.join(", ")
                ),
            )
        }
    }
}

/// Where a statement is: `line 12`, or `lib.migl:12` (full path in the tooltip) for an included
/// file. Escaped.
fn position(source: Source<'_>, span: Span) -> String {
    if span.file > 0 {
        let path = source.for_span(span).path;
        let short = path.rsplit('/').next().unwrap_or(path);
        format!(
            "<span class=\"at\" title=\"{}:{}\">{}:{}</span>",
            esc(path),
            span.line,
            esc(short),
            span.line
        )
    } else {
        format!("<span class=\"at\">line {}</span>", span.line)
    }
}

fn header(
    out: &mut String,
    source: Source<'_>,
    model: &Model,
    trace: &Trace,
    schedule: &str,
    verdict: &(String, String),
) {
    let _ = writeln!(
        out,
        "<header>\n<h1><span class=\"kicker\">migcheck replay</span> {}</h1>",
        esc(&model.name)
    );
    if let Some(doc) = &model.doc {
        let _ = writeln!(out, "<p class=\"doc\">{}</p>", esc(doc));
    }
    let shown = if schedule.trim().is_empty() {
        "(empty: the initial state)"
    } else {
        schedule
    };
    let class = if trace.violation.is_some() {
        "verdict bad"
    } else {
        "verdict good"
    };
    let _ = write!(
        out,
        "<dl class=\"facts\">\n\
         <dt>Model</dt><dd><code>{}</code></dd>\n\
         <dt>Schedule</dt><dd><code class=\"schedule\">{}</code> <span class=\"dim\">({} step(s) replayed)</span></dd>\n\
         <dt>Replay</dt><dd><code class=\"command\">{}</code></dd>\n\
         <dt>Verdict</dt><dd class=\"{class}\"><strong>{}</strong>: {}",
        esc(source.path),
        esc(shown),
        trace.steps.len(),
        esc(&replay_command(source.path, schedule)),
        esc(&verdict.0),
        esc(&verdict.1),
    );
    if let Some(span) = trace.violation.as_ref().and_then(|v| v.span) {
        let file = source.for_span(span);
        let _ = write!(
            out,
            "<br><span class=\"dim\">at</span> {} <code>{}</code>",
            position(source, span),
            esc(&file.statement(span))
        );
    }
    if trace.steps_left > 0 {
        let _ = write!(
            out,
            "<br><span class=\"dim\">the schedule goes on for {} more step(s) after the \
             violation; not replayed</span>",
            trace.steps_left
        );
    }
    out.push_str("</dd>\n</dl>\n");
    if let Some(v) = &trace.violation {
        legend(out, source, model, v);
    }
    out.push_str("</header>\n");
}

/// The key to the highlights, and a deadlock's waits and cycle in words.
fn legend(out: &mut String, source: Source<'_>, model: &Model, v: &Violation) {
    if let Some(lu) = &v.lost_update {
        let _ = writeln!(
            out,
            "<p class=\"legend\">Lost update of <code>{}</code>: \
             <span class=\"swatch lu-read\">read</span> \
             <span class=\"swatch lu-write\">other task's write</span> \
             <span class=\"swatch lu-overwrite\">overwrite</span></p>",
            esc(&lu.location)
        );
    }
    if !v.blocked.is_empty() {
        out.push_str("<div class=\"waits\"><p class=\"legend\"><span class=\"swatch blocked\">blocked</span> no task can step:</p>\n<ul>\n");
        for b in &v.blocked {
            let mut text = format!("{} {}", model.tasks[b.task].name, wait_text(model, &b.wait));
            // In a deadlock every unfinished task is blocked, so a holder that is not blocked
            // has finished with the lock still held.
            if let WaitFor::Lock { holder, .. } = b.wait {
                if !v.blocked.iter().any(|o| o.task == holder) {
                    text.push_str(" (finished)");
                }
            }
            let _ = writeln!(
                out,
                "<li class=\"wait\">{}, at {}</li>",
                esc(&text),
                position(source, b.span)
            );
        }
        out.push_str("</ul>\n");
        if !v.cycle.is_empty() {
            let mut names: Vec<&str> = v
                .cycle
                .iter()
                .map(|&t| model.tasks[t].name.as_str())
                .collect();
            names.push(names[0]);
            let _ = writeln!(
                out,
                "<p class=\"cycle\">wait-for cycle: {}</p>",
                esc(&names.join(" → "))
            );
        }
        out.push_str("</div>\n");
    } else if v.lost_update.is_none() {
        let _ = writeln!(
            out,
            "<p class=\"legend\"><span class=\"swatch failing\">{}</span> the step or state where it fails</p>",
            esc(v.kind.as_str())
        );
    }
}

fn table(
    out: &mut String,
    source: Source<'_>,
    model: &Model,
    trace: &Trace,
    marks: &Marks<'_>,
    snapshots: &[Snapshot],
) {
    let tasks = model.tasks.len();
    let cycle: &[usize] = marks.violation.map_or(&[], |v| &v.cycle);
    // A lane where nothing happens (a task that never steps and is not blocked at the end) is
    // drawn narrow, so that the lanes where the story is get the room.
    let busy: Vec<bool> = (0..tasks)
        .map(|t| {
            trace.steps.iter().any(|s| s.task == t)
                || marks
                    .violation
                    .is_some_and(|v| v.blocked.iter().any(|b| b.task == t))
        })
        .collect();
    out.push_str("<table id=\"trace\" class=\"trace\">\n<colgroup><col class=\"c-num\">");
    for &b in &busy {
        out.push_str(if b {
            "<col class=\"c-lane\">"
        } else {
            "<col class=\"c-lane idle\">"
        });
    }
    out.push_str("<col class=\"c-shared\"></colgroup>\n<thead><tr><th class=\"num\">step</th>");
    for (t, task) in model.tasks.iter().enumerate() {
        let class = if cycle.contains(&t) {
            "lane-head in-cycle"
        } else {
            "lane-head"
        };
        let _ = write!(
            out,
            "<th class=\"{class}\" data-task=\"{t}\">{}</th>",
            // A long name breaks after an underscore rather than anywhere.
            esc(&task.name).replace('_', "_<wbr>")
        );
    }
    out.push_str("<th class=\"shared\">shared state</th></tr></thead>\n<tbody>\n");

    // The lifeline of a task ends in the step it finishes.
    let mut finished_before: Vec<bool> = snapshots[0]
        .tasks
        .iter()
        .map(|t| t.0 == "finished")
        .collect();

    // The initial state.
    let bad0 = marks.bad_state == Some(0);
    let _ = write!(
        out,
        "<tr id=\"start\" class=\"initial{}\" data-state=\"0\"><th class=\"num\"><a href=\"#start\">start</a></th>",
        if bad0 { " failing" } else { "" }
    );
    for (t, &done) in finished_before.iter().enumerate() {
        lifeline(out, t, done);
    }
    let initial: Vec<String> = (0..model.num_slots)
        .map(|slot| format!("{} = {}", model.slot_name(slot), snapshots[0].values[slot]))
        .collect();
    let _ = write!(
        out,
        "<td class=\"shared\"><div class=\"dim\">initial state</div><div class=\"summary\">{}</div>",
        esc(&if initial.is_empty() {
            "(no shared variables)".to_string()
        } else {
            initial.join(", ")
        })
    );
    if bad0 {
        violates(out, marks);
    }
    out.push_str("</td></tr>\n");

    for step in &trace.steps {
        let failing = marks.failed_step == Some(step.index) || marks.bad_state == Some(step.index);
        let _ = write!(
            out,
            "<tr id=\"step-{i}\" class=\"step{}\" data-state=\"{i}\"><th class=\"num\"><a href=\"#step-{i}\">{i}</a></th>",
            if failing { " failing" } else { "" },
            i = step.index
        );
        for (t, done) in finished_before.iter().enumerate() {
            if t == step.task {
                step_cell(out, source, model, step, marks);
            } else {
                lifeline(out, t, *done);
            }
        }
        shared_cell(out, model, step, marks);
        out.push_str("</tr>\n");
        if step.error.is_none() {
            finished_before[step.task] |= step.finished;
        }
    }

    end_row(out, source, model, trace, marks, snapshots);
    out.push_str("</tbody>\n</table>\n");
}

/// An empty lane: the task's lifeline while it runs, nothing once it has finished.
fn lifeline(out: &mut String, task: usize, finished: bool) {
    let _ = write!(
        out,
        "<td class=\"lane{}\" data-task=\"{task}\"></td>",
        if finished { " ended" } else { "" }
    );
}

/// The stepping task's cell: its statements with their lines, what each read, wrote, took,
/// released and chose.
fn step_cell(
    out: &mut String,
    source: Source<'_>,
    model: &Model,
    step: &TraceStep,
    marks: &Marks<'_>,
) {
    let roles: Vec<Role> = marks.roles_of(step.index, step.task).collect();
    let mut class = String::from("lane cell");
    for r in &roles {
        class.push(' ');
        class.push_str(r.class());
    }
    if step.error.is_some() {
        class.push_str(" failed");
    }
    let _ = write!(
        out,
        "<td class=\"{class}\" data-task=\"{}\"><div class=\"card\">",
        step.task
    );
    for r in &roles {
        let _ = write!(
            out,
            "<div class=\"badge {}\">{}</div>",
            r.class(),
            r.label()
        );
    }
    // Reads of the lost-update location are marked in a read step; writes in the other two.
    let marked = |slot: u32, write: bool| {
        roles.iter().any(|r| (*r == Role::Read) != write)
            && marks
                .location
                .is_some_and(|l| l == model.slot_name(slot as usize))
    };
    for (i, e) in step.events.iter().enumerate() {
        match e {
            Event::Stmt(span) => {
                // A statement that touches no shared state or lock is drawn dimmed, so that the
                // eye finds the one that makes the step.
                let shared = step.events[i + 1..]
                    .iter()
                    .take_while(|e| !matches!(e, Event::Stmt(_)))
                    .any(|e| {
                        matches!(
                            e,
                            Event::Read { .. }
                                | Event::Write { .. }
                                | Event::Lock { .. }
                                | Event::Unlock { .. }
                        )
                    });
                let _ = write!(
                    out,
                    "<div class=\"stmt{}\">{} <code>{}</code></div>",
                    if shared { "" } else { " local" },
                    position(source, *span),
                    esc(&source.for_span(*span).statement(*span))
                );
            }
            Event::Read { slot, value } => {
                let _ = write!(
                    out,
                    "<div class=\"ev read{}\">read {} = {}</div>",
                    if marked(*slot, false) { " hl" } else { "" },
                    esc(&model.slot_name(*slot as usize)),
                    esc(&slot_value(model, *slot as usize, *value))
                );
            }
            Event::Write { slot, old, new } => {
                let _ = write!(
                    out,
                    "<div class=\"ev write{}\">write {} = {} <span class=\"dim\">(was {})</span></div>",
                    if marked(*slot, true) { " hl" } else { "" },
                    esc(&model.slot_name(*slot as usize)),
                    esc(&slot_value(model, *slot as usize, *new)),
                    esc(&slot_value(model, *slot as usize, *old))
                );
            }
            // Locals are left out: the values read already say what a `let` took, and the
            // lanes are narrow.
            Event::Local { .. } => {}
            Event::Lock { lock } => {
                let _ = write!(
                    out,
                    "<div class=\"ev lock\">takes lock {}</div>",
                    esc(&model.locks[*lock as usize].name)
                );
            }
            Event::Unlock { lock } => {
                let _ = write!(
                    out,
                    "<div class=\"ev lock\">releases lock {}</div>",
                    esc(&model.locks[*lock as usize].name)
                );
            }
            Event::Choice { kind, value } => {
                let c = migcheck_engine::Choice {
                    kind: *kind,
                    value: *value,
                };
                let _ = write!(
                    out,
                    "<div class=\"ev choice\">chooses {}</div>",
                    esc(&migcheck_engine::schedule::format_choice(model, c))
                );
            }
        }
    }
    if let Some(e) = &step.error {
        let _ = write!(
            out,
            "<div class=\"error\">fails at {}: {}</div>",
            position(source, e.span),
            esc(&migcheck_engine::violation::describe_error(
                model,
                Some(step.task),
                &e.kind
            ))
        );
    }
    if step.finished && step.error.is_none() {
        out.push_str("<div class=\"done\">finished</div>");
    }
    out.push_str("</div></td>");
}

/// The shared-state column of a step: what it changed.
fn shared_cell(out: &mut String, model: &Model, step: &TraceStep, marks: &Marks<'_>) {
    out.push_str("<td class=\"shared\">");
    if step.error.is_some() {
        out.push_str("<div class=\"dim\">the step fails: nothing changes</div>");
    } else if step.changes.is_empty() {
        out.push_str("<div class=\"dim\">unchanged</div>");
    } else {
        for c in &step.changes {
            let _ = write!(
                out,
                "<div class=\"chg\"><span class=\"loc\">{}</span>: {} → {}</div>",
                esc(&model.slot_name(c.slot as usize)),
                esc(&slot_value(model, c.slot as usize, c.old)),
                esc(&slot_value(model, c.slot as usize, c.new))
            );
        }
    }
    if marks.bad_state == Some(step.index) {
        violates(out, marks);
    }
    out.push_str("</td>");
}

/// The note that the state reached here breaks a property.
fn violates(out: &mut String, marks: &Marks<'_>) {
    if let Some(v) = marks.violation {
        let _ = write!(
            out,
            "<div class=\"violates\">{}</div>",
            esc(&violation_label(
                v.kind.as_str(),
                v.name.as_deref(),
                v.key.as_deref()
            ))
        );
    }
}

/// The row after the last step: each task's end (finished, blocked, still running) and the
/// outcome.
fn end_row(
    out: &mut String,
    source: Source<'_>,
    model: &Model,
    trace: &Trace,
    marks: &Marks<'_>,
    snapshots: &[Snapshot],
) {
    let last = snapshots.last().expect("the initial state is always there");
    let n = trace.steps.len();
    let deadlock = marks
        .violation
        .filter(|v| v.kind == ViolationKind::Deadlock);
    let _ = write!(
        out,
        "<tr id=\"end\" class=\"end{}\" data-state=\"{n}\"><th class=\"num\"><a href=\"#end\">end</a></th>",
        if deadlock.is_some() { " failing" } else { "" }
    );
    for (t, (status, _)) in last.tasks.iter().enumerate() {
        let blocked = deadlock.and_then(|v| v.blocked.iter().find(|b| b.task == t));
        match (blocked, *status) {
            (Some(b), _) => {
                let in_cycle = deadlock.is_some_and(|v| v.cycle.contains(&t));
                let _ = write!(
                    out,
                    "<td class=\"lane cell blocked{}\" data-task=\"{t}\"><div class=\"card\">\
                     <div class=\"badge blocked\">blocked</div>\
                     <div class=\"stmt\">{} <code>{}</code></div><div class=\"ev\">{}</div></div></td>",
                    if in_cycle { " in-cycle" } else { "" },
                    position(source, b.span),
                    esc(&source.for_span(b.span).statement(b.span)),
                    esc(&wait_text(model, &b.wait))
                );
            }
            (None, "finished") => {
                let _ = write!(
                    out,
                    "<td class=\"lane ended\" data-task=\"{t}\"><div class=\"status\">finished</div></td>"
                );
            }
            (None, _) => {
                let _ = write!(
                    out,
                    "<td class=\"lane\" data-task=\"{t}\"><div class=\"status\">still running</div></td>"
                );
            }
        }
    }
    let outcome = verdict_text(model, trace);
    let _ = writeln!(
        out,
        "<td class=\"shared outcome\"><strong>{}</strong>: {}</td></tr>",
        esc(&outcome.0),
        esc(&outcome.1)
    );
}

/// The side panel, filled with the state after the last step so that it reads without
/// JavaScript; the script refills it for the row under the pointer or the selected one.
fn panel(out: &mut String, model: &Model, last: &Snapshot) {
    out.push_str(
        "<aside id=\"panel\">\n<h2 id=\"panel-title\">State at the end</h2>\n\
         <table class=\"state\"><tbody id=\"panel-values\">",
    );
    for slot in 0..model.num_slots {
        let _ = write!(
            out,
            "<tr{}><th>{}</th><td>{}</td></tr>",
            if last.changed.contains(&slot) {
                " class=\"changed\""
            } else {
                ""
            },
            esc(&model.slot_name(slot)),
            esc(&last.values[slot])
        );
    }
    out.push_str("</tbody></table>\n<h3>Tasks</h3>\n<ul id=\"panel-tasks\">");
    for (t, (status, text)) in last.tasks.iter().enumerate() {
        let _ = write!(
            out,
            "<li class=\"status-{status}\"><b>{}</b>: {}</li>",
            esc(&model.tasks[t].name),
            esc(text)
        );
    }
    out.push_str("</ul>\n");
    if !model.locks.is_empty() {
        out.push_str("<h3>Locks</h3>\n<ul id=\"panel-locks\">");
        for (l, holder) in last.holders.iter().enumerate() {
            let _ = write!(
                out,
                "<li><b>{}</b>: {}</li>",
                esc(&model.locks[l].name),
                esc(&lock_text(model, *holder))
            );
        }
        out.push_str("</ul>\n");
    }
    out.push_str(
        "<p class=\"hint\">Hover over a row, or click it, to see the state after that step; \
         the arrow keys move the selection.</p>\n</aside>\n",
    );
}

fn lock_text(model: &Model, holder: Option<usize>) -> String {
    match holder {
        Some(t) => format!("held by {}", model.tasks[t].name),
        None => "free".to_string(),
    }
}

/// The snapshots as JSON for the script, safe inside `<script>`: no `<`, `>` or `&` is left
/// as such (each becomes its `\u` escape, which JSON reads back as the same character).
fn states_json(model: &Model, snapshots: &[Snapshot]) -> String {
    let states: Vec<serde_json::Value> = snapshots
        .iter()
        .enumerate()
        .map(|(i, s)| {
            json!({
                "step": i,
                "values": s.values,
                "changed": s.changed,
                "status": s.tasks.iter().map(|t| t.0).collect::<Vec<_>>(),
                "tasks": s.tasks.iter().map(|t| t.1.as_str()).collect::<Vec<_>>(),
                "locks": s.holders.iter().map(|h| lock_text(model, *h)).collect::<Vec<_>>(),
            })
        })
        .collect();
    let doc = json!({
        "slots": (0..model.num_slots).map(|s| model.slot_name(s)).collect::<Vec<_>>(),
        "tasks": model.tasks.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        "locks": model.locks.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(),
        "states": states,
    });
    doc.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The page's style sheet, inlined into every page.
const STYLE: &str = include_str!("html/page.css");

/// The page's script (the state panel, selection by hover, click, keys and address), inlined.
const SCRIPT: &str = include_str!("html/page.js");
