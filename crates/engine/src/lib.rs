//! migcheck-engine: runs checked models.
//!
//! The [`step`] function is the semantics: it runs one step of one task from a [`State`] and
//! reports the new state, a block, or a model error, with the shared locations it read and wrote.
//! The [`explore`] module holds the reference explorer (breadth-first, exact, the oracle for every
//! faster explorer to come) and [`check`] wraps it with the rich report of the violation found.
//! [`schedule`] is the text format of schedules and [`replay`] turns a schedule back into a
//! step-by-step [`replay::Trace`].
//!
//! ```
//! let model = migcheck_lang::compile(
//!     "model m\nshared x: int = 0\ntask a { let v = x; x = v + 1 }\ntask b { x = 5 }\n",
//! ).unwrap();
//! let outcome = migcheck_engine::check(&model, &migcheck_engine::Options::default());
//! let violation = outcome.violation().expect("a lost update");
//! assert_eq!(violation.schedule.format(&model), "a,b,a");
//! ```
//!
//! Architecture invariants: the engine does no I/O (but for reading its own resident memory for
//! a memory budget, [`budget`]) and knows no syntax; the same model and options give the same
//! verdict and schedule.

pub mod budget;
pub mod checkpoint;
pub mod dfs;
pub mod expect;
pub mod explore;
pub mod fast;
pub mod parallel;
pub mod replay;
pub mod schedule;
pub mod semantics;
pub mod state;
pub mod step;
pub mod strategy;
pub mod violation;

pub use explore::{check, explore, Explorer, Options, Outcome, Stats, Strategy, Verdict};
pub use schedule::{Choice, ChoiceKind, Schedule, ScheduleStep};
pub use state::State;
pub use violation::{Violation, ViolationKind};

#[cfg(test)]
mod tests;
