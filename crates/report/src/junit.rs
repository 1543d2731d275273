//! JUnit XML (`--format junit`): one test case per model, for CI services that show test
//! reports.
//!
//! A violation (`check`) or an unmet expectation (`test`) is a `<failure>` whose text is the
//! model's human report; bad input is an `<error>` with the rendered diagnostics; an incomplete
//! exploration is `<skipped>`. The XML is written here, every piece of text escaped.

use std::fmt::Write;

use migcheck_engine::expect::{expected_text, found_text};
use migcheck_engine::Verdict;

use crate::entry::Entry;
use crate::human::{self, Checked};
use crate::violation_label;

/// One model's test case, ready to be written.
#[derive(Debug, Clone)]
pub struct TestCase {
    name: String,
    classname: String,
    seconds: f64,
    outcome: CaseOutcome,
}

#[derive(Debug, Clone)]
enum CaseOutcome {
    Passed,
    /// `kind` is the violation's kind, or `expectation` for an unmet one.
    Failure {
        kind: String,
        message: String,
        text: String,
    },
    Error {
        message: String,
        text: String,
    },
    Skipped {
        message: String,
    },
}

/// The test case of one model: named after its path, in the class of its folder.
pub fn case(entry: &Entry<'_>) -> TestCase {
    let path = entry.path();
    let classname = std::path::Path::new(path)
        .parent()
        .map(|p| p.display().to_string())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "migcheck".to_string());
    let (seconds, outcome) = match entry {
        Entry::Checked(c) => (c.outcome.stats.seconds, checked(c)),
        Entry::Bad(b) => (
            0.0,
            CaseOutcome::Error {
                message: match b.diagnostics {
                    [one] => one.message.clone(),
                    many => format!("the model does not check ({} errors)", many.len()),
                },
                text: b.render(),
            },
        ),
    };
    TestCase {
        name: path.to_string(),
        classname,
        seconds,
        outcome,
    }
}

fn checked(c: &Checked<'_>) -> CaseOutcome {
    let report = || human::render_checked(c, false);
    match (c.expectation, &c.outcome.verdict) {
        (Some(Some(true)), _) | (None, Verdict::Ok) => CaseOutcome::Passed,
        (Some(Some(false)), _) => CaseOutcome::Failure {
            kind: "expectation".into(),
            message: format!(
                "expected {}, found {}",
                expected_text(c.model),
                found_text(c.outcome)
            ),
            text: report(),
        },
        (None, Verdict::Violation(v)) => CaseOutcome::Failure {
            kind: v.kind.as_str().into(),
            message: format!(
                "{}: {}",
                violation_label(v.kind.as_str(), v.name.as_deref(), v.key.as_deref()),
                v.message
            ),
            text: report(),
        },
        (Some(None), Verdict::Incomplete { reason }) | (None, Verdict::Incomplete { reason }) => {
            CaseOutcome::Skipped {
                message: format!("incomplete: {reason}"),
            }
        }
        (Some(None), _) => CaseOutcome::Skipped {
            message: "incomplete".into(),
        },
    }
}

/// The whole document: a `testsuites` root holding one `testsuite` named migcheck.
pub fn document(cases: &[TestCase]) -> String {
    let count = |f: fn(&CaseOutcome) -> bool| cases.iter().filter(|c| f(&c.outcome)).count();
    let failures = count(|o| matches!(o, CaseOutcome::Failure { .. }));
    let errors = count(|o| matches!(o, CaseOutcome::Error { .. }));
    let skipped = count(|o| matches!(o, CaseOutcome::Skipped { .. }));
    let time: f64 = cases.iter().map(|c| c.seconds).sum();
    let counts = format!(
        "tests=\"{}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" \
         time=\"{time:.3}\"",
        cases.len()
    );
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<testsuites name=\"migcheck\" {counts}>");
    let _ = writeln!(out, "  <testsuite name=\"migcheck\" {counts}>");
    for c in cases {
        let _ = write!(
            out,
            "    <testcase name=\"{}\" classname=\"{}\" time=\"{:.3}\"",
            attr(&c.name),
            attr(&c.classname),
            c.seconds
        );
        match &c.outcome {
            CaseOutcome::Passed => out.push_str("/>\n"),
            CaseOutcome::Failure {
                kind,
                message,
                text,
            } => {
                let _ = writeln!(
                    out,
                    ">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
                    attr(message),
                    attr(kind),
                    escape(text)
                );
            }
            CaseOutcome::Error { message, text } => {
                let _ = writeln!(
                    out,
                    ">\n      <error message=\"{}\" type=\"bad_input\">{}</error>\n    </testcase>",
                    attr(message),
                    escape(text)
                );
            }
            CaseOutcome::Skipped { message } => {
                let _ = writeln!(
                    out,
                    ">\n      <skipped message=\"{}\"/>\n    </testcase>",
                    attr(message)
                );
            }
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Escapes text content: `&`, `<`, `>`, a carriage return (which XML would drop), and the
/// characters XML 1.0 cannot hold at all (other control characters), which become U+FFFD.
fn escape(s: &str) -> String {
    escape_with(s, false)
}

/// Escapes an attribute value: as text, and quotes, tabs and newlines too (an XML reader would
/// turn a raw newline in an attribute into a space).
fn attr(s: &str) -> String {
    escape_with(s, true)
}

fn escape_with(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            '"' if attribute => out.push_str("&quot;"),
            '\'' if attribute => out.push_str("&apos;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\t' | '\n' => out.push(c),
            c if is_xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// The characters XML 1.0 allows (its production `Char`), tab and newlines aside.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_quotes_and_characters_xml_cannot_hold() {
        assert_eq!(
            escape("a < b && c > \"d\" 'e'"),
            "a &lt; b &amp;&amp; c &gt; \"d\" 'e'"
        );
        assert_eq!(attr("<&\"'>\n\t"), "&lt;&amp;&quot;&apos;&gt;&#10;&#9;");
        assert_eq!(
            escape("bell\u{7} nul\u{0}\r\n"),
            "bell\u{FFFD} nul\u{FFFD}&#13;\n"
        );
    }

    #[test]
    fn counts_each_outcome() {
        let case = |name: &str, outcome| TestCase {
            name: name.into(),
            classname: "models".into(),
            seconds: 0.5,
            outcome,
        };
        let doc = document(&[
            case("a.mig", CaseOutcome::Passed),
            case(
                "b.mig",
                CaseOutcome::Failure {
                    kind: "deadlock".into(),
                    message: "deadlock: x".into(),
                    text: "report".into(),
                },
            ),
            case(
                "c.mig",
                CaseOutcome::Skipped {
                    message: "incomplete".into(),
                },
            ),
        ]);
        assert!(
            doc.contains(
                "<testsuite name=\"migcheck\" tests=\"3\" failures=\"1\" errors=\"0\" \
                 skipped=\"1\" time=\"1.500\">"
            ),
            "{doc}"
        );
        assert!(doc.contains("<testcase name=\"a.mig\" classname=\"models\" time=\"0.500\"/>"));
        assert!(doc.contains("<failure message=\"deadlock: x\" type=\"deadlock\">report</failure>"));
    }
}
