//! The mistakes a newcomer makes most, each told what was meant at the mistake's position; and
//! declarations whose type does not check, whose uses add no error of their own.

use migcheck_lang::{compile, Diagnostic};

/// The one error of `src`.
fn error(src: &str) -> Diagnostic {
    match compile(src) {
        Ok(_) => panic!("compiled: {src:?}"),
        Err(mut e) => {
            assert_eq!(e.len(), 1, "{src:?}: want one error, got {e:#?}");
            e.remove(0)
        }
    }
}

/// Asserts the one error of `src`: its position, its message, and a hint containing `hint`
/// (`None`: no hint at all).
fn says(src: &str, line: u32, col: u32, message: &str, hint: Option<&str>) {
    let d = error(src);
    assert_eq!(
        (d.span.line, d.span.col, d.message.as_str()),
        (line, col, message),
        "{src:?}: {d:#?}"
    );
    match (hint, &d.hint) {
        (None, None) => {}
        (Some(want), Some(got)) => assert!(got.contains(want), "{src:?}: hint {got:?}"),
        _ => panic!("{src:?}: want hint {hint:?}, got {:?}", d.hint),
    }
}

#[test]
fn a_hash_comment_is_told_that_comments_start_with_two_slashes() {
    says(
        "model t\n# the allocation\nshared x: int = 0\n",
        2,
        1,
        "unexpected character `#`",
        Some("comments start with `//`"),
    );
    // Other stray characters get no such hint.
    says(
        "model t\nshared x: int = 0 @\n",
        2,
        19,
        "unexpected character `@`",
        None,
    );
}

#[test]
fn enum_variants_without_commas_are_told_to_separate_them() {
    says(
        "model t\nenum S { a b }\n",
        2,
        12,
        "enum variants are separated with `,`",
        Some("write `enum S { a, b }`"),
    );
    // On several lines, and after a comma that is there.
    says(
        "model t\nenum S {\n  a, b\n  c\n}\n",
        4,
        3,
        "enum variants are separated with `,`",
        Some("write `enum S { a, b, c }`"),
    );
    // When the rest is not a list of names, the hint says only where the comma goes.
    says(
        "model t\nenum S { a b + }\n",
        2,
        12,
        "enum variants are separated with `,`",
        Some("put a `,` after `a`"),
    );
    assert_eq!(
        error("model t\nenum S { a b }\n").label.as_deref(),
        Some("expected `,` before this")
    );
}

#[test]
fn a_shared_variable_without_a_type_is_given_the_type_of_its_value() {
    let cases = [
        ("shared x = 0", "write `shared x: int = 0`"),
        ("shared x = -3", "write `shared x: int = -3`"),
        ("shared x = true", "write `shared x: bool = true`"),
        ("shared x = N", "write `shared x: int = N`"),
        ("shared x = q", "write `shared x: S = q`"),
        (
            "shared x = q last_writer_wins",
            "write `shared x: S = q last_writer_wins`",
        ),
    ];
    for (line, hint) in cases {
        let src = format!("model t\nconst N = 2\nenum S {{ p, q }}\n{line}\n");
        says(&src, 4, 10, "a shared variable needs a type", Some(hint));
    }
    // No guess where the value's type is not plain from the text.
    for line in ["shared x = N + 1", "shared x = [0, 1]", "shared x = other"] {
        let src = format!("model t\nconst N = 2\n{line}\n");
        let d = error(&src);
        assert_eq!(d.message, "a shared variable needs a type", "{src:?}");
        assert!(
            d.hint.as_deref().is_some_and(|h| h.contains("TYPE")),
            "{src:?}: {d:?}"
        );
    }
    says(
        "model t\nshared x\n",
        2,
        9,
        "a shared variable needs a type and an initial value",
        Some("`shared x: int = 0`"),
    );
}

#[test]
fn a_local_needs_its_value_and_takes_no_type() {
    says(
        "model t\ntask a {\n    let v\n}\n",
        3,
        10,
        "a local needs an initial value",
        Some("`let v = 0`"),
    );
    says(
        "model t\ntask a { let v }\n",
        2,
        16,
        "a local needs an initial value",
        Some("`let v = 0`"),
    );
    says(
        "model t\ntask a {\n    let v: int = 0\n}\n",
        3,
        10,
        "`let` takes no type: a local has the type of its value",
        Some("write `let v = ...`"),
    );
}

