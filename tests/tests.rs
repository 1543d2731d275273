//! End-to-end tests: they run the `migcheck` binary as a user would, on the bundled models, on
//! the shared conformance models, and on bad input.

mod e2e {
    pub mod bad_input;
    pub mod budgets;
    pub mod catalogue;
    pub mod checkpoint;
    pub mod cli;
    pub mod conformance;
    pub mod formats;
    pub mod fuzz;
    pub mod long_states;
    pub mod models;
    pub mod reliability;
    pub mod traces;
    pub mod util;
}
