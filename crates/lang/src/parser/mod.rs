//! The parser: tokens to the [`ast`](crate::ast), by recursive descent.
//!
//! This module holds the token cursor and the top-level declarations; statements and expressions
//! live in the submodules. Parsing stops at the first syntax error: later errors in a file that
//! does not parse are mostly echoes of the first.
//!
//! The same parser reads library files (`library NAME`, docs/extensions.md) for [`parse_file`].

mod expr;
mod hints;
mod stmt;

use crate::ast::{
    ExpectKind, Ident, Init, Item, Model, Param, Proc, PropertyDecl, RangeExpr, Task, TypeExpr,
};
use crate::diag::Diagnostic;
use crate::lexer::{lex_file, Tok, Token};
use crate::span::Span;

type PResult<T> = Result<T, Diagnostic>;

/// Nesting deeper than this (parentheses, unary operators, blocks) is refused rather than risking
/// the stack on hostile input; so is an expression with more operators than `MAX_OPERATORS`, since
/// a long chain like `1 + 1 + ...` nests just as deeply in the tree.
const MAX_DEPTH: u32 = 64;
const MAX_OPERATORS: u32 = 1000;

/// Parses a whole model file (file index 0). An `include` is kept as an [`Item::Include`]: it is
/// resolved by [`crate::compile_file`].
pub fn parse(source: &str) -> Result<Model, Vec<Diagnostic>> {
    parse_file(source, 0, false)
}

/// Parses the source file with index `file` (every span carries it): a model file starting with
/// `model NAME`, or, when `library`, a library file starting with `library NAME`, which may hold
/// only `include`, `const`, `enum`, `shared`, `lock` and `proc` declarations.
pub fn parse_file(source: &str, file: u32, library: bool) -> Result<Model, Vec<Diagnostic>> {
    let toks = lex_file(source, file).map_err(|d| vec![d])?;
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
        expr_depth: 0,
        operators: 0,
    };
    p.model(library).map_err(|d| vec![d])
}

/// What a library may hold, for error hints.
const LIBRARY_HOLDS: &str =
    "a library holds `include`, `const`, `enum`, `shared`, `lock` and `proc` declarations; tasks, properties and `expect` belong in the model that includes it";

/// Whether `t` is the contextual keyword `word` (an identifier spelled so).
fn is_word(t: &Tok, word: &str) -> bool {
    matches!(t, Tok::Ident(w) if w == word)
}

pub(crate) struct Parser {
    toks: Vec<Token>,
    pos: usize,
    depth: u32,
    /// Nesting of `expr` calls, and the operators seen since the outermost one began.
    expr_depth: u32,
    operators: u32,
}

impl Parser {
    fn peek(&self) -> &Tok {
        self.peek_at(0)
    }

    /// The token `n` places ahead; `Eof` past the end.
    fn peek_at(&self, n: usize) -> &Tok {
        let i = (self.pos + n).min(self.toks.len() - 1);
        &self.toks[i].tok
    }

    fn span(&self) -> Span {
        self.toks[self.pos.min(self.toks.len() - 1)].span
    }

    /// The span of the token just consumed.
    fn prev_span(&self) -> Span {
        self.toks[self.pos.saturating_sub(1)].span
    }

