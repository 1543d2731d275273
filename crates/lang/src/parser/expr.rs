//! Expressions, with Rust's precedence: `||` < `&&` < comparisons (not chained) < `+ -` <
//! `* / %` < unary `! -` < indexing and atoms.

use super::{PResult, Parser};
use crate::ast::{Expr, ExprKind, Ident};
use crate::diag::Diagnostic;
use crate::ir::{BinOp, UnOp};
use crate::lexer::Tok;

fn binary(op: BinOp, l: Expr, r: Expr) -> Expr {
    Expr {
        span: l.span.to(r.span),
        kind: ExprKind::Binary(op, Box::new(l), Box::new(r)),
    }
}

fn comparison(t: &Tok) -> Option<BinOp> {
    Some(match t {
        Tok::Lt => BinOp::Lt,
        Tok::Le => BinOp::Le,
        Tok::Gt => BinOp::Gt,
        Tok::Ge => BinOp::Ge,
        Tok::EqEq => BinOp::Eq,
        Tok::NotEq => BinOp::Ne,
        _ => return None,
    })
}

impl Parser {
    pub(super) fn expr(&mut self) -> PResult<Expr> {
        if self.expr_depth == 0 {
            self.operators = 0;
        }
        self.enter()?;
        self.expr_depth += 1;
        let e = self.or_expr();
        self.expr_depth -= 1;
        self.leave();
        e
    }

    /// Counts an operator, refusing expressions too large to check safely.
    fn operator(&mut self) -> PResult<()> {
        self.operators += 1;
        if self.operators > super::MAX_OPERATORS {
            return Err(Diagnostic::new(
                self.span(),
                format!(
                    "the expression has more than {} operators",
                    super::MAX_OPERATORS
                ),
            ));
        }
        Ok(())
    }

    fn or_expr(&mut self) -> PResult<Expr> {
        let mut l = self.and_expr()?;
        while self.eat(&Tok::OrOr) {
            self.operator()?;
            let r = self.and_expr()?;
            l = binary(BinOp::Or, l, r);
        }
        Ok(l)
    }

    fn and_expr(&mut self) -> PResult<Expr> {
        let mut l = self.cmp_expr()?;
        while self.eat(&Tok::AndAnd) {
            self.operator()?;
            let r = self.cmp_expr()?;
            l = binary(BinOp::And, l, r);
        }
        Ok(l)
    }

    fn cmp_expr(&mut self) -> PResult<Expr> {
        let l = self.add_expr()?;
        let Some(op) = comparison(self.peek()) else {
            return Ok(l);
        };
        self.bump();
        let r = self.add_expr()?;
        if comparison(self.peek()).is_some() {
            return Err(
                Diagnostic::new(self.span(), "comparison operators cannot be chained")
                    .with_hint("combine two comparisons with `&&`: `a < b && b < c`"),
            );
        }
        Ok(binary(op, l, r))
    }

    fn add_expr(&mut self) -> PResult<Expr> {
        let mut l = self.mul_expr()?;
        loop {
            let op = match self.peek() {
                Tok::Plus => BinOp::Add,
                Tok::Minus => BinOp::Sub,
                _ => return Ok(l),
            };
            self.bump();
            self.operator()?;
            let r = self.mul_expr()?;
            l = binary(op, l, r);
        }
    }

    fn mul_expr(&mut self) -> PResult<Expr> {
        let mut l = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Star => BinOp::Mul,
                Tok::Slash => BinOp::Div,
                Tok::Percent => BinOp::Rem,
                _ => return Ok(l),
            };
            self.bump();
            self.operator()?;
            let r = self.unary()?;
            l = binary(op, l, r);
        }
    }

    fn unary(&mut self) -> PResult<Expr> {
        let op = match self.peek() {
            Tok::Bang => UnOp::Not,
            Tok::Minus => UnOp::Neg,
            _ => return self.atom(),
        };
        let start = self.bump().span;
        self.enter()?;
        let operand = self.unary();
        self.leave();
        let operand = operand?;
        Ok(Expr {
            span: start.to(operand.span),
            kind: ExprKind::Unary(op, Box::new(operand)),
        })
    }

    fn atom(&mut self) -> PResult<Expr> {
        let start = self.span();
        let kind = match self.peek().clone() {
            Tok::Int(v) => {
                self.bump();
                ExprKind::Int(v)
            }
            Tok::True => {
                self.bump();
                ExprKind::Bool(true)
            }
            Tok::False => {
                self.bump();
                ExprKind::Bool(false)
            }
            Tok::Ident(name) => {
                self.bump();
                if self.peek() == &Tok::LParen {
                    let (args, close) = self.call_args()?;
                    return Ok(Expr {
                        span: start.to(close),
                        kind: ExprKind::Call(Ident { name, span: start }, args),
                    });
                }
                if self.eat(&Tok::LBracket) {
                    let key = self.expr()?;
                    let close = self.expect(Tok::RBracket)?;
                    return Ok(Expr {
                        span: start.to(close),
                        kind: ExprKind::Index(Ident { name, span: start }, Box::new(key)),
                    });
                }
                ExprKind::Name(name)
            }
            Tok::LParen => {
                self.bump();
                let inner = self.expr()?;
                let close = self.expect(Tok::RParen)?;
                return Ok(Expr {
                    span: start.to(close),
                    kind: inner.kind,
                });
            }
            _ => return Err(self.unexpected("an expression")),
        };
        Ok(Expr { kind, span: start })
    }
}