#[test]
fn colon_equals_is_told_that_it_is_written_equals() {
    // `:=` is a `:` and a `=` to the lexer; the `:` is no type here, and the error covers both.
    let lines = [
        ("    let v := 0", 11),
        ("    y := 1", 7),
        ("    m[0] := 1", 10),
    ];
    for (line, col) in lines {
        let src = format!(
            "model t\nshared y: int = 0\nshared m: map[0..2] int = 0\ntask a {{\n{line}\n}}\n"
        );
        says(
            &src,
            5,
            col,
            "expected `=`, found `:=`",
            Some("`:=` is written `=` in this language"),
        );
        let d = error(&src);
        assert_eq!(d.span.end - d.span.start, 2, "{src:?}: the span is `:=`");
    }
    says(
        "model t\nconst N := 2\n",
        2,
        9,
        "expected `=`, found `:=`",
        Some("`:=` is written `=`"),
    );
    says(
        "model t\nshared x: int := 0\n",
        2,
        15,
        "expected `=` and an initial value, found `:=`",
        Some("`:=` is written `=`"),
    );
    // Without a type, the same error as `shared x = 0`, at the `:=`.
    says(
        "model t\nshared x := 0\n",
        2,
        10,
        "a shared variable needs a type",
        Some("write `shared x: int = 0`"),
    );
    // A `:` apart from the `=` is still a type that is missing.
    says(
        "model t\ntask a {\n    let v : = 0\n}\n",
        3,
        11,
        "`let` takes no type: a local has the type of its value",
        Some("write `let v = ...`"),
    );
}

#[test]
fn equals_and_double_equals_are_told_apart() {
    // `=` in a condition: the message stays what the parser expected, the hint says why.
    let conditions = [
        ("    if y = 1 {\n    }", 5, 10, "expected `{`, found `=`"),
        ("    while y = 1 {\n    }", 5, 13, "expected `{`, found `=`"),
        (
            "    await y = 1",
            5,
            13,
            "expected a newline or `;` after the statement, found `=`",
        ),
        (
            "    assert y = 1, \"one\"",
            5,
            14,
            "expected a newline or `;` after the statement, found `=`",
        ),
    ];
    for (body, line, col, message) in conditions {
        let src = format!("model t\nconst N = 2\nshared y: int = 0\ntask a {{\n{body}\n}}\n");
        says(
            &src,
            line,
            col,
            message,
            Some("`=` assigns: a comparison is written `==`"),
        );
    }
    says(
        "model t\nshared y: int = 0\ninvariant i: y = 1\n",
        3,
        16,
        "expected a newline or `;` after the declaration, found `=`",
        Some("a comparison is written `==`"),
    );
    // `==` where a value is given: not the hint that the value is missing.
    says(
        "model t\nshared x: int == 0\n",
        2,
        15,
        "expected `=` and an initial value, found `==`",
        Some("the initial value follows a single `=`"),
    );
    says(
        "model t\nshared x: int\n",
        2,
        14,
        "expected `=` and an initial value, found a newline",
        Some("every shared variable has an initial value"),
    );
    for src in [
        "model t\nconst N == 2\n",
        "model t\ntask a {\n    let v == 2\n}\n",
    ] {
        let d = error(src);
        assert_eq!(d.message, "expected `=`, found `==`", "{src:?}");
        assert_eq!(
            d.hint.as_deref(),
            Some("`==` compares two values: write a single `=`"),
            "{src:?}"
        );
    }
    says(
        "model t\nshared y: int = 0\ntask a {\n    y == 1\n}\n",
        4,
        7,
        "expected `=`, found `==`",
        Some("an assignment is written with a single `=`"),
    );
    // Any other token after a condition gets no such hint.
    says(
        "model t\nshared y: int = 0\ntask a {\n    if y == 1 skip\n}\n",
        4,
        15,
        "expected `{`, found `skip`",
        None,
    );
}

