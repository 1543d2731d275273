//! Errors for the mistakes a newcomer makes most: what was meant, said at the mistake.
//!
//! Each function here is called where the plain "expected X, found Y" would be correct but
//! unhelpful, and looks at the tokens around the mistake to say what the user meant. A hint is
//! given only where the tokens show the fix; otherwise the message stays short.

use super::{PResult, Parser};
use crate::ast::Ident;
use crate::diag::Diagnostic;
use crate::lexer::Tok;
use crate::span::Span;

/// How many tokens a hint may look ahead on one line, so that a hint never costs more than a
/// glance at the line however long it is.
const LOOK_AHEAD: usize = 32;

/// The source text of a token that can be part of a name or a simple value: identifiers,
/// keywords, integers.
fn word(t: &Tok) -> Option<String> {
    match t {
        Tok::Ident(s) => Some(s.clone()),
        Tok::Int(v) => Some(v.to_string()),
        t if t.text().chars().all(|c| c.is_alphabetic()) && !t.text().is_empty() => {
            Some(t.text().to_string())
        }
        _ => None,
    }
}

/// Whether `t` ends a line's declaration or statement.
fn ends_line(t: &Tok) -> bool {
    matches!(t, Tok::Newline | Tok::Semi | Tok::Eof | Tok::RBrace)
}

impl Parser {
    /// The `{` that opens the block of `owner` (`task`, `if`, `enum`, ...). A `{` at the start
    /// of the next line is refused with a message that says so: a newline ends a declaration or
    /// a statement, and only `else` and `or` may start a line (DESIGN.md, "Language details").
    pub(super) fn open_brace(&mut self, owner: &str) -> PResult<Span> {
        if self.peek() == &Tok::Newline && self.peek_at(1) == &Tok::LBrace {
            let line = self.span().line;
            self.bump();
            return Err(Diagnostic::new(
                self.span(),
                format!("`{{` must be on the same line as `{owner}`"),
            )
            .with_hint(format!(
                "a newline ends a declaration or a statement: put the `{{` at the end of line {line}"
            )));
        }
        self.expect(Tok::LBrace)
    }

    /// After the name `name` of a `what` (`model` or `library`), something other than the end of
    /// the line: a name of several words, as in `model alloc swap`, is told to join them with
    /// `_`, and that the words may go in the description string instead.
    pub(super) fn name_of_several_words(&self, name: &str, start: Span, what: &str) -> Diagnostic {
        let mut words = vec![name.to_string()];
        let mut end = start;
        let mut hyphens = false;
        let mut n = 0;
        while n < LOOK_AHEAD && !ends_line(self.peek_at(n)) {
            match (self.peek_at(n), word(self.peek_at(n))) {
                (Tok::Minus, _) => hyphens = true,
                (_, Some(w)) => {
                    words.push(w);
                    end = self.toks[(self.pos + n).min(self.toks.len() - 1)].span;
                }
                _ => break,
            }
            n += 1;
        }
        if !ends_line(self.peek_at(n)) || words.len() < 2 {
            return self.unexpected(&format!("a newline or `;` after the {what}'s name"));
        }
        let joined = words.join("_");
        let d = Diagnostic::new(start.to(end), format!("a {what}'s name is one word"));
        if hyphens {
            return d.with_hint(format!(
                "a name is letters, digits and `_`: write `{what} {joined}`"
            ));
        }
        let rest = words[1..].join(" ");
        d.with_hint(format!(
            "write `{what} {joined}`, or describe it in a string after the name: `{what} {name} \"{rest}\"`"
        ))
    }

    /// `enum S { a b }`: the current token is a variant that follows the last of `variants`
    /// without a `,` between them.
    pub(super) fn variants_without_comma(&self, name: &str, variants: &[Ident]) -> Diagnostic {
        let mut all: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
        let mut n = 0;
        loop {
            match self.peek_at(n) {
                Tok::Ident(v) if n < LOOK_AHEAD => all.push(v),
                Tok::Comma | Tok::Newline if n < LOOK_AHEAD => {}
                Tok::RBrace => break,
                _ => {
                    all.clear();
                    break;
                }
            }
            n += 1;
        }
        let d = Diagnostic::new(self.span(), "enum variants are separated with `,`")
            .with_label("expected `,` before this");
        match (all.is_empty(), variants.last()) {
            (false, _) => d.with_hint(format!("write `enum {name} {{ {} }}`", all.join(", "))),
            (true, Some(prev)) => d.with_hint(format!("put a `,` after `{}`", prev.name)),
            (true, None) => d,
        }
    }

