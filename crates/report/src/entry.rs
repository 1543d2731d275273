//! One model's result as the CLI hands it to the renderings of a whole run (SARIF, JUnit): a
//! checked model, or bad input that could not be checked.

use migcheck_lang::Diagnostic;

use crate::human::Checked;
use crate::Source;

/// A model that could not be checked: it does not parse or check, or its path cannot be read
/// (then `source.text` is empty and the diagnostics have no position: line 0).
#[derive(Debug, Clone, Copy)]
pub struct BadInput<'a> {
    pub source: Source<'a>,
    pub diagnostics: &'a [Diagnostic],
}

/// One model of a run.
#[derive(Debug, Clone, Copy)]
pub enum Entry<'a> {
    Checked(Checked<'a>),
    Bad(BadInput<'a>),
}

impl<'a> Entry<'a> {
    /// The model's path as the user gave it (or as the folder walk found it).
    pub fn path(&self) -> &'a str {
        match self {
            Entry::Checked(c) => c.source.path,
            Entry::Bad(b) => b.source.path,
        }
    }
}

impl BadInput<'_> {
    /// The diagnostics as text: rendered with their source lines where they have a position,
    /// one `path: message` line each where they have none.
    pub fn render(&self) -> String {
        let (placed, unplaced): (Vec<Diagnostic>, Vec<Diagnostic>) = self
            .diagnostics
            .iter()
            .cloned()
            .partition(|d| d.span.line > 0);
        let mut out = crate::diagnostics::render(self.source, &placed, false);
        for d in &unplaced {
            out.push_str(&format!("error: {}: {}\n", self.source.path, d.message));
        }
        out
    }
}
