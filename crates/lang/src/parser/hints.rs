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
            _ => return None,
        };
        let unclosed = format!(
            "is the `}}` of the block opened at line {}, column {} missing?",
            open.line, open.col
        );
        if noun.is_empty() || at.col == 1 {
            return Some(self.unexpected("a statement").with_hint(format!(
                "`{}` is declared at the top level: {unclosed}",
                self.peek().text()
            )));
        }
        Some(
            Diagnostic::new(
                at,
                format!("{noun} are declared at the top level, outside tasks and procs"),
            )
            .with_hint(hint),
        )
    }
}
