//! The engine's oracles: replaying schedule text, and exploring a model under budgets.
//!
//! [`check_replay`] replays any text against a model and checks the answer: a trace whose steps
//! and leftover steps add up to the schedule, that replays again identically from its canonical
//! form; or a [`ScheduleError`](migcheck_engine::replay::ScheduleError) at the first step that
//! does not fit, every step before it replaying cleanly. [`schedule_text`] builds such text from
//! bytes: random walks through the enabled steps (which replay must accept), walks with mutated
//! steps and choices, token soups and raw bytes.
//!
//! [`check_exploration`] runs the reference explorer and, as the input selects, the fast
//! explorers (with and without reduction, compact, two threads), depth-first search and the
//! sampling strategies, all under a state budget and a time limit, and checks that each stops in
//! time, that the exact explorers agree with the reference whenever both finished, that no
//! strategy reports a violation the reference would not, and that every violation replays to
//! itself. [`generated_source`] turns bytes into a small model (the differential test's generator,
//! then maybe a few mutations).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use arbitrary::Unstructured;
use migcheck_engine::budget::StopFlag;
use migcheck_engine::replay::{self, Trace};
use migcheck_engine::schedule::{self, format_choice};
use migcheck_engine::semantics::Semantics;
use migcheck_engine::step::{StepLog, StepResult};
use migcheck_engine::strategy::{Sampler, Sampling};
use migcheck_engine::{Explorer, Options, Outcome, Schedule, ScheduleStep, Strategy, Verdict};
use migcheck_lang::ir::Model;

use crate::{bundled, gen, mutate};

/// A model written for the replay fuzzer: every kind of choice (a negative range, an enum, nested
/// `either` inside `atomic`), map keys of an enum, a lock that may stay held, an `await`.
pub const CHOICES_MODEL: &str = r#"model fuzz_choices "every kind of choice"
enum Phase { idle, busy, done }
shared phase: Phase = idle
shared m: map[Phase] -1..=2 = 0
shared x: int = 0
lock l
task a[i in 0..2] {
    choose c in -2..2
    choose p in Phase
    either { lock l; x = c } or { atomic { either { m[p] = 1 } or { m[p] = -1 } or { skip } } }
    let n = 0
    while n < 2 { x = x + 1; n = n + 1 }
    await phase != busy
}
task b {
    phase = busy
    let v = x
    either { x = v } or { phase = done }
    phase = idle
}
"#;

/// The bundled Nova libraries as (path, text), for [`crate::lang::check_source`].
pub fn nova_libraries() -> Vec<(String, String)> {
    bundled::LIBRARIES
        .iter()
        .map(|(p, t)| (p.to_string(), t.to_string()))
        .collect()
}

/// Compiles a bundled model, resolving includes in the bundled libraries.
pub fn compile_bundled(path: &str, text: &str) -> Result<Model, String> {
    let load = |p: &str| -> Result<String, String> {
        bundled::LIBRARIES
            .iter()
            .find(|(lp, _)| *lp == p)
            .map(|(_, t)| t.to_string())
            .ok_or_else(|| format!("`{p}` is not bundled"))
    };
    migcheck_lang::compile_file(path, text, &load)
        .map_err(|f| format!("{path} does not compile: {:?}", f.diagnostics))
}

/// The models of the replay fuzzer: the bundled ones and [`CHOICES_MODEL`], compiled once.
pub fn replay_models() -> &'static [Model] {
    static MODELS: OnceLock<Vec<Model>> = OnceLock::new();
    MODELS.get_or_init(|| {
        let mut out: Vec<Model> = bundled::MODELS
            .iter()
            .map(|(p, t)| compile_bundled(p, t).unwrap_or_else(|e| panic!("{e}")))
            .collect();
        out.push(migcheck_lang::compile(CHOICES_MODEL).expect("the choices model compiles"));
        out
    })
}

fn index(u: &mut Unstructured, len: usize) -> usize {
    if len == 0 {
        0
    } else {
        u.choose_index(len).unwrap_or(0)
    }
}

/// The most resolutions of one task's step a walk looks at (a `choose` may range over millions).
const WALK_RESOLUTIONS: usize = 64;

