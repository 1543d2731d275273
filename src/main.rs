//! The `migcheck` command line: wires `lang` (parse and check), `engine` (explore, replay) and
//! `report` (render). No logic of its own beyond finding files and choosing exit codes.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

mod checkpoint_file;
mod limits;
mod progress;

use migcheck_engine::budget::StopFlag;
use migcheck_engine::checkpoint::Checkpoint;
use migcheck_engine::strategy::{Sampler, Sampling};
use migcheck_engine::{expect, replay, Explorer, Options, Outcome, Strategy, Verdict};
use migcheck_lang::{Diagnostic, SourceFile, Span};
use migcheck_report::entry::{BadInput, Entry};
use migcheck_report::human::{self, Checked};
use migcheck_report::{diagnostics, json, junit, markdown, sarif, tracefile, Source};

/// Exit codes, as DESIGN.md fixes them.
mod exit {
    /// Every model passed.
    pub const OK: u8 = 0;
    /// A violation was found (`test`: an expectation was not met; `replay`: the schedule
    /// reproduces a violation).
    pub const VIOLATION: u8 = 1;
    /// Bad input: a model that does not parse or check, a schedule that does not fit, a bad flag.
    pub const BAD_INPUT: u8 = 2;
    /// A budget ran out before the answer was known.
    pub const INCOMPLETE: u8 = 3;
}

#[derive(Parser)]
#[command(
    name = "migcheck",
    version,
    about = "A model checker for the concurrency of migration workflows",
    after_help = "Examples:\n  migcheck check models/\n  migcheck test models/examples/\n  \
                  migcheck replay models/examples/01_lost_update_bug.mig \\
                    --schedule conductor,conductor,heal,conductor,heal"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Explore every interleaving of each model and report the first violation with a shortest
    /// schedule.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(CheckArgs),
    /// Like check, but each model's `expect` line is the pass condition.
    #[command(after_help = TEST_EXAMPLES)]
    Test(CheckArgs),
    /// Replay a schedule on a model, or the schedule of a trace file, and print the trace, step
    /// by step.
    #[command(
        after_help = REPLAY_EXAMPLES,
        override_usage = "migcheck replay MODEL --schedule SCHEDULE [--format FORMAT] [--html FILE]\n       \
                          migcheck replay --trace FILE [--format FORMAT] [--html FILE]"
    )]
    Replay(ReplayArgs),
    /// Print the completion script of a shell.
    #[command(after_help = COMPLETIONS_EXAMPLES)]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

const CHECK_EXAMPLES: &str = "Examples:
  migcheck check models/
  migcheck check --trace-dir traces/ --time-limit 20m --max-memory 6G models/nova/
  migcheck check --shard 2/4 --format sarif --output migcheck.sarif models/
  migcheck check --strategy random --runs 10000 --seed 7 models/bench/claims_bug.mig";

const TEST_EXAMPLES: &str = "Examples:
  migcheck test models/
  migcheck test --format junit --output junit.xml --trace-dir traces/ models/
  migcheck test --format markdown models/ >> \"$GITHUB_STEP_SUMMARY\"";

const REPLAY_EXAMPLES: &str = "Examples:
  migcheck replay models/examples/01_lost_update_bug.mig \\
      --schedule conductor,conductor,heal,conductor,heal
  migcheck replay models/examples/02_deadlock_bug.mig --schedule confirm,audit --format json
  migcheck replay --trace traces/01_lost_update_bug.trace.json --html trace.html";

const COMPLETIONS_EXAMPLES: &str = "Examples:
  migcheck completions bash > ~/.local/share/bash-completion/completions/migcheck
  migcheck completions zsh > ~/.zfunc/_migcheck
  migcheck completions fish > ~/.config/fish/completions/migcheck.fish";

