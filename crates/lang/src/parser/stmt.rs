//! Statements and blocks.

use super::{PResult, Parser};
use crate::ast::{Block, DomainExpr, Ident, IfBranch, Stmt, StmtKind};
use crate::diag::Diagnostic;
use crate::lexer::Tok;

impl Parser {
    /// `{ stmt; stmt \n stmt }`: statements end at a newline, a `;` or the closing `}`. `owner`
    /// is the keyword whose block it is, for the error of a `{` on the next line.
    pub(super) fn block(&mut self, owner: &str) -> PResult<Block> {
        let open = self.open_brace(owner)?;
        self.enter()?;
        let mut stmts = Vec::new();
        loop {
            self.skip_separators();
            match self.peek() {
                Tok::RBrace => break,
                Tok::Eof => {
                    return Err(self.unexpected("`}`").with_hint(format!(
                        "the block opened at line {}, column {} is not closed",
                        open.line, open.col
                    )));
                }
                _ => {}
            }
            if let Some(d) = self.declaration_in_block(open) {
                return Err(d);
            }
            stmts.push(self.stmt()?);
            self.end_of_statement("the statement")?;
        }
        let close = self.bump().span;
        self.leave();
        Ok(Block { stmts, close })
    }

    fn stmt(&mut self) -> PResult<Stmt> {
        let start = self.span();
        let kind = match self.peek().clone() {
            Tok::Let => {
                self.bump();
                let name = self.ident("the local's name")?;
                match self.peek() {
                    Tok::Newline | Tok::Semi | Tok::RBrace | Tok::Eof => {
                        return Err(Diagnostic::new(self.span(), "a local needs an initial value")
                            .with_hint(format!(
                                "a local is declared with the value it starts with, as in `let {} = 0`",
                                name.name
                            )));
                    }
                    // A `:=` is no type: `expect` below says what it is.
                    Tok::Colon if self.colon_equals().is_none() => {
                        return Err(Diagnostic::new(
                            self.span(),
                            "`let` takes no type: a local has the type of its value",
                        )
                        .with_hint(format!("write `let {} = ...`", name.name)));
                    }
                    _ => {}
                }
                self.expect(Tok::Assign)?;
                let value = self.expr()?;
                StmtKind::Let { name, value }
            }
            Tok::Ident(name) if self.peek_at(1) == &Tok::LParen => {
                let name = Ident {
                    name,
                    span: self.bump().span,
                };
                let (args, _) = self.call_args()?;
                StmtKind::Call { name, args }
            }
            Tok::Ident(name) => {
                let target = Ident {
                    name,
                    span: self.bump().span,
                };
                let key = if self.eat(&Tok::LBracket) {
                    let k = self.expr()?;
                    self.expect(Tok::RBracket)?;
                    Some(k)
                } else {
                    None
                };
                if self.peek() != &Tok::Assign {
                    return Err(
                        self.expected_equals("`=`", "an assignment is written with a single `=`")
                    );
                }
                self.bump();
                let value = self.expr()?;
                StmtKind::Assign { target, key, value }
            }
            Tok::Lock => {
                self.bump();
                StmtKind::Lock(self.ident("the lock's name")?)
            }
            Tok::Unlock => {
                self.bump();
                StmtKind::Unlock(self.ident("the lock's name")?)
            }
            Tok::Await => {
                self.bump();
                let cond = self.expr()?;
                self.after_condition("a newline or `;` after the statement")?;
                StmtKind::Await(cond)
            }
            Tok::Atomic => {
                self.bump();
                let body = self.block("atomic")?;
                return Ok(Stmt {
                    kind: StmtKind::Atomic(body),
                    span: start,
                });
            }
            Tok::If => return self.if_chain(),
            Tok::While => {
                self.bump();
                let cond = self.expr()?;
                self.after_condition("`{`")?;
                let span = start.to(cond.span);
                let body = self.block("while")?;
                return Ok(Stmt {
                    kind: StmtKind::While { cond, body },
                    span,
                });
            }
            Tok::For => {
                self.bump();
                let var = self.ident("the loop variable's name")?;
                self.expect(Tok::In)?;
                let domain = self.domain()?;
                let span = start.to(self.prev_span());
                let body = self.block("for")?;
                return Ok(Stmt {
                    kind: StmtKind::For { var, domain, body },
                    span,
                });
            }
            Tok::Choose => {
                self.bump();
                let var = self.ident("the chosen variable's name")?;
                self.expect(Tok::In)?;
                let domain = self.domain()?;
                StmtKind::Choose { var, domain }
            }
            Tok::Either => {
                self.bump();
                let mut branches = vec![self.block("either")?];
                while self.next_line_starts_with(&Tok::Or) {
                    self.skip_newlines();
                    self.bump();
                    branches.push(self.block("or")?);
                }
                if branches.len() < 2 {
                    return Err(
                        Diagnostic::new(start, "`either` needs at least one `or` branch")
                            .with_hint("write `either { ... } or { ... }`"),
                    );
                }
                return Ok(Stmt {
                    kind: StmtKind::Either(branches),
                    span: start,
                });
            }
            Tok::Assert => {
                self.bump();
                let cond = self.expr()?;
                self.after_condition("a newline or `;` after the statement")?;
                let message = if self.eat(&Tok::Comma) {
                    match self.peek().clone() {
                        Tok::Str(s) => {
                            self.bump();
                            Some(s)
                        }
                        _ => return Err(self.unexpected("a message string")),
                    }
                } else {
                    None
                };
                StmtKind::Assert { cond, message }
            }
            Tok::Return => {
                self.bump();
                StmtKind::Return
            }
            Tok::Skip => {
                self.bump();
                StmtKind::Skip
            }
            Tok::Else => {
                return Err(Diagnostic::new(start, "`else` without a preceding `if`"));
            }
            Tok::Or => {
                return Err(Diagnostic::new(start, "`or` without a preceding `either`"));
            }
            _ => return Err(self.unexpected("a statement")),
        };
        Ok(Stmt {
            kind,
            span: start.to(self.prev_span()),
        })
    }

    /// Whether the next token, past any newlines, is `t`: `else` and `or` may start a line.
    fn next_line_starts_with(&self, t: &Tok) -> bool {
        let mut n = 0;
        while self.peek_at(n) == &Tok::Newline {
            n += 1;
        }
        self.peek_at(n) == t
    }

    fn if_chain(&mut self) -> PResult<Stmt> {
        let start = self.span();
        let mut branches = Vec::new();
        let mut otherwise = None;
        loop {
            let head = self.expect(Tok::If)?;
            let cond = self.expr()?;
            self.after_condition("`{`")?;
            let span = head.to(cond.span);
            let body = self.block("if")?;
            branches.push(IfBranch { cond, span, body });
            if !self.next_line_starts_with(&Tok::Else) {
                break;
            }
            self.skip_newlines();
            self.bump();
            if self.peek() != &Tok::If {
                otherwise = Some(self.block("else")?);
                break;
            }
        }
        let span = branches.first().map_or(start, |b| b.span);
        Ok(Stmt {
            kind: StmtKind::If {
                branches,
                otherwise,
            },
            span,
        })
    }

    /// The domain of a `for` or `choose`: an enum name or a range.
    fn domain(&mut self) -> PResult<DomainExpr> {
        match self.peek().clone() {
            Tok::Ident(name) if !self.ident_starts_range() => {
                let span = self.bump().span;
                Ok(DomainExpr::Named(Ident { name, span }))
            }
            _ => Ok(DomainExpr::Range(self.range()?)),
        }
    }
}
