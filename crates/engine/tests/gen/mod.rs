//! Random small models for the differential soundness test.
//!
//! [`model`] turns a seed into the source text of one `.mig` model that compiles: a few shared
//! scalars and maps, locks, tasks (sometimes an indexed one) and properties. The same seed always
//! gives the same text (the generator has its own splitmix64 and no other source of randomness).
//!
//! Each model also draws a few "knobs" from its seed (how read-modify-writes are written, how
//! often tasks take locks or await, whether lock orders are consistent, how often a statement is
//! risky), so that over many seeds every verdict occurs: ok, deadlock, lost updates, failed
//! assertions, invariants and finals, and model errors.
//!
//! The generator keeps the language's static rules: names are declared before use and never
//! shadow a global, every expression is well typed, a constant map key is inside its domain, an
//! initial value is inside its range type, a `for` variable and a task's index are never assigned.
//! What may go wrong at run time (a write outside a range type, a computed key outside a domain,
//! a division by zero, an overflow, a lock taken twice or released unheld, a blocking statement
//! late in an `atomic`, an empty `choose`) is generated on purpose, rarely. Every loop is bounded
//! (`for` over a small domain, `while` with a counter), so every model is finite, but for a
//! rare `while` without a counter whose rounds only read shared state (at the top of a body or
//! inside another loop): it may come back to the state it started from, a cycle that the
//! reduction's cycle proviso must not let it ignore.

use std::fmt::Write as _;

/// The size of the generated models. Pairs are inclusive bounds, drawn per model.
#[derive(Debug, Clone)]
pub struct Config {
    /// Task instances, an indexed task counting for each of its instances.
    pub tasks: (u32, u32),
    /// Shared scalars (bool, int, range, enum).
    pub scalars: (u32, u32),
    /// Shared maps over a small range or enum.
    pub maps: (u32, u32),
    /// Locks.
    pub locks: (u32, u32),
    /// Enums declared (used by scalars, maps, locals and `choose`).
    pub enums: (u32, u32),
    /// Statements at the top of a task's body (compound ones hold one or two more each).
    pub stmts: (u32, u32),
    /// How deep compound statements nest.
    pub max_depth: u32,
    /// Integer literals are mostly in `0..=max_literal`.
    pub max_literal: i64,
    pub invariants: (u32, u32),
    pub finals: (u32, u32),
}

impl Default for Config {
    fn default() -> Config {
        Config {
            tasks: (2, 4),
            scalars: (1, 4),
            maps: (0, 2),
            locks: (0, 2),
            enums: (0, 2),
            stmts: (2, 8),
            max_depth: 2,
            max_literal: 3,
            invariants: (0, 2),
            finals: (0, 2),
        }
    }
}

/// The model of `seed` at the default size.
pub fn model(seed: u64) -> String {
    model_with(seed, &Config::default())
}

/// The model of `seed` at size `cfg`.
pub fn model_with(seed: u64, cfg: &Config) -> String {
    Gen::new(seed, cfg).generate(seed)
}

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        if n <= 1 {
            0
        } else {
            self.next() % n
        }
    }

    /// A number in `lo..=hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            lo
        } else {
            lo + self.below((hi - lo + 1) as u64) as i64
        }
    }

    fn count(&mut self, (lo, hi): (u32, u32)) -> u32 {
        self.between(i64::from(lo), i64::from(hi)) as u32
    }

    fn chance(&mut self, pct: u32) -> bool {
        self.below(100) < u64::from(pct)
    }

    /// An index drawn with the given weights; 0 when they are all zero.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u64 = weights.iter().map(|&w| u64::from(w)).sum();
        let mut r = self.below(total);
        for (i, &w) in weights.iter().enumerate() {
            if r < u64::from(w) {
                return i;
            }
            r -= u64::from(w);
        }
        0
    }

    fn pick<T: Clone>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize].clone()
    }
}

/// The type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Bool,
    Int,
    Enum(usize),
}

/// The value type of a shared variable; ranges half-open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Val {
    Bool,
    Int,
    Range(i64, i64),
    Enum(usize),
}

impl Val {
    fn ty(self) -> Ty {
        match self {
            Val::Bool => Ty::Bool,
            Val::Int | Val::Range(..) => Ty::Int,
            Val::Enum(e) => Ty::Enum(e),
        }
    }
}

/// A map's key domain; ranges half-open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dom {
    Range(i64, i64),
    Enum(usize),
}

struct Var {
    name: String,
    val: Val,
    key: Option<Dom>,
    /// One value per key (one for a scalar): bools as 0/1, variants by index.
    init: Vec<i64>,
}

#[derive(Clone)]
struct Local {
    name: String,
    ty: Ty,
    assignable: bool,
    /// The half-open bounds of an int local, when known (a `for` or `choose` variable, an index).
    bounds: Option<(i64, i64)>,
}

/// Per-model tendencies, drawn from the seed.
struct Knobs {
    /// Weights of the three ways to write a read-modify-write: over two steps, in `atomic`, in
    /// one statement.
    rmw: [u32; 3],
    await_w: u32,
    lock_w: u32,
    assert_w: u32,
    /// Locks are taken in ascending order.
    ordered_locks: bool,
    /// Percent of risky sites that are generated risky (possible model errors).
    risky: u32,
    /// Percent of shared variables marked `last_writer_wins`.
    lww: u32,
    /// Weight of reading shared state in a `let` or a condition, against locals only.
    shared_reads: u32,
}

struct Gen<'c> {
    cfg: &'c Config,
    rng: Rng,
    k: Knobs,
    /// Variant names of each enum `E{i}`.
    enums: Vec<Vec<String>>,
    /// Constants and their values.
    consts: Vec<(String, i64)>,
    vars: Vec<Var>,
    locks: usize,
    // Per task:
    scopes: Vec<Vec<Local>>,
    held: Vec<usize>,
    /// Locks this task may hold or not at some point (an unlock was left out): never taken again.
    tainted: Vec<bool>,
    budget: i32,
    depth: u32,
    loops: u32,
    atomic: u32,
    fresh: u32,
    indent: usize,
    body: String,
}

/// Wraps a compound expression in parentheses, to be an operand.
fn paren(s: String) -> String {
    if s.contains(' ') || s.starts_with('-') {
        format!("({s})")
    } else {
        s
    }
}