/// A random walk of at most `max_steps` steps through the transitions enabled at each state, the
/// bytes choosing among them. It stops at a failing step (a model error or an assertion), where
/// no task can step, or where the bytes run out. Replay accepts every such schedule.
pub fn walk(model: &Model, u: &mut Unstructured, max_steps: usize) -> Schedule {
    let sem = Semantics::new(model);
    let mut state = sem.initial();
    let mut log = StepLog::default();
    let mut schedule = Schedule::default();
    for _ in 0..max_steps {
        if u.is_empty() {
            break;
        }
        let mut options: Vec<(ScheduleStep, Option<migcheck_engine::State>)> = Vec::new();
        for task in 0..model.tasks.len() {
            if state.finished(&sem.layout, task) {
                continue;
            }
            let mut seen = 0;
            sem.for_each_resolution(&state, task, &mut log, |result, choices, _| {
                let step = ScheduleStep {
                    task,
                    choices: choices.to_vec(),
                };
                match result {
                    StepResult::Next(next) => options.push((step, Some(next))),
                    StepResult::Error(_) => options.push((step, None)),
                    StepResult::Blocked { .. } | StepResult::Refused => {}
                }
                seen += 1;
                seen < WALK_RESOLUTIONS
            });
        }
        if options.is_empty() {
            break;
        }
        let (step, next) = options.swap_remove(index(u, options.len()));
        schedule.steps.push(step);
        match next {
            Some(next) => state = next,
            None => break,
        }
    }
    schedule
}

/// One step of a schedule as text, before it is joined.
type TextStep = (String, Vec<String>);

