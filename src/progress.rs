//! The live progress line of a long exploration (on a terminal only): states, states per
//! second, depth, queue and elapsed time, drawn on stderr once a model has taken a second.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use migcheck_engine::budget::{Progress, Reporter};

/// Runs shorter than this show no line.
const AFTER: Duration = Duration::from_secs(1);

/// The line of one model, created when its exploration has taken [`AFTER`].
pub struct Line {
    name: String,
    bar: Arc<Mutex<Option<ProgressBar>>>,
}

impl Line {
    pub fn new(name: &str) -> Line {
        Line {
            name: name.to_string(),
            bar: Arc::default(),
        }
    }

    /// The engine's progress callback for this model.
    pub fn reporter(&self) -> Reporter {
        let (bar, name) = (self.bar.clone(), self.name.clone());
        Reporter(Arc::new(move |p: &Progress| {
            if p.elapsed < AFTER {
                return;
            }
            let Ok(mut bar) = bar.lock() else { return };
            let bar = bar.get_or_insert_with(|| {
                let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                b.set_style(
                    ProgressStyle::with_template("{spinner} {msg}")
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                );
                b
            });
            bar.set_message(message(&name, p));
            bar.tick();
        }))
    }

    /// Removes the line (before the model's result is printed).
    pub fn clear(&self) {
        if let Some(bar) = self.bar.lock().ok().and_then(|mut b| b.take()) {
            bar.finish_and_clear();
        }
    }
}

/// `models/big.mig: 1234567 states (612k/s), depth 31, queue 40211, 2.0s`.
fn message(name: &str, p: &Progress) -> String {
    let seconds = p.elapsed.as_secs_f64();
    let rate = if seconds > 0.0 {
        p.states as f64 / seconds
    } else {
        0.0
    };
    let rate = if rate >= 1e6 {
        format!("{:.2}M/s", rate / 1e6)
    } else if rate >= 1e3 {
        format!("{:.0}k/s", rate / 1e3)
    } else {
        format!("{rate:.0}/s")
    };
    format!(
        "{name}: {} states ({rate}), depth {}, queue {}, {seconds:.1}s",
        p.states, p.depth, p.queue
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_states_rate_depth_queue_and_time() {
        let p = Progress {
            states: 1_500_000,
            transitions: 0,
            depth: 31,
            queue: 40_211,
            elapsed: Duration::from_secs(2),
        };
        assert_eq!(
            message("m.mig", &p),
            "m.mig: 1500000 states (750k/s), depth 31, queue 40211, 2.0s"
        );
    }
}
