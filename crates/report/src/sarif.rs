//! SARIF 2.1.0 (`--format sarif`): the log that code-scanning services and editors read.
//!
//! One run, whose tool is migcheck with a rule per kind of violation, one for bad input, one for
//! an incomplete exploration and one for a `test` expectation that no interleaving meets. Each
//! violation is one result: its location is the violation's line (the failing statement, the
//! property, the overwrite), its related locations are the other lines involved, its message
//! holds the schedule and the replay command, and its code flow has one thread flow per task,
//! each listing that task's steps with their lines and their place in the schedule
//! (`executionOrder`), so that a viewer can interleave them. The objects are written by hand:
//! only the parts of the format that migcheck fills in.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use migcheck_engine::expect::{expected_text, found_text};
use migcheck_engine::replay::{Trace, TraceStep};
use migcheck_engine::step::Event;
use migcheck_engine::{Verdict, Violation};
use migcheck_lang::{Diagnostic, Span};

use crate::entry::{BadInput, Entry};
use crate::human::Checked;
use crate::{replay_command, violation_label, Source};

/// The `$schema` of the log: the OASIS standard's schema (2.1.0, errata 01).
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The base of relative paths: the folder migcheck ran in, which CI services map to the
/// repository's root.
const SRCROOT: &str = "%SRCROOT%";

/// A rule: what migcheck reports under one `ruleId`.
struct RuleInfo {
    id: &'static str,
    name: &'static str,
    short: &'static str,
    full: &'static str,
    level: &'static str,
}

/// The rules, in the order of `ruleIndex`.
const RULES: [RuleInfo; 9] = [
    RuleInfo {
        id: "deadlock",
        name: "Deadlock",
        short: "Some task has not finished and no task can step",
        full: "A reachable state where some task has not finished and no task can step. The \
               result names every blocked task, what it waits for, and the wait-for cycle when \
               there is one.",
        level: "error",
    },
    RuleInfo {
        id: "lost_update",
        name: "LostUpdate",
        short: "A task overwrites a write it never read",
        full: "A task reads a shared location, another task writes it, then the first task \
               writes it back without reading it again: the other task's write is lost. The \
               result names the three steps and their lines.",
        level: "error",
    },
    RuleInfo {
        id: "assertion",
        name: "Assertion",
        short: "An assert statement fails",
        full: "An `assert` statement fails in some interleaving.",
        level: "error",
    },
    RuleInfo {
        id: "invariant",
        name: "Invariant",
        short: "An invariant is false in a reachable state",
        full: "An `invariant` is false in a reachable state (the initial state included).",
        level: "error",
    },
    RuleInfo {
        id: "final",
        name: "Final",
        short: "A final property is false when every task has finished",
        full: "A `final` property is false in a state where every task has finished.",
        level: "error",
    },
    RuleInfo {
        id: "model_error",
        name: "ModelError",
        short: "A step fails with a model error",
        full: "A step fails: an integer overflow, a division by zero, a value or key outside its \
               domain, a lock taken twice or released by a task that does not hold it.",
        level: "error",
    },
    RuleInfo {
        id: "bad_input",
        name: "BadInput",
        short: "The model could not be checked",
        full: "The model does not parse or check, or its file cannot be read: nothing was \
               explored.",
        level: "error",
    },
    RuleInfo {
        id: "incomplete",
        name: "Incomplete",
        short: "The exploration stopped before the answer was known",
        full: "A budget ran out, or a sampling strategy found no violation: no violation was \
               found, and none is ruled out.",
        level: "warning",
    },
    RuleInfo {
        id: "unmet_expectation",
        name: "UnmetExpectation",
        short: "The violation the model expects is not reached",
        full: "For `migcheck test`: the model's `expect` line names a violation, and no \
               interleaving reaches one.",
        level: "error",
    },
];

/// A SARIF log: the whole document.
#[derive(Debug, Serialize)]
#[non_exhaustive]
pub struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    /// How `startColumn` counts: migcheck's columns count characters.
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Debug, Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Rule>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    default_configuration: Configuration,
}

#[derive(Debug, Serialize)]
struct Configuration {
    level: &'static str,
}

