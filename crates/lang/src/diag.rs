//! Front-end errors as data: a message, the span it points at, and an optional hint.
//!
//! Rendering (the source line and the caret) happens at the edge, in `migcheck-report`.

use crate::span::Span;

/// One error found while parsing or checking a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Lowercase, no trailing period: "unknown name `foo`".
    pub message: String,
    pub span: Span,
    /// A short label shown under the caret.
    pub label: Option<String>,
    /// A suggestion shown after the snippet.
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn new(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            message: message.into(),
            span,
            label: None,
            hint: None,
        }
    }

    pub fn with_label(mut self, label: impl Into<String>) -> Diagnostic {
        self.label = Some(label.into());
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Diagnostic {
        self.hint = Some(hint.into());
        self
    }
}
