//! The `migcheck` command line: wires `lang` (parse and check), `engine` (explore, replay) and
//! `report` (render). No logic of its own beyond finding files and choosing exit codes.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use migcheck_engine::strategy::{Sampler, Sampling};
use migcheck_engine::{expect, replay, Explorer, Options, Outcome, Strategy, Verdict};
use migcheck_lang::{Diagnostic, SourceFile, Span};
use migcheck_report::human::{self, Checked};
use migcheck_report::{diagnostics, json, markdown, Source};

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
    Check(CheckArgs),
    /// Like check, but each model's `expect` line is the pass condition.
    Test(CheckArgs),
    /// Replay a schedule on a model and print the trace, step by step.
    Replay(ReplayArgs),
}

#[derive(clap::Args)]
struct CheckArgs {
    /// `.mig` files, or folders searched recursively for them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// `markdown` prints one table row per model (for a CI job summary).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Stop with an incomplete verdict (exit 3) after storing this many states.
    #[arg(long, value_name = "N")]
    max_states: Option<u64>,
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
struct ReplayArgs {
    /// The model file.
    model: PathBuf,
    /// The schedule: task names joined by commas, each followed by `:N` per choice.
    #[arg(long, allow_hyphen_values = true)]
    schedule: String,
    #[arg(long, value_enum, default_value_t = TraceFormat::Human)]
    format: TraceFormat,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
    Markdown,
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
                runs: args.runs,
                max_steps: args.max_steps,
            }),
        },
        ..Options::default()
    };
    let color_out = color(std::io::stdout().is_terminal());
    let color_err = color(std::io::stderr().is_terminal());
    let (mut bad, mut violated, mut incomplete, mut passed) = (0usize, 0usize, 0usize, 0usize);
    let mut results = Vec::new();
    let mut total = 0usize;
    for entry in collect(&args.paths) {
        total += 1;
        let path = match entry {
            Ok(p) => p,
            Err((p, reason)) => {
                bad += 1;
                let name = p.display().to_string();
                eprintln!("error: {name}: {reason}");
                results.push(json::error(
                    &name,
                    &[],
                    &[Diagnostic::new(Span::default(), reason)],
                ));
                continue;
            }
        };
        let name = path.display().to_string();
        match load(&path) {
            Loaded::Unreadable(reason) => {
                bad += 1;
                eprintln!("error: {reason}");
                results.push(json::error(
                    &name,
                    &[],
                    &[Diagnostic::new(Span::default(), reason)],
                ));
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
                results.push(json::error(&name, &files, &diags));
            }
            Loaded::Model(text, model) => {
                let outcome: Outcome = migcheck_engine::check(&model, &options);
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
                if args.format == Format::Human {
                    print(&human::render_checked(&checked, color_out));
                } else {
                    results.push(json::checked(&checked));
                }
            }
        }
    }
    if args.format == Format::Json {
        let doc = serde_json::to_string_pretty(&json::Report::new(results))
            .expect("the report serialises");
        print(&format!("{doc}\n"));
    } else if args.format == Format::Markdown {
        print(&markdown::table(&results));
    } else {
        let word = if test { "failed" } else { "violated" };
        print(&format!(
            "\n{total} model(s): {passed} passed, {violated} {word}, {incomplete} incomplete, \
             {bad} with bad input\n"
        ));
    }
    if bad > 0 {
        exit::BAD_INPUT
    } else if violated > 0 {
        exit::VIOLATION
    } else if incomplete > 0 {
        exit::INCOMPLETE
    } else {
        exit::OK
    }
}

fn run_replay(args: &ReplayArgs) -> u8 {
    let name = args.model.display().to_string();
    let color_out = color(std::io::stdout().is_terminal());
    let (text, model) = match load(&args.model) {
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
    let source = Source {
        path: &name,
        text: &text,
        files: &model.files,
    };
    let trace = match replay::replay(&model, &args.schedule) {
        Ok(trace) => trace,
        Err(e) => {
            eprintln!(
                "error: the schedule does not fit {name}: step {} (column {}): {}",
                e.step, e.column, e.reason
            );
            let caret = " ".repeat(e.column.saturating_sub(1));
            eprintln!("  {}\n  {caret}^", args.schedule);
            return exit::BAD_INPUT;
        }
    };
    if args.format == TraceFormat::Json {
        let doc = serde_json::to_string_pretty(&json::trace(source, &model, &trace))
            .expect("the trace serialises");
        print(&format!("{doc}\n"));
    } else {
        let len = migcheck_engine::schedule::parse(&args.schedule).map_or(0, |s| s.len());
        print(&human::render_trace(source, &model, &trace, len, color_out));
    }
    if trace.violation.is_some() {
        exit::VIOLATION
    } else {
        exit::OK
    }
}