    /// `shared x = 0`, `shared x`: a shared variable without its type. The current token is the
    /// one after the name. Where the initial value is a single literal or a variant declared in
    /// this file, the hint gives its type.
    pub(super) fn shared_without_type(&self, name: &str) -> Diagnostic {
        if ends_line(self.peek()) {
            return Diagnostic::new(
                self.span(),
                "a shared variable needs a type and an initial value",
            )
            .with_hint(format!("write it as in `shared {name}: int = 0`"));
        }
        let d = Diagnostic::new(self.span(), "a shared variable needs a type");
        match self.init_type() {
            Some((value, ty, rest)) => d.with_hint(format!("write `shared {name}: {ty} = {value}{rest}`")),
            None => d.with_hint(format!(
                "write `shared {name}: TYPE = ...`; the types are `bool`, `int`, a range `a..b`, an enum, and `map[K] V`"
            )),
        }
    }

    /// At the `=` of `shared x = VALUE`: the type of VALUE, VALUE as written, and what follows
    /// it (` last_writer_wins`), when VALUE is one literal, a constant or a variant declared in
    /// this file.
    fn init_type(&self) -> Option<(String, String, &'static str)> {
        let (value, ty, mut n) = match (self.peek_at(1), self.peek_at(2)) {
            (Tok::Minus, Tok::Int(v)) => (format!("-{v}"), "int".to_string(), 3),
            (Tok::Int(v), _) => (v.to_string(), "int".to_string(), 2),
            (Tok::True | Tok::False, _) => {
                (self.peek_at(1).text().to_string(), "bool".to_string(), 2)
            }
            (Tok::Ident(v), _) => (v.clone(), self.declared_type_of(v)?, 2),
            _ => return None,
        };
        let mut rest = "";
        if matches!(self.peek_at(n), Tok::Ident(w) if w == "last_writer_wins") {
            rest = " last_writer_wins";
            n += 1;
        }
        ends_line(self.peek_at(n)).then_some((value, ty, rest))
    }

    /// The type of the name `v` from the declarations in this file: the enum that declares the
    /// variant `v`, or `int` for a constant.
    fn declared_type_of(&self, v: &str) -> Option<String> {
        let toks = &self.toks;
        for (i, t) in toks.iter().enumerate() {
            match (&t.tok, toks.get(i + 1).map(|t| &t.tok)) {
                (Tok::Const, Some(Tok::Ident(c))) if c == v => return Some("int".to_string()),
                (Tok::Enum, Some(Tok::Ident(e))) => {
                    let mut body = toks[i + 2..]
                        .iter()
                        .skip_while(|t| t.tok == Tok::LBrace)
                        .take_while(|t| !matches!(t.tok, Tok::RBrace | Tok::Eof));
                    if body.any(|t| matches!(&t.tok, Tok::Ident(w) if w == v)) {
                        return Some(e.clone());
                    }
                }
                _ => {}
            }
        }
        None
    }

    /// A declaration where a statement is expected, inside the block opened at `open`. A line
    /// that is not indented, or a declaration that never goes in a block (`task`, `invariant`,
    /// ...), most likely follows a block whose `}` is missing; an indented `const`, `enum` or
    /// `shared` was meant to be inside, and is told where it goes.
    pub(super) fn declaration_in_block(&self, open: Span) -> Option<Diagnostic> {
        let at = self.span();
        let (noun, hint) = match self.peek() {
            Tok::Const => (
                "constants",
                "move it to the top level, above the task or proc that uses it".to_string(),
            ),
            Tok::Enum => (
                "enums",
                "move it to the top level, above the task or proc that uses it".to_string(),
            ),
            Tok::Shared => {
                let name = match self.peek_at(1) {
                    Tok::Ident(n) => n.as_str(),
                    _ => "x",
                };
                (
                    "shared variables",
                    format!("move it to the top level; a variable of the task's own is a local: `let {name} = ...`"),
                )
            }
            Tok::Task | Tok::Invariant | Tok::Final | Tok::Expect => ("", String::new()),
            // `proc` and `include` are identifiers to the lexer, so a variable may be named so:
            // only the shape of a declaration (`proc p(`, `include "...`), which no statement
            // has, counts as one.
            Tok::Ident(w)
                if (w == "proc"
                    && matches!(self.peek_at(1), Tok::Ident(_))
                    && self.peek_at(2) == &Tok::LParen)
                    || (w == "include" && matches!(self.peek_at(1), Tok::Str(_))) =>
            {
                ("", String::new())
            }
            _ => return None,
        };
        let unclosed = format!(
            "is the `}}` of the block opened at line {}, column {} missing?",
            open.line, open.col
        );
        if noun.is_empty() || at.col == 1 {
            let keyword = match self.peek() {
                Tok::Ident(w) => w.as_str(),
                t => t.text(),
            };
            return Some(
                Diagnostic::new(at, format!("expected a statement, found `{keyword}`")).with_hint(
                    format!("`{keyword}` is declared at the top level: {unclosed}"),
                ),
            );
        }
        Some(
            Diagnostic::new(
                at,
                format!("{noun} are declared at the top level, outside tasks and procs"),
            )
            .with_hint(hint),
        )
    }

