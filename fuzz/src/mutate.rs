//! Seeded random bytes, and the mutations that turn a valid model into a nearly valid one.
//!
//! The fuzz targets drive every decision from the fuzzer's bytes through an
//! [`arbitrary::Unstructured`]; the bounded fuzz tests inside `cargo test` feed the same code the
//! bytes of a seeded [`Rng`], so that a run is reproducible from its seed. Mutating bundled models
//! (deleting, duplicating and swapping tokens, bytes and lines, splicing in lines of other models,
//! replacing numbers by extreme ones) reaches far deeper into the checker than random bytes do.

use arbitrary::Unstructured;

/// splitmix64: a tiny generator with no other source of randomness than its seed.
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    /// `n` random bytes: the input of one fuzz case.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n + 8);
        while out.len() < n {
            out.extend_from_slice(&self.next_u64().to_le_bytes());
        }
        out.truncate(n);
        out
    }
}

/// Pieces of the language a mutation may insert: keywords, punctuation, names the bundled models
/// use, and a few characters the lexer must refuse cleanly.
pub const TOKENS: &[&str] = &[
    "model",
    "const",
    "enum",
    "shared",
    "lock",
    "unlock",
    "task",
    "invariant",
    "final",
    "expect",
    "let",
    "if",
    "else",
    "while",
    "for",
    "in",
    "choose",
    "either",
    "or",
    "atomic",
    "await",
    "assert",
    "return",
    "skip",
    "true",
    "false",
    "int",
    "bool",
    "map",
    "include",
    "proc",
    "out",
    "library",
    "last_writer_wins",
    "ok",
    "deadlock",
    "lost_update",
    "model_error",
    "assertion",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ",",
    ";",
    ":",
    "=",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "+",
    "-",
    "*",
    "/",
    "%",
    "!",
    "&&",
    "||",
    "..",
    "..=",
    "\n",
    "//",
    "\"",
    "\"x\"",
    "x",
    "i",
    "h",
    "a",
    "t",
    "l",
    "m",
    "x[0]",
    "0..2",
    "0..=1",
    "map[0..2] int",
    "é",
    "\t",
    "\r",
    "\0",
    "&",
    "|",
    ".",
    "\\",
    "include \"lib/placement.migl\"",
    "include \"x.migl\"",
];

/// Integers at the edges of what the language and the engine handle.
pub const INTS: &[&str] = &[
    "0",
    "1",
    "-1",
    "2",
    "3",
    "7",
    "64",
    "255",
    "65536",
    "1048576",
    "1048577",
    "2147483647",
    "4294967296",
    "4611686018427387904",
    "9223372036854775807",
    "-9223372036854775808",
    "9223372036854775808",
    "99999999999999999999",
    "1_000",
    "0x10",
];

/// Applies one to four mutations chosen by `u` to `text`; `others` are texts whose lines may be
/// spliced in. Byte-level mutations may break UTF-8: the result is converted lossily.
pub fn mutate(text: &str, others: &[&str], u: &mut Unstructured) -> String {
    let mut b = text.as_bytes().to_vec();
    let n = u.int_in_range(1..=4u8).unwrap_or(1);
    for _ in 0..n {
        mutate_once(&mut b, others, u);
    }
    String::from_utf8_lossy(&b).into_owned()
}

/// The byte ranges of the tokens of `b`: runs of word characters (non-ASCII included), and every
/// other non-blank byte on its own.
fn tokens(b: &[u8]) -> Vec<(usize, usize)> {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_whitespace() {
            i += 1;
        } else if word(b[i]) {
            let s = i;
            while i < b.len() && word(b[i]) {
                i += 1;
            }
            out.push((s, i));
        } else {
            out.push((i, i + 1));
            i += 1;
        }
    }
    out
}

/// The byte ranges of the lines of `b`, each with its newline.
fn lines(b: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut s = 0;
    for (i, &c) in b.iter().enumerate() {
        if c == b'\n' {
            out.push((s, i + 1));
            s = i + 1;
        }
    }
    if s < b.len() {
        out.push((s, b.len()));
    }
    out
}

fn pick<T: Copy>(u: &mut Unstructured, xs: &[T]) -> Option<T> {
    if xs.is_empty() {
        return None;
    }
    u.choose_index(xs.len()).ok().map(|i| xs[i])
}

fn index(u: &mut Unstructured, len: usize) -> usize {
    if len == 0 {
        0
    } else {
        u.choose_index(len).unwrap_or(0)
    }
}