/// A message, or a multiformat message string: both are `{"text": ...}` here.
#[derive(Debug, Clone, Serialize)]
struct Text {
    text: String,
}

fn text(s: impl Into<String>) -> Text {
    Text { text: s.into() }
}

/// One result: a violation, a model with bad input, an incomplete exploration, an unmet
/// expectation.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    code_flows: Vec<CodeFlow>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    properties: BTreeMap<&'static str, Value>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    physical_location: Option<PhysicalLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<u32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct CodeFlow {
    message: Text,
    thread_flows: Vec<ThreadFlow>,
}

#[derive(Debug, Serialize)]
struct ThreadFlow {
    /// The task instance's name.
    id: String,
    message: Text,
    locations: Vec<ThreadFlowLocation>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ThreadFlowLocation {
    location: Location,
    /// The step's 1-based index in the schedule.
    execution_order: usize,
    /// The shared locations this step changed, with their new values.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    state: BTreeMap<String, Text>,
    /// `essential` for the steps that make the violation: the last one, and a lost update's
    /// read, other write and overwrite.
    #[serde(skip_serializing_if = "Option::is_none")]
    importance: Option<&'static str>,
}

/// The log of a run, from the results of every model in it.
pub fn log(results: Vec<SarifResult>) -> Log {
    Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "migcheck",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules: RULES
                        .iter()
                        .map(|r| Rule {
                            id: r.id,
                            name: r.name,
                            short_description: text(r.short),
                            full_description: text(r.full),
                            default_configuration: Configuration { level: r.level },
                        })
                        .collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    }
}

/// The results of one model: none when it passed (`check`: no violation; `test`: its
/// expectation met), else one, or one per diagnostic for bad input.
pub fn results(entry: &Entry<'_>) -> Vec<SarifResult> {
    match entry {
        Entry::Checked(c) => checked(c).into_iter().collect(),
        Entry::Bad(b) => bad_input(b),
    }
}

fn checked(c: &Checked<'_>) -> Option<SarifResult> {
    let expectation = match c.expectation {
        Some(Some(true)) => return None,
        Some(Some(false)) => Some(format!(
            "expected {}, found {}",
            expected_text(c.model),
            found_text(c.outcome)
        )),
        _ => None,
    };
    match &c.outcome.verdict {
        Verdict::Violation(v) => Some(violation(c, v, expectation)),
        Verdict::Incomplete { reason } => {
            let mut r = result("incomplete", format!("incomplete: {reason}"));
            r.locations.push(file_location(c.source.path));
            r.properties
                .insert("model", Value::String(c.model.name.clone()));
            Some(r)
        }
        Verdict::Ok => {
            let expectation = expectation?;
            let mut r = result(
                "unmet_expectation",
                format!("{expectation}: no interleaving reaches the expected violation"),
            );
            r.locations.push(match c.model.expect_span {
                Some(span) => location(c.source, span),
                None => file_location(c.source.path),
            });
            r.properties
                .insert("model", Value::String(c.model.name.clone()));
            Some(r)
        }
    }
}

/// An empty result of rule `rule`.
fn result(rule: &'static str, message: String) -> SarifResult {
    let rule_index = RULES
        .iter()
        .position(|r| r.id == rule)
        .expect("every rule used is in RULES");
    SarifResult {
        rule_id: RULES[rule_index].id,
        rule_index,
        level: RULES[rule_index].level,
        message: text(message),
        locations: Vec::new(),
        related_locations: Vec::new(),
        code_flows: Vec::new(),
        properties: BTreeMap::new(),
    }
}

