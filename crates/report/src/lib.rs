//! migcheck-report: renderings of what the front end and the engine produce.
//!
//! [`diagnostics`] renders front-end errors with the source line and a caret; [`human`] renders a
//! checked model's result and a replayed trace for the terminal; [`json`] is the
//! machine-readable form of DESIGN.md; [`markdown`] a table of results for CI summaries. Nothing here explores or parses: the CLI hands in the
//! model, its source and the engine's outcome.
//!
//! [`html`] draws a replayed trace as a self-contained sequence-diagram page.
//!
//! For CI: [`sarif`] is the SARIF 2.1.0 log of a run and [`junit`] its JUnit XML report, both
//! built from each model's [`entry::Entry`]; [`tracefile`] writes and reads the trace file of a
//! violation (`--trace-dir`, `migcheck replay --trace`).
//!
//! Architecture invariant: rendering never decides anything; the same inputs give the same text.

pub mod diagnostics;
pub mod entry;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod tracefile;

/// A model file and its text, as the CLI read it, with the files it included.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub path: &'a str,
    pub text: &'a str,
    /// Every file of the model (index 0 the main file), as `compile_file` gives them; a span's
    /// `file` indexes this list. Empty when the model has one file.
    pub files: &'a [migcheck_lang::SourceFile],
}

impl<'a> Source<'a> {
    /// The file that `span` points into.
    pub fn for_span(&self, span: migcheck_lang::Span) -> Source<'a> {
        match self.files.get(span.file as usize) {
            Some(f) if span.file > 0 => Source {
                path: &f.path,
                text: &f.text,
                files: self.files,
            },
            _ => *self,
        }
    }

    /// The text of 1-based line `line`, without its newline.
    pub fn line(&self, line: u32) -> &str {
        self.text
            .lines()
            .nth(line.saturating_sub(1) as usize)
            .unwrap_or("")
    }

    /// The text of the statement at `span`: its first line, with `...` when it goes on.
    pub fn statement(&self, span: migcheck_lang::Span) -> String {
        let text = self
            .text
            .get(span.start as usize..span.end as usize)
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| self.line(span.line).trim());
        match text.split_once('\n') {
            Some((first, _)) => format!("{} ...", first.trim_end()),
            None => text.to_string(),
        }
    }
}

/// A violation in the words of an `expect` line, with the map key where there is one:
/// `invariant capacity`, `lost_update alloc[instance]`, `deadlock`.
pub fn violation_label(kind: &str, name: Option<&str>, key: Option<&str>) -> String {
    match (name, key) {
        (Some(n), Some(k)) => format!("{kind} {n}[{k}]"),
        (Some(n), None) => format!("{kind} {n}"),
        _ => kind.to_string(),
    }
}

/// Quotes `s` for a POSIX shell, so that a copied command runs as shown.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=,".contains(c))
    {
        return s.to_string();
    }
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// The command that replays `schedule` on the model at `path`.
pub fn replay_command(path: &str, schedule: &str) -> String {
    format!(
        "migcheck replay {} --schedule {}",
        shell_quote(path),
        shell_quote(schedule)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_a_shell_would_expand() {
        assert_eq!(shell_quote("a,b:1"), "a,b:1");
        assert_eq!(shell_quote("m[0],b"), "'m[0],b'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(
            replay_command("models/x.mig", "a"),
            "migcheck replay models/x.mig --schedule a"
        );
    }
}
