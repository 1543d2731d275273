//! Source positions: byte ranges with the file, line and column of their start.

/// A range of the source text. `line` and `col` (both 1-based, the column counted in characters)
/// locate `start`, so a report can name the position without the text at hand.
///
/// `file` is the index of the source file in the model's file list ([`crate::ir::Model::files`],
/// [`crate::Failure::files`]): 0 is the main `.mig` file, then the included libraries in order of
/// first inclusion. A model compiled from text alone ([`crate::compile`]) has only file 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
    pub line: u32,
    pub col: u32,
    pub file: u32,
}

impl Span {
    /// The span from the start of `self` to the end of `other` (in the file of `self`).
    pub fn to(self, other: Span) -> Span {
        Span {
            end: other.end.max(self.start),
            ..self
        }
    }
}
