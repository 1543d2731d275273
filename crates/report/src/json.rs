//! The machine-readable form (`--format json`): DESIGN.md's document, with a schema version and
//! a few more fields (the replay command, the lines involved, the replayed steps, the
//! expectation).

use serde::Serialize;

use migcheck_engine::expect::{expected_text, found_text};
use migcheck_engine::replay::Trace;
use migcheck_engine::step::Event;
use migcheck_engine::{Verdict, Violation};
use migcheck_lang::ir::Model;
use migcheck_lang::{Diagnostic, SourceFile, Span};

use crate::human::Checked;
use crate::{replay_command, Source};

/// Bumped whenever a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
#[non_exhaustive]
pub struct Report {
    pub schema_version: u32,
    pub results: Vec<ModelResult>,
}

impl Report {
    pub fn new(results: Vec<ModelResult>) -> Report {
        Report {
            schema_version: SCHEMA_VERSION,
            results,
        }
    }
}

#[derive(Debug, Serialize)]
#[non_exhaustive]
pub struct ModelResult {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// The model's doc string (`model NAME "doc"`), where it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub doc: Option<String>,
    pub path: String,
    /// `ok`, `violation`, `incomplete` or `error`.
    pub verdict: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violation: Option<ViolationJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub incomplete: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expect: Option<ExpectJson>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ErrorJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stats: Option<StatsJson>,
    /// With `--strategy random|pct`: the runs and every failing one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sampling: Option<SamplingJson>,
}

#[derive(Debug, Serialize)]
pub struct SamplingJson {
    pub runs: u64,
    /// Runs stopped by `--max-steps`.
    pub cut_short: u64,
    pub failing: Vec<FailingRunJson>,
}

#[derive(Debug, Serialize)]
pub struct FailingRunJson {
    /// 0-based; the run's seed derives from `--seed` and this number.
    pub run: u64,
    pub schedule: String,
    pub length: usize,
    /// Described for the first 100 failing runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ViolationJson {
    pub kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub message: String,
    pub schedule: String,
    pub length: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The file of `line` when it is in an included library, not in the model's own file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub lines: Vec<LineJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replay: Option<String>,
    /// The replayed steps of `schedule`, the same objects as `migcheck replay --format json`
    /// gives; in the results of `check` and `test` (a replay's document has them at its top).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<Vec<StepJson>>,
}

#[derive(Debug, Serialize)]
pub struct LineJson {
    pub line: u32,
    /// The file of `line` when it is in an included library.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    pub note: String,
}

/// A statement's position in a replayed step.
#[derive(Debug, Serialize)]
pub struct PositionJson {
    pub line: u32,
    /// The file of `line` when it is in an included library.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
}

/// The path of the file `span` points into, when that is an included library (file index > 0).
fn library_file(files: &[SourceFile], span: Span) -> Option<String> {
    (span.file > 0)
        .then(|| files.get(span.file as usize).map(|f| f.path.clone()))
        .flatten()
}

#[derive(Debug, Serialize)]
pub struct ExpectJson {
    pub expected: String,
    pub found: String,
    /// Absent while the outcome is incomplete.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passed: Option<bool>,
}

#[derive(Debug, Serialize)]
pub struct ErrorJson {
    pub message: String,
    pub line: u32,
    pub column: u32,
    /// The file of the position when it is in an included library.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct StatsJson {
    pub states: u64,
    pub transitions: u64,
    pub depth: usize,
    /// Bytes the store of visited states held at the end (the fast explorer measures it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store_bytes: Option<u64>,
    /// `--compact`: the estimated probability that two states shared a fingerprint (so that
    /// the exploration may have missed what only the second leads to).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub collision_probability: Option<f64>,
    pub seconds: f64,
}

/// The JSON of a violation; `path` is given when the replay command is wanted.
pub fn violation(model: &Model, v: &Violation, path: Option<&str>) -> ViolationJson {
    let schedule = v.schedule.format(model);
    ViolationJson {
        kind: v.kind.as_str(),
        name: v.name.clone(),
        key: v.key.clone(),
        message: v.message.clone(),
        length: v.schedule.len(),
        line: v.span.map(|s| s.line),
        file: v.span.and_then(|s| library_file(&model.files, s)),
        lines: v
            .notes
            .iter()
            .map(|n| LineJson {
                line: n.span.line,
                file: library_file(&model.files, n.span),
                note: n.text.clone(),
            })
            .collect(),
        replay: path.map(|p| replay_command(p, &schedule)),
        schedule,
        steps: None,
    }
}

/// [`violation`] with its replayed steps: the schedule is replayed on `model` to get them (an
/// explorer keeps schedules, not traces).
pub fn violation_with_steps(model: &Model, v: &Violation, path: &str) -> ViolationJson {
    let mut j = violation(model, v, Some(path));
    j.steps = Some(
        migcheck_engine::replay::replay_schedule(model, &v.schedule)
            .map(|t| steps(model, &t))
            .unwrap_or_default(),
    );
    j
}

