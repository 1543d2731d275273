//! Fuzz target: a small model built from the bytes (the differential test's generator, maybe
//! mutated), checked by the front end's oracle and, when it compiles, explored by the reference
//! and the explorers and strategies the bytes select, each under a budget of 2000 states and one
//! second (`migcheck_fuzz::engine::check_exploration`): no panic, no run past its budget, and
//! verdicts that agree with the reference's.
#![no_main]

use std::time::Duration;

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use migcheck_fuzz::{engine, lang};

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let selected: u8 = u.arbitrary().unwrap_or(0);
    let seed: u64 = u.arbitrary().unwrap_or(0);
    let text = engine::generated_source(&mut u);
    let model = match lang::check_source("generated.mig", &text, &[]) {
        Ok(Some(model)) => model,
        Ok(None) => return,
        Err(broken) => panic!("{broken}\n{text}"),
    };
    let budget = engine::Budget {
        max_states: 2000,
        time_limit: Duration::from_secs(1),
    };
    if let Err(broken) = engine::check_exploration(&model, &budget, selected, seed) {
        panic!("{broken}\n{text}");
    }
});