#[derive(clap::Args)]
struct CheckArgs {
    /// `.mig` files, or folders searched recursively for them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// `markdown` prints one table row per model (for a CI job summary); `sarif` a SARIF 2.1.0
    /// log (code scanning); `junit` a JUnit XML report (a test case per model).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Write the report to FILE; the terminal then gets only the summary line.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Write a trace file per violation into DIR (created if missing), for `migcheck replay
    /// --trace`.
    #[arg(long, value_name = "DIR")]
    trace_dir: Option<PathBuf>,
    /// Stop with an incomplete verdict (exit 3) after storing this many states.
    #[arg(long, value_name = "N")]
    max_states: Option<u64>,
    /// Stop a model's exploration with an incomplete verdict (exit 3) after this long: `90s`,
    /// `20m`, `1h`, `500ms` (a bare number is seconds). Each model has its own.
    #[arg(long, value_name = "DURATION", value_parser = limits::duration)]
    time_limit: Option<Duration>,
    /// Stop with an incomplete verdict (exit 3) once migcheck holds this much memory: `512M`,
    /// `6G`, `1.5GiB` (powers of 1024; a bare number is bytes).
    #[arg(long, value_name = "SIZE", value_parser = limits::size)]
    max_memory: Option<u64>,
    /// Check only this CI job's share: the I-th of N jobs (1-based) takes every N-th model from
    /// the I-th on; with `--strategy random|pct`, every model but the I-th N-th of the runs.
    #[arg(long, value_name = "I/N", value_parser = limits::shard)]
    shard: Option<limits::Shard>,
    /// No progress line (it is drawn only on a terminal, for a model that takes over a second).
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Where Ctrl-C (SIGINT) or SIGTERM saves the search it stops, to go on later with
    /// `--resume` (default: `MODEL-STEM.checkpoint` in the current folder).
    #[arg(long, value_name = "FILE")]
    checkpoint: Option<PathBuf>,
    /// Go on with a search that Ctrl-C or SIGTERM stopped, from the checkpoint it saved; the
    /// verdict, schedule and figures are those of a search never stopped. Give the same model.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["compact", "reference"])]
    resume: Option<PathBuf>,
    /// Explore with the reference explorer: simple and slow, the oracle the fast explorer is
    /// tested against (same verdicts and schedules; it counts more states, see docs/cli.md).
    #[arg(long)]
    reference: bool,
    /// Threads exploring each breadth-first level (default: the cores available). The verdict,
    /// the schedule and the figures are the same whatever the number.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    threads: Option<u32>,
    /// Store a 64-bit fingerprint per state instead of the state (10-15 bytes per state): far
    /// less memory, a tiny chance of missing states, estimated in the result. Sequential.
    #[arg(long, conflicts_with = "reference")]
    compact: bool,
    /// Turn partial-order reduction off: expand every task in every state. (Reduction is sound
    /// for every check, and a violation it finds is searched again without it, for the shortest
    /// schedule; see docs/cli.md.)
    #[arg(long)]
    no_reduction: bool,
    /// Turn symmetry reduction off: keep apart states that differ only by which instance of an
    /// indexed task (`task t[i in 0..N]`) is which. (It is on with partial-order reduction, for
    /// the families whose index only keys maps of their own; see docs/cli.md.)
    #[arg(long)]
    no_symmetry: bool,
    /// How to search: `bfs` every state breadth-first (shortest schedules); `dfs` every state
    /// depth-first in bounded memory (for models whose states do not fit; schedules are not the
    /// shortest); `random` and `pct` sample `--runs` seeded runs (find violations, prove nothing:
    /// no violation is an incomplete verdict).
    #[arg(long, value_enum, default_value_t = StrategyArg::Bfs)]
    strategy: StrategyArg,
    /// `random`/`pct`: the seed; each run's own seed derives from it and the run's number.
    #[arg(long, value_name = "S", default_value_t = 1)]
    seed: u64,
    /// `random`/`pct`: how many runs.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    runs: u64,
    /// `random`/`pct`: a run stops after this many steps.
    #[arg(long, value_name = "N", default_value_t = 10_000)]
    max_steps: u64,
    /// `pct`: the bug depth d (d - 1 priority change points per run).
    #[arg(long, value_name = "D", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..))]
    pct_depth: u32,
    /// `dfs`: slots of the cache of explored states' fingerprints (8 bytes each).
    #[arg(long, value_name = "N", default_value_t = migcheck_engine::dfs::DEFAULT_CACHE)]
    dfs_cache: usize,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum StrategyArg {
    Bfs,
    Dfs,
    Random,
    Pct,
}

#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("what").required(true).args(["schedule", "trace"])))]
struct ReplayArgs {
    /// The model file.
    #[arg(required_unless_present = "trace", conflicts_with = "trace")]
    model: Option<PathBuf>,
    /// The schedule: task names joined by commas, each followed by `:N` per choice.
    #[arg(long, allow_hyphen_values = true, conflicts_with = "trace")]
    schedule: Option<String>,
    /// A trace file written by `--trace-dir`: replays its schedule on its model (warning when
    /// the model changed since).
    #[arg(long, value_name = "FILE")]
    trace: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = TraceFormat::Human)]
    format: TraceFormat,
    /// Also write the trace as a self-contained HTML page: a lane per task, a row per step, the
    /// state after any step on hover or click.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
    Markdown,
    Sarif,
    Junit,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TraceFormat {
    Human,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Check(args) => run_check(&args, false),
        Command::Test(args) => run_check(&args, true),
        Command::Replay(args) => run_replay(&args),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "migcheck", &mut script);
            print(&String::from_utf8_lossy(&script));
            exit::OK
        }
    };
    ExitCode::from(code)
}