/// Swaps the non-overlapping ranges `a` and `b` (`a` before `b`).
fn swap_ranges(v: &mut Vec<u8>, a: (usize, usize), b: (usize, usize)) {
    let (a, b) = if a.0 <= b.0 { (a, b) } else { (b, a) };
    if a.1 > b.0 {
        return;
    }
    let mut out = Vec::with_capacity(v.len());
    out.extend_from_slice(&v[..a.0]);
    out.extend_from_slice(&v[b.0..b.1]);
    out.extend_from_slice(&v[a.1..b.0]);
    out.extend_from_slice(&v[a.0..a.1]);
    out.extend_from_slice(&v[b.1..]);
    *v = out;
}

fn mutate_once(b: &mut Vec<u8>, others: &[&str], u: &mut Unstructured) {
    let toks = tokens(b);
    let op = u.int_in_range(0..=13u8).unwrap_or(0);
    match op {
        // Delete a token.
        0 => {
            if let Some((s, e)) = pick(u, &toks) {
                b.drain(s..e);
            }
        }
        // Duplicate a token.
        1 => {
            if let Some((s, e)) = pick(u, &toks) {
                let t = b[s..e].to_vec();
                b.splice(e..e, t);
            }
        }
        // Swap two tokens.
        2 => {
            if let (Some(x), Some(y)) = (pick(u, &toks), pick(u, &toks)) {
                swap_ranges(b, x, y);
            }
        }
        // Replace a token by a piece of the language.
        3 => {
            if let (Some((s, e)), Some(t)) = (pick(u, &toks), pick(u, TOKENS)) {
                b.splice(s..e, t.bytes());
            }
        }
        // Insert a piece of the language before a token (or at the end).
        4 => {
            let at = pick(u, &toks).map_or(b.len(), |t| t.0);
            if let Some(t) = pick(u, TOKENS) {
                let spaced = u.ratio(1u8, 2).unwrap_or(false);
                let mut ins = t.as_bytes().to_vec();
                if spaced {
                    ins.push(b' ');
                }
                b.splice(at..at, ins);
            }
        }
        // Replace a number by an extreme one.
        5 => {
            let nums: Vec<(usize, usize)> = toks
                .iter()
                .copied()
                .filter(|&(s, _)| b[s].is_ascii_digit())
                .collect();
            let target = pick(u, &nums).or_else(|| pick(u, &toks));
            if let (Some((s, e)), Some(n)) = (target, pick(u, INTS)) {
                b.splice(s..e, n.bytes());
            }
        }
        // Delete a line.
        6 => {
            if let Some((s, e)) = pick(u, &lines(b)) {
                b.drain(s..e);
            }
        }
        // Duplicate a line.
        7 => {
            if let Some((s, e)) = pick(u, &lines(b)) {
                let l = b[s..e].to_vec();
                b.splice(e..e, l);
            }
        }
        // Swap two lines.
        8 => {
            let ls = lines(b);
            if let (Some(x), Some(y)) = (pick(u, &ls), pick(u, &ls)) {
                swap_ranges(b, x, y);
            }
        }
        // Splice in a line of another model.
        9 => {
            if let Some(other) = pick(u, others) {
                let ob = other.as_bytes();
                if let Some((s, e)) = pick(u, &lines(ob)) {
                    let at = pick(u, &lines(b)).map_or(b.len(), |l| l.0);
                    let mut l = ob[s..e].to_vec();
                    if l.last() != Some(&b'\n') {
                        l.push(b'\n');
                    }
                    b.splice(at..at, l);
                }
            }
        }
        // Delete a few bytes.
        10 => {
            let s = index(u, b.len());
            let n = u.int_in_range(1..=16usize).unwrap_or(1);
            let e = (s + n).min(b.len());
            b.drain(s..e);
        }
        // Insert one byte, often one the lexer treats specially.
        11 => {
            let at = index(u, b.len() + 1);
            let c = *u
                .choose(&[
                    b'\n', b'\r', b'\t', b';', b'{', b'}', b'(', b')', b'[', b']', b'"', b'-',
                    b'0', b'_', 0, 0x7f, 0xc3, 0xe9, 0xff,
                ])
                .unwrap_or(&b'\n');
            b.insert(at, c);
        }
        // Cut the text short.
        12 => {
            let at = index(u, b.len() + 1);
            b.truncate(at);
        }
        // Flip a bit.
        _ => {
            if !b.is_empty() {
                let at = index(u, b.len());
                let bit = u.int_in_range(0..=7u8).unwrap_or(0);
                b[at] ^= 1 << bit;
            }
        }
    }
}