fn violation(c: &Checked<'_>, v: &Violation, expectation: Option<String>) -> SarifResult {
    let model = c.model;
    let schedule = v.schedule.format(model);
    let replay = replay_command(c.source.path, &schedule);
    let shown = if schedule.is_empty() {
        "(empty: the initial state)"
    } else {
        &schedule
    };
    let mut message = String::new();
    if let Some(e) = &expectation {
        message.push_str(e);
        message.push_str(": ");
    }
    message.push_str(&format!(
        "{}\nschedule ({} steps): {shown}\nreplay with: {replay}",
        v.message,
        v.schedule.len()
    ));
    let mut r = result(v.kind.as_str(), message);
    // An explorer keeps the schedule; replay gives the steps and their lines.
    let trace = migcheck_engine::replay::replay_schedule(model, &v.schedule).ok();
    let last_line = trace
        .as_ref()
        .and_then(|t| t.steps.last())
        .and_then(closing_statement);
    r.locations.push(match v.span.or(last_line) {
        Some(span) => location(c.source, span),
        None => file_location(c.source.path),
    });
    r.related_locations = v
        .notes
        .iter()
        .enumerate()
        .map(|(i, n)| Location {
            id: Some(i),
            message: Some(text(n.text.clone())),
            ..location(c.source, n.span)
        })
        .collect();
    if let Some(t) = &trace {
        r.code_flows = code_flow(c, v, t, &schedule).into_iter().collect();
    }
    let p = &mut r.properties;
    p.insert("model", Value::String(model.name.clone()));
    p.insert(
        "violation",
        Value::String(violation_label(
            v.kind.as_str(),
            v.name.as_deref(),
            v.key.as_deref(),
        )),
    );
    p.insert("schedule", Value::String(schedule));
    p.insert("replay", Value::String(replay));
    if let Some(e) = expectation {
        p.insert("expectation", Value::String(e));
    }
    r
}

/// The statement that closes a step (the one that touches shared state, or the one that failed).
fn closing_statement(step: &TraceStep) -> Option<Span> {
    step.events.iter().rev().find_map(|e| match e {
        Event::Stmt(span) => Some(*span),
        _ => None,
    })
}

/// One code flow: a thread flow per task that steps (in declaration order), each with that
/// task's steps in schedule order.
fn code_flow(c: &Checked<'_>, v: &Violation, trace: &Trace, schedule: &str) -> Option<CodeFlow> {
    let model = c.model;
    let mut essential: Vec<usize> = trace.steps.last().map(|s| s.index).into_iter().collect();
    if let Some(lu) = &v.lost_update {
        essential.extend([lu.read.step, lu.write.step, lu.overwrite.step]);
    }
    let mut flows: Vec<ThreadFlow> = Vec::new();
    for (task, info) in model.tasks.iter().enumerate() {
        let locations: Vec<ThreadFlowLocation> = trace
            .steps
            .iter()
            .filter(|s| s.task == task)
            .map(|s| ThreadFlowLocation {
                location: Location {
                    id: None,
                    message: Some(text(step_message(c, s))),
                    ..closing_statement(s)
                        .map_or_else(|| file_location(c.source.path), |sp| location(c.source, sp))
                },
                execution_order: s.index,
                state: s
                    .changes
                    .iter()
                    .map(|ch| {
                        (
                            model.slot_name(ch.slot as usize),
                            text(slot_value(model, ch.slot, ch.new)),
                        )
                    })
                    .collect(),
                importance: essential.contains(&s.index).then_some("essential"),
            })
            .collect();
        if !locations.is_empty() {
            flows.push(ThreadFlow {
                id: info.name.clone(),
                message: text(info.name.clone()),
                locations,
            });
        }
    }
    (!flows.is_empty()).then(|| CodeFlow {
        message: text(format!("schedule: {schedule}")),
        thread_flows: flows,
    })
}

/// `step 3: heal (choices: 1): alloc_inst = b + 1; reads ...; writes alloc_inst = 2`.
fn step_message(c: &Checked<'_>, s: &TraceStep) -> String {
    let model = c.model;
    let mut out = format!("step {}: {}", s.index, model.tasks[s.task].name);
    if !s.choices.is_empty() {
        let choices: Vec<String> = s
            .choices
            .iter()
            .map(|ch| migcheck_engine::schedule::format_choice(model, *ch))
            .collect();
        out.push_str(&format!(" (choices: {})", choices.join(", ")));
    }
    if let Some(span) = closing_statement(s) {
        out.push_str(&format!(
            ": {}",
            c.source.for_span(span).statement(span).trim()
        ));
    }
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    for e in &s.events {
        match e {
            Event::Read { slot, value } => reads.push(format!(
                "{} = {}",
                model.slot_name(*slot as usize),
                slot_value(model, *slot, *value)
            )),
            Event::Write { slot, new, .. } => writes.push(format!(
                "{} = {}",
                model.slot_name(*slot as usize),
                slot_value(model, *slot, *new)
            )),
            _ => {}
        }
    }
    if !reads.is_empty() {
        out.push_str(&format!("; reads {}", reads.join(", ")));
    }
    if !writes.is_empty() {
        out.push_str(&format!("; writes {}", writes.join(", ")));
    }
    if let Some(e) = &s.error {
        out.push_str(&format!(
            "; fails: {}",
            migcheck_engine::violation::describe_error(model, Some(s.task), &e.kind)
        ));
    }
    out
}

