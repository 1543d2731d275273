//! Source positions: byte ranges with the line and column of their start.

/// A range of the source text. `line` and `col` (both 1-based, the column counted in characters)
/// locate `start`, so a report can name the position without the text at hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: u32,
    pub end: u32,
    pub line: u32,
    pub col: u32,
}

impl Span {
    /// The span from the start of `self` to the end of `other`.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start,
            end: other.end.max(self.start),
            line: self.line,
            col: self.col,
        }
    }
}
