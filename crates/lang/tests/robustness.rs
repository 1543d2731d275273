//! The front end never panics or hangs, whatever the input: garbage, truncations and mutations
//! of valid models all end in `Ok` or in diagnostics.

const SAMPLE: &str = r#"model alloc "doc"
const HOSTS = 3
enum Status { pre, mid, done, error }
shared usage: map[0..HOSTS] int = 0
shared status: Status = pre
shared n: 0..=4 = [1]
lock l
task migrate[i in 0..2] {
    choose h in 0..HOSTS
    lock l
    atomic { if usage[h] < 2 { usage[h] = usage[h] + 1 } else if h == 1 { skip } else { return } }
    unlock l
    either { status = done }
    or     { status = error }
    for s in Status { while false { let q = -(1 % 2) } }
    assert !(h > 5), "bad"
    await status != pre
}
invariant capacity: usage[0] <= 2 && usage[1] <= 2 || (usage[2] ==
    0)
final f: status == done
expect lost_update usage
"#;

/// A small deterministic generator (xorshift), so that failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn every_prefix_of_a_model_is_handled() {
    let chars: Vec<(usize, char)> = SAMPLE.char_indices().collect();
    for (i, _) in chars {
        let _ = migcheck_lang::compile(&SAMPLE[..i]);
    }
}

#[test]
fn mutated_models_are_handled() {
    let pieces = [
        "{",
        "}",
        "(",
        ")",
        "[",
        "]",
        "\n",
        ";",
        ",",
        "..",
        "..=",
        "=",
        "==",
        "-",
        "!",
        "&&",
        "x",
        "0",
        "9223372036854775807",
        "-9223372036854775808",
        "\"",
        "or",
        "else",
        "if",
        "task",
        "shared",
        "map",
        "atomic",
        "either",
        "for",
        "in",
        "Status",
        "h",
        "usage",
        "l",
        "é",
        "/",
        "%",
        "0..0",
        "model",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let base: Vec<char> = SAMPLE.chars().collect();
    for _ in 0..3000 {
        let mut text: Vec<char> = base.clone();
        for _ in 0..1 + rng.below(4) {
            let at = rng.below(text.len());
            match rng.below(3) {
                0 => {
                    let end = (at + rng.below(8)).min(text.len());
                    text.drain(at..end);
                }
                1 => {
                    let p = pieces[rng.below(pieces.len())];
                    for (k, c) in p.chars().enumerate() {
                        text.insert(at + k, c);
                    }
                }
                _ => {
                    let p = pieces[rng.below(pieces.len())];
                    let end = (at + 1).min(text.len());
                    text.drain(at..end);
                    for (k, c) in p.chars().enumerate() {
                        text.insert(at + k, c);
                    }
                }
            }
        }
        let src: String = text.into_iter().collect();
        if let Err(errs) = migcheck_lang::compile(&src) {
            assert!(!errs.is_empty());
            for d in errs {
                assert!(d.span.line >= 1 && d.span.col >= 1, "{src}\n{d:?}");
                assert!((d.span.end as usize) <= src.len(), "{src}\n{d:?}");
            }
        }
    }
}

#[test]
fn random_token_soup_is_handled() {
    let words = [
        "model",
        "t",
        "task",
        "a",
        "{",
        "}",
        "let",
        "x",
        "=",
        "1",
        "\n",
        "if",
        "else",
        "either",
        "or",
        "(",
        ")",
        "[",
        "]",
        "shared",
        ":",
        "int",
        "map",
        "0..2",
        "lock",
        "expect",
        "ok",
        "invariant",
        "final",
        "+",
        "<",
        "==",
        "choose",
        "in",
        "for",
        "atomic",
        "await",
        "true",
    ];
    let mut rng = Rng(42);
    for _ in 0..3000 {
        let mut src = String::from("model t\n");
        for _ in 0..rng.below(40) {
            src.push_str(words[rng.below(words.len())]);
            src.push(' ');
        }
        let _ = migcheck_lang::compile(&src);
    }
}
