//! Fuzz target: any bytes, as text, through the parser and the checker. No input may panic; a
//! refused text has diagnostics inside it, a compiled one is well formed for the engine
//! (`migcheck_fuzz::lang`). An `include` resolves to the bundled Nova libraries.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    static LIBS: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    let libs = LIBS.get_or_init(migcheck_fuzz::engine::nova_libraries);
    if let Err(broken) = migcheck_fuzz::lang::check_source("models/nova/fuzz.mig", &text, libs) {
        panic!("{broken}");
    }
});
