//! The lexer: source text to tokens with spans, including the statement-ending newlines.
//!
//! A newline is a token only where it can end a statement (DESIGN.md, "Language details"): not
//! inside `( )` or `[ ]`, and not after a binary operator or a `,`, where the expression or list
//! clearly goes on. Runs of newlines collapse into one token, so the parser sees at most one
//! `Newline` between two other tokens. The newline keeps its own position, so an error such as a
//! missing value at the end of a line points at that line.

use crate::diag::Diagnostic;
use crate::span::Span;

/// The kind of a token. Keywords are reserved; `last_writer_wins`, the `expect` kinds
/// (`ok`, `deadlock`, ...) and the words of the extensions (`library`, `include`, `proc`, `out`)
/// are contextual and lexed as identifiers, so older models that use them as names still parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tok {
    Ident(String),
    Int(i64),
    Str(String),
    // Keywords.
    Model,
    Const,
    Enum,
    Shared,
    Lock,
    Unlock,
    Task,
    Invariant,
    Final,
    Expect,
    Let,
    If,
    Else,
    While,
    For,
    In,
    Choose,
    Either,
    Or,
    Atomic,
    Await,
    Assert,
    Return,
    Skip,
    True,
    False,
    IntTy,
    BoolTy,
    Map,
    // Punctuation.
    LBrace,
    RBrace,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Semi,
    Colon,
    Assign,
    EqEq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    AndAnd,
    OrOr,
    DotDot,
    DotDotEq,
    Newline,
    Eof,
}

impl Tok {
    /// How an error message names this token: "`{`", "a newline", "identifier `x`".
    pub fn describe(&self) -> String {
        match self {
            Tok::Ident(s) => format!("identifier `{s}`"),
            Tok::Int(v) => format!("integer `{v}`"),
            Tok::Str(_) => "a string".to_string(),
            Tok::Newline => "a newline".to_string(),
            Tok::Eof => "the end of the file".to_string(),
            other => format!("`{}`", other.text()),
        }
    }

    /// The source text of a keyword or punctuation token.
    pub fn text(&self) -> &'static str {
        match self {
            Tok::Model => "model",
            Tok::Const => "const",
            Tok::Enum => "enum",
            Tok::Shared => "shared",
            Tok::Lock => "lock",
            Tok::Unlock => "unlock",
            Tok::Task => "task",
            Tok::Invariant => "invariant",
            Tok::Final => "final",
            Tok::Expect => "expect",
            Tok::Let => "let",
            Tok::If => "if",
            Tok::Else => "else",
            Tok::While => "while",
            Tok::For => "for",
            Tok::In => "in",
            Tok::Choose => "choose",
            Tok::Either => "either",
            Tok::Or => "or",
            Tok::Atomic => "atomic",
            Tok::Await => "await",
            Tok::Assert => "assert",
            Tok::Return => "return",
            Tok::Skip => "skip",
            Tok::True => "true",
            Tok::False => "false",
            Tok::IntTy => "int",
            Tok::BoolTy => "bool",
            Tok::Map => "map",
            Tok::LBrace => "{",
            Tok::RBrace => "}",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::Comma => ",",
            Tok::Semi => ";",
            Tok::Colon => ":",
            Tok::Assign => "=",
            Tok::EqEq => "==",
            Tok::NotEq => "!=",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Percent => "%",
            Tok::Bang => "!",
            Tok::AndAnd => "&&",
            Tok::OrOr => "||",
            Tok::DotDot => "..",
            Tok::DotDotEq => "..=",
            Tok::Ident(_) | Tok::Int(_) | Tok::Str(_) | Tok::Newline | Tok::Eof => "",
        }
    }

    /// Whether a line ending with this token goes on at the next line: binary (and unary)
    /// operators and `,` cannot end a statement.
    fn continues_line(&self) -> bool {
        matches!(
            self,
            Tok::EqEq
                | Tok::NotEq
                | Tok::Lt
                | Tok::Le
                | Tok::Gt
                | Tok::Ge
                | Tok::Plus
                | Tok::Minus
                | Tok::Star
                | Tok::Slash
                | Tok::Percent
                | Tok::Bang
                | Tok::AndAnd
                | Tok::OrOr
                | Tok::Comma
                | Tok::Newline
        )
    }
}

fn keyword(word: &str) -> Option<Tok> {
    Some(match word {
        "model" => Tok::Model,
        "const" => Tok::Const,
        "enum" => Tok::Enum,
        "shared" => Tok::Shared,
        "lock" => Tok::Lock,
        "unlock" => Tok::Unlock,
        "task" => Tok::Task,
        "invariant" => Tok::Invariant,
        "final" => Tok::Final,
        "expect" => Tok::Expect,
        "let" => Tok::Let,
        "if" => Tok::If,
        "else" => Tok::Else,
        "while" => Tok::While,
        "for" => Tok::For,
        "in" => Tok::In,
        "choose" => Tok::Choose,
        "either" => Tok::Either,
        "or" => Tok::Or,
        "atomic" => Tok::Atomic,
        "await" => Tok::Await,
        "assert" => Tok::Assert,
        "return" => Tok::Return,
        "skip" => Tok::Skip,
        "true" => Tok::True,
        "false" => Tok::False,
        "int" => Tok::IntTy,
        "bool" => Tok::BoolTy,
        "map" => Tok::Map,
        _ => return None,
    })
}