const CMP: [&str; 6] = ["<", "<=", ">", ">=", "==", "!="];

impl<'c> Gen<'c> {
    fn new(seed: u64, cfg: &'c Config) -> Gen<'c> {
        let mut rng = Rng(seed ^ 0x6D69_6763_6865_636B);
        let k = Knobs {
            rmw: [
                rng.pick(&[0, 1, 2, 6]),
                rng.pick(&[1, 3]),
                rng.pick(&[1, 3]),
            ],
            await_w: rng.pick(&[0, 0, 1, 3]),
            lock_w: rng.pick(&[0, 2, 4]),
            assert_w: rng.pick(&[0, 0, 0, 1, 2]),
            ordered_locks: rng.chance(50),
            risky: rng.pick(&[0, 0, 0, 4, 12]),
            lww: rng.pick(&[0, 0, 15, 100, 100]),
            shared_reads: rng.pick(&[1, 3, 6]),
        };
        Gen {
            cfg,
            rng,
            k,
            enums: Vec::new(),
            consts: Vec::new(),
            vars: Vec::new(),
            locks: 0,
            scopes: Vec::new(),
            held: Vec::new(),
            tainted: Vec::new(),
            budget: 0,
            depth: 0,
            loops: 0,
            atomic: 0,
            fresh: 0,
            indent: 0,
            body: String::new(),
        }
    }

    fn generate(mut self, seed: u64) -> String {
        let mut out = String::new();
        if self.rng.chance(30) {
            let _ = writeln!(out, "model g{seed} \"generated from seed {seed}\"");
        } else {
            let _ = writeln!(out, "model g{seed}");
        }
        let decls = self.declarations();
        out.push_str(&decls);
        let props = self.properties();
        let props_first = self.rng.chance(20);
        if props_first {
            out.push_str(&props);
        }
        out.push_str(&self.tasks());
        if !props_first {
            out.push_str(&props);
        }
        out
    }

    // ---- declarations ----

    fn declarations(&mut self) -> String {
        let mut out = String::new();
        if self.rng.chance(30) {
            let v = self.rng.between(2, 3);
            self.consts.push(("K0".to_string(), v));
            let _ = writeln!(out, "const K0 = {v}");
        }
        let n_enums = self.rng.count(self.cfg.enums);
        for e in 0..n_enums as usize {
            let n = self.rng.between(2, 3) as usize;
            let variants: Vec<String> = ["p", "q", "r"][..n]
                .iter()
                .map(|v| format!("{v}{e}"))
                .collect();
            let _ = writeln!(out, "enum E{e} {{ {} }}", variants.join(", "));
            self.enums.push(variants);
        }
        let n_scalars = self.rng.count(self.cfg.scalars);
        for i in 0..n_scalars {
            let (val, text) = self.value_type();
            let init = self.value_in(val);
            let init_text = self.show(val, init);
            let lww = self.lww();
            let _ = writeln!(out, "shared s{i}: {text} = {init_text}{lww}");
            self.vars.push(Var {
                name: format!("s{i}"),
                val,
                key: None,
                init: vec![init],
            });
        }
        let n_maps = self.rng.count(self.cfg.maps);
        for i in 0..n_maps {
            let (dom, dom_text) = self.key_domain();
            let (val, text) = self.value_type();
            let len = self.dom_len(dom);
            let (init, init_text) = if self.rng.chance(50) {
                let v = self.value_in(val);
                (vec![v; len], self.show(val, v))
            } else {
                let vs: Vec<i64> = (0..len).map(|_| self.value_in(val)).collect();
                let texts: Vec<String> = vs.iter().map(|&v| self.show(val, v)).collect();
                (vs, format!("[{}]", texts.join(", ")))
            };
            let lww = self.lww();
            let _ = writeln!(
                out,
                "shared m{i}: map[{dom_text}] {text} = {init_text}{lww}"
            );
            self.vars.push(Var {
                name: format!("m{i}"),
                val,
                key: Some(dom),
                init,
            });
        }
        self.locks = self.rng.count(self.cfg.locks) as usize;
        for l in 0..self.locks {
            let _ = writeln!(out, "lock l{l}");
        }
        out
    }

    fn lww(&mut self) -> &'static str {
        if self.rng.chance(self.k.lww) {
            " last_writer_wins"
        } else {
            ""
        }
    }

    /// A value type for a shared variable or a map's values, with its text.
    fn value_type(&mut self) -> (Val, String) {
        let enum_w = if self.enums.is_empty() { 0 } else { 2 };
        match self.rng.weighted(&[2, 3, 3, enum_w]) {
            0 => (Val::Bool, "bool".into()),
            1 => (Val::Int, "int".into()),
            2 => {
                let lo = self.rng.pick(&[0, 0, 0, -1, 1]);
                let span = self.rng.between(2, 4);
                let hi = lo + span;
                let text = if self.rng.chance(30) {
                    format!("{lo}..={}", hi - 1)
                } else {
                    format!("{lo}..{hi}")
                };
                (Val::Range(lo, hi), text)
            }
            _ => {
                let e = self.rng.below(self.enums.len() as u64) as usize;
                (Val::Enum(e), format!("E{e}"))
            }
        }
    }

    fn key_domain(&mut self) -> (Dom, String) {
        if !self.enums.is_empty() && self.rng.chance(35) {
            let e = self.rng.below(self.enums.len() as u64) as usize;
            return (Dom::Enum(e), format!("E{e}"));
        }
        if let Some((name, v)) = self.consts.first().cloned() {
            if self.rng.chance(50) {
                return (Dom::Range(0, v), format!("0..{name}"));
            }
        }
        let lo = self.rng.pick(&[0, 0, 0, 1]);
        let hi = lo + self.rng.between(2, 3);
        if self.rng.chance(25) {
            (Dom::Range(lo, hi), format!("{lo}..={}", hi - 1))
        } else {
            (Dom::Range(lo, hi), format!("{lo}..{hi}"))
        }
    }

    fn dom_len(&self, d: Dom) -> usize {
        match d {
            Dom::Range(lo, hi) => (hi - lo) as usize,
            Dom::Enum(e) => self.enums[e].len(),
        }
    }