    /// Consumes the current token; never moves past `Eof`.
    fn bump(&mut self) -> Token {
        let t = self.toks[self.pos.min(self.toks.len() - 1)].clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn eat(&mut self, t: &Tok) -> bool {
        if self.peek() == t {
            self.bump();
            true
        } else {
            false
        }
    }

    fn skip_newlines(&mut self) {
        while matches!(self.peek(), Tok::Newline) {
            self.bump();
        }
    }

    /// "expected WHAT, found THIS", at the current token.
    fn unexpected(&self, what: &str) -> Diagnostic {
        Diagnostic::new(
            self.span(),
            format!("expected {what}, found {}", self.peek().describe()),
        )
    }

    fn expect(&mut self, t: Tok) -> PResult<Span> {
        if self.peek() == &t {
            Ok(self.bump().span)
        } else if t == Tok::Assign {
            Err(self.expected_equals("`=`", "`==` compares two values: write a single `=`"))
        } else {
            Err(self.unexpected(&format!("`{}`", t.text())))
        }
    }

    fn ident(&mut self, what: &str) -> PResult<Ident> {
        match self.peek().clone() {
            Tok::Ident(name) => {
                let span = self.bump().span;
                Ok(Ident { name, span })
            }
            t if !t.text().is_empty() && t.text().chars().all(|c| c.is_alphabetic()) => {
                Err(self.unexpected(what).with_hint(format!(
                    "`{}` is a keyword and cannot be used as a name",
                    t.text()
                )))
            }
            _ => Err(self.unexpected(what)),
        }
    }

    /// Guards recursion: call `leave` after a successful `enter`.
    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(Diagnostic::new(
                self.span(),
                "the model is nested too deeply",
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// A declaration or statement ends at a newline, a `;`, a `}` or the end of the file.
    fn end_of_statement(&mut self, what: &str) -> PResult<()> {
        match self.peek() {
            Tok::Newline | Tok::Semi => {
                self.bump();
                Ok(())
            }
            Tok::RBrace | Tok::Eof => Ok(()),
            _ => Err(self.unexpected(&format!("a newline or `;` after {what}"))),
        }
    }

    fn skip_separators(&mut self) {
        while matches!(self.peek(), Tok::Newline | Tok::Semi) {
            self.bump();
        }
    }

    fn model(&mut self, library: bool) -> PResult<Model> {
        self.skip_separators();
        let library_word = is_word(self.peek(), "library");
        if library && !library_word {
            return Err(self.unexpected("`library`").with_hint(
                "an included file is a library: it starts with `library NAME` (docs/extensions.md)",
            ));
        }
        if !library && self.peek() != &Tok::Model {
            let hint = if library_word {
                "this is a library: a model includes it with `include \"path.migl\"`; a library is not checked on its own"
            } else {
                "a model file starts with `model NAME`"
            };
            return Err(self.unexpected("`model`").with_hint(hint));
        }
        self.bump();
        let what = if library { "library" } else { "model" };
        let name = self.ident(&format!("the {what}'s name"))?;
        let doc = match self.peek().clone() {
            Tok::Str(s) => {
                self.bump();
                Some(s)
            }
            _ => None,
        };
        if doc.is_none()
            && !matches!(
                self.peek(),
                Tok::Newline | Tok::Semi | Tok::RBrace | Tok::Eof
            )
        {
            return Err(self.name_of_several_words(&name.name, name.span, what));
        }
        self.end_of_statement(&format!("the {what}'s name"))?;
        let mut items = Vec::new();
        loop {
            self.skip_separators();
            match self.peek() {
                Tok::Eof => break,
                Tok::RBrace => return Err(Diagnostic::new(self.span(), "unmatched `}`")),
                _ => {}
            }
            items.push(self.item(library)?);
            self.end_of_statement("the declaration")?;
        }
        Ok(Model {
            name,
            doc,
            library,
            items,
        })
    }

    fn item(&mut self, library: bool) -> PResult<Item> {
        let start = self.span();
        if library
            && matches!(
                self.peek(),
                Tok::Model | Tok::Task | Tok::Invariant | Tok::Final | Tok::Expect
            )
        {
            return Err(Diagnostic::new(
                start,
                format!("`{}` is not allowed in a library", self.peek().text()),
            )
            .with_hint(LIBRARY_HOLDS));
        }
        match self.peek() {
            Tok::Ident(w) if w == "include" => self.include(start),
            Tok::Ident(w) if w == "proc" => self.proc_item(start),
            Tok::Ident(w) if w == "library" => Err(Diagnostic::new(
                start,
                "`library` may appear only once, at the start of a library file",
            )),
            Tok::Model => Err(Diagnostic::new(
                start,
                "`model` may appear only once, at the start of the file",
            )),
            Tok::Const => {
                self.bump();
                let name = self.ident("the constant's name")?;
                self.expect(Tok::Assign)?;
                let value = self.expr()?;
                let span = start.to(value.span);
                Ok(Item::Const { name, value, span })
            }
            Tok::Enum => {
                self.bump();
                let name = self.ident("the enum's name")?;
                self.open_brace("enum")?;
                let mut variants = Vec::new();
                loop {
                    self.skip_newlines();
                    if self.eat(&Tok::RBrace) {
                        break;
                    }
                    variants.push(self.ident("a variant name or `}`")?);
                    self.skip_newlines();
                    if !self.eat(&Tok::Comma) {
                        if matches!(self.peek(), Tok::Ident(_)) {
                            return Err(self.variants_without_comma(&name.name, &variants));
                        }
                        self.expect(Tok::RBrace)?;
                        break;
                    }
                }
                let span = start.to(self.prev_span());
                Ok(Item::Enum {
                    name,
                    variants,
                    span,
                })
            }
            Tok::Shared => self.shared(start),
            Tok::Lock => {
                self.bump();
                let name = self.ident("the lock's name")?;
                Ok(Item::Lock {
                    span: start.to(name.span),
                    name,
                })
            }
            Tok::Task => self.task(start),
            Tok::Invariant | Tok::Final => {
                let is_final = self.bump().tok == Tok::Final;
                let name = self.ident("the property's name")?;
                self.expect(Tok::Colon)?;
                let expr = self.expr()?;
                self.after_condition("a newline or `;` after the declaration")?;
                let decl = PropertyDecl {
                    name,
                    span: start.to(expr.span),
                    expr,
                };
                Ok(if is_final {
                    Item::Final(decl)
                } else {
                    Item::Invariant(decl)
                })
            }
            Tok::Expect => self.expect_item(start),
            _ if library => Err(self.unexpected(
                "a declaration (`include`, `const`, `enum`, `shared`, `lock` or `proc`)",
            )),
            _ => Err(self.unexpected(
                "a declaration (`const`, `enum`, `shared`, `lock`, `task`, `proc`, `invariant`, `final`, `expect` or `include`)",
            )),
        }
    }

    /// `include "path.migl"`.
    fn include(&mut self, start: Span) -> PResult<Item> {
        self.bump();
        match self.peek().clone() {
            Tok::Str(path) => {
                let end = self.bump().span;
                Ok(Item::Include {
                    path,
                    span: start.to(end),
                })
            }
            _ => Err(self.include_without_quotes()),
        }
    }

    /// `proc NAME(p: T, out r: T) { ... }`.
    fn proc_item(&mut self, start: Span) -> PResult<Item> {
        self.bump();
        let name = self.ident("the proc's name")?;
        self.expect(Tok::LParen)?;
        let mut params = Vec::new();
        while self.peek() != &Tok::RParen {
            let out = is_word(self.peek(), "out") && matches!(self.peek_at(1), Tok::Ident(_));
            if out {
                self.bump();
            }
            let pname = self.ident("a parameter's name or `)`")?;
            if self.peek() != &Tok::Colon {
                return Err(self
                    .unexpected("`:` and the parameter's type")
                    .with_hint("a parameter has a type: `p: int`, or `out r: int` for a result"));
            }
            self.bump();
            let ty = self.type_expr()?;
            params.push(Param {
                name: pname,
                ty,
                out,
            });
            if !self.eat(&Tok::Comma) {
                break;
            }
        }
        self.expect(Tok::RParen)?;
        let span = start.to(self.prev_span());
        let body = self.block("proc")?;
        Ok(Item::Proc(Proc {
            name,
            params,
            body,
            span,
        }))
    }

    /// `(e1, e2, ...)`: the arguments of a call, and the closing `)`.
    fn call_args(&mut self) -> PResult<(Vec<crate::ast::Expr>, Span)> {
        self.expect(Tok::LParen)?;
        let mut args = Vec::new();
        while self.peek() != &Tok::RParen {
            args.push(self.expr()?);
            if !self.eat(&Tok::Comma) {
                break;
            }
        }
        let close = self.expect(Tok::RParen)?;
        Ok((args, close))
    }

    fn shared(&mut self, start: Span) -> PResult<Item> {
        self.bump();
        let name = self.ident("the variable's name")?;
        if let Some(span) = self.colon_equals() {
            // `shared x := 0`: no type either, so the same error as `shared x = 0`, at the `:=`.
            self.bump();
            let mut d = self.shared_without_type(&name.name);
            d.span = span;
            return Err(d);
        }
        if matches!(
            self.peek(),
            Tok::Assign | Tok::Newline | Tok::Semi | Tok::RBrace | Tok::Eof
        ) {
            return Err(self.shared_without_type(&name.name));
        }
        self.expect(Tok::Colon)?;
        let ty = self.type_expr()?;
        if self.equals_mistyped() {
            return Err(self.expected_equals(
                "`=` and an initial value",
                "the initial value follows a single `=`",
            ));
        }
        if self.peek() != &Tok::Assign {
            return Err(self
                .unexpected("`=` and an initial value")
                .with_hint("every shared variable has an initial value: `shared x: int = 0`"));
        }
        self.bump();
        let init = if self.peek() == &Tok::LBracket {
            let open = self.bump().span;
            let mut values = Vec::new();
            while self.peek() != &Tok::RBracket {
                values.push(self.expr()?);
                if !self.eat(&Tok::Comma) {
                    break;
                }
            }
            let close = self.expect(Tok::RBracket)?;
            Init::List(values, open.to(close))
        } else {
            match self.peek() {
                Tok::Newline | Tok::Semi | Tok::Eof | Tok::RBrace => {
                    return Err(self.unexpected("an initial value"));
                }
                _ => Init::One(self.expr()?),
            }
        };
        let last_writer_wins = match self.peek() {
            Tok::Ident(w) if w == "last_writer_wins" => {
                self.bump();
                true
            }
            _ => false,
        };
        Ok(Item::Shared {
            name,
            ty,
            init,
            last_writer_wins,
            span: start.to(self.prev_span()),
        })
    }

    fn task(&mut self, start: Span) -> PResult<Item> {
        self.bump();
        let name = self.ident("the task's name")?;
        let index = if self.eat(&Tok::LBracket) {
            let var = self.ident("the index name, as in `task t[i in 0..2]`")?;
            self.expect(Tok::In)?;
            let range = self.range()?;
            self.expect(Tok::RBracket)?;
            Some((var, range))
        } else {
            None
        };
        let span = start.to(self.prev_span());
        let body = self.block("task")?;
        Ok(Item::Task(Task {
            name,
            index,
            body,
            span,
        }))
    }

    fn expect_item(&mut self, start: Span) -> PResult<Item> {
        self.bump();
        let what = "`ok`, `deadlock`, `lost_update VAR`, `assertion`, `invariant NAME`, `final NAME` or `model_error`";
        let kind = match self.peek().clone() {
            Tok::Invariant => {
                self.bump();
                ExpectKind::Invariant(self.ident("the invariant's name")?)
            }
            Tok::Final => {
                self.bump();
                ExpectKind::Final(self.ident("the final property's name")?)
            }
            Tok::Ident(w) => match w.as_str() {
                "ok" | "deadlock" | "assertion" | "model_error" => {
                    self.bump();
                    match w.as_str() {
                        "ok" => ExpectKind::Ok,
                        "deadlock" => ExpectKind::Deadlock,
                        "assertion" => ExpectKind::Assertion,
                        _ => ExpectKind::ModelError,
                    }
                }
                "lost_update" => {
                    self.bump();
                    ExpectKind::LostUpdate(self.ident("the shared variable's name")?)
                }
                _ => return Err(self.unexpected(what)),
            },
            _ => return Err(self.unexpected(what)),
        };
        Ok(Item::Expect {
            kind,
            span: start.to(self.prev_span()),
        })
    }

    /// Whether an identifier at the current token starts a range (`N..M`, `N + 1..M`) rather
    /// than naming a type or an enum domain.
    fn ident_starts_range(&self) -> bool {
        matches!(
            self.peek_at(1),
            Tok::DotDot
                | Tok::DotDotEq
                | Tok::Plus
                | Tok::Minus
                | Tok::Star
                | Tok::Slash
                | Tok::Percent
                | Tok::LBracket
        )
    }

    fn type_expr(&mut self) -> PResult<TypeExpr> {
        match self.peek().clone() {
            Tok::BoolTy => Ok(TypeExpr::Bool(self.bump().span)),
            Tok::IntTy => Ok(TypeExpr::Int(self.bump().span)),
            Tok::Map => {
                let start = self.bump().span;
                // `map[map[...` and `map[K] map[K] ...` nest like parentheses: guard the stack.
                self.enter()?;
                let parts = self.map_parts();
                self.leave();
                let (key, value) = parts?;
                Ok(TypeExpr::Map {
                    span: start.to(value.span()),
                    key: Box::new(key),
                    value: Box::new(value),
                })
            }
            Tok::Ident(name) if !self.ident_starts_range() => {
                let span = self.bump().span;
                Ok(TypeExpr::Named(Ident { name, span }))
            }
            Tok::Ident(_) | Tok::Int(_) | Tok::Minus | Tok::LParen => {
                Ok(TypeExpr::Range(self.range()?))
            }
            _ => Err(self
                .unexpected("a type")
                .with_hint("the types are `bool`, `int`, a range `a..b`, an enum, and `map[K] V`")),
        }
    }

    /// The `[K] V` of a map type.
    fn map_parts(&mut self) -> PResult<(TypeExpr, TypeExpr)> {
        self.expect(Tok::LBracket)?;
        let key = self.type_expr()?;
        self.expect(Tok::RBracket)?;
        let value = self.type_expr()?;
        Ok((key, value))
    }

    /// `lo..hi` or `lo..=hi`.
    fn range(&mut self) -> PResult<RangeExpr> {
        let lo = self.expr()?;
        let inclusive = match self.peek() {
            Tok::DotDot => false,
            Tok::DotDotEq => true,
            _ => return Err(self.unexpected("`..` or `..=` in a range")),
        };
        self.bump();
        let hi = self.expr()?;
        Ok(RangeExpr {
            span: lo.span.to(hi.span),
            lo,
            hi,
            inclusive,
        })
    }
}
