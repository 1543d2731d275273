//! Trace files (`--trace-dir DIR`): one JSON document per violation, kept as a CI artifact and
//! replayed later with `migcheck replay --trace FILE`.
//!
//! A trace file names the model (its path as given and a hash of its text), the schedule, the
//! violation, and every replayed step with its lines, the values read and written and the
//! changes of shared state. Replay needs only the path and the schedule; the hash tells it
//! whether the model changed since, and the steps let a reader see the run without migcheck.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use migcheck_engine::Violation;
use migcheck_lang::SourceFile;

use crate::human::Checked;
use crate::json::{self, StepJson, ViolationJson};

/// The value of `format`, which marks a trace file.
pub const FORMAT: &str = "migcheck-trace";

/// Bumped whenever a field changes meaning or goes away; replay reads this version and older.
pub const SCHEMA_VERSION: u32 = 1;

/// A trace file, as written.
#[derive(Debug, Serialize)]
#[non_exhaustive]
pub struct TraceFile {
    /// Always [`FORMAT`].
    pub format: &'static str,
    pub schema_version: u32,
    /// The migcheck that wrote the file.
    pub migcheck_version: &'static str,
    /// The model's name (`model NAME`).
    pub model: String,
    /// The model's path as given on the command line, relative to where migcheck ran.
    pub model_path: String,
    /// `sha256:<hex>` of the model's text and of every file it includes ([`model_hash`]).
    pub model_hash: String,
    pub schedule: String,
    /// As in `--format json` (kind, name, key, message, line, lines, replay command).
    pub violation: ViolationJson,
    /// As `migcheck replay --format json` gives them.
    pub steps: Vec<StepJson>,
}

/// The trace file of the violation `v` found in the checked model `c`.
pub fn trace_file(c: &Checked<'_>, v: &Violation) -> TraceFile {
    let mut violation = json::violation_with_steps(c.model, v, c.source.path);
    let steps = violation.steps.take().unwrap_or_default();
    TraceFile {
        format: FORMAT,
        schema_version: SCHEMA_VERSION,
        migcheck_version: env!("CARGO_PKG_VERSION"),
        model: c.model.name.clone(),
        model_path: c.source.path.to_string(),
        model_hash: model_hash(c.source.text, c.source.files),
        schedule: violation.schedule.clone(),
        violation,
        steps,
    }
}

/// `sha256:<hex>` over the model's files in order (the main file, then each included library),
/// each as its length in bytes (8 bytes, little-endian) followed by its text. `text` is the main
/// file's, used alone when `files` is empty.
pub fn model_hash(text: &str, files: &[SourceFile]) -> String {
    let mut hasher = Sha256::new();
    let mut add = |t: &str| {
        hasher.update((t.len() as u64).to_le_bytes());
        hasher.update(t.as_bytes());
    };
    if files.is_empty() {
        add(text);
    } else {
        for f in files {
            add(&f.text);
        }
    }
    format!("sha256:{:x}", hasher.finalize())
}

/// What replay reads of a trace file.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct Recorded {
    pub format: String,
    pub schema_version: u32,
    pub model_path: String,
    pub model_hash: String,
    pub schedule: String,
    pub violation: Option<RecordedViolation>,
}

/// The violation a trace file recorded.
#[derive(Debug, Clone, Deserialize)]
#[non_exhaustive]
pub struct RecordedViolation {
    pub kind: String,
    pub name: Option<String>,
    pub key: Option<String>,
}

impl RecordedViolation {
    /// `lost_update alloc[3]`, `deadlock`.
    pub fn label(&self) -> String {
        crate::violation_label(&self.kind, self.name.as_deref(), self.key.as_deref())
    }
}

/// Why a trace file cannot be read.
#[derive(Debug)]
pub enum ReadError {
    /// Not JSON, or not the fields of a trace file (serde_json says where).
    Json(serde_json::Error),
    /// JSON with another `format`.
    NotATrace(String),
    /// Written by a newer migcheck.
    Version(u32),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Json(e) => write!(f, "{e}"),
            ReadError::NotATrace(format) => {
                write!(f, "not a migcheck trace file (its format is `{format}`)")
            }
            ReadError::Version(v) => write!(
                f,
                "schema_version {v} is newer than this migcheck reads ({SCHEMA_VERSION})"
            ),
        }
    }
}

