//! Prints the random model of the differential test for a seed, to check or replay it by hand:
//! `cargo run -p migcheck-engine --example gen-model -- 1360 > m.mig && migcheck check m.mig`.

#[path = "../tests/gen/mod.rs"]
mod gen;

use std::process::ExitCode;

fn main() -> ExitCode {
    let arg = std::env::args().nth(1);
    match arg.as_deref().map(str::parse::<u64>) {
        Some(Ok(seed)) => {
            print!("{}", gen::model(seed));
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("usage: gen-model SEED (a number)");
            ExitCode::from(2)
        }
    }
}