/// A token and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

/// A cursor over the source that tracks line and character column.
struct Cursor<'a> {
    src: &'a str,
    pos: usize,
    line: u32,
    col: u32,
    file: u32,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn peek2(&self) -> Option<char> {
        let mut it = self.src[self.pos..].chars();
        it.next();
        it.next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    fn here(&self) -> Span {
        Span {
            start: self.pos as u32,
            end: self.pos as u32,
            line: self.line,
            col: self.col,
            file: self.file,
        }
    }
}

/// Splits `src` into tokens, ending with `Eof`. Stops at the first lexical error.
pub fn lex(src: &str) -> Result<Vec<Token>, Diagnostic> {
    lex_file(src, 0)
}

/// Like [`lex`], for the source file with index `file`: every span carries that index.
pub fn lex_file(src: &str, file: u32) -> Result<Vec<Token>, Diagnostic> {
    let mut cur = Cursor {
        src,
        pos: 0,
        line: 1,
        col: 1,
        file,
    };
    let mut out: Vec<Token> = Vec::new();
    // Depth of `(` and `[`: newlines inside them never end a statement.
    let mut depth: u32 = 0;
    while let Some(c) = cur.peek() {
        let mut start = cur.here();
        if c == '\n' {
            cur.bump();
            let goes_on = out.last().is_none_or(|t| t.tok.continues_line());
            if depth == 0 && !goes_on {
                let span = Span {
                    end: start.start + 1,
                    ..start
                };
                out.push(Token {
                    tok: Tok::Newline,
                    span,
                });
            }
            continue;
        }
        if c.is_whitespace() {
            cur.bump();
            continue;
        }
        if c == '/' && cur.peek2() == Some('/') {
            while cur.peek().is_some_and(|c| c != '\n') {
                cur.bump();
            }
            continue;
        }
        let tok = if c.is_ascii_digit() {
            let v = lex_int(&mut cur, start, unary_minus_before(&out))?;
            if v == i64::MIN {
                // `-9223372036854775808`: the minus and the literal make one token.
                if let Some(minus) = out.pop() {
                    start = minus.span;
                }
            }
            Tok::Int(v)
        } else if c.is_alphabetic() || c == '_' {
            while cur.peek().is_some_and(|c| c.is_alphanumeric() || c == '_') {
                cur.bump();
            }
            let word = &src[start.start as usize..cur.pos];
            keyword(word).unwrap_or_else(|| Tok::Ident(word.to_string()))
        } else if c == '"' {
            lex_string(&mut cur, start)?
        } else {
            lex_punct(&mut cur, start, c)?
        };
        match tok {
            Tok::LParen | Tok::LBracket => depth += 1,
            Tok::RParen | Tok::RBracket => depth = depth.saturating_sub(1),
            _ => {}
        }
        let span = Span {
            end: cur.pos as u32,
            ..start
        };
        out.push(Token { tok, span });
    }
    // The end of a file that ends with newlines is shown at the end of its last line, where the
    // first of those newlines is, not past it on a line of its own.
    let trailing = out
        .iter()
        .rev()
        .take_while(|t| t.tok == Tok::Newline)
        .last()
        .map(|t| Span {
            end: t.span.start,
            ..t.span
        });
    out.push(Token {
        tok: Tok::Eof,
        span: trailing.unwrap_or_else(|| cur.here()),
    });
    Ok(out)
}

/// Whether the last token is a `-` in prefix position (not after an operand), so that it may
/// negate the literal that follows.
fn unary_minus_before(out: &[Token]) -> bool {
    let n = out.len();
    n >= 1
        && out[n - 1].tok == Tok::Minus
        && !(n >= 2
            && matches!(
                out[n - 2].tok,
                Tok::Int(_)
                    | Tok::Ident(_)
                    | Tok::Str(_)
                    | Tok::True
                    | Tok::False
                    | Tok::RParen
                    | Tok::RBracket
            ))
}

/// An integer literal. The one literal beyond `i64::MAX` that is allowed is 9223372036854775808
/// right after a prefix `-` (`negated`): it comes back as `i64::MIN`, and the caller merges the
/// two tokens, so that the smallest i64 can be written.
fn lex_int(cur: &mut Cursor, start: Span, negated: bool) -> Result<i64, Diagnostic> {
    while cur
        .peek()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        cur.bump();
    }
    let text = &cur.src[start.start as usize..cur.pos];
    let span = Span {
        end: cur.pos as u32,
        ..start
    };
    let digits: String = text.chars().filter(|&c| c != '_').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return Err(Diagnostic::new(
            span,
            format!("invalid integer literal `{text}`"),
        ));
    }
    if negated && digits == "9223372036854775808" {
        return Ok(i64::MIN);
    }
    digits.parse::<i64>().map_err(|_| {
        Diagnostic::new(span, format!("integer literal `{text}` is out of range"))
            .with_hint("integers are 64-bit: at most 9223372036854775807")
    })
}