    /// A value of type `val` (for initial values): small ints.
    fn value_in(&mut self, val: Val) -> i64 {
        match val {
            Val::Bool => self.rng.between(0, 1),
            Val::Int => self.rng.between(0, 2),
            Val::Range(lo, hi) => self.rng.between(lo, hi - 1),
            Val::Enum(e) => self.rng.below(self.enums[e].len() as u64) as i64,
        }
    }

    fn show(&self, val: Val, v: i64) -> String {
        match val {
            Val::Bool => (v != 0).to_string(),
            Val::Int | Val::Range(..) => v.to_string(),
            Val::Enum(e) => self.enums[e][v as usize].clone(),
        }
    }

    // ---- properties ----

    fn properties(&mut self) -> String {
        let mut out = String::new();
        let n_inv = self.rng.count(self.cfg.invariants);
        for i in 0..n_inv {
            // Mostly true initially: an invariant false from the start is a dull violation.
            let false_ok = self.rng.chance(3);
            let mut text = String::new();
            for _ in 0..4 {
                let atoms = self.rng.between(1, 3) as u32;
                let (t, holds) = self.property(atoms, true);
                text = t;
                if holds || false_ok {
                    break;
                }
            }
            let _ = writeln!(out, "invariant inv{i}: {text}");
        }
        let n_fin = self.rng.count(self.cfg.finals);
        for i in 0..n_fin {
            let text = if self.rng.chance(65) {
                let atoms = self.rng.between(1, 3) as u32;
                self.property(atoms, false).0
            } else {
                self.bool_expr(2)
            };
            let _ = writeln!(out, "final fin{i}: {text}");
        }
        out
    }

    /// A property of `atoms` comparisons over shared state, and whether it holds initially;
    /// `loose` makes it hard to break (for an invariant).
    fn property(&mut self, atoms: u32, loose: bool) -> (String, bool) {
        let (mut text, mut holds) = self.atom(loose);
        let and_pct = if loose { 35 } else { 50 };
        for _ in 1..atoms {
            let (t, h) = self.atom(loose);
            if self.rng.chance(and_pct) {
                text = format!("({text}) && {t}");
                holds = holds && h;
            } else {
                text = format!("({text}) || {t}");
                holds = holds || h;
            }
        }
        (text, holds)
    }

    /// A comparison of one shared location (a scalar or a map at a constant key), or of a sum of
    /// two, with a constant; and whether it holds initially. A `loose` one mostly holds with a
    /// margin of a few steps.
    fn atom(&mut self, loose: bool) -> (String, bool) {
        let ints: Vec<(String, i64)> = self
            .cells()
            .into_iter()
            .filter(|(_, val, _)| val.ty() == Ty::Int)
            .map(|(t, _, v)| (t, v))
            .collect();
        let loose = loose && !self.rng.chance(20);
        if ints.len() >= 2 && self.rng.chance(20) {
            let (a, va) = self.rng.pick(&ints);
            let (b, vb) = self.rng.pick(&ints);
            let c = if loose {
                va + vb + self.rng.between(1, 4)
            } else {
                va + vb + self.rng.between(-1, 2)
            };
            return (format!("{a} + {b} <= {c}"), va + vb <= c);
        }
        let mut cells = self.cells();
        if cells.is_empty() {
            return ("true".into(), true);
        }
        if loose && cells.iter().any(|c| c.1.ty() == Ty::Int) && self.rng.chance(70) {
            cells.retain(|c| c.1.ty() == Ty::Int);
        }
        let (text, val, v) = self.rng.pick(&cells);
        match val {
            Val::Bool => {
                if self.rng.chance(50) {
                    (text, v != 0)
                } else {
                    (format!("!{text}"), v == 0)
                }
            }
            Val::Int | Val::Range(..) => {
                let (op, c) = if loose {
                    match self.rng.below(5) {
                        0 => ("<=", v + self.rng.between(1, 3)),
                        1 => ("<", v + self.rng.between(2, 4)),
                        2 => (">=", v - self.rng.between(1, 3)),
                        3 => (">", v - self.rng.between(2, 4)),
                        _ => ("!=", v + self.rng.pick(&[-3, -2, 2, 3])),
                    }
                } else {
                    (self.rng.pick(&CMP), v + self.rng.between(-1, 2))
                };
                let holds = match op {
                    "<" => v < c,
                    "<=" => v <= c,
                    ">" => v > c,
                    ">=" => v >= c,
                    "==" => v == c,
                    _ => v != c,
                };
                (format!("{text} {op} {c}"), holds)
            }
            Val::Enum(e) => {
                let w = self.rng.below(self.enums[e].len() as u64) as i64;
                let name = self.enums[e][w as usize].clone();
                if self.rng.chance(50) {
                    (format!("{text} == {name}"), v == w)
                } else {
                    (format!("{text} != {name}"), v != w)
                }
            }
        }
    }

    /// Every shared location with a constant name: scalars, and each key of each map.
    fn cells(&self) -> Vec<(String, Val, i64)> {
        let mut out = Vec::new();
        for v in &self.vars {
            match v.key {
                None => out.push((v.name.clone(), v.val, v.init[0])),
                Some(Dom::Range(lo, hi)) => {
                    for (i, k) in (lo..hi).enumerate() {
                        out.push((format!("{}[{k}]", v.name), v.val, v.init[i]));
                    }
                }
                Some(Dom::Enum(e)) => {
                    for (i, k) in self.enums[e].iter().enumerate() {
                        out.push((format!("{}[{k}]", v.name), v.val, v.init[i]));
                    }
                }
            }
        }
        out
    }

    // ---- tasks ----

    fn tasks(&mut self) -> String {
        let mut out = String::new();
        let n = self.rng.count(self.cfg.tasks).max(1);
        // An indexed task takes two (or three) of the instances.
        let indexed = if n >= 3 && self.rng.chance(45) {
            let k = if n >= 4 && self.rng.chance(30) { 3 } else { 2 };
            Some(k)
        } else {
            None
        };
        let plain = n - indexed.unwrap_or(0);
        let at = self.rng.below(u64::from(plain) + 1) as u32;
        let mut t = 0;
        for slot in 0..=plain {
            if slot == at {
                if let Some(k) = indexed {
                    out.push_str(&self.task("u", Some(k)));
                }
            }
            if slot < plain {
                out.push_str(&self.task(&format!("t{t}"), None));
                t += 1;
            }
        }
        out
    }

