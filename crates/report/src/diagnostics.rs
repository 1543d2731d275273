//! Front-end errors with file, line, column, the source line and a caret (annotate-snippets).

use annotate_snippets::{Level, Renderer, Snippet};
use migcheck_lang::Diagnostic;

use crate::Source;

/// Renders every diagnostic, each as `error: message`, `--> path:line:col`, the line and a caret.
pub fn render(source: Source<'_>, diagnostics: &[Diagnostic], color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let mut out = String::new();
    for d in diagnostics {
        let source = source.for_span(d.span);
        let len = source.text.len();
        let mut start = (d.span.start as usize).min(len);
        let mut end = (d.span.end as usize).clamp(start, len);
        // The end of the file, after its last newline, is on no line: point at the end of the
        // last line instead (an unclosed block, a missing closing quote).
        if start == len && source.text.ends_with('\n') {
            let trimmed = source.text.trim_end_matches(['\n', '\r']).len();
            start = trimmed;
            end = trimmed;
        }
        let mut annotation = Level::Error.span(start..end);
        if let Some(label) = &d.label {
            annotation = annotation.label(label);
        }
        let mut message = Level::Error.title(&d.message).snippet(
            Snippet::source(source.text)
                .line_start(1)
                .origin(source.path)
                .fold(true)
                .annotation(annotation),
        );
        if let Some(hint) = &d.hint {
            message = message.footer(Level::Help.title(hint));
        }
        out.push_str(&renderer.render(message).to_string());
        out.push('\n');
    }
    out
}

/// One line per diagnostic: `path:line:col: message`, for logs and JSON.
pub fn short(path: &str, d: &Diagnostic) -> String {
    format!("{}:{}:{}: {}", path, d.span.line, d.span.col, d.message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use migcheck_lang::Span;

    #[test]
    fn the_end_of_the_file_is_shown_at_the_end_of_the_last_line() {
        let text = "model t\ntask a {\n    x = 1\n";
        let d = Diagnostic::new(
            Span {
                start: text.len() as u32,
                end: text.len() as u32,
                line: 4,
                col: 1,
                file: 0,
            },
            "expected `}`, found the end of the file",
        );
        let source = Source {
            path: "f.mig",
            text,
            files: &[],
        };
        let out = render(source, &[d], false);
        assert!(out.contains("--> f.mig:3:10"), "{out}");
        assert!(out.contains("3 |     x = 1"), "{out}");
        assert!(out.contains('^'), "{out}");
    }

    #[test]
    fn shows_position_line_and_caret() {
        let text = "model t\nshared x: int = 1 +\n";
        let d = Diagnostic::new(
            Span {
                start: 16,
                end: 17,
                line: 2,
                col: 9,
                file: 0,
            },
            "type mismatch",
        )
        .with_hint("write an int");
        let out = render(
            Source {
                path: "f.mig",
                text,
                files: &[],
            },
            &[d],
            false,
        );
        assert!(out.contains("error: type mismatch"), "{out}");
        assert!(out.contains("--> f.mig:2:9"), "{out}");
        assert!(out.contains("shared x: int = 1 +"), "{out}");
        assert!(out.contains('^'), "{out}");
        assert!(out.contains("help: write an int"), "{out}");
    }
}