/// Whether to colour text written to stderr or stdout.
fn color(stream_is_terminal: bool) -> bool {
    stream_is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Prints to stdout, exiting quietly on a broken pipe (`migcheck check | head`).
fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        std::process::exit(i32::from(exit::OK));
    }
}

/// Every `.mig` file under the given paths, each folder's files in sorted order.
fn collect(paths: &[PathBuf]) -> Vec<Result<PathBuf, (PathBuf, String)>> {
    fn walk(dir: &Path, out: &mut Vec<Result<PathBuf, (PathBuf, String)>>) {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => return out.push(Err((dir.to_path_buf(), e.to_string()))),
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|e| e == "mig") {
                out.push(Ok(p));
            }
        }
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let before = out.len();
            walk(p, &mut out);
            if out.len() == before {
                out.push(Err((p.clone(), "no .mig files in this folder".into())));
            }
        } else if p.exists() {
            out.push(Ok(p.clone()));
        } else {
            out.push(Err((p.clone(), "no such file or folder".into())));
        }
    }
    out
}

/// A model read and compiled, or the reason it could not be.
enum Loaded {
    Model(String, Box<migcheck_lang::ir::Model>),
    Bad(String, Vec<SourceFile>, Vec<Diagnostic>),
    Unreadable(String),
}

fn load(path: &Path) -> Loaded {
    let name = path.display().to_string();
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| e.to_string());
    match std::fs::read_to_string(path) {
        Err(e) => Loaded::Unreadable(format!("cannot read {name}: {e}")),
        Ok(text) => match migcheck_lang::compile_file(&name, &text, &read) {
            Ok(model) => Loaded::Model(text, Box::new(model)),
            Err(f) => Loaded::Bad(text, f.files, f.diagnostics),
        },
    }
}

