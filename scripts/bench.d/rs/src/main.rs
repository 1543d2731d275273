//! migcheck's benchmark family (models/bench/) as Rust threads, checked with loom (exhaustive,
//! with a preemption bound) or shuttle (random or PCT schedules, or depth-first), for
//! scripts/bench. Prints one JSON object: the tool, the model, the size, the verdict (`ok`, or
//! `violation` with the panic message), the executions run and the wall time to finish (ok) or to
//! the first failure (violation).
//!
//! Usage: migcheck-bench-rs TOOL MODEL N [H] [--iterations I] [--preemption-bound B] [--depth D]
//!   TOOL   loom | shuttle-random | shuttle-pct | shuttle-dfs
//!   MODEL  claims_fix | claims_bug | independent

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc as StdArc, Mutex as StdMutex};
use std::time::Instant;

mod with_loom {
    #![allow(dead_code)]
    use loom::sync::atomic::AtomicUsize;
    use loom::sync::Arc;
    use loom::thread::spawn;
    include!("family.rs");
}

mod with_shuttle {
    #![allow(dead_code)]
    use shuttle::sync::atomic::AtomicUsize;
    use shuttle::sync::Arc;
    use shuttle::thread::spawn;
    include!("family.rs");
}

/// Executions started, across the run.
static EXECUTIONS: AtomicU64 = AtomicU64::new(0);

fn usage() -> ! {
    eprintln!(
        "usage: migcheck-bench-rs loom|shuttle-random|shuttle-pct|shuttle-dfs \
         claims_fix|claims_bug|independent N [H] [--iterations I] [--preemption-bound B] [--depth D]"
    );
    std::process::exit(2)
}

fn json_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut pos = Vec::new();
    let (mut iterations, mut bound, mut depth) = (10_000usize, None::<usize>, 3usize);
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let mut num = || -> usize {
            it.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| usage())
        };
        match a.as_str() {
            "--iterations" => iterations = num(),
            "--preemption-bound" => bound = Some(num()),
            "--depth" => depth = num(),
            _ if a.starts_with("--") => usage(),
            _ => pos.push(a.clone()),
        }
    }
    if pos.len() < 3 {
        usage()
    }
    let (tool, model) = (pos[0].as_str(), pos[1].as_str());
    let n: usize = pos[2].parse().unwrap_or_else(|_| usage());
    let h: usize = pos.get(3).map_or(1, |v| v.parse().unwrap_or_else(|_| usage()));
    if n == 0 || h == 0 || !matches!(model, "claims_fix" | "claims_bug" | "independent") {
        usage()
    }
    let bug = model == "claims_bug";
    let indep = model == "independent";

    let head = format!(
        "{{\"tool\":{},\"model\":{},\"n\":{n},\"h\":{h},\"iterations\":{iterations},\"preemption_bound\":{}",
        json_str(tool),
        json_str(model),
        bound.map_or("null".into(), |b| b.to_string())
    );
    if tool == "loom" && n + 1 > loom::MAX_THREADS {
        println!(
            "{head},\"verdict\":\"n/a\",\"reason\":{}}}",
            json_str(&format!(
                "loom models at most {} threads, the main one included",
                loom::MAX_THREADS
            ))
        );
        return;
    }

    // The first panic's message is the violation; keep the default hook quiet.
    let message: StdArc<StdMutex<Option<String>>> = StdArc::default();
    {
        let message = message.clone();
        std::panic::set_hook(Box::new(move |info| {
            let mut m = message.lock().unwrap_or_else(|e| e.into_inner());
            if m.is_none() {
                let text = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                *m = Some(text);
            }
        }));
    }

    let start = Instant::now();
    let result = catch_unwind(AssertUnwindSafe(|| match tool {
        "loom" => {
            let mut b = loom::model::Builder::new();
            b.preemption_bound = bound;
            b.check(move || {
                EXECUTIONS.fetch_add(1, Ordering::Relaxed);
                if indep {
                    with_loom::independent(n)
                } else {
                    with_loom::claims(n, h, bug)
                }
            });
        }
        "shuttle-random" | "shuttle-pct" | "shuttle-dfs" => {
            let f = move || {
                EXECUTIONS.fetch_add(1, Ordering::Relaxed);
                if indep {
                    with_shuttle::independent(n)
                } else {
                    with_shuttle::claims(n, h, bug)
                }
            };
            match tool {
                "shuttle-random" => shuttle::check_random(f, iterations),
                "shuttle-pct" => shuttle::check_pct(f, iterations, depth),
                _ => shuttle::check_dfs(f, Some(iterations)),
            }
        }
        _ => usage(),
    }));
    let seconds = start.elapsed().as_secs_f64();
    let executions = EXECUTIONS.load(Ordering::Relaxed);
    match result {
        Ok(()) => println!(
            "{head},\"verdict\":\"ok\",\"executions\":{executions},\"seconds\":{seconds}}}"
        ),
        Err(_) => {
            let m = message.lock().unwrap_or_else(|e| e.into_inner()).clone();
            println!(
                "{head},\"verdict\":\"violation\",\"message\":{},\"executions\":{executions},\"seconds\":{seconds}}}",
                json_str(&m.unwrap_or_default())
            );
        }
    }
}
