//! migcheck-fuzz: the harness of migcheck's fuzzers (docs/fuzzing.md).
//!
//! Each module is an oracle and its input builders: [`lang`] for the front end (text in,
//! diagnostics or a checked model out), [`engine`] for schedule replay and for exploration under
//! budgets, [`mutate`] for seeded bytes and the mutations of bundled models. The cargo-fuzz
//! targets in `fuzz_targets/` feed them the fuzzer's bytes; the bounded fuzz tests that
//! `cargo test` runs (`crates/lang/tests/fuzz.rs`, `crates/engine/tests/fuzz.rs`) include the same
//! files by path and feed them seeded bytes, so every CI run fuzzes a little.

pub mod bundled;
pub mod engine;
pub mod lang;
pub mod mutate;

/// The random model generator of the engine's differential test, shared with it.
#[path = "../../crates/engine/tests/gen/mod.rs"]
pub mod gen;