fn run_check(args: &CheckArgs, test: bool) -> u8 {
    let options = Options {
        max_states: args.max_states,
        explorer: if args.reference {
            Explorer::Reference
        } else {
            Explorer::Fast
        },
        // One thread: the sequential explorer (no level barriers); more: the parallel one.
        // Both give the same answers and figures.
        threads: Some(args.threads.map_or_else(
            || std::thread::available_parallelism().map_or(1, |n| n.get()),
            |n| n as usize,
        ))
        .filter(|&n| n > 1),
        compact: args.compact,
        no_reduction: args.no_reduction,
        no_symmetry: args.no_symmetry,
        strategy: match args.strategy {
            StrategyArg::Bfs => Strategy::Bfs,
            StrategyArg::Dfs => Strategy::Dfs {
                cache: args.dfs_cache,
            },
            StrategyArg::Random | StrategyArg::Pct => Strategy::Sample(Sampling {
                sampler: if args.strategy == StrategyArg::Pct {
                    Sampler::Pct {
                        depth: args.pct_depth,
                    }
                } else {
                    Sampler::Random
                },
                seed: args.seed,
                first_run: args.shard.map_or(0, |s| s.runs(args.runs).0),
                runs: args.shard.map_or(args.runs, |s| s.runs(args.runs).1),
                max_steps: args.max_steps,
            }),
        },
        time_limit: args.time_limit,
        max_memory: args.max_memory,
        ..Options::default()
    };
    // Ctrl-C or SIGTERM stops the search (saving a checkpoint where it can); a second one ends
    // the process at once.
    let stop = StopFlag::default();
    {
        let stop = stop.clone();
        let installed = ctrlc::set_handler(move || {
            if stop.raised() {
                std::process::exit(130);
            }
            stop.raise();
        });
        if let Err(e) = installed {
            eprintln!("warning: Ctrl-C will not save a checkpoint: {e}");
        }
    }
    let mut options = Options {
        stop: Some(stop.clone()),
        ..options
    };
    let sampling = matches!(options.strategy, Strategy::Sample(_));
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    // The report's file is opened before anything is explored, so that a path that cannot be
    // written fails at once.
    let output = match &args.output {
        None => None,
        Some(path) => match std::fs::File::create(path) {
            Ok(file) => Some((path, file)),
            Err(e) => {
                eprintln!("error: cannot write the report to {}: {e}", path.display());
                return exit::BAD_INPUT;
            }
        },
    };
    if let Some(dir) = &args.trace_dir {
        if let Err(e) = std::fs::create_dir_all(dir) {
            eprintln!(
                "error: cannot create the trace folder {}: {e}",
                dir.display()
            );
            return exit::BAD_INPUT;
        }
    }
    let color_out = output.is_none() && color(std::io::stdout().is_terminal());
    let color_err = color(std::io::stderr().is_terminal());
    let (mut bad, mut violated, mut incomplete, mut passed) = (0usize, 0usize, 0usize, 0usize);
    let mut unwritten = false;
    let mut report = Report::new(args.format, output.is_none());
    // A shard keeps every N-th model (a sampling shares out its runs instead).
    let entries: Vec<_> = collect(&args.paths)
        .into_iter()
        .enumerate()
        .filter(|(k, _)| sampling || args.shard.is_none_or(|s| s.has_model(*k)))
        .map(|(_, e)| e)
        .collect();
    let paths: Vec<String> = entries
        .iter()
        .map(|e| match e {
            Ok(p) | Err((p, _)) => p.display().to_string(),
        })
        .collect();
    let trace_names = tracefile::file_names(&paths.iter().map(String::as_str).collect::<Vec<_>>());
    if let Some(file) = &args.resume {
        match resume_from(file, &entries, args) {
            Ok(checkpoint) => options.resume = Some(std::sync::Arc::new(checkpoint)),
            Err(e) => {
                eprintln!("error: cannot resume from {}: {e}", file.display());
                return exit::BAD_INPUT;
            }
        }
    }
    let total = entries.len();
    for (entry, trace_name) in entries.into_iter().zip(trace_names) {
        let path = match entry {
            Ok(p) => p,
            Err((p, reason)) => {
                bad += 1;
                let name = p.display().to_string();
                eprintln!("error: {name}: {reason}");
                report.add_unreadable(&name, reason);
                continue;
            }
        };
        let name = path.display().to_string();
        match load(&path) {
            Loaded::Unreadable(reason) => {
                bad += 1;
                eprintln!("error: {reason}");
                report.add_unreadable(&name, reason);
            }
            Loaded::Bad(text, files, diags) => {
                bad += 1;
                let source = Source {
                    path: &name,
                    text: &text,
                    files: &files,
                };
                eprint!("{}", diagnostics::render(source, &diags, color_err));
                eprintln!(
                    "ERROR {name}: the model does not check ({} error(s))",
                    diags.len()
                );
                report.add(&Entry::Bad(BadInput {
                    source,
                    diagnostics: &diags,
                }));
            }
            Loaded::Model(text, model) => {
                let line = progress::Line::new(&name);
                let outcome: Outcome = migcheck_engine::check(
                    &model,
                    &Options {
                        progress: show_progress.then(|| line.reporter()),
                        ..options.clone()
                    },
                );
                line.clear();
                if let Some(c) = &outcome.checkpoint {
                    let file = args.checkpoint.clone().unwrap_or_else(|| {
                        let stem = path
                            .file_stem()
                            .map_or("model".into(), |s| s.to_string_lossy());
                        PathBuf::from(format!("{stem}.checkpoint"))
                    });
                    let hash = tracefile::model_hash(&text, &model.files);
                    match checkpoint_file::write(&file, &name, &hash, c) {
                        Ok(()) => eprintln!(
                            "interrupted: the search is saved in {f}; go on with: migcheck {} {} \
                             --resume {f}",
                            if test { "test" } else { "check" },
                            migcheck_report::shell_quote(&name),
                            f = migcheck_report::shell_quote(&file.display().to_string()),
                        ),
                        Err(e) => {
                            unwritten = true;
                            eprintln!("error: cannot write the checkpoint {}: {e}", file.display());
                        }
                    }
                }
                let expectation = test.then(|| expect::meets(&model, &outcome));
                match (expectation, &outcome.verdict) {
                    (Some(Some(true)), _) | (None, Verdict::Ok) => passed += 1,
                    (Some(Some(false)), _) | (None, Verdict::Violation(_)) => violated += 1,
                    (Some(None), _) | (None, Verdict::Incomplete { .. }) => incomplete += 1,
                }
                let checked = Checked {
                    source: Source {
                        path: &name,
                        text: &text,
                        files: &model.files,
                    },
                    model: &model,
                    outcome: &outcome,
                    expectation,
                };
                let mut trace_file = None;
                if let (Some(dir), Verdict::Violation(v)) = (&args.trace_dir, &outcome.verdict) {
                    let file = dir.join(&trace_name);
                    let doc = serde_json::to_string_pretty(&tracefile::trace_file(&checked, v))
                        .expect("the trace file serialises");
                    match std::fs::write(&file, format!("{doc}\n")) {
                        Ok(()) => trace_file = Some(file),
                        Err(e) => {
                            unwritten = true;
                            eprintln!("error: cannot write the trace file {}: {e}", file.display());
                        }
                    }
                }
                report.add_checked(&checked, color_out, trace_file.as_deref());
            }
        }
        if stop.raised() {
            // Interrupted: the models after this one are not checked.
            break;
        }
    }
    let word = if test { "failed" } else { "violated" };
    let summary = format!(
        "{total} model(s): {passed} passed, {violated} {word}, {incomplete} incomplete, {bad} with \
         bad input\n"
    );
    let body = report.finish(&summary);
    match output {
        None => print(&body),
        Some((path, mut file)) => {
            if let Err(e) = file.write_all(body.as_bytes()).and_then(|()| file.flush()) {
                eprintln!("error: cannot write the report to {}: {e}", path.display());
                return exit::BAD_INPUT;
            }
            print(&summary);
        }
    }
    if bad > 0 || unwritten {
        exit::BAD_INPUT
    } else if violated > 0 {
        exit::VIOLATION
    } else if incomplete > 0 {
        exit::INCOMPLETE
    } else {
        exit::OK
    }
}