/// The result of a checked model.
pub fn checked(c: &Checked<'_>) -> ModelResult {
    let o = c.outcome;
    let (verdict, violation, incomplete) = match &o.verdict {
        Verdict::Ok => ("ok", None, None),
        Verdict::Violation(v) => (
            "violation",
            Some(violation_with_steps(c.model, v, c.source.path)),
            None,
        ),
        Verdict::Incomplete { reason } => ("incomplete", None, Some(reason.clone())),
    };
    ModelResult {
        model: Some(c.model.name.clone()),
        doc: c.model.doc.clone(),
        path: c.source.path.to_string(),
        verdict,
        violation,
        incomplete,
        expect: c.expectation.map(|passed| ExpectJson {
            expected: expected_text(c.model),
            found: found_text(o),
            passed,
        }),
        errors: Vec::new(),
        sampling: o.sampled.as_ref().map(|s| SamplingJson {
            runs: s.runs,
            cut_short: s.cut_short,
            failing: s
                .failing
                .iter()
                .map(|f| {
                    let schedule = f.schedule.format(c.model);
                    FailingRunJson {
                        run: f.run,
                        length: f.schedule.len(),
                        kind: f.violation.as_ref().map(|v| v.kind.as_str()),
                        name: f.violation.as_ref().and_then(|v| v.name.clone()),
                        replay: Some(replay_command(c.source.path, &schedule)),
                        schedule,
                    }
                })
                .collect(),
        }),
        stats: Some(StatsJson {
            states: o.stats.states,
            transitions: o.stats.transitions,
            depth: o.stats.depth,
            store_bytes: (o.stats.bytes > 0).then_some(o.stats.bytes),
            collision_probability: o.stats.collision_probability,
            seconds: o.stats.seconds,
        }),
    }
}

/// The result of a model that could not be checked (bad input).
/// `files` are the files the front end read, as its failure lists them (a span's `file` indexes it).
pub fn error(path: &str, files: &[SourceFile], diagnostics: &[Diagnostic]) -> ModelResult {
    ModelResult {
        model: None,
        doc: None,
        path: path.to_string(),
        verdict: "error",
        violation: None,
        incomplete: None,
        expect: None,
        errors: diagnostics
            .iter()
            .map(|d| ErrorJson {
                message: d.message.clone(),
                line: d.span.line,
                column: d.span.col,
                file: library_file(files, d.span),
                hint: d.hint.clone(),
            })
            .collect(),
        stats: None,
        sampling: None,
    }
}

#[derive(Debug, Serialize)]
#[non_exhaustive]
pub struct ReplayJson {
    pub schema_version: u32,
    pub model: String,
    pub path: String,
    pub steps: Vec<StepJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub violation: Option<ViolationJson>,
    pub steps_left: usize,
    pub all_finished: bool,
}

#[derive(Debug, Serialize)]
pub struct StepJson {
    pub index: usize,
    pub task: String,
    pub choices: Vec<String>,
    pub lines: Vec<u32>,
    /// The same statements as `lines`, each with its file when it is in an included library.
    pub statements: Vec<PositionJson>,
    pub reads: Vec<ValueJson>,
    pub writes: Vec<ValueJson>,
    pub locks_taken: Vec<String>,
    pub locks_released: Vec<String>,
    pub changes: Vec<ChangeJson>,
    pub finished: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct ValueJson {
    pub location: String,
    pub value: String,
}

#[derive(Debug, Serialize)]
pub struct ChangeJson {
    pub location: String,
    pub old: String,
    pub new: String,
}

/// The JSON of a replayed trace.
pub fn trace(source: Source<'_>, model: &Model, trace: &Trace) -> ReplayJson {
    ReplayJson {
        schema_version: SCHEMA_VERSION,
        model: model.name.clone(),
        path: source.path.to_string(),
        steps: steps(model, trace),
        violation: trace
            .violation
            .as_ref()
            .map(|v| violation(model, v, Some(source.path))),
        steps_left: trace.steps_left,
        all_finished: trace.all_finished,
    }
}

/// The JSON of every step of a replayed trace: task, choices, statements, values read and
/// written, locks, changes.
pub fn steps(model: &Model, trace: &Trace) -> Vec<StepJson> {
    let value = |slot: u32, v: i64| {
        let var = &model.shared[model.var_of_slot(slot as usize)];
        model.format_value(var.ty, v)
    };
    trace
        .steps
        .iter()
        .map(|s| {
            let mut j = StepJson {
                index: s.index,
                task: model.tasks[s.task].name.clone(),
                choices: s
                    .choices
                    .iter()
                    .map(|c| migcheck_engine::schedule::format_choice(model, *c))
                    .collect(),
                lines: Vec::new(),
                statements: Vec::new(),
                reads: Vec::new(),
                writes: Vec::new(),
                locks_taken: Vec::new(),
                locks_released: Vec::new(),
                changes: s
                    .changes
                    .iter()
                    .map(|c| ChangeJson {
                        location: model.slot_name(c.slot as usize),
                        old: value(c.slot, c.old),
                        new: value(c.slot, c.new),
                    })
                    .collect(),
                finished: s.finished,
                error: s.error.as_ref().map(|e| {
                    migcheck_engine::violation::describe_error(model, Some(s.task), &e.kind)
                }),
            };
            for e in &s.events {
                match e {
                    Event::Stmt(span) => {
                        j.lines.push(span.line);
                        j.statements.push(PositionJson {
                            line: span.line,
                            file: library_file(&model.files, *span),
                        });
                    }
                    Event::Read { slot, value: v } => j.reads.push(ValueJson {
                        location: model.slot_name(*slot as usize),
                        value: value(*slot, *v),
                    }),
                    Event::Write { slot, new, .. } => j.writes.push(ValueJson {
                        location: model.slot_name(*slot as usize),
                        value: value(*slot, *new),
                    }),
                    Event::Lock { lock } => {
                        j.locks_taken.push(model.locks[*lock as usize].name.clone())
                    }
                    Event::Unlock { lock } => j
                        .locks_released
                        .push(model.locks[*lock as usize].name.clone()),
                    Event::Local { .. } | Event::Choice { .. } => {}
                }
            }
            j
        })
        .collect()
}