/// Reads a trace file's text.
pub fn read(text: &str) -> Result<Recorded, ReadError> {
    let r: Recorded = serde_json::from_str(text).map_err(ReadError::Json)?;
    if r.format != FORMAT {
        return Err(ReadError::NotATrace(r.format));
    }
    if r.schema_version > SCHEMA_VERSION {
        return Err(ReadError::Version(r.schema_version));
    }
    Ok(r)
}

/// The file name of each model's trace, for the model paths of one run, in order:
/// `<stem>.trace.json`, or, for models whose file stem another model of the run shares, the path
/// without its extension, with each `/` (and `\`) turned into `__` and leading `./`, `/` left
/// out (`models/a/x.mig` becomes `models__a__x.trace.json`). A name still taken gets `-2`, `-3`...
pub fn file_names(paths: &[&str]) -> Vec<String> {
    let stem = |p: &str| {
        std::path::Path::new(p)
            .file_stem()
            .map_or_else(|| "model".to_string(), |s| s.to_string_lossy().into_owned())
    };
    let stems: Vec<String> = paths.iter().map(|p| stem(p)).collect();
    let mut names: Vec<String> = Vec::with_capacity(paths.len());
    for (i, p) in paths.iter().enumerate() {
        let shared = stems.iter().filter(|s| **s == stems[i]).count() > 1;
        let base = if shared { flatten(p) } else { stems[i].clone() };
        let mut name = format!("{base}.trace.json");
        let mut n = 2;
        while names.contains(&name) {
            name = format!("{base}-{n}.trace.json");
            n += 1;
        }
        names.push(name);
    }
    names
}

/// `./models/a/x.mig` -> `models__a__x`.
fn flatten(path: &str) -> String {
    let mut p = path.replace('\\', "/");
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.to_string();
    }
    let p = p.trim_start_matches('/');
    let p = p.strip_suffix(".mig").unwrap_or(p);
    p.replace('/', "__")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stems_unless_two_models_share_one() {
        assert_eq!(
            file_names(&["models/a/x.mig", "models/b/x.mig", "./y.mig", "/tmp/z.mig"]),
            [
                "models__a__x.trace.json",
                "models__b__x.trace.json",
                "y.trace.json",
                "z.trace.json"
            ]
        );
        // The same file given twice still gets two names.
        assert_eq!(
            file_names(&["a/x.mig", "a/x.mig"]),
            ["a__x.trace.json", "a__x-2.trace.json"]
        );
    }

    #[test]
    fn the_hash_covers_every_file_and_where_one_ends() {
        let file = |t: &str| SourceFile {
            path: "p".into(),
            text: t.into(),
        };
        let one = model_hash("", &[file("ab"), file("c")]);
        assert!(one.starts_with("sha256:") && one.len() == 7 + 64, "{one}");
        assert_ne!(one, model_hash("", &[file("a"), file("bc")]));
        assert_ne!(one, model_hash("", &[file("ab"), file("d")]));
        assert_eq!(model_hash("ab", &[]), model_hash("", &[file("ab")]));
    }

    #[test]
    fn reading_refuses_other_documents_and_newer_versions() {
        let doc = |format: &str, version: u32| {
            format!(
                r#"{{"format": "{format}", "schema_version": {version}, "model_path": "m.mig",
                    "model_hash": "sha256:00", "schedule": "a,b", "violation": null}}"#
            )
        };
        let r = read(&doc(FORMAT, 1)).expect("a trace file");
        assert_eq!(
            (r.model_path.as_str(), r.schedule.as_str()),
            ("m.mig", "a,b")
        );
        assert!(matches!(
            read(&doc("sarif", 1)),
            Err(ReadError::NotATrace(_))
        ));
        assert!(matches!(read(&doc(FORMAT, 2)), Err(ReadError::Version(2))));
        let e = read("{\"format\": \"migcheck-trace\",\n \"schema_version\": }").unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }
}