/// The checkpoint of `file`, checked against the one model `entries` hold and the flags.
fn resume_from(
    file: &Path,
    entries: &[Result<PathBuf, (PathBuf, String)>],
    args: &CheckArgs,
) -> Result<Checkpoint, String> {
    if args.strategy != StrategyArg::Bfs {
        return Err("a checkpoint is of a breadth-first search (`--strategy bfs`)".into());
    }
    let [Ok(path)] = entries else {
        return Err("give the one model the checkpoint is of".into());
    };
    let saved = checkpoint_file::read(file)?;
    let name = path.display().to_string();
    let Loaded::Model(text, model) = load(path) else {
        return Err(format!("{name} does not load: check it without --resume"));
    };
    let hash = tracefile::model_hash(&text, &model.files);
    if hash != saved.model_hash {
        return Err(format!(
            "it was written for another version of the model ({} then, {hash} now; the model              then was {}): start again without --resume",
            saved.model_hash, saved.model_path
        ));
    }
    if args.no_reduction && !saved.checkpoint.no_reduction {
        return Err(
            "it is of a search with partial-order reduction: leave out --no-reduction".into(),
        );
    }
    if args.no_symmetry && saved.checkpoint.symmetric {
        return Err("it is of a search with symmetry reduction: leave out --no-symmetry".into());
    }
    saved
        .checkpoint
        .fits(&model)
        .map_err(|e| format!("it does not fit {name}: {e}"))?;
    Ok(saved.checkpoint)
}