    /// At the word after `include`: a path written without quotes. A path with a `.` never gets
    /// here (the lexer refuses it first, `lexer::include_without_quotes`); this one is words,
    /// `/` and `-` written together, as in `include lib/placement`, and the hint builds the
    /// path from them. Where the line holds anything else, no path is guessed.
    pub(super) fn include_without_quotes(&self) -> Diagnostic {
        let mut path = String::new();
        let mut end = self.span();
        let mut n = 0;
        while n < LOOK_AHEAD {
            let t = &self.toks[(self.pos + n).min(self.toks.len() - 1)];
            if n > 0 && t.span.start != end.end {
                break;
            }
            let text = match &t.tok {
                Tok::Slash | Tok::Minus if n > 0 => t.tok.text().to_string(),
                tok => match word(tok) {
                    Some(w) => w,
                    None => break,
                },
            };
            // An integer such as `007` is not written as it reads back.
            if text.len() != t.span.end.saturating_sub(t.span.start) as usize {
                break;
            }
            path.push_str(&text);
            end = t.span;
            n += 1;
        }
        let whole = ends_line(self.peek_at(n)) && !path.ends_with(['/', '-']);
        let d = if n > 1 && whole {
            Diagnostic::new(
                self.span().to(end),
                format!("expected the library's path in quotes, found `{path}`"),
            )
        } else {
            self.unexpected("the library's path in quotes")
        };
        if n == 0 {
            return d;
        }
        if !whole {
            return d.with_hint(
                "the path is a string, as in `include \"path.migl\"`, relative to this file's folder",
            );
        }
        d.with_hint(format!(
            "the path is a string: write `include \"{path}.migl\"`, relative to this file's folder"
        ))
    }

    /// The span of `:=` at the current token: a `:` and a `=` written together, the declaration
    /// or assignment of other languages, which is `=` here.
    pub(super) fn colon_equals(&self) -> Option<Span> {
        let colon = self.span();
        let next = self.toks.get(self.pos + 1)?;
        (self.peek() == &Tok::Colon && next.tok == Tok::Assign && next.span.start == colon.end)
            .then(|| colon.to(next.span))
    }

    /// Where a `=` is expected (`what`), a `:=` or a `==`: `:=` is shown as one operator, since
    /// the user wrote one, and told that it is `=` here; `==` gets `eq_eq`, which says what the
    /// `=` does at this place.
    pub(super) fn expected_equals(&self, what: &str, eq_eq: &str) -> Diagnostic {
        if let Some(span) = self.colon_equals() {
            return Diagnostic::new(span, format!("expected {what}, found `:=`"))
                .with_hint("`:=` is written `=` in this language");
        }
        let d = self.unexpected(what);
        if self.peek() == &Tok::EqEq {
            return d.with_hint(eq_eq);
        }
        d
    }

    /// Whether the current token starts a `:=` or is a `==`, where a `=` is expected.
    pub(super) fn equals_mistyped(&self) -> bool {
        self.peek() == &Tok::EqEq || self.colon_equals().is_some()
    }

    /// After a condition (`if`, `while`, `await`, `assert`, a property), where `next` is
    /// expected: a `=` there is a comparison written as an assignment, and is told so rather
    /// than left as "expected `{`, found `=`".
    pub(super) fn after_condition(&self, next: &str) -> PResult<()> {
        if self.peek() == &Tok::Assign {
            return Err(self
                .unexpected(next)
                .with_hint("`=` assigns: a comparison is written `==`"));
        }
        Ok(())
    }
}