    fn task(&mut self, name: &str, instances: Option<u32>) -> String {
        self.scopes = vec![Vec::new()];
        self.held.clear();
        self.tainted = vec![false; self.locks];
        self.budget = self.rng.count(self.cfg.stmts) as i32;
        self.depth = 0;
        self.loops = 0;
        self.atomic = 0;
        self.fresh = 0;
        self.indent = 1;
        self.body.clear();
        let head = match instances {
            None => format!("task {name} {{"),
            Some(k) => {
                let (lo, text) = match self.rng.below(4) {
                    0 if !self.consts.is_empty() && self.consts[0].1 == i64::from(k) => {
                        (0, format!("0..{}", self.consts[0].0))
                    }
                    1 => (0, format!("0..={}", k - 1)),
                    2 if self.rng.chance(50) => (1, format!("1..{}", k + 1)),
                    _ => (0, format!("0..{k}")),
                };
                self.declare("i".into(), Ty::Int, false, Some((lo, lo + i64::from(k))));
                format!("task {name}[i in {text}] {{")
            }
        };
        // Rarely a task with an empty body, finished from the start.
        if self.rng.chance(2) {
            return format!("{head}\n}}\n");
        }
        while self.budget > 0 {
            self.stmt();
        }
        format!("{head}\n{}}}\n", self.body)
    }

    fn line(&mut self, s: &str) {
        for _ in 0..self.indent {
            self.body.push_str("    ");
        }
        self.body.push_str(s);
        self.body.push('\n');
    }