/// The report of a run in the chosen format, gathered model by model.
struct Report {
    format: Format,
    /// The human report goes to the terminal: each model's block is printed as soon as it is
    /// known, not gathered.
    streaming: bool,
    human: String,
    json: Vec<json::ModelResult>,
    sarif: Vec<sarif::SarifResult>,
    junit: Vec<junit::TestCase>,
}

impl Report {
    fn new(format: Format, streaming: bool) -> Report {
        Report {
            format,
            streaming: streaming && format == Format::Human,
            human: String::new(),
            json: Vec::new(),
            sarif: Vec::new(),
            junit: Vec::new(),
        }
    }

    /// Adds a model. Bad input in the human format: its diagnostics already went to stderr, and
    /// they go into the report file too.
    fn add(&mut self, entry: &Entry<'_>) {
        match (self.format, entry) {
            (Format::Human, Entry::Checked(c)) => self.add_checked(c, false, None),
            (Format::Human, Entry::Bad(b)) => {
                if !self.streaming {
                    self.human.push_str(&b.render());
                    self.human.push_str(&format!(
                        "ERROR {}: the model does not check ({} error(s))\n",
                        b.source.path,
                        b.diagnostics.len()
                    ));
                }
            }
            (Format::Json | Format::Markdown, Entry::Checked(c)) => {
                self.json.push(json::checked(c))
            }
            (Format::Json | Format::Markdown, Entry::Bad(b)) => {
                self.json
                    .push(json::error(b.source.path, b.source.files, b.diagnostics))
            }
            (Format::Sarif, _) => self.sarif.extend(sarif::results(entry)),
            (Format::Junit, _) => self.junit.push(junit::case(entry)),
        }
    }

    /// Adds a path that could not be read: a model without text or positions.
    fn add_unreadable(&mut self, path: &str, reason: String) {
        let diagnostics = [Diagnostic::new(Span::default(), reason)];
        self.add(&Entry::Bad(BadInput {
            source: Source {
                path,
                text: "",
                files: &[],
            },
            diagnostics: &diagnostics,
        }));
    }

    /// Adds a checked model, with the trace file written for its violation.
    fn add_checked(&mut self, c: &Checked<'_>, color: bool, trace_file: Option<&Path>) {
        if self.format != Format::Human {
            return self.add(&Entry::Checked(*c));
        }
        let mut text = human::render_checked(c, color);
        if let Some(file) = trace_file {
            text.push_str(&format!("  trace file: {}\n", file.display()));
        }
        if self.streaming {
            print(&text);
        } else {
            self.human.push_str(&text);
        }
    }