fn join(steps: &[TextStep]) -> String {
    steps
        .iter()
        .map(|(t, cs)| {
            let mut s = t.clone();
            for c in cs {
                s.push(':');
                s.push_str(c);
            }
            s
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// Words a mutated schedule may use: the model's task and variant names, numbers, junk.
fn vocabulary(model: &Model) -> Vec<String> {
    let mut v: Vec<String> = model.tasks.iter().map(|t| t.name.clone()).collect();
    v.extend(model.enums.iter().flat_map(|e| e.variants.iter().cloned()));
    v.extend(mutate::INTS.iter().map(|s| s.to_string()));
    for junk in [
        "",
        " ",
        "x",
        "+1",
        "01",
        "1e3",
        "é",
        "a[",
        "[0]",
        "migrate[9]",
        "0x1",
        "--1",
        "\t2\n",
        "_",
    ] {
        v.push(junk.to_string());
    }
    v
}

/// Mutates a schedule: steps dropped, repeated, swapped, cut; choices changed, dropped, added;
/// task names changed; separators and whitespace disturbed.
fn mutate_schedule(model: &Model, steps: &mut Vec<TextStep>, u: &mut Unstructured) {
    let vocab = vocabulary(model);
    let word = |u: &mut Unstructured| vocab[index(u, vocab.len())].clone();
    let n = u.int_in_range(1..=3u8).unwrap_or(1);
    for _ in 0..n {
        let len = steps.len();
        let at = index(u, len);
        match u.int_in_range(0..=8u8).unwrap_or(0) {
            0 if len > 0 => {
                steps.remove(at);
            }
            1 if len > 0 => {
                let s = steps[at].clone();
                steps.insert(at, s);
            }
            2 if len > 1 => {
                let other = index(u, len);
                steps.swap(at, other);
            }
            3 => steps.truncate(at),
            4 if len > 0 => {
                let cs = &mut steps[at].1;
                if cs.is_empty() {
                    cs.push(word(u));
                } else {
                    let k = index(u, cs.len());
                    cs[k] = word(u);
                }
            }
            5 if len > 0 => {
                steps[at].1.pop();
            }
            6 if len > 0 => {
                let w = word(u);
                steps[at].1.push(w);
            }
            7 if len > 0 => steps[at].0 = word(u),
            _ => {
                let w = word(u);
                steps.insert(at, (w, Vec::new()));
            }
        }
    }
}

/// Schedule text for `model` from bytes: a random walk (valid), a mutated walk, a soup of the
/// model's words and separators, or the bytes themselves.
pub fn schedule_text(model: &Model, u: &mut Unstructured) -> String {
    match u.int_in_range(0..=5u8).unwrap_or(0) {
        0 => String::from_utf8_lossy(u.bytes(u.len().min(512)).unwrap_or_default()).into_owned(),
        1 => {
            let vocab = vocabulary(model);
            let n = u.int_in_range(0..=24usize).unwrap_or(0);
            let mut s = String::new();
            for _ in 0..n {
                let piece = match u.int_in_range(0..=5u8).unwrap_or(0) {
                    0 => ",".to_string(),
                    1 => ":".to_string(),
                    2 => " ".to_string(),
                    _ => vocab[index(u, vocab.len())].clone(),
                };
                s.push_str(&piece);
            }
            s
        }
        2 | 3 => walk(model, u, 40).format(model),
        mode => {
            let sched = walk(model, u, 40);
            let mut steps: Vec<TextStep> = sched
                .steps
                .iter()
                .map(|s| {
                    (
                        model.tasks[s.task].name.clone(),
                        s.choices.iter().map(|&c| format_choice(model, c)).collect(),
                    )
                })
                .collect();
            mutate_schedule(model, &mut steps, u);
            let text = join(&steps);
            if mode == 5 {
                // Whitespace and stray separators around the steps.
                let pad = [" ", "  ", "\t", "\n", ",", ":"];
                let p = pad[index(u, pad.len())];
                let at = index(u, text.len() + 1);
                let at = (0..=at)
                    .rev()
                    .find(|&i| text.is_char_boundary(i))
                    .unwrap_or(0);
                format!("{}{p}{}", &text[..at], &text[at..])
            } else {
                text
            }
        }
    }
}

fn lowercase_sentence(what: &str, s: &str) -> Result<(), String> {
    if s.is_empty() || s.starts_with(|c: char| c.is_ascii_uppercase()) || s.ends_with('.') {
        return Err(format!(
            "{what} {s:?} is not a lowercase sentence without a period"
        ));
    }
    Ok(())
}

/// The schedule a trace took, in canonical form.
fn trace_schedule(trace: &Trace) -> Schedule {
    Schedule {
        steps: trace
            .steps
            .iter()
            .map(|s| ScheduleStep {
                task: s.task,
                choices: s.choices.clone(),
            })
            .collect(),
    }
}

/// Replays `text` against `model` and checks the answer (see the module's documentation).
pub fn check_replay(model: &Model, text: &str) -> Result<(), String> {
    let parsed = schedule::parse(text);
    let result = replay::replay(model, text);
    let raw = match (parsed, &result) {
        (Err(syntax), Err(e)) => {
            if (syntax.step, syntax.column, &syntax.reason) != (e.step, e.column, &e.reason) {
                return Err(format!("the syntax error {syntax:?} came back as {e:?}"));
            }
            let parts = text.split(',').count();
            if e.step == 0 || e.step > parts || e.column == 0 || e.column > text.chars().count() + 1
            {
                return Err(format!("a syntax error outside the text: {e:?}"));
            }
            return lowercase_sentence("the reason", &e.reason);
        }
        (Err(syntax), Ok(_)) => {
            return Err(format!(
                "replayed although the text does not parse: {syntax:?}"
            ))
        }
        (Ok(raw), _) => raw,
    };
    match result {
        Err(e) => {
            if e.step == 0 || e.step > raw.len() {
                return Err(format!(
                    "refused at step {} of a {}-step schedule",
                    e.step,
                    raw.len()
                ));
            }
            if e.column != raw[e.step - 1].column {
                return Err(format!(
                    "refused step {} at column {}, which starts at column {}",
                    e.step,
                    e.column,
                    raw[e.step - 1].column
                ));
            }
            lowercase_sentence("the reason", &e.reason)?;
            // Every step before the refused one fits: replay refuses at the first misfit.
            let before: Vec<TextStep> = raw[..e.step - 1]
                .iter()
                .map(|r| (r.task.clone(), r.choices.clone()))
                .collect();
            match replay::replay(model, &join(&before)) {
                Ok(t) if t.violation.is_none() && t.steps.len() == e.step - 1 => Ok(()),
                Ok(t) => Err(format!(
                    "refused at step {} ({}), but the steps before it replay to {} step(s) with \
                     violation {:?}",
                    e.step,
                    e.reason,
                    t.steps.len(),
                    t.violation.map(|v| v.kind)
                )),
                Err(e2) => Err(format!(
                    "refused at step {} ({}), but the steps before it are refused at step {} ({})",
                    e.step, e.reason, e2.step, e2.reason
                )),
            }
        }
        Ok(trace) => {
            if trace.steps.len() + trace.steps_left != raw.len() {
                return Err(format!(
                    "{} steps replayed and {} left of a {}-step schedule",
                    trace.steps.len(),
                    trace.steps_left,
                    raw.len()
                ));
            }
            if trace.violation.is_none() && trace.steps_left > 0 {
                return Err("steps left over without a violation".into());
            }
            for (i, (s, r)) in trace.steps.iter().zip(raw.iter()).enumerate() {
                if s.index != i + 1
                    || model.tasks[s.task].name != r.task
                    || s.choices.len() != r.choices.len()
                {
                    return Err(format!("trace step {} does not match `{}`", i + 1, r.task));
                }
            }
            let canon = trace_schedule(&trace);
            if let Some(v) = &trace.violation {
                if v.schedule != canon {
                    return Err("the violation's schedule is not the steps replayed".into());
                }
                lowercase_sentence("the violation's message", &v.message)?;
            }
            let again = replay::replay_schedule(model, &canon)
                .map_err(|e| format!("the canonical form of a replayed schedule fails: {e:?}"))?;
            if again.steps != trace.steps
                || again.violation != trace.violation
                || again.steps_left != 0
                || again.state != trace.state
                || again.all_finished != trace.all_finished
            {
                return Err("the canonical form of the schedule replays differently".into());
            }
            Ok(())
        }
    }
}

/// Checks that a random walk replays in full (up to the violation it may reach).
pub fn check_walk(model: &Model, schedule: &Schedule) -> Result<(), String> {
    let text = schedule.format(model);
    match replay::replay(model, &text) {
        Ok(trace) if trace_schedule(&trace).steps[..] == schedule.steps[..trace.steps.len()] => {
            check_replay(model, &text)
        }
        Ok(_) => Err(format!("the walk `{text}` replays other steps")),
        Err(e) => Err(format!(
            "the walk `{text}` takes only enabled steps, yet replay refuses step {}: {}",
            e.step, e.reason
        )),
    }
}

/// The budgets of one exploration.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub max_states: u64,
    pub time_limit: Duration,
}

impl Budget {
    /// How long an exploration under this budget may take at most: the limit, plus the time to
    /// notice it and to describe a violation.
    pub fn allowed(&self) -> Duration {
        self.time_limit * 2 + Duration::from_secs(2)
    }
}

/// The explorers and strategies [`check_exploration`] may run besides the reference.
const RUNS: [&str; 8] = [
    "fast",
    "fast without reduction",
    "compact",
    "parallel",
    "depth-first",
    "random",
    "pct",
    "fast, state budget and a stop request",
];

fn options_for(run: &str, budget: &Budget, seed: u64) -> Options {
    let mut o = Options {
        max_states: Some(budget.max_states),
        time_limit: Some(budget.time_limit),
        ..Options::default()
    };
    let sampling = |sampler| Sampling {
        sampler,
        seed,
        first_run: 0,
        runs: 20,
        max_steps: 200,
    };
    match run {
        "reference" => o.explorer = Explorer::Reference,
        "fast without reduction" => o.no_reduction = true,
        "compact" => o.compact = true,
        "parallel" => o.threads = Some(2),
        "depth-first" => o.strategy = Strategy::Dfs { cache: 1 << 10 },
        "random" => o.strategy = Strategy::Sample(sampling(Sampler::Random)),
        "pct" => o.strategy = Strategy::Sample(sampling(Sampler::Pct { depth: 2 })),
        // No time limit: a stop request at the time limit, as Ctrl-C would (without it, a model
        // with few states but billions of resolutions would run for hours).
        "fast, state budget and a stop request" => {
            o.time_limit = None;
            o.stop = Some(StopFlag::default());
        }
        _ => {}
    }
    o
}

fn timed(model: &Model, options: &Options, budget: &Budget, run: &str) -> Result<Outcome, String> {
    let start = Instant::now();
    let outcome = match &options.stop {
        None => migcheck_engine::check(model, options),
        // Raised at the time limit, unless the search is done by then.
        Some(stop) => std::thread::scope(|s| {
            let (done, wait) = std::sync::mpsc::channel::<()>();
            s.spawn(move || {
                let late = wait.recv_timeout(budget.time_limit);
                if late == Err(std::sync::mpsc::RecvTimeoutError::Timeout) {
                    stop.raise();
                }
            });
            let outcome = migcheck_engine::check(model, options);
            drop(done);
            outcome
        }),
    };
    let took = start.elapsed();
    if took > budget.allowed() {
        return Err(format!(
            "{run}: took {took:?} under a time limit of {:?}",
            budget.time_limit
        ));
    }
    if let Verdict::Incomplete { reason } = &outcome.verdict {
        if reason.is_empty() {
            return Err(format!("{run}: incomplete without a reason"));
        }
    }
    if let Some(v) = outcome.violation() {
        match replay::replay_schedule(model, &v.schedule) {
            Ok(t) if t.violation.as_ref() == Some(v) && t.steps_left == 0 => {}
            Ok(t) => {
                return Err(format!(
                    "{run}: the violation's schedule `{}` replays to {:?}",
                    v.schedule.format(model),
                    t.violation.map(|v| (v.kind, v.message))
                ))
            }
            Err(e) => {
                return Err(format!(
                    "{run}: the violation's schedule `{}` is refused: {e:?}",
                    v.schedule.format(model)
                ))
            }
        }
    }
    Ok(outcome)
}

fn complete(o: &Outcome) -> bool {
    !matches!(o.verdict, Verdict::Incomplete { .. })
}

/// Explores `model` under `budget` with the reference explorer and the runs `selected` picks
/// (bit `i` for `RUNS[i]`), and checks the answers against each other.
pub fn check_exploration(
    model: &Model,
    budget: &Budget,
    selected: u8,
    seed: u64,
) -> Result<Outcome, String> {
    let reference = timed(
        model,
        &options_for("reference", budget, seed),
        budget,
        "reference",
    )?;
    if complete(&reference) && reference.stats.states > budget.max_states {
        return Err(format!(
            "the reference stored {} states under a budget of {}",
            reference.stats.states, budget.max_states
        ));
    }
    let (mut fast, mut parallel) = (None, None);
    for (i, run) in RUNS.iter().enumerate() {
        if selected & (1 << i) == 0 {
            continue;
        }
        let o = timed(model, &options_for(run, budget, seed), budget, run)?;
        match *run {
            "fast" => fast = Some(o.clone()),
            "parallel" => parallel = Some(o.clone()),
            _ => {}
        }
        if !complete(&o) || !complete(&reference) {
            // A sampling never proves a model correct, but what it finds must be real.
            if o.violation().is_some() && reference.verdict == Verdict::Ok {
                return Err(format!(
                    "{run} found a violation the reference says is absent"
                ));
            }
            continue;
        }
        let exact = !matches!(*run, "depth-first" | "random" | "pct");
        if exact && o.verdict != reference.verdict {
            return Err(format!(
                "{run} says {:?}, the reference {:?}",
                o.verdict, reference.verdict
            ));
        }
        if !exact && (o.verdict == Verdict::Ok) != (reference.verdict == Verdict::Ok) {
            return Err(format!(
                "{run} says {:?}, the reference {:?}",
                o.verdict, reference.verdict
            ));
        }
    }
    if let (Some(f), Some(p)) = (&fast, &parallel) {
        check_same_figures(f, p)?;
    }
    Ok(reference)
}

/// The parallel explorer promises the fast one's figures, whatever its thread count, when both
/// end the same exact way: complete, or on the same state budget (a time limit ends them
/// anywhere).
fn check_same_figures(fast: &Outcome, parallel: &Outcome) -> Result<(), String> {
    let exact = |o: &Outcome| match &o.verdict {
        Verdict::Incomplete { reason } => reason.starts_with("the state budget of "),
        _ => true,
    };
    if !exact(fast) || fast.verdict != parallel.verdict {
        return Ok(());
    }
    let figures = |o: &Outcome| (o.stats.states, o.stats.transitions);
    if figures(fast) != figures(parallel) {
        return Err(format!(
            "fast and parallel both say {:?}, but count (states, transitions) {:?} and {:?}",
            fast.verdict,
            figures(fast),
            figures(parallel)
        ));
    }
    Ok(())
}

/// A small model from bytes: the differential test's generator at a size the bytes pick, from a
/// seed they give, then, half the time, a few mutations (which may make it fail to compile).
pub fn generated_source(u: &mut Unstructured) -> String {
    let seed: u64 = u.arbitrary().unwrap_or(0);
    let pair = |u: &mut Unstructured, lo: u32, hi: u32| {
        let b = u.int_in_range(lo..=hi).unwrap_or(lo);
        let a = u.int_in_range(lo..=b).unwrap_or(lo);
        (a, b)
    };
    let cfg = gen::Config {
        tasks: pair(u, 1, 4),
        scalars: pair(u, 1, 3),
        maps: pair(u, 0, 2),
        locks: pair(u, 0, 2),
        enums: pair(u, 0, 2),
        stmts: pair(u, 1, 6),
        max_depth: u.int_in_range(0..=2).unwrap_or(1),
        max_literal: u.int_in_range(1..=3).unwrap_or(3),
        invariants: pair(u, 0, 2),
        finals: pair(u, 0, 2),
    };
    let text = gen::model_with(seed, &cfg);
    if u.ratio(1u8, 2).unwrap_or(false) {
        mutate::mutate(&text, &[], u)
    } else {
        text
    }
}
