//! `--format markdown`: one table of every checked model, for a CI job summary
//! (`$GITHUB_STEP_SUMMARY`) or a document such as `docs/models.md`. Built from the same
//! [`ModelResult`]s as the JSON form, so the two never disagree.

use std::fmt::Write;

use crate::json::ModelResult;

/// The header and the rows of the table, one row per result, in the given order.
pub fn table(results: &[ModelResult]) -> String {
    let mut out = String::from(
        "| Model | What it shows | Expected | Found | Schedule | States | Transitions | Time |\n\
         |---|---|---|---|---:|---:|---:|---:|\n",
    );
    for r in results {
        let _ = writeln!(out, "| {} |", row(r).join(" | "));
    }
    out
}

/// The cells of one row.
fn row(r: &ModelResult) -> [String; 8] {
    let model = format!("`{}`", r.path);
    let doc = r.doc.as_deref().map_or_else(String::new, cell);
    let expected = r
        .expect
        .as_ref()
        .map_or_else(String::new, |e| format!("`{}`", e.expected));
    let found = match (r.verdict, &r.violation, &r.incomplete) {
        (_, Some(v), _) => {
            let what = format!(
                "`{}`",
                crate::violation_label(v.kind, v.name.as_deref(), v.key.as_deref())
            );
            match &v.file {
                Some(f) => format!("{what} at {f}:{}", v.line.unwrap_or(0)),
                None => match v.line {
                    Some(l) => format!("{what} at line {l}"),
                    None => what,
                },
            }
        }
        (_, None, Some(reason)) => format!("incomplete: {}", cell(reason)),
        ("error", ..) => match r.errors.first() {
            Some(e) => format!("bad input, line {}: {}", e.line, cell(&e.message)),
            None => "bad input".to_string(),
        },
        (verdict, ..) => format!("`{verdict}`"),
    };
    let found = match r.expect.as_ref().and_then(|e| e.passed) {
        Some(false) => format!("{found} (**not as expected**)"),
        _ => found,
    };
    let schedule = r
        .violation
        .as_ref()
        .map_or_else(String::new, |v| v.length.to_string());
    let (states, transitions, time) = match &r.stats {
        Some(s) => (
            s.states.to_string(),
            s.transitions.to_string(),
            format_seconds(s.seconds),
        ),
        None => Default::default(),
    };
    [
        model,
        doc,
        expected,
        found,
        schedule,
        states,
        transitions,
        time,
    ]
}

/// Text made safe for a table cell: no line breaks, no column separators.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// A duration with a unit that keeps two or three significant digits.
pub fn format_seconds(s: f64) -> String {
    if s < 0.001 {
        format!("{:.0} µs", s * 1e6)
    } else if s < 1.0 {
        format!("{:.1} ms", s * 1e3)
    } else {
        format!("{s:.2} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_keep_their_unit() {
        assert_eq!(format_seconds(0.000_042), "42 µs");
        assert_eq!(format_seconds(0.0123), "12.3 ms");
        assert_eq!(format_seconds(2.5), "2.50 s");
    }

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(cell("a | b\nc"), "a \\| b c");
    }
}