    /// The whole report (for the human format on the terminal: what is left to print).
    fn finish(self, summary: &str) -> String {
        let pretty =
            |doc: serde_json::Result<String>| format!("{}\n", doc.expect("the report serialises"));
        match self.format {
            Format::Human => format!("{}\n{summary}", self.human),
            Format::Json => pretty(serde_json::to_string_pretty(&json::Report::new(self.json))),
            Format::Markdown => markdown::table(&self.json),
            Format::Sarif => pretty(serde_json::to_string_pretty(&sarif::log(self.sarif))),
            Format::Junit => junit::document(&self.junit),
        }
    }
}

fn run_replay(args: &ReplayArgs) -> u8 {
    let (model_path, schedule, recorded) = match (&args.trace, &args.model, &args.schedule) {
        (Some(file), _, _) => {
            let read = std::fs::read_to_string(file)
                .map_err(|e| e.to_string())
                .and_then(|text| tracefile::read(&text).map_err(|e| e.to_string()));
            match read {
                Ok(r) => (PathBuf::from(&r.model_path), r.schedule.clone(), Some(r)),
                Err(e) => {
                    eprintln!("error: cannot read the trace file {}: {e}", file.display());
                    return exit::BAD_INPUT;
                }
            }
        }
        (None, Some(model), Some(schedule)) => (model.clone(), schedule.clone(), None),
        _ => {
            eprintln!("error: give a MODEL and its --schedule, or a --trace FILE");
            return exit::BAD_INPUT;
        }
    };
    let name = model_path.display().to_string();
    let color_out = color(std::io::stdout().is_terminal());
    let (text, model) = match load(&model_path) {
        Loaded::Model(text, model) => (text, model),
        Loaded::Unreadable(reason) => {
            eprintln!("error: {reason}");
            return exit::BAD_INPUT;
        }
        Loaded::Bad(text, files, diags) => {
            let source = Source {
                path: &name,
                text: &text,
                files: &files,
            };
            eprint!(
                "{}",
                diagnostics::render(source, &diags, color(std::io::stderr().is_terminal()))
            );
            return exit::BAD_INPUT;
        }
    };
    if let Some(r) = &recorded {
        let now = tracefile::model_hash(&text, &model.files);
        if now != r.model_hash {
            eprintln!(
                "warning: the model changed since the trace was written (hash {} then, {now} \
                 now); replaying the schedule on the model as it is now",
                r.model_hash
            );
        }
    }
    let source = Source {
        path: &name,
        text: &text,
        files: &model.files,
    };
    let trace = match replay::replay(&model, &schedule) {
        Ok(trace) => trace,
        Err(e) => {
            eprintln!(
                "error: the schedule does not fit {name}: step {} (column {}): {}",
                e.step, e.column, e.reason
            );
            let caret = " ".repeat(e.column.saturating_sub(1));
            eprintln!("  {schedule}\n  {caret}^");
            return exit::BAD_INPUT;
        }
    };
    if let Some(then) = recorded.as_ref().and_then(|r| r.violation.as_ref()) {
        let now = trace.violation.as_ref().map(|v| {
            migcheck_report::violation_label(v.kind.as_str(), v.name.as_deref(), v.key.as_deref())
        });
        if now.as_deref() != Some(then.label().as_str()) {
            eprintln!(
                "note: the trace file recorded {}; this replay finds {}",
                then.label(),
                now.as_deref().unwrap_or("no violation")
            );
        }
    }
    if let Some(file) = &args.html {
        let page = migcheck_report::html::page(source, &model, &trace, &schedule);
        if let Err(e) = std::fs::write(file, page) {
            eprintln!("error: cannot write the page to {}: {e}", file.display());
            return exit::BAD_INPUT;
        }
    }
    if args.format == TraceFormat::Json {
        let doc = serde_json::to_string_pretty(&json::trace(source, &model, &trace))
            .expect("the trace serialises");
        print(&format!("{doc}\n"));
    } else {
        let len = migcheck_engine::schedule::parse(&schedule).map_or(0, |s| s.len());
        print(&human::render_trace(source, &model, &trace, len, color_out));
    }
    if trace.violation.is_some() {
        exit::VIOLATION
    } else {
        exit::OK
    }
}
