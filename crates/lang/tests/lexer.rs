//! Lexer tests: tokens, spans, and where newlines end statements.

use migcheck_lang::lexer::{lex, Tok};

fn toks(src: &str) -> Vec<Tok> {
    lex(src)
        .expect("lexes")
        .into_iter()
        .map(|t| t.tok)
        .collect()
}

#[test]
fn ranges_lex_as_int_dotdot_int() {
    assert_eq!(
        toks("0..2 0..=2"),
        vec![
            Tok::Int(0),
            Tok::DotDot,
            Tok::Int(2),
            Tok::Int(0),
            Tok::DotDotEq,
            Tok::Int(2),
            Tok::Eof
        ]
    );
}

#[test]
fn largest_integer_lexes_and_one_more_is_an_error_with_position() {
    assert_eq!(
        toks("9223372036854775807"),
        vec![Tok::Int(i64::MAX), Tok::Eof]
    );
    let err = lex("x = \n  9223372036854775808").unwrap_err();
    assert_eq!((err.span.line, err.span.col), (2, 3));
    assert!(err.message.contains("out of range"), "{}", err.message);
}

#[test]
fn smallest_integer_is_a_negated_literal_only_in_prefix_position() {
    let t = lex("x = -9223372036854775808").expect("lexes");
    assert_eq!(t[2].tok, Tok::Int(i64::MIN));
    assert_eq!((t[2].span.col, t[2].span.end), (5, 24));
    assert!(lex("x = 1 -9223372036854775808").is_err());
    assert!(lex("x = 9223372036854775808").is_err());
}

#[test]
fn newline_ends_a_line_but_not_after_an_operator_or_inside_brackets() {
    assert_eq!(
        toks("a\nb"),
        vec![
            Tok::Ident("a".into()),
            Tok::Newline,
            Tok::Ident("b".into()),
            Tok::Eof
        ]
    );
    assert_eq!(
        toks("a ||\n b"),
        vec![
            Tok::Ident("a".into()),
            Tok::OrOr,
            Tok::Ident("b".into()),
            Tok::Eof
        ]
    );
    assert_eq!(
        toks("(a\n)[\n1]"),
        vec![
            Tok::LParen,
            Tok::Ident("a".into()),
            Tok::RParen,
            Tok::LBracket,
            Tok::Int(1),
            Tok::RBracket,
            Tok::Eof
        ]
    );
    // Runs of newlines and comment lines collapse into one token.
    assert_eq!(
        toks("a // c\n\n// d\n\nb"),
        vec![
            Tok::Ident("a".into()),
            Tok::Newline,
            Tok::Ident("b".into()),
            Tok::Eof
        ]
    );
}

#[test]
fn newline_token_keeps_its_own_position() {
    let t = lex("model t\nshared x: int =\n").expect("lexes");
    let nl: Vec<_> = t.iter().filter(|t| t.tok == Tok::Newline).collect();
    assert_eq!(nl.len(), 2);
    assert_eq!((nl[1].span.line, nl[1].span.col), (2, 16));
}

#[test]
fn spans_count_characters_not_bytes() {
    let t = lex("\"é\" x").expect("lexes");
    assert_eq!(t[0].tok, Tok::Str("é".into()));
    assert_eq!((t[1].span.line, t[1].span.col), (1, 5));
    assert_eq!(t[1].span.start, 5);
}

#[test]
fn keywords_and_contextual_words() {
    assert_eq!(
        toks("either or last_writer_wins ok"),
        vec![
            Tok::Either,
            Tok::Or,
            Tok::Ident("last_writer_wins".into()),
            Tok::Ident("ok".into()),
            Tok::Eof
        ]
    );
}

#[test]
fn lexical_errors_have_positions() {
    for (src, line, col, msg) in [
        ("a & b", 1, 3, "unexpected character `&`"),
        ("x\n  @", 2, 3, "unexpected character `@`"),
        ("\"abc", 1, 1, "unterminated string"),
        ("12ab", 1, 1, "invalid integer literal"),
    ] {
        let e = lex(src).unwrap_err();
        assert_eq!((e.span.line, e.span.col), (line, col), "{src}");
        assert!(e.message.contains(msg), "{src}: {}", e.message);
    }
}