fn slot_value(model: &migcheck_lang::ir::Model, slot: u32, value: i64) -> String {
    let var = &model.shared[model.var_of_slot(slot as usize)];
    model.format_value(var.ty, value)
}

/// One result per diagnostic, at its position.
fn bad_input(b: &BadInput<'_>) -> Vec<SarifResult> {
    let fallback = [Diagnostic::new(Span::default(), "the model does not check")];
    let diagnostics = if b.diagnostics.is_empty() {
        &fallback[..]
    } else {
        b.diagnostics
    };
    diagnostics
        .iter()
        .map(|d| {
            let mut message = d.message.clone();
            if let Some(hint) = &d.hint {
                message.push_str(&format!("\nhelp: {hint}"));
            }
            let mut r = result("bad_input", message);
            r.locations.push(location(b.source, d.span));
            r
        })
        .collect()
}

/// The location of `span`: its file (an included library's where it points into one), its line
/// and column; the file alone where the span has no position (line 0).
fn location(source: Source<'_>, span: Span) -> Location {
    let file = source.for_span(span);
    let mut l = file_location(file.path);
    if let Some(p) = &mut l.physical_location {
        p.region = (span.line > 0).then_some(Region {
            start_line: span.line,
            start_column: (span.col > 0).then_some(span.col),
        });
    }
    l
}

fn file_location(path: &str) -> Location {
    Location {
        id: None,
        physical_location: Some(PhysicalLocation {
            artifact_location: artifact(path),
            region: None,
        }),
        message: None,
    }
}

/// A path as a URI reference: relative to `%SRCROOT%` as given, or a `file:` URI when absolute;
/// percent-encoded where a URI needs it.
fn artifact(path: &str) -> ArtifactLocation {
    let mut p = path.replace('\\', "/");
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.to_string();
    }
    let bytes = p.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    if drive {
        return ArtifactLocation {
            uri: format!("file:///{}:{}", &p[..1], encode(&p[2..])),
            uri_base_id: None,
        };
    }
    if p.starts_with('/') {
        return ArtifactLocation {
            uri: format!("file://{}", encode(&p)),
            uri_base_id: None,
        };
    }
    ArtifactLocation {
        uri: encode(&p),
        uri_base_id: Some(SRCROOT),
    }
}

/// Percent-encodes every byte but the unreserved characters of RFC 3986 and `/`.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        let a = artifact("models/examples/01 bug.mig");
        assert_eq!(a.uri, "models/examples/01%20bug.mig");
        assert_eq!(a.uri_base_id, Some(SRCROOT));
        assert_eq!(artifact("./x/./y.mig").uri, "x/./y.mig");
        let abs = artifact("/tmp/a:b/m.mig");
        assert_eq!(abs.uri, "file:///tmp/a%3Ab/m.mig");
        assert_eq!(abs.uri_base_id, None);
        assert_eq!(artifact(r"C:\m\x.mig").uri, "file:///C:/m/x.mig");
    }

    #[test]
    fn every_kind_of_violation_has_its_rule() {
        use migcheck_engine::ViolationKind::*;
        for kind in [
            Deadlock, LostUpdate, Assertion, Invariant, Final, ModelError,
        ] {
            assert_eq!(result(kind.as_str(), String::new()).rule_id, kind.as_str());
        }
        let ids: std::collections::BTreeSet<&str> = RULES.iter().map(|r| r.id).collect();
        assert_eq!(ids.len(), RULES.len(), "rule ids are unique");
    }
}
