//! Checkpoint files: a stopped search saved to disk, with what it belongs to.
//!
//! The file is a header line, one line of JSON saying which model (its path and the hash of its
//! text and libraries, as trace files record it) and which search (reduction on or off) it is
//! of, then the engine's checkpoint bytes ([`migcheck_engine::checkpoint`]).

use std::path::Path;

use serde_json::{json, Value};

use migcheck_engine::checkpoint::Checkpoint;

const HEADER: &str = "migcheck checkpoint 1\n";

/// A checkpoint read from a file, with the model it was written for.
pub struct Saved {
    pub model_path: String,
    pub model_hash: String,
    pub checkpoint: Checkpoint,
}

/// Writes `checkpoint` of the model at `model_path` (hashed `model_hash`) to `file`.
pub fn write(
    file: &Path,
    model_path: &str,
    model_hash: &str,
    checkpoint: &Checkpoint,
) -> std::io::Result<()> {
    let about = json!({
        "model_path": model_path,
        "model_hash": model_hash,
        "migcheck": env!("CARGO_PKG_VERSION"),
        "states": checkpoint.len(),
        "depth": checkpoint.depth,
        "no_reduction": checkpoint.no_reduction,
        "symmetric": checkpoint.symmetric,
    });
    let mut bytes = Vec::new();
    bytes.extend_from_slice(HEADER.as_bytes());
    bytes.extend_from_slice(about.to_string().as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(&checkpoint.to_bytes());
    // Written aside and renamed, so that an interrupted write never leaves half a checkpoint.
    let partial = file.with_extension("partial");
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, file)
}

/// Reads a checkpoint file, or says what is wrong with it.
pub fn read(file: &Path) -> Result<Saved, String> {
    let bytes = std::fs::read(file).map_err(|e| e.to_string())?;
    let rest = bytes
        .strip_prefix(HEADER.as_bytes())
        .ok_or("it is not a migcheck checkpoint")?;
    let end = rest
        .iter()
        .position(|&b| b == b'\n')
        .ok_or("it is truncated")?;
    let about: Value =
        serde_json::from_slice(&rest[..end]).map_err(|e| format!("its header: {e}"))?;
    let field = |name: &str| {
        about[name]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("its header lacks `{name}`"))
    };
    Ok(Saved {
        model_path: field("model_path")?,
        model_hash: field("model_hash")?,
        checkpoint: Checkpoint::from_bytes(&rest[end + 1..])?,
    })
}
