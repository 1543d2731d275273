//! Source files and `include` resolution (docs/extensions.md).
//!
//! A model is one `.mig` file plus the `.migl` libraries it includes, directly or through other
//! libraries. The files are numbered in a list: the main file first (index 0), then each included
//! file in order of first inclusion; every [`crate::Span`] names its file by that index.
//! This crate does no I/O: the caller supplies a loader, and paths are joined and normalised as
//! text with `std::path`.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

use crate::ast::{Item, Model};
use crate::diag::Diagnostic;
use crate::parser;
use crate::span::Span;

/// A source file of a model: the main file first (index 0), then included files in order of
/// first inclusion.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SourceFile {
    /// The path as given for the main file; for an included file, the path resolved against the
    /// including file's folder (normalised: no `.`, and `..` folded where it can be).
    pub path: String,
    pub text: String,
}

/// The path of `include "written"` in the file at `including`: joined to that file's folder.
pub fn resolve_include(including: &str, written: &str) -> String {
    let folder = Path::new(including).parent().unwrap_or(Path::new(""));
    normalize(&folder.join(written))
}

/// Drops `.` components and folds `dir/..`, without touching the file system.
fn normalize(p: &Path) -> String {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) | Some(Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other.as_os_str()),
        }
    }
    out.to_string_lossy().into_owned()
}

/// Expands the includes of a parsed model into one list of declarations.
pub(crate) struct Includer<'a> {
    pub files: Vec<SourceFile>,
    pub errors: Vec<Diagnostic>,
    load: &'a dyn Fn(&str) -> Result<String, String>,
    /// Normalised paths of every file loaded (or tried), for include-once.
    seen: HashSet<String>,
    /// The chain of files being expanded, main file first, for cycle detection.
    stack: Vec<String>,
}

impl<'a> Includer<'a> {
    pub fn new(
        path: &str,
        source: &str,
        load: &'a dyn Fn(&str) -> Result<String, String>,
    ) -> Includer<'a> {
        let key = normalize(Path::new(path));
        Includer {
            files: vec![SourceFile {
                path: path.to_string(),
                text: source.to_string(),
            }],
            errors: Vec::new(),
            load,
            seen: HashSet::from([key.clone()]),
            stack: vec![key],
        }
    }

    /// The declarations of `model` (file `file`) with every `include` replaced by the
    /// declarations of the included file, at the point of its first inclusion.
    pub fn expand(&mut self, items: Vec<Item>, file: u32, out: &mut Vec<Item>) {
        for item in items {
            let Item::Include { path, span } = item else {
                out.push(item);
                continue;
            };
            if let Some(lib) = self.include(file, &path, span) {
                let idx = self.files.len() as u32 - 1;
                self.expand(lib.items, idx, out);
                self.stack.pop();
            }
        }
    }

    /// Loads and parses one included file; `Some` (with the file pushed on the stack) when its
    /// declarations are to be expanded now.
    fn include(&mut self, file: u32, written: &str, span: Span) -> Option<Model> {
        let resolved = resolve_include(&self.files[file as usize].path, written);
        if !written.ends_with(".migl") {
            self.errors.push(
                Diagnostic::new(span, format!("cannot include `{written}`: it is not a library"))
                    .with_hint("an included file is a library, whose name ends in `.migl` and which starts with `library NAME`"),
            );
            return None;
        }
        if let Some(pos) = self.stack.iter().position(|k| *k == resolved) {
            let mut chain: Vec<&str> = self.stack[pos..].iter().map(String::as_str).collect();
            chain.push(&resolved);
            self.errors.push(
                Diagnostic::new(span, format!("include cycle: {}", chain.join(" -> ")))
                    .with_hint("a library cannot include itself, directly or through others"),
            );
            return None;
        }
        if !self.seen.insert(resolved.clone()) {
            // Included before: its declarations are already in place.
            return None;
        }
        let text = match (self.load)(&resolved) {
            Ok(text) => text,
            Err(reason) => {
                let mut d = Diagnostic::new(span, format!("cannot read `{written}`: {reason}"));
                if resolved != written {
                    d = d.with_hint(format!(
                        "the path resolves to `{resolved}`, relative to the folder of the including file"
                    ));
                }
                self.errors.push(d);
                return None;
            }
        };
        let idx = self.files.len() as u32;
        let parsed = parser::parse_file(&text, idx, true);
        self.files.push(SourceFile {
            path: resolved.clone(),
            text,
        });
        match parsed {
            Ok(lib) => {
                self.stack.push(resolved);
                Some(lib)
            }
            Err(ds) => {
                self.errors.extend(ds);
                None
            }
        }
    }
}