    fn name(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}{}", self.fresh)
    }

    fn declare(&mut self, name: String, ty: Ty, assignable: bool, bounds: Option<(i64, i64)>) {
        if let Some(s) = self.scopes.last_mut() {
            s.push(Local {
                name,
                ty,
                assignable,
                bounds,
            });
        }
    }

    fn locals(&self) -> impl Iterator<Item = &Local> {
        self.scopes.iter().flatten()
    }

    /// A block in its own scope: `n` statements at least one.
    fn block(&mut self, n: i64) {
        self.scopes.push(Vec::new());
        self.indent += 1;
        self.depth += 1;
        for _ in 0..n.max(1) {
            self.stmt();
        }
        self.depth -= 1;
        self.indent -= 1;
        self.scopes.pop();
    }

    fn small_block(&mut self) {
        let n = self.rng.between(1, 2);
        self.block(n);
    }

    fn stmt(&mut self) {
        if self.depth == 0 {
            self.budget -= 1;
        }
        let nest = self.depth < self.cfg.max_depth;
        let in_atomic = self.atomic > 0;
        let scalars = self.vars.iter().any(|v| v.key.is_none());
        let maps = self.vars.iter().any(|v| v.key.is_some());
        let assignable = self.locals().any(|l| l.assignable);
        let weights = [
            5,                           // 0 let
            if scalars { 4 } else { 0 }, // 1 assign a scalar
            if self.vars.is_empty() {
                0
            } else {
                self.k.rmw.iter().sum::<u32>()
            }, // 2 read-modify-write
            if maps { 3 } else { 0 },    // 3 assign a map key
            if assignable { 1 } else { 0 }, // 4 assign a local
            if self.locks > 0 && !in_atomic && nest {
                // 5 lock region
                self.k.lock_w
            } else {
                0
            },
            if in_atomic { 0 } else { self.k.await_w }, // 6 await
            2,                                          // 7 choose
            if nest { 2 } else { 0 },                   // 8 either
            if nest { 3 } else { 0 },                   // 9 if
            // 10 while; inside a loop, rarely, one without a counter
            if nest && (self.loops == 0 || (!in_atomic && self.rng.chance(10))) {
                1
            } else {
                0
            },
            if nest && self.loops == 0 { 1 } else { 0 }, // 11 for
            if nest && (!in_atomic || self.rng.chance(20)) {
                3
            } else {
                0
            }, // 12 atomic
            self.k.assert_w,                             // 13 assert
            u32::from(self.depth > 0 && self.rng.chance(50)), // 14 return
            1,                                           // 15 skip
            if self.rng.chance(self.k.risky) { 1 } else { 0 }, // 16 a risky lock or await
            if self.locks > 1 && !in_atomic && nest {
                // 17 two locks
                self.k.lock_w * if self.k.ordered_locks { 1 } else { 3 }
            } else {
                0
            },
        ];
        match self.rng.weighted(&weights) {
            0 => self.let_stmt(),
            1 => self.assign_scalar(),
            2 => self.rmw(),
            3 => self.assign_map(),
            4 => self.assign_local(),
            5 => self.lock_region(),
            6 => self.await_stmt(),
            7 => self.choose(),
            8 => self.either(),
            9 => self.if_stmt(),
            10 if self.loops > 0 || (!in_atomic && self.rng.chance(20)) => self.spin_stmt(),
            10 => self.while_stmt(),
            11 => self.for_stmt(),
            12 => self.atomic_stmt(),
            13 => self.assert_stmt(),
            14 => self.line("return"),
            15 => self.line("skip"),
            16 => self.risky_sync(),
            _ => self.lock_pair(),
        }
    }

    fn let_stmt(&mut self) {
        let ty = self.any_ty();
        let value = if self.rng.chance(10 * self.k.shared_reads) {
            self.shared_leaf(ty).unwrap_or_else(|| self.expr(ty, 2))
        } else {
            self.expr(ty, 2)
        };
        let name = self.name("x");
        self.line(&format!("let {name} = {value}"));
        self.declare(name, ty, true, None);
    }

    fn any_ty(&mut self) -> Ty {
        let enum_w = if self.enums.is_empty() { 0 } else { 1 };
        match self.rng.weighted(&[2, 4, enum_w]) {
            0 => Ty::Bool,
            1 => Ty::Int,
            _ => Ty::Enum(self.rng.below(self.enums.len() as u64) as usize),
        }
    }

    fn assign_scalar(&mut self) {
        let vars: Vec<usize> = (0..self.vars.len())
            .filter(|&i| self.vars[i].key.is_none())
            .collect();
        let v = self.rng.pick(&vars);
        let value = self.value_for(self.vars[v].val);
        let name = self.vars[v].name.clone();
        self.line(&format!("{name} = {value}"));
    }

    fn assign_map(&mut self) {
        let maps: Vec<usize> = (0..self.vars.len())
            .filter(|&i| self.vars[i].key.is_some())
            .collect();
        let v = self.rng.pick(&maps);
        let key = self.key(self.vars[v].key.unwrap_or(Dom::Range(0, 1)), 1);
        let value = self.value_for(self.vars[v].val);
        let name = self.vars[v].name.clone();
        self.line(&format!("{name}[{key}] = {value}"));
    }

    fn assign_local(&mut self) {
        let locals: Vec<Local> = self.locals().filter(|l| l.assignable).cloned().collect();
        let l = self.rng.pick(&locals);
        let value = self.expr(l.ty, 2);
        self.line(&format!("{} = {value}", l.name));
    }

    /// A value to write into a location of type `val`: inside a range type unless risky.
    fn value_for(&mut self, val: Val) -> String {
        match val {
            Val::Range(lo, hi) => match self.rng.weighted(&[8, 4, self.k.risky / 2]) {
                0 => self.rng.between(lo, hi - 1).to_string(),
                1 => {
                    let e = paren(self.int_expr(1));
                    let span = hi - lo;
                    let wrapped = format!("({e} % {span} + {span}) % {span}");
                    if lo == 0 {
                        wrapped
                    } else {
                        format!("{lo} + {wrapped}")
                    }
                }
                _ => self.int_expr(2),
            },
            _ => self.expr(val.ty(), 2),
        }
    }

    /// The new value of a location of type `val` computed from its old value `x`.
    fn update(&mut self, val: Val, x: &str) -> String {
        match val {
            Val::Bool => format!("!{}", paren(x.to_string())),
            Val::Int => match self.rng.below(4) {
                0 => format!("{x} + 1"),
                1 => format!("{x} - 1"),
                2 => format!("{x} * 2"),
                _ => {
                    let y = paren(self.int_leaf(1));
                    format!("{x} + {y}")
                }
            },
            Val::Range(lo, hi) => {
                let span = hi - lo;
                if self.rng.chance(self.k.risky) {
                    format!("{x} + 1")
                } else if lo == 0 {
                    format!("({x} + 1) % {span}")
                } else {
                    format!("({x} - {lo} + 1) % {span} + {lo}")
                }
            }
            Val::Enum(e) => {
                let v = self.rng.below(self.enums[e].len() as u64) as usize;
                self.enums[e][v].clone()
            }
        }
    }

    /// A read-modify-write of a scalar or a map key: over two steps, in `atomic`, or in one
    /// statement.
    fn rmw(&mut self) {
        let v = self.rng.below(self.vars.len() as u64) as usize;
        let val = self.vars[v].val;
        let loc = match self.vars[v].key {
            None => self.vars[v].name.clone(),
            Some(d) => {
                let key = self.key(d, 0);
                format!("{}[{key}]", self.vars[v].name)
            }
        };
        let style = self.rng.weighted(&self.k.rmw);
        let style = if self.atomic > 0 && style == 1 {
            0
        } else {
            style
        };
        match style {
            0 | 1 => {
                if style == 1 {
                    self.line("atomic {");
                    self.indent += 1;
                    self.scopes.push(Vec::new());
                }
                let x = self.name("x");
                self.line(&format!("let {x} = {loc}"));
                self.declare(x.clone(), val.ty(), true, None);
                if let Val::Enum(e) = val {
                    let from = self.rng.below(self.enums[e].len() as u64) as usize;
                    let from = self.enums[e][from].clone();
                    let to = self.update(val, &x);
                    self.line(&format!("if {x} == {from} {{ {loc} = {to} }}"));
                } else {
                    let new = self.update(val, &x);
                    self.line(&format!("{loc} = {new}"));
                }
                if style == 1 {
                    self.scopes.pop();
                    self.indent -= 1;
                    self.line("}");
                }
            }
            _ => {
                let new = self.update(val, &loc);
                self.line(&format!("{loc} = {new}"));
            }
        }
    }

    /// Locks this task may take now: not held, not tainted, above those held when ordered.
    fn free_locks(&self) -> Vec<usize> {
        (0..self.locks)
            .filter(|&l| {
                !self.held.contains(&l)
                    && !self.tainted[l]
                    && (!self.k.ordered_locks || self.held.iter().all(|&h| h < l))
            })
            .collect()
    }

    /// `lock l`, a few statements, `unlock l` (rarely left out).
    fn lock_region(&mut self) {
        let free = self.free_locks();
        if free.is_empty() {
            self.assign_scalar_or_skip();
            return;
        }
        let l = self.rng.pick(&free);
        self.line(&format!("lock l{l}"));
        self.held.push(l);
        self.depth += 1;
        let n = self.rng.between(1, 3);
        for _ in 0..n {
            self.stmt();
        }
        self.depth -= 1;
        self.held.pop();
        if self.rng.chance(self.k.risky * 2) {
            self.tainted[l] = true;
        } else {
            self.line(&format!("unlock l{l}"));
        }
    }

    /// Two locks, taken in ascending order when the model orders its locks and in any order
    /// otherwise (a deadlock when another task takes them the other way), released in either
    /// order.
    fn lock_pair(&mut self) {
        let free = self.free_locks();
        if free.len() < 2 {
            self.lock_region();
            return;
        }
        let a = self.rng.pick(&free);
        let rest: Vec<usize> = free
            .into_iter()
            .filter(|&l| l != a && (!self.k.ordered_locks || l > a))
            .collect();
        if rest.is_empty() {
            self.lock_region();
            return;
        }
        let b = self.rng.pick(&rest);
        self.depth += 1;
        self.line(&format!("lock l{a}"));
        self.held.push(a);
        if self.rng.chance(60) {
            self.stmt();
        }
        self.line(&format!("lock l{b}"));
        self.held.push(b);
        let n = self.rng.between(1, 2);
        for _ in 0..n {
            self.stmt();
        }
        self.held.pop();
        self.held.pop();
        if self.rng.chance(70) {
            self.line(&format!("unlock l{b}"));
            self.line(&format!("unlock l{a}"));
        } else {
            self.line(&format!("unlock l{a}"));
            self.line(&format!("unlock l{b}"));
        }
        self.depth -= 1;
    }

    fn assign_scalar_or_skip(&mut self) {
        if self.vars.iter().any(|v| v.key.is_none()) {
            self.assign_scalar();
        } else {
            self.line("skip");
        }
    }

    /// A lock or unlock that may be a model error, or a blocking statement late in an atomic.
    fn risky_sync(&mut self) {
        if self.atomic > 0 {
            if self.locks > 0 && self.rng.chance(50) {
                let free = self.free_locks();
                if let Some(&l) = free.first() {
                    // May block (a model error in an atomic), and is released in the block.
                    self.line(&format!("lock l{l}"));
                    self.line(&format!("unlock l{l}"));
                    return;
                }
            }
            let c = self.await_cond();
            self.line(&format!("await {c}"));
            return;
        }
        if self.locks == 0 {
            self.await_stmt();
            return;
        }
        if let Some(&l) = self.held.last() {
            // Taking a lock it holds.
            self.line(&format!("lock l{l}"));
        } else {
            let l = self.rng.below(self.locks as u64) as usize;
            if self.tainted[l] {
                self.line("skip");
            } else {
                // Releasing a lock it does not hold.
                self.line(&format!("unlock l{l}"));
            }
        }
    }

    fn await_cond(&mut self) -> String {
        if self.rng.chance(15) {
            return self.bool_expr(1);
        }
        let scalars: Vec<usize> = (0..self.vars.len())
            .filter(|&i| self.vars[i].key.is_none())
            .collect();
        if scalars.is_empty() {
            return self.bool_expr(1);
        }
        let v = self.rng.pick(&scalars);
        let name = self.vars[v].name.clone();
        match self.vars[v].val {
            Val::Bool => {
                if self.rng.chance(50) {
                    name
                } else {
                    format!("!{name}")
                }
            }
            Val::Int | Val::Range(..) => {
                let op = self.rng.pick(&[">=", "<=", "!=", "=="]);
                let c = self.rng.between(0, 2);
                format!("{name} {op} {c}")
            }
            Val::Enum(e) => {
                let w = self.rng.below(self.enums[e].len() as u64) as usize;
                let op = self.rng.pick(&["==", "!="]);
                format!("{name} {op} {}", self.enums[e][w])
            }
        }
    }

    fn await_stmt(&mut self) {
        let c = self.await_cond();
        self.line(&format!("await {c}"));
    }

    /// A small domain for `choose` or `for`: its text and bounds (`None` bounds: an enum).
    fn domain(&mut self, for_loop: bool) -> (String, Ty, Option<(i64, i64)>) {
        let ranges: Vec<usize> = (0..self.vars.len())
            .filter(|&i| {
                self.vars[i].key.is_none()
                    && matches!(self.vars[i].val, Val::Range(lo, _) if lo >= 0)
            })
            .collect();
        let map_doms: Vec<Dom> = self.vars.iter().filter_map(|v| v.key).collect();
        let enum_w = if self.enums.is_empty() { 0 } else { 2 };
        let shared_w = if ranges.is_empty() { 0 } else { 1 };
        let maps_w = if map_doms.is_empty() { 0 } else { 2 };
        match self.rng.weighted(&[5, enum_w, shared_w, maps_w]) {
            0 => {
                let (lo, hi, text) = self.rng.pick(&[
                    (0, 2, "0..2"),
                    (0, 2, "0..=1"),
                    (0, 3, "0..3"),
                    (-1, 2, "-1..=1"),
                    (1, 3, "1..3"),
                ]);
                (text.to_string(), Ty::Int, Some((lo, hi)))
            }
            1 => {
                let e = self.rng.below(self.enums.len() as u64) as usize;
                (format!("E{e}"), Ty::Enum(e), None)
            }
            2 => {
                let v = self.rng.pick(&ranges);
                let Val::Range(_, hi) = self.vars[v].val else {
                    unreachable!()
                };
                let name = self.vars[v].name.clone();
                // Bounds that read shared state; `0..s` is empty (a model error for a choose)
                // when s is 0.
                if !for_loop && !self.rng.chance(self.k.risky * 3) {
                    (format!("0..{name} + 1"), Ty::Int, Some((0, hi)))
                } else {
                    (format!("0..{name}"), Ty::Int, Some((0, hi - 1)))
                }
            }
            _ => match self.rng.pick(&map_doms) {
                Dom::Range(lo, hi) => (format!("{lo}..{hi}"), Ty::Int, Some((lo, hi))),
                Dom::Enum(e) => (format!("E{e}"), Ty::Enum(e), None),
            },
        }
    }

    fn choose(&mut self) {
        let (text, ty, bounds) = self.domain(false);
        let name = self.name("c");
        self.line(&format!("choose {name} in {text}"));
        // A choose variable is assignable, but assigning it would void its bounds as a key.
        let assignable = self.k.risky > 0 && bounds.is_none() || self.rng.chance(self.k.risky);
        self.declare(name, ty, assignable, bounds);
    }

    fn either(&mut self) {
        self.line("either {");
        self.small_block();
        let n = if self.rng.chance(20) { 2 } else { 1 };
        for _ in 0..n {
            self.line("} or {");
            if self.rng.chance(25) {
                self.indent += 1;
                self.line("skip");
                self.indent -= 1;
            } else {
                self.small_block();
            }
        }
        self.line("}");
    }

    fn cond(&mut self) -> String {
        if self.rng.chance(8 * self.k.shared_reads) {
            self.bool_expr(2)
        } else {
            self.local_bool()
        }
    }

    /// A condition over locals when there are some.
    fn local_bool(&mut self) -> String {
        let locals: Vec<Local> = self.locals().cloned().collect();
        if locals.is_empty() {
            return self.bool_expr(2);
        }
        let l = self.rng.pick(&locals);
        match l.ty {
            Ty::Bool => l.name,
            Ty::Int => {
                let op = self.rng.pick(&CMP);
                let c = self.rng.between(0, 2);
                format!("{} {op} {c}", l.name)
            }
            Ty::Enum(e) => {
                let w = self.rng.below(self.enums[e].len() as u64) as usize;
                format!("{} == {}", l.name, self.enums[e][w])
            }
        }
    }

    fn if_stmt(&mut self) {
        let c = self.cond();
        self.line(&format!("if {c} {{"));
        self.small_block();
        if self.rng.chance(20) {
            let c = self.cond();
            self.line(&format!("}} else if {c} {{"));
            self.small_block();
        }
        if self.rng.chance(50) {
            self.line("} else {");
            self.small_block();
        }
        self.line("}");
    }

    fn while_stmt(&mut self) {
        let w = self.name("w");
        let bound = self.rng.between(1, 2);
        self.line(&format!("let {w} = 0"));
        self.declare(w.clone(), Ty::Int, false, None);
        let cond = if self.rng.chance(25) {
            format!("{w} < {bound}")
        } else {
            let c = self.cond();
            format!("{w} < {bound} && {}", paren(c))
        };
        self.line(&format!("while {cond} {{"));
        self.loops += 1;
        self.scopes.push(Vec::new());
        self.indent += 1;
        self.depth += 1;
        let n = self.rng.between(1, 2);
        for _ in 0..n {
            self.stmt();
        }
        self.line(&format!("{w} = {w} + 1"));
        self.depth -= 1;
        self.indent -= 1;
        self.scopes.pop();
        self.loops -= 1;
        self.line("}");
    }

    /// A `while` without a counter, each round one read of shared state (a round touching none
    /// would be a local loop, a model error): a cycle of states while its condition holds.
    fn spin_stmt(&mut self) {
        let Some(read) = self
            .shared_leaf(Ty::Int)
            .or_else(|| self.shared_leaf(Ty::Bool))
        else {
            return self.line("skip");
        };
        let cond = self.cond();
        let v = self.name("spin");
        self.line(&format!("while {cond} {{"));
        self.indent += 1;
        self.line(&format!("let {v} = {read}"));
        self.indent -= 1;
        self.line("}");
    }

    fn for_stmt(&mut self) {
        let (text, ty, bounds) = self.domain(true);
        let k = self.name("k");
        self.line(&format!("for {k} in {text} {{"));
        self.loops += 1;
        self.scopes.push(vec![Local {
            name: k,
            ty,
            assignable: false,
            bounds,
        }]);
        self.small_block();
        self.scopes.pop();
        self.loops -= 1;
        self.line("}");
    }

    fn atomic_stmt(&mut self) {
        self.line("atomic {");
        self.indent += 1;
        self.scopes.push(Vec::new());
        self.atomic += 1;
        self.depth += 1;
        let mut release = None;
        match self.rng.below(10) {
            0 | 1 if self.locks > 0 => {
                let free = self.free_locks();
                if !free.is_empty() {
                    let l = self.rng.pick(&free);
                    self.line(&format!("lock l{l}"));
                    self.held.push(l);
                    release = Some(l);
                }
            }
            2 if self.k.await_w > 0 => {
                let c = self.await_cond();
                self.line(&format!("await {c}"));
            }
            _ => {}
        }
        let n = self.rng.between(1, 3);
        for _ in 0..n {
            self.stmt();
        }
        if let Some(l) = release {
            self.held.pop();
            if self.rng.chance(85) {
                self.line(&format!("unlock l{l}"));
            } else {
                self.tainted[l] = true;
            }
        }
        self.depth -= 1;
        self.atomic -= 1;
        self.scopes.pop();
        self.indent -= 1;
        self.line("}");
    }

    fn assert_stmt(&mut self) {
        let c = match self.rng.below(10) {
            // Mostly true: one of two conditions, or a bound of a bounded local.
            0..=2 => {
                let (a, b) = (self.cond(), self.cond());
                format!("{} || {}", paren(a), paren(b))
            }
            3..=4 => {
                let bounded: Vec<(String, (i64, i64))> = self
                    .locals()
                    .filter_map(|l| l.bounds.map(|b| (l.name.clone(), b)))
                    .collect();
                if bounded.is_empty() {
                    self.cond()
                } else {
                    let (x, (lo, hi)) = self.rng.pick(&bounded);
                    if self.rng.chance(50) {
                        format!("{x} >= {lo}")
                    } else {
                        format!("{x} < {hi}")
                    }
                }
            }
            _ => self.cond(),
        };
        if self.rng.chance(40) {
            let n = self.fresh;
            self.line(&format!("assert {c}, \"check {n}\""));
        } else {
            self.line(&format!("assert {c}"));
        }
    }

    // ---- expressions ----

    fn expr(&mut self, ty: Ty, d: u32) -> String {
        match ty {
            Ty::Bool => self.bool_expr(d),
            Ty::Int => self.int_expr(d),
            Ty::Enum(e) => self.enum_leaf(e, d),
        }
    }

    fn literal(&mut self, ty: Ty) -> String {
        match ty {
            Ty::Bool => self.rng.pick(&["true", "false"]).to_string(),
            Ty::Int => {
                if self.rng.chance(10) {
                    "-1".into()
                } else {
                    self.rng.between(0, self.cfg.max_literal).to_string()
                }
            }
            Ty::Enum(e) => {
                let w = self.rng.below(self.enums[e].len() as u64) as usize;
                self.enums[e][w].clone()
            }
        }
    }

    /// A read of a shared scalar or map of type `ty`, if there is one.
    fn shared_leaf(&mut self, ty: Ty) -> Option<String> {
        let vars: Vec<usize> = (0..self.vars.len())
            .filter(|&i| self.vars[i].val.ty() == ty)
            .collect();
        if vars.is_empty() {
            return None;
        }
        let v = self.rng.pick(&vars);
        Some(match self.vars[v].key {
            None => self.vars[v].name.clone(),
            Some(d) => {
                let key = self.key(d, 0);
                format!("{}[{key}]", self.vars[v].name)
            }
        })
    }

    /// A literal, a local, a shared scalar, or a map read, of type `ty`.
    fn leaf(&mut self, ty: Ty, d: u32) -> String {
        let locals: Vec<String> = self
            .locals()
            .filter(|l| l.ty == ty)
            .map(|l| l.name.clone())
            .collect();
        let scalars: Vec<usize> = (0..self.vars.len())
            .filter(|&i| self.vars[i].key.is_none() && self.vars[i].val.ty() == ty)
            .collect();
        let maps: Vec<usize> = (0..self.vars.len())
            .filter(|&i| self.vars[i].key.is_some() && self.vars[i].val.ty() == ty)
            .collect();
        let w = [
            3,
            if locals.is_empty() { 0 } else { 4 },
            if scalars.is_empty() {
                0
            } else {
                self.k.shared_reads
            },
            if maps.is_empty() || d == 0 {
                0
            } else {
                self.k.shared_reads
            },
        ];
        match self.rng.weighted(&w) {
            0 => self.literal(ty),
            1 => self.rng.pick(&locals),
            2 => {
                let v = self.rng.pick(&scalars);
                self.vars[v].name.clone()
            }
            _ => {
                let v = self.rng.pick(&maps);
                let key = self.key(self.vars[v].key.unwrap_or(Dom::Range(0, 1)), d - 1);
                format!("{}[{key}]", self.vars[v].name)
            }
        }
    }

    fn int_leaf(&mut self, d: u32) -> String {
        self.leaf(Ty::Int, d)
    }

    /// An int leaf that is not a literal, if there is one (so that a risky operation is not
    /// decided by constants alone).
    fn int_var(&mut self, d: u32) -> Option<String> {
        for _ in 0..4 {
            let s = self.leaf(Ty::Int, d);
            if s.parse::<i64>().is_err() {
                return Some(s);
            }
        }
        None
    }

    fn enum_leaf(&mut self, e: usize, d: u32) -> String {
        self.leaf(Ty::Enum(e), d)
    }

    fn int_expr(&mut self, d: u32) -> String {
        if d == 0 || self.rng.chance(40) {
            return self.int_leaf(d);
        }
        let risky = self.rng.chance(self.k.risky);
        match self
            .rng
            .weighted(&[4, 3, 1, 1, 1, u32::from(risky), u32::from(risky)])
        {
            0 => {
                let (a, b) = (self.int_expr(d - 1), self.int_expr(d - 1));
                format!("{} + {}", paren(a), paren(b))
            }
            1 => {
                let (a, b) = (self.int_expr(d - 1), self.int_expr(d - 1));
                format!("{} - {}", paren(a), paren(b))
            }
            2 => {
                let a = self.int_expr(d - 1);
                let c = self.rng.between(0, 2);
                format!("{} * {c}", paren(a))
            }
            3 => {
                let a = self.int_expr(d - 1);
                let (op, c) = self
                    .rng
                    .pick(&[("/", 2), ("/", 3), ("/", -2), ("%", 2), ("%", 3)]);
                let c = if c < 0 {
                    format!("({c})")
                } else {
                    c.to_string()
                };
                format!("{} {op} {c}", paren(a))
            }
            4 => {
                let a = self.int_leaf(d - 1);
                format!("-{}", paren(a))
            }
            5 => {
                // A division by a value that may be zero.
                let a = self.int_expr(d - 1);
                match self.int_var(d - 1) {
                    Some(b) => {
                        let op = self.rng.pick(&["/", "%"]);
                        format!("{} {op} {}", paren(a), paren(b))
                    }
                    None => a,
                }
            }
            _ => {
                // A product that overflows unless the value is in -2..=1.
                match self.int_var(d - 1) {
                    Some(a) => format!("{} * 4611686018427387904", paren(a)),
                    None => self.int_leaf(d - 1),
                }
            }
        }
    }

    fn bool_expr(&mut self, d: u32) -> String {
        if d == 0 || self.rng.chance(25) {
            return self.leaf(Ty::Bool, d);
        }
        let enum_w = if self.enums.is_empty() { 0 } else { 2 };
        match self.rng.weighted(&[5, enum_w, 1, 2, 2, 1]) {
            0 => {
                let op = self.rng.pick(&CMP);
                let (a, b) = (self.int_expr(d - 1), self.int_expr(d - 1));
                format!("{} {op} {}", paren(a), paren(b))
            }
            1 => {
                let e = self.rng.below(self.enums.len() as u64) as usize;
                let op = self.rng.pick(&["==", "!="]);
                let a = self.enum_leaf(e, d - 1);
                let b = self.enum_leaf(e, d - 1);
                format!("{a} {op} {b}")
            }
            2 => {
                let a = self.bool_expr(d - 1);
                format!("!{}", paren(a))
            }
            3 => {
                let (a, b) = (self.bool_expr(d - 1), self.bool_expr(d - 1));
                format!("{} && {}", paren(a), paren(b))
            }
            4 => {
                let (a, b) = (self.bool_expr(d - 1), self.bool_expr(d - 1));
                format!("{} || {}", paren(a), paren(b))
            }
            _ => {
                let (a, b) = (self.bool_expr(d - 1), self.bool_expr(d - 1));
                let op = self.rng.pick(&["==", "!="]);
                format!("{} {op} {}", paren(a), paren(b))
            }
        }
    }

    /// A key of a map over `dom`: in the domain, unless risky.
    fn key(&mut self, dom: Dom, d: u32) -> String {
        match dom {
            Dom::Enum(e) => self.enum_leaf(e, d),
            Dom::Range(lo, hi) => {
                let inside: Vec<String> = self
                    .locals()
                    .filter(|l| l.ty == Ty::Int)
                    .filter(|l| l.bounds.is_some_and(|(a, b)| lo <= a && b <= hi))
                    .map(|l| l.name.clone())
                    .collect();
                let nonneg: Vec<String> = self
                    .locals()
                    .filter(|l| l.bounds.is_some_and(|(a, _)| a >= 0))
                    .map(|l| l.name.clone())
                    .collect();
                let shared: Vec<String> = self
                    .vars
                    .iter()
                    .filter(|v| {
                        v.key.is_none() && matches!(v.val, Val::Range(a, b) if lo <= a && b <= hi)
                    })
                    .map(|v| v.name.clone())
                    .collect();
                let risky = self.rng.chance(self.k.risky);
                let w = [
                    3,
                    if inside.is_empty() { 0 } else { 4 },
                    if shared.is_empty() { 0 } else { 2 },
                    if nonneg.is_empty() || lo != 0 { 0 } else { 2 },
                    u32::from(risky),
                ];
                match self.rng.weighted(&w) {
                    0 => self.rng.between(lo, hi - 1).to_string(),
                    1 => self.rng.pick(&inside),
                    2 => self.rng.pick(&shared),
                    3 => {
                        let x = self.rng.pick(&nonneg);
                        let c = self.rng.between(0, hi - 1);
                        format!("({x} + {c}) % {hi}")
                    }
                    _ => match self.int_var(d) {
                        // Any int: often outside the domain.
                        Some(x) => x,
                        None => self.rng.between(lo, hi - 1).to_string(),
                    },
                }
            }
        }
    }
}