#[test]
fn a_brace_on_the_next_line_is_refused_at_the_brace() {
    let cases = [
        ("task a\n{\n}\n", "task"),
        ("proc p()\n{\n}\n", "proc"),
        ("enum S\n{ a }\n", "enum"),
        ("task a {\n    if true\n{\n    }\n}\n", "if"),
        ("task a {\n    if true {\n    } else\n{\n    }\n}\n", "else"),
        ("task a {\n    while false\n{\n    }\n}\n", "while"),
        ("task a {\n    for i in 0..2\n{\n    }\n}\n", "for"),
        ("task a {\n    atomic\n{\n    }\n}\n", "atomic"),
        ("task a {\n    either\n{\n    } or { }\n}\n", "either"),
        ("task a {\n    either { }\n    or\n{\n    }\n}\n", "or"),
    ];
    for (body, owner) in cases {
        let src = format!("model t\n{body}");
        // The `{` is the only one at the start of a line.
        let line = src.lines().position(|l| l.starts_with('{')).unwrap() as u32 + 1;
        says(
            &src,
            line,
            1,
            &format!("`{{` must be on the same line as `{owner}`"),
            Some(&format!("put the `{{` at the end of line {}", line - 1)),
        );
    }
    // A missing `{` is still that.
    let d = error("model t\ntask a\n    skip\n");
    assert_eq!(d.message, "expected `{`, found a newline");
}

#[test]
fn a_name_of_several_words_is_told_to_join_them() {
    says(
        "model alloc swap\n",
        1,
        7,
        "a model's name is one word",
        Some("write `model alloc_swap`, or describe it in a string after the name: `model alloc \"swap\"`"),
    );
    says(
        "model alloc swap test\n",
        1,
        7,
        "a model's name is one word",
        Some("`model alloc_swap_test`"),
    );
    says(
        "model alloc-swap\n",
        1,
        7,
        "a model's name is one word",
        Some("a name is letters, digits and `_`: write `model alloc_swap`"),
    );
    let d = error("model alloc swap\n");
    assert_eq!(
        (d.span.start, d.span.end),
        (6, 16),
        "the span is the whole name"
    );
    // After a description, another word is just unexpected.
    says(
        "model a \"doc\" b\n",
        1,
        15,
        "expected a newline or `;` after the model's name, found identifier `b`",
        None,
    );
}

#[test]
fn a_declaration_inside_a_block_is_told_where_it_goes() {
    says(
        "model t\ntask a {\n    const N = 2\n}\n",
        3,
        5,
        "constants are declared at the top level, outside tasks and procs",
        Some("move it to the top level"),
    );
    says(
        "model t\nproc p() {\n    enum S { a }\n}\n",
        3,
        5,
        "enums are declared at the top level, outside tasks and procs",
        Some("move it to the top level"),
    );
    says(
        "model t\ntask a {\n    shared y: int = 0\n}\n",
        3,
        5,
        "shared variables are declared at the top level, outside tasks and procs",
        Some("a local: `let y = ...`"),
    );
    // Not indented, or never meant for a block: the block before it is not closed.
    says(
        "model t\ntask a {\n    skip\nconst N = 2\n",
        4,
        1,
        "expected a statement, found `const`",
        Some("is the `}` of the block opened at line 2, column 8 missing?"),
    );
    says(
        "model t\ntask a {\n    if true {\n        skip\n    invariant i: true\n}\n",
        5,
        5,
        "expected a statement, found `invariant`",
        Some("block opened at line 3, column 13"),
    );
    // `proc` and `include` are identifiers to the lexer: only their declaration's shape counts.
    says(
        "model t\ntask a {\n    skip\nproc p() {\n}\n",
        4,
        1,
        "expected a statement, found `proc`",
        Some("`proc` is declared at the top level: is the `}` of the block opened at line 2, column 8 missing?"),
    );
    says(
        "model t\nproc q() {\n    skip\n    proc p(v: int) {\n    }\n}\n",
        4,
        5,
        "expected a statement, found `proc`",
        Some("block opened at line 2, column 10"),
    );
    says(
        "model t\ntask a {\n    skip\ninclude \"lib.migl\"\n",
        4,
        1,
        "expected a statement, found `include`",
        Some("`include` is declared at the top level: is the `}` of the block opened at line 2, column 8 missing?"),
    );
    // Variables so named are not declarations.
    let d = error("model t\nshared proc: int = 0\ntask a {\n    proc = 1\n    include = 2\n}\n");
    assert_eq!(d.message, "unknown name `include`");
    says(
        "model t\nshared proc: int = 0\ntask a {\n    proc p\n}\n",
        4,
        10,
        "expected `=`, found identifier `p`",
        None,
    );
}