fn lex_string(cur: &mut Cursor, start: Span) -> Result<Tok, Diagnostic> {
    cur.bump(); // the opening quote
    let mut text = String::new();
    loop {
        match cur.bump() {
            Some('"') => return Ok(Tok::Str(text)),
            Some('\\') => match cur.bump() {
                Some('n') => text.push('\n'),
                Some('t') => text.push('\t'),
                Some('"') => text.push('"'),
                Some('\\') => text.push('\\'),
                _ => {
                    let span = Span {
                        end: cur.pos as u32,
                        ..start
                    };
                    return Err(Diagnostic::new(span, "unknown escape in string")
                        .with_hint("the escapes are \\n, \\t, \\\" and \\\\"));
                }
            },
            Some('\n') | None => {
                let span = Span {
                    end: cur.pos as u32,
                    ..start
                };
                return Err(Diagnostic::new(span, "unterminated string")
                    .with_hint("a string ends with `\"` on the same line"));
            }
            Some(c) => text.push(c),
        }
    }
}

fn lex_punct(cur: &mut Cursor, start: Span, c: char) -> Result<Tok, Diagnostic> {
    cur.bump();
    let next = cur.peek();
    let two = |cur: &mut Cursor, t: Tok| {
        cur.bump();
        t
    };
    let tok = match (c, next) {
        ('=', Some('=')) => two(cur, Tok::EqEq),
        ('!', Some('=')) => two(cur, Tok::NotEq),
        ('<', Some('=')) => two(cur, Tok::Le),
        ('>', Some('=')) => two(cur, Tok::Ge),
        ('&', Some('&')) => two(cur, Tok::AndAnd),
        ('|', Some('|')) => two(cur, Tok::OrOr),
        ('.', Some('.')) => {
            cur.bump();
            if cur.peek() == Some('=') {
                two(cur, Tok::DotDotEq)
            } else {
                Tok::DotDot
            }
        }
        ('{', _) => Tok::LBrace,
        ('}', _) => Tok::RBrace,
        ('(', _) => Tok::LParen,
        (')', _) => Tok::RParen,
        ('[', _) => Tok::LBracket,
        (']', _) => Tok::RBracket,
        (',', _) => Tok::Comma,
        (';', _) => Tok::Semi,
        (':', _) => Tok::Colon,
        ('=', _) => Tok::Assign,
        ('<', _) => Tok::Lt,
        ('>', _) => Tok::Gt,
        ('+', _) => Tok::Plus,
        ('-', _) => Tok::Minus,
        ('*', _) => Tok::Star,
        ('/', _) => Tok::Slash,
        ('%', _) => Tok::Percent,
        ('!', _) => Tok::Bang,
        _ => {
            let span = Span {
                end: cur.pos as u32,
                ..start
            };
            if c == '.' {
                if let Some(d) = include_without_quotes(cur.src, start) {
                    return Err(d);
                }
            }
            let d = Diagnostic::new(span, format!("unexpected character `{c}`"));
            return Err(match c {
                '&' => d.with_hint("logical and is `&&`"),
                '|' => d.with_hint("logical or is `||`"),
                '.' => d.with_hint("a range is written `a..b` or `a..=b`"),
                '#' => d.with_hint("comments start with `//`"),
                _ => d,
            });
        }
    };
    Ok(tok)
}

/// `include lib.migl`: the `.` at `dot` is in a path written without quotes. The lexer meets
/// the `.` before the parser could see the `include`, so it looks at the line itself; the
/// error points at the whole path, which is what needs the quotes.
fn include_without_quotes(src: &str, dot: Span) -> Option<Diagnostic> {
    let line_start = src[..dot.start as usize].rfind('\n').map_or(0, |i| i + 1);
    let line = &src[line_start..];
    let line = &line[..line.find('\n').unwrap_or(line.len())];
    let indent = line.len() - line.trim_start().len();
    let after = line[indent..].strip_prefix("include")?;
    let gap = after.len() - after.trim_start().len();
    if gap == 0 {
        return None;
    }
    let path_start = line_start + indent + "include".len() + gap;
    let path = src[path_start..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("");
    let path = path.split("//").next().unwrap_or(path);
    let dot_in_path = (path_start..path_start + path.len()).contains(&(dot.start as usize));
    if path.starts_with('"') || !dot_in_path {
        return None;
    }
    let span = Span {
        start: path_start as u32,
        end: (path_start + path.len()) as u32,
        line: dot.line,
        col: src[line_start..path_start].chars().count() as u32 + 1,
        file: dot.file,
    };
    let bare = path.trim_end_matches('"');
    Some(
        Diagnostic::new(
            span,
            format!("expected the library's path in quotes, found `{path}`"),
        )
        .with_hint(format!(
            "the path is a string: write `include \"{bare}\"`, relative to this file's folder"
        )),
    )
}
