//! Fuzz target: schedule text against a bundled model, through replay. The first bytes pick the
//! model and how the text is built (a random walk through enabled steps, a mutated walk, a soup of
//! the model's words, raw bytes); replay must answer with a consistent trace or a schedule error
//! at the first step that does not fit (`migcheck_fuzz::engine::check_replay`), never panic.
#![no_main]

use arbitrary::Unstructured;
use libfuzzer_sys::fuzz_target;
use migcheck_fuzz::engine;

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let models = engine::replay_models();
    let model = &models[u.choose_index(models.len()).unwrap_or(0)];
    let text = engine::schedule_text(model, &mut u);
    if let Err(broken) = engine::check_replay(model, &text) {
        panic!("model {}, schedule {text:?}: {broken}", model.name);
    }
});