#[test]
fn an_include_path_without_quotes_is_told_it_is_a_string() {
    says(
        "model t\ninclude lib.migl\n",
        2,
        9,
        "expected the library's path in quotes, found `lib.migl`",
        Some("write `include \"lib.migl\"`"),
    );
    let d = error("model t\ninclude  ../lib/p.migl // the placement\n");
    assert_eq!(
        (d.span.col, d.message.as_str()),
        (
            10,
            "expected the library's path in quotes, found `../lib/p.migl`"
        )
    );
    // Without a `.`, the parser sees the word.
    says(
        "model t\ninclude placement\n",
        2,
        9,
        "expected the library's path in quotes, found identifier `placement`",
        Some("write `include \"placement.migl\"`"),
    );
    // Words with `/` or `-` between them: the hint builds the whole path, as the lexer does.
    for path in ["lib/placement", "lib/nova-2/placement"] {
        let src = format!("model t\ninclude {path} // the placement\n");
        says(
            &src,
            2,
            9,
            &format!("expected the library's path in quotes, found `{path}`"),
            Some(&format!("write `include \"{path}.migl\"`")),
        );
        let d = error(&src);
        assert_eq!(
            d.span.end - d.span.start,
            path.len() as u32,
            "{src:?}: the span is the path"
        );
    }
    // Where the line is not one path, none is guessed.
    for src in [
        "model t\ninclude lib placement\n",
        "model t\ninclude lib/\nconst N = 1\n",
        "model t\ninclude lib/placement + 1\n",
    ] {
        says(
            src,
            2,
            9,
            "expected the library's path in quotes, found identifier `lib`",
            Some("the path is a string, as in `include \"path.migl\"`"),
        );
    }
    says(
        "model t\ninclude \n",
        2,
        9,
        "expected the library's path in quotes, found a newline",
        None,
    );
    // A `.` elsewhere is still a stray `.`, with the hint about ranges.
    says(
        "model t\nshared x: 0.3 = 0\n",
        2,
        12,
        "unexpected character `.`",
        Some("a range is written"),
    );
}

#[test]
fn a_variable_whose_type_does_not_check_adds_no_error_at_its_uses() {
    let cases = [
        // A map with too many keys.
        (
            "shared m: map[0..100000000000] int = 0\ntask a { m[1] = 1; let v = m[0] + 1 }\ninvariant i: m[2] == 0",
            "a map may have at most 1048576 keys",
        ),
        // An unknown type, used as the enum it was meant to be.
        (
            "shared s: Staus = p\ntask a { s = q; if s == p { s = q }; let v = s; await v == q }",
            "unknown type `Staus`",
        ),
        // A map whose key domain or value type is unknown.
        (
            "shared m: map[Host] int = 0\ntask a { m[0] = 1 }",
            "unknown type `Host`",
        ),
        (
            "shared m: map[0..2] Staus = p\ntask a { m[0] = q }\ninvariant i: m[1] == q",
            "unknown type `Staus`",
        ),
        // A map over all integers, and a map of maps.
        (
            "shared m: map[int] int = 0\ntask a { m[1] = 1 }",
            "a map's keys must be a range or an enum",
        ),
        (
            "shared m: map[0..2] map[0..2] bool = false\ntask a { m[0] = true }",
            "a map cannot hold maps",
        ),
        // A constant whose value does not check, and everything sized by it.
        (
            "const H = NODES + 1\nshared m: map[0..H] int = [1, 2, 3]\nshared r: 0..H = 4\ntask a[i in 0..H] { m[2] = H; r = 5; let k = H; k = k + 1 }",
            "unknown name `NODES`",
        ),
    ];
    for (decls, message) in cases {
        let src = format!("model t\nenum S {{ p, q }}\n{decls}\n");
        let d = error(&src);
        assert_eq!(d.message, message, "{src:?}");
    }
}

#[test]
fn a_variable_whose_type_does_not_check_still_reports_other_mistakes() {
    let src = "model t\nshared m: map[Host] int = 0\nshared s: Staus = 0\nshared x: int = s\ntask a {\n    m = 1\n    let v = m\n    s[0] = 1\n    m[zz] = 1\n}\n";
    let got: Vec<(u32, String)> = compile(src)
        .expect_err("does not compile")
        .into_iter()
        .map(|d| (d.span.line, d.message))
        .collect();
    let want = [
        (2, "unknown type `Host`"),
        (3, "unknown type `Staus`"),
        (4, "an initial value cannot read shared state"),
        (6, "`m` is a map: assign to one key"),
        (7, "`m` is a map and needs a key"),
        (8, "`s` is not a map: it is a shared variable"),
        (9, "unknown name `zz`"),
    ];
    let want: Vec<(u32, String)> = want.iter().map(|(l, m)| (*l, m.to_string())).collect();
    assert_eq!(got, want);
}
