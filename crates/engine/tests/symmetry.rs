//! The differential test of symmetry reduction (`fast::symmetry`): on random small models built
//! around an indexed task family whose instances are interchangeable (`task w[i in 0..K]` that
//! uses `i` only as the key of its own slots `m[i]`), every explorer that merges symmetric states
//! gives the reference explorer's verdict and schedule, and the parallel and compact explorers
//! the sequential one's figures too. `check` searches again without reduction once a reduced
//! search found a violation, which would hide a violation made up by merging states: so the
//! reduced searches are also run alone, and must find a violation exactly when there is one.
//!
//! A quarter of the models break the symmetry of the family on purpose (the index used as a
//! value or in a condition, another key of its maps, an invariant over them, a map wider than the
//! family, a second family keying the same map): their verdicts agree all the same, and merging
//! must not apply at all (the states stored are those without it). Some models have a second
//! symmetric family beside the first.
//!
//! The generator here is its own (`gen::model`'s indexed tasks seldom keep to their own slots):
//! the scalars and locks the instances share make them interact, so that partial-order reduction
//! alone cannot collapse them and the merging of symmetric states shows.
//!
//! `cargo test` runs 200 models. A longer run asks for more:
//!
//! ```sh
//! MIGCHECK_SYM_MODELS=5000 cargo test --release -p migcheck-engine --test symmetry
//! ```
//!
//! A failure prints the seed and the model.

use std::collections::BTreeMap;

use migcheck_engine::explore::Found;
use migcheck_engine::{check, fast, parallel, Explorer, Options, Outcome, Verdict};

/// The seeds of a run: `0..MIGCHECK_SYM_MODELS` (200 unless set).
fn seeds() -> std::ops::Range<u64> {
    let n = std::env::var("MIGCHECK_SYM_MODELS")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(200);
    0..n
}

/// The state budget of one model.
const BUDGET: u64 = 20_000;

// ---- the generator ----

/// splitmix64: the generator's only source of randomness, so a seed always gives the same model.
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
        self.next() % n.max(1)
    }

    /// A number in `lo..=hi`.
    fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }

    fn chance(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }

    /// An index drawn with the given weights.
    fn weighted(&mut self, weights: &[u64]) -> usize {
        let mut r = self.below(weights.iter().sum());
        for (i, &w) in weights.iter().enumerate() {
            if r < w {
                return i;
            }
            r -= w;
        }
        unreachable!("the weights are not all zero")
    }

    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len() as u64) as usize]
    }
}

/// The type of a shared variable or of a map's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Int,
    /// `0..=hi`.
    Range(i64),
    Bool,
    Mode,
}

/// The type of an expression (a range's values are ints).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Bool,
    Mode,
}

impl Ty {
    fn kind(self) -> Kind {
        match self {
            Ty::Int | Ty::Range(_) => Kind::Int,
            Ty::Bool => Kind::Bool,
            Ty::Mode => Kind::Mode,
        }
    }

    fn text(self) -> String {
        match self {
            Ty::Int => "int".into(),
            Ty::Range(hi) => format!("0..={hi}"),
            Ty::Bool => "bool".into(),
            Ty::Mode => "Mode".into(),
        }
    }
}

/// The one enum of every model.
const VARIANTS: [&str; 3] = ["idle", "busy", "done"];

/// How a model's symmetry is broken, if it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Break {
    /// `m[i] = i`: the index is a value.
    IndexAsValue,
    /// `x = i`.
    IndexToScalar,
    /// `if i == 0 { ... }`.
    IndexInCondition,
    /// A task reads or writes the map at a constant key (`m[0]`).
    ConstantKey,
    /// An invariant reads `m[0]`.
    PropertyOnMap,
    /// The map has one key more than the family has instances.
    WiderMap,
    /// A second family keys the map with its own index.
    SharedMap,
}

const BREAKS: [Break; 7] = [
    Break::IndexAsValue,
    Break::IndexToScalar,
    Break::IndexInCondition,
    Break::ConstantKey,
    Break::PropertyOnMap,
    Break::WiderMap,
    Break::SharedMap,
];

/// A generated model.
struct Generated {
    text: String,
    /// How the symmetry of its first family is broken, if it is.
    broken: Option<Break>,
    /// Some family is symmetric: the first, or a second one that the break leaves alone.
    symmetric: bool,
}

/// Per-model tendencies, drawn from the seed, so that every verdict occurs over many seeds.
struct Knobs {
    /// No assertions, final properties or risky sites, scalars often `last_writer_wins`: models
    /// that are mostly ok, where the whole space is searched (and reduced).
    careful: bool,
    /// Percent of scalar read-modify-writes written over two steps (lost updates).
    two_step: u64,
    /// Percent of risky sites written risky: writes that may leave a range, a lock left held or
    /// taken twice (model errors, deadlocks).
    risky: u64,
    /// The plain tasks take two locks in the order opposite to the family's (deadlocks).
    reversed_locks: bool,
    await_w: u64,
    lock_w: u64,
    assert_w: u64,
}

#[derive(Clone)]
struct Var {
    name: String,
    ty: Ty,
}

#[derive(Clone)]
struct Local {
    name: String,
    kind: Kind,
    /// An int known to be in `0..=1` (a `choose` over `0..2`): safe to write into any range.
    small: bool,
}

/// The statements a generated body may hold where it is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Anywhere in a task.
    Free,
    /// Between a `lock` and its `unlock`: no lock statements (no lock is taken twice unless on
    /// purpose).
    Locked,
    /// Inside `atomic`: simple statements only (a later statement that blocks is a model error).
    Atomic,
}

struct Gen {
    rng: Rng,
    k: Knobs,
    /// The instances of a family (both families have as many); the text of its index range, of
    /// its maps' key domain, and of that domain with one key more (for [`Break::WiderMap`]).
    instances: i64,
    first: i64,
    range: String,
    domain: String,
    wider: String,
    /// `const K = ...` when the family's size is a constant.
    consts: Option<String>,
    scalars: Vec<Var>,
    /// The type of `m0`, the first family's first map (the one the breaks use).
    m0: Ty,
    locks: usize,
    /// How many plain (not indexed) tasks follow the families.
    plain: i64,
    broken: Option<Break>,
    // Per task:
    locals: Vec<Local>,
    /// In a family's body: its index and the maps it keys with it (`m[i]`).
    index: &'static str,
    own: Vec<Var>,
    fresh: u32,
    indent: usize,
    out: String,
}

/// The model of `seed`.
fn model(seed: u64) -> Generated {
    Gen::new(seed).generate(seed)
}

impl Gen {
    fn new(seed: u64) -> Gen {
        let mut rng = Rng(seed ^ 0x7379_6D6D_6574_7279);
        let careful = rng.chance(40);
        let k = if careful {
            Knobs {
                careful,
                two_step: 0,
                risky: 0,
                reversed_locks: false,
                await_w: rng.pick(&[0, 1]),
                lock_w: rng.pick(&[0, 2, 4]),
                assert_w: 0,
            }
        } else {
            Knobs {
                careful,
                two_step: rng.pick(&[0, 0, 20, 60]),
                risky: rng.pick(&[0, 0, 0, 5, 15]),
                reversed_locks: rng.chance(40),
                await_w: rng.pick(&[0, 1, 3]),
                lock_w: rng.pick(&[0, 2, 4]),
                assert_w: rng.pick(&[0, 0, 1, 2]),
            }
        };
        let instances = rng.between(2, 3);
        let first = rng.pick(&[0, 0, 0, 1]);
        let consts = rng.chance(40).then(|| format!("const K = {instances}"));
        let end = match (&consts, first) {
            (Some(_), 0) => "K".to_string(),
            (Some(_), _) => format!("K + {first}"),
            (None, _) => (first + instances).to_string(),
        };
        let (open, closed) = (format!("{first}..{end}"), format!("{first}..={end} - 1"));
        let range = if rng.chance(50) { &open } else { &closed }.clone();
        let domain = if rng.chance(50) { open } else { closed };
        let wider = format!("{first}..={end}");
        Gen {
            rng,
            k,
            instances,
            first,
            range,
            domain,
            wider,
            consts,
            scalars: Vec::new(),
            m0: Ty::Int,
            locks: 0,
            plain: 0,
            broken: None,
            locals: Vec::new(),
            index: "",
            own: Vec::new(),
            fresh: 0,
            indent: 0,
            out: String::new(),
        }
    }

    fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn generate(mut self, seed: u64) -> Generated {
        self.line(&format!("model sym{seed}"));
        if let Some(c) = self.consts.clone() {
            self.line(&c);
        }
        self.line(&format!("enum Mode {{ {} }}", VARIANTS.join(", ")));
        if self.rng.chance(25) {
            self.broken = Some(self.rng.pick(&BREAKS));
        }
        for s in 0..self.rng.between(1, 3) {
            let ty = self.rng.pick(&[Ty::Int, Ty::Range(3), Ty::Bool]);
            let init = if ty == Ty::Bool { "false" } else { "0" };
            let lww = if self.k.careful && self.rng.chance(60) {
                " last_writer_wins"
            } else {
                ""
            };
            self.line(&format!("shared x{s}: {} = {init}{lww}", ty.text()));
            self.scalars.push(Var {
                name: format!("x{s}"),
                ty,
            });
        }
        let maps: Vec<Var> = (0..self.rng.between(1, 2))
            .map(|m| {
                let wider = m == 0 && self.broken == Some(Break::WiderMap);
                self.map(&format!("m{m}"), wider)
            })
            .collect();
        self.m0 = maps[0].ty;
        // A second family, with a map of its own or none; or keying the first one's.
        let second = if self.broken == Some(Break::SharedMap) {
            Some(vec![maps[0].clone()])
        } else if self.instances == 2 && self.rng.chance(45) {
            Some(if self.rng.chance(60) {
                vec![self.map("n0", false)]
            } else {
                Vec::new()
            })
        } else {
            None
        };
        self.locks = self.rng.between(0, 2) as usize;
        for l in 0..self.locks {
            self.line(&format!("lock L{l}"));
        }
        self.out.push('\n');
        // Fewer tasks beside a second family, and a shorter body for it, so that the state
        // spaces mostly fit the budget.
        self.plain = self.rng.between(0, if second.is_some() { 1 } else { 2 });
        self.family_task("w", "i", maps);
        if let Some(maps) = second.clone() {
            self.family_task("u", "j", maps);
        }
        for p in 0..self.plain {
            self.plain_task(p);
        }
        self.properties();
        let symmetric =
            self.broken.is_none() || second.is_some() && self.broken != Some(Break::SharedMap);
        Generated {
            text: self.out,
            broken: self.broken,
            symmetric,
        }
    }

    /// Declares map `name` over the families' indices (one more when `wider`), the same value in
    /// every slot.
    fn map(&mut self, name: &str, wider: bool) -> Var {
        let ty = self
            .rng
            .pick(&[Ty::Range(2), Ty::Range(2), Ty::Bool, Ty::Mode]);
        let init = match ty {
            Ty::Bool => "false".to_string(),
            Ty::Mode => "idle".to_string(),
            // A list of equal values is as uniform as one value (a wider map would need one more).
            _ if !wider && self.rng.chance(20) => {
                format!("[{}]", vec!["0"; self.instances as usize].join(", "))
            }
            _ => "0".to_string(),
        };
        let domain = if wider { &self.wider } else { &self.domain };
        let text = format!("shared {name}: map[{domain}] {} = {init}", ty.text());
        self.line(&text);
        Var {
            name: name.into(),
            ty,
        }
    }

    /// The family `task name[index in range]` over `maps`; the first one (`w`) holds the
    /// statement that breaks the symmetry, if any.
    fn family_task(&mut self, name: &str, index: &'static str, maps: Vec<Var>) {
        (self.index, self.own) = (index, maps);
        self.locals.clear();
        self.line(&format!("task {name}[{index} in {}] {{", self.range));
        self.indent += 1;
        let breaks_map = matches!(
            self.broken,
            Some(Break::ConstantKey | Break::PropertyOnMap | Break::WiderMap | Break::SharedMap)
        );
        if breaks_map && (index == "i" || self.broken == Some(Break::SharedMap)) {
            // The family must key the map with its index for the break to matter.
            self.line(&format!("let own = m0[{index}]"));
            self.declare("own", self.m0.kind(), false);
        }
        let n = if index == "i" {
            self.rng.between(2, 5)
        } else {
            self.rng.between(1, 3)
        };
        let at = (index == "i").then(|| self.rng.between(0, n));
        for s in 0..=n {
            if Some(s) == at {
                self.break_in_family();
            }
            if s < n {
                self.stmt(0, Place::Free);
            }
        }
        self.indent -= 1;
        self.line("}");
        self.out.push('\n');
        (self.index, self.own) = ("", Vec::new());
    }

    /// The statement of the family that breaks its symmetry, if that is how it is broken.
    fn break_in_family(&mut self) {
        match self.broken {
            Some(Break::IndexAsValue) => {
                match self.own.iter().find(|m| matches!(m.ty, Ty::Range(_))) {
                    // Out of the range for `i == 3` (a model error): still a fine model.
                    Some(m) => {
                        let text = format!("{}[i] = i", m.name);
                        self.line(&text);
                    }
                    None => self.broken = Some(Break::IndexToScalar),
                }
            }
            Some(Break::IndexInCondition) => {
                self.line(&format!("if i == {} {{", self.first));
                self.block(1, Place::Free, 1);
                self.line("}");
            }
            // The plain task p0 reads `m0[first]`; without it, the family writes another key.
            Some(Break::ConstantKey) if self.plain == 0 || self.rng.chance(50) => {
                let text = match self.m0 {
                    Ty::Bool => "m0[__] = true",
                    Ty::Mode => "m0[__] = busy",
                    _ => "m0[__] = 1",
                };
                let key = self.first + self.instances - 1;
                self.line(&text.replace("__", &key.to_string()));
            }
            _ => {}
        }
        if self.broken == Some(Break::IndexToScalar) {
            match self.scalars.iter().find(|x| x.ty != Ty::Bool) {
                Some(x) => {
                    let text = format!("{} = i", x.name);
                    self.line(&text);
                }
                None => {
                    self.broken = Some(Break::IndexInCondition);
                    self.break_in_family();
                }
            }
        }
    }

    fn plain_task(&mut self, p: i64) {
        self.locals.clear();
        self.line(&format!("task p{p} {{"));
        self.indent += 1;
        if self.broken == Some(Break::ConstantKey) && p == 0 {
            self.line(&format!("let b = m0[{}]", self.first));
            self.declare("b", self.m0.kind(), false);
        }
        for _ in 0..self.rng.between(1, 3) {
            self.stmt(0, Place::Free);
        }
        self.indent -= 1;
        self.line("}");
        self.out.push('\n');
    }

    fn properties(&mut self) {
        self.locals.clear();
        for n in 0..self.rng.pick(&[0, 0, 0, 1, 2]) {
            let cond = self.fact();
            self.line(&format!("invariant inv{n}: {cond}"));
        }
        let finals = if self.k.careful {
            0
        } else {
            self.rng.pick(&[0, 0, 1, 2])
        };
        for n in 0..finals {
            let cond = self.cond();
            self.line(&format!("final fin{n}: {cond}"));
        }
        if self.broken == Some(Break::PropertyOnMap) {
            let cond = match self.m0 {
                Ty::Bool => "!m0[__]".to_string(),
                Ty::Mode => format!("m0[__] != {}", self.rng.pick(&["busy", "done"])),
                _ => format!("m0[__] <= {}", self.rng.between(1, 2)),
            };
            let key = self.first.to_string();
            self.line(&format!("invariant on_map: {}", cond.replace("__", &key)));
        }
    }

    // ---- statements ----

    fn fresh(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}{}", self.fresh)
    }

    fn declare(&mut self, name: &str, kind: Kind, small: bool) {
        self.locals.push(Local {
            name: name.into(),
            kind,
            small,
        });
    }

    /// A block of `1..=n` statements, in a scope of its own.
    fn block(&mut self, depth: u32, place: Place, n: i64) {
        let scope = self.locals.len();
        self.indent += 1;
        for _ in 0..self.rng.between(1, n) {
            self.stmt(depth, place);
        }
        self.indent -= 1;
        self.locals.truncate(scope);
    }

    fn stmt(&mut self, depth: u32, place: Place) {
        let maps = if self.own.is_empty() { 0 } else { 4 };
        let lock = if place == Place::Free && self.locks > 0 {
            self.k.lock_w
        } else {
            0
        };
        let wait = if place == Place::Atomic {
            0
        } else {
            self.k.await_w
        };
        let nest = u64::from(depth < 2);
        let nest_outside = u64::from(depth < 2 && place != Place::Atomic);
        let weights = [
            maps,             // read own slot
            maps,             // write own slot
            3,                // read a scalar
            4,                // write a scalar
            lock,             // lock ... unlock
            wait,             // await
            1,                // choose
            nest,             // either
            2 * nest,         // if
            nest_outside,     // while
            2 * nest_outside, // atomic
            self.k.assert_w,  // assert
        ];
        match self.rng.weighted(&weights) {
            0 => {
                let m = self.rng.below(self.own.len() as u64) as usize;
                let v = self.fresh("v");
                let text = format!("let {v} = {}[{}]", self.own[m].name, self.index);
                self.line(&text);
                self.declare(&v, self.own[m].ty.kind(), false);
            }
            1 => {
                let m = self.rng.below(self.own.len() as u64) as usize;
                let (name, ty) = (self.own[m].name.clone(), self.own[m].ty);
                let slot = format!("{name}[{}]", self.index);
                let value = if matches!(ty, Ty::Range(_)) && self.rng.chance(30) {
                    // A one-step increment: over the range once repeated (a model error).
                    format!("{slot} + 1")
                } else {
                    self.value(ty)
                };
                self.line(&format!("{slot} = {value}"));
            }
            2 => {
                let x = self.rng.below(self.scalars.len() as u64) as usize;
                let t = self.fresh("t");
                let text = format!("let {t} = {}", self.scalars[x].name);
                self.line(&text);
                self.declare(&t, self.scalars[x].ty.kind(), false);
            }
            3 => self.write_scalar(place),
            4 => self.locked(depth),
            5 => {
                let cond = self.cond();
                self.line(&format!("await {cond}"));
            }
            6 => {
                let c = self.fresh("c");
                if self.rng.chance(20) {
                    self.line(&format!("choose {c} in Mode"));
                    self.declare(&c, Kind::Mode, false);
                } else {
                    self.line(&format!("choose {c} in 0..2"));
                    self.declare(&c, Kind::Int, true);
                }
            }
            7 => {
                self.line("either {");
                self.block(depth + 1, place, 2);
                for _ in 0..self.rng.between(1, 2) {
                    self.line("} or {");
                    self.block(depth + 1, place, 2);
                }
                self.line("}");
            }
            8 => {
                let cond = self.cond();
                self.line(&format!("if {cond} {{"));
                self.block(depth + 1, place, 2);
                if self.rng.chance(50) {
                    self.line("} else {");
                    self.block(depth + 1, place, 2);
                }
                self.line("}");
            }
            9 => {
                let n = self.fresh("n");
                let bound = self.rng.between(1, 2);
                self.line(&format!("let {n} = 0"));
                self.line(&format!("while {n} < {bound} {{"));
                self.block(depth + 1, place, 2);
                self.indent += 1;
                self.line(&format!("{n} = {n} + 1"));
                self.indent -= 1;
                self.line("}");
            }
            10 => {
                self.line("atomic {");
                self.block(depth + 1, Place::Atomic, 2);
                self.line("}");
            }
            _ => {
                let cond = self.cond();
                self.line(&format!("assert {cond}"));
            }
        }
    }

    /// A write of a scalar: in one step, over two steps (a read, then a write that may lose an
    /// update), or as a compare-and-set.
    fn write_scalar(&mut self, place: Place) {
        let x = self.rng.below(self.scalars.len() as u64) as usize;
        let (name, ty) = (self.scalars[x].name.clone(), self.scalars[x].ty);
        let (two_step, cas) = (self.rng.chance(self.k.two_step), self.rng.chance(30));
        if !two_step && !cas {
            let value = self.value(ty);
            return self.line(&format!("{name} = {value}"));
        }
        let t = self.fresh("t");
        self.line(&format!("let {t} = {name}"));
        let next = match ty {
            Ty::Bool => format!("!{t}"),
            _ => format!("{t} + 1"),
        };
        let guard = match ty {
            Ty::Range(hi) if !self.rng.chance(self.k.risky) => Some(format!("{t} < {hi}")),
            _ => None,
        };
        let write = format!("{name} = {next}");
        // Inside `atomic` the pair is one step anyway.
        if cas && place != Place::Atomic {
            let guard = guard.map_or(String::new(), |g| format!(" && {g}"));
            self.line(&format!(
                "atomic {{ if {name} == {t}{guard} {{ {write} }} }}"
            ));
        } else if let Some(g) = guard {
            self.line(&format!("if {g} {{ {write} }}"));
        } else {
            self.line(&write);
        }
    }

    /// `lock` ... `unlock` around a block: one lock, or two nested (the plain tasks in the
    /// opposite order when the knob says so); rarely a lock left held or taken twice.
    fn locked(&mut self, depth: u32) {
        let mut order: Vec<usize> = if self.locks == 2 && self.rng.chance(50) {
            vec![0, 1]
        } else {
            vec![self.rng.below(self.locks as u64) as usize]
        };
        if self.index.is_empty() && self.k.reversed_locks {
            order.reverse();
        }
        for &l in &order {
            self.line(&format!("lock L{l}"));
        }
        if self.rng.chance(self.k.risky) {
            self.line(&format!("lock L{}", order[0]));
        }
        self.block(depth + 1, Place::Locked, 2);
        let keep = self.rng.chance(self.k.risky);
        for &l in order.iter().rev().skip(usize::from(keep)) {
            self.line(&format!("unlock L{l}"));
        }
    }

    // ---- expressions ----

    /// A value for a location of type `ty`: in range unless risky.
    fn value(&mut self, ty: Ty) -> String {
        let kind = ty.kind();
        let locals: Vec<Local> = self
            .locals
            .iter()
            .filter(|l| l.kind == kind && (l.small || !matches!(ty, Ty::Range(_))))
            .cloned()
            .collect();
        if !locals.is_empty() && self.rng.chance(40) {
            let l = &locals[self.rng.below(locals.len() as u64) as usize];
            return match ty {
                Ty::Bool if self.rng.chance(50) => format!("!{}", l.name),
                Ty::Int => format!("{} + 1", l.name),
                _ => l.name.clone(),
            };
        }
        match ty {
            Ty::Int => self.rng.between(0, 2).to_string(),
            Ty::Range(hi) if self.rng.chance(self.k.risky) => (hi + 1).to_string(),
            Ty::Range(hi) => self.rng.between(0, hi).to_string(),
            Ty::Bool => self.rng.pick(&["true", "false"]).into(),
            Ty::Mode => self.rng.pick(&VARIANTS).into(),
        }
    }

    /// A condition over what is in scope: scalars, the family's own slots, locals.
    fn cond(&mut self) -> String {
        let mut atoms: Vec<(String, Kind)> = self
            .scalars
            .iter()
            .map(|x| (x.name.clone(), x.ty.kind()))
            .collect();
        let index = self.index;
        atoms.extend(
            self.own
                .iter()
                .map(|m| (format!("{}[{index}]", m.name), m.ty.kind())),
        );
        atoms.extend(self.locals.iter().map(|l| (l.name.clone(), l.kind)));
        let (atom, kind) = atoms[self.rng.below(atoms.len() as u64) as usize].clone();
        match kind {
            Kind::Bool if self.rng.chance(50) => atom,
            Kind::Bool => format!("!{atom}"),
            Kind::Int => {
                let op = self.rng.pick(&["<", "<=", ">", ">=", "==", "!="]);
                format!("{atom} {op} {}", self.rng.between(0, 2))
            }
            Kind::Mode => {
                let op = self.rng.pick(&["==", "!="]);
                format!("{atom} {op} {}", self.rng.pick(&VARIANTS))
            }
        }
    }

    /// A condition over the scalars that holds initially (an invariant is not meant to fail
    /// before anything ran).
    fn fact(&mut self) -> String {
        let x = self.rng.below(self.scalars.len() as u64) as usize;
        let name = self.scalars[x].name.clone();
        match self.scalars[x].ty {
            Ty::Bool if self.scalars.len() > 1 && self.rng.chance(50) => {
                let other = self.scalars[(x + 1) % self.scalars.len()].name.clone();
                let other = match self.scalars[(x + 1) % self.scalars.len()].ty {
                    Ty::Bool => other,
                    _ => format!("{other} > 0"),
                };
                format!("!{name} || {other}")
            }
            Ty::Bool => format!("!{name}"),
            _ if self.rng.chance(50) => format!("{name} <= {}", self.rng.between(1, 2)),
            _ => format!("{name} != {}", self.rng.between(2, 3)),
        }
    }
}

// ---- the tests ----

fn compile(seed: u64, src: &str) -> migcheck_lang::ir::Model {
    match migcheck_lang::compile(src) {
        Ok(m) => m,
        Err(diags) => {
            panic!("seed {seed}: the generated model does not compile: {diags:#?}\n{src}")
        }
    }
}

/// Verdict and figures, without the time and the store's size.
fn essentials(o: &Outcome) -> String {
    format!(
        "{:?} states={} transitions={} depth={}",
        o.verdict, o.stats.states, o.stats.transitions, o.stats.depth
    )
}

fn kind(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Ok => "ok",
        Verdict::Violation(v) => v.kind.as_str(),
        Verdict::Incomplete { .. } => "incomplete",
    }
}

#[test]
fn generated_models_compile() {
    let mut broken = 0;
    for seed in 0..seeds().end.max(200) {
        let generated = model(seed);
        assert_eq!(
            generated.text,
            model(seed).text,
            "seed {seed}: the generator is not deterministic"
        );
        compile(seed, &generated.text);
        broken += u64::from(generated.broken.is_some());
    }
    let n = seeds().end.max(200);
    assert!(
        (n / 8..=n / 2).contains(&broken),
        "{broken} of {n} models break their symmetry"
    );
}

#[test]
fn symmetric_models_agree_with_the_reference() {
    let mut kinds: BTreeMap<&'static str, u64> = BTreeMap::new();
    let (mut compared, mut cut_short) = (0u64, 0u64);
    // Symmetric ok models, those where merging stored fewer states, and those where it stored
    // more (the persistent sets of a representative need not be those of the state it stands
    // for, so partial-order reduction may prune less).
    let (mut symmetric_ok, mut reduced, mut grown) = (0u64, 0u64, 0u64);
    for seed in seeds() {
        let generated = model(seed);
        let model = compile(seed, &generated.text);
        let run = |options: Options| {
            check(
                &model,
                &Options {
                    max_states: Some(BUDGET),
                    ..options
                },
            )
        };
        let merged = run(Options::default());
        let unmerged = run(Options {
            no_symmetry: true,
            ..Options::default()
        });
        let parallel = run(Options {
            threads: Some(2),
            ..Options::default()
        });
        let compact = run(Options {
            compact: true,
            ..Options::default()
        });
        let reference = run(Options {
            explorer: Explorer::Reference,
            ..Options::default()
        });
        let context = || format!("seed {seed} ({:?}):\n{}", generated.broken, generated.text);
        assert_eq!(
            essentials(&merged),
            essentials(&parallel),
            "sequential vs parallel, {}",
            context()
        );
        // Fingerprints of a few thousand states: a collision has odds below 10^-12.
        assert_eq!(
            essentials(&merged),
            essentials(&compact),
            "sequential vs compact, {}",
            context()
        );
        // The fast explorers store fewer states, so a budget can run out for the reference alone.
        if matches!(reference.verdict, Verdict::Incomplete { .. }) {
            continue;
        }
        let violating = matches!(reference.verdict, Verdict::Violation(_));
        for (name, outcome) in [("symmetry", &merged), ("no symmetry", &unmerged)] {
            // A reduced search is not shortest-first: it may store more states than the
            // reference before it meets a violation, and run out of budget first.
            if violating && matches!(outcome.verdict, Verdict::Incomplete { .. }) {
                cut_short += 1;
                continue;
            }
            assert_eq!(
                outcome.verdict,
                reference.verdict,
                "fast with {name} vs reference, {}",
                context()
            );
        }
        // `check` searches again without reduction after the reduced search found a violation,
        // which would hide a violation that the merging of states made up: the reduced searches
        // alone must find one exactly when there is one.
        let options = Options {
            max_states: Some(BUDGET),
            ..Options::default()
        };
        for (name, (found, _)) in [
            ("sequential", fast::explore(&model, &options)),
            ("parallel", parallel::explore(&model, &options, 2)),
            ("compact", fast::compact::explore(&model, &options)),
        ] {
            assert!(
                matches!(found, Found::Incomplete(_))
                    || matches!(found, Found::Violation(_)) == violating,
                "the reduced {name} search found {found:?}, {}",
                context()
            );
        }
        compared += 1;
        *kinds.entry(kind(&reference.verdict)).or_default() += 1;
        if reference.verdict != Verdict::Ok {
            continue;
        }
        if !generated.symmetric {
            assert_eq!(
                merged.stats.states,
                unmerged.stats.states,
                "symmetry reduced a model whose symmetry is broken, {}",
                context()
            );
        } else {
            symmetric_ok += 1;
            reduced += u64::from(merged.stats.states < unmerged.stats.states);
            grown += u64::from(merged.stats.states > unmerged.stats.states);
        }
    }
    let n = seeds().count() as u64;
    eprintln!("verdicts of {compared} of {n} models: {kinds:?}");
    eprintln!(
        "symmetry stored fewer states on {reduced} of {symmetric_ok} symmetric ok models, more on \
         {grown}"
    );
    eprintln!("{cut_short} reduced searches ran out of budget before the violation");
    assert!(compared * 10 >= n * 9, "only {compared} models compared");
    assert!(
        cut_short * 20 <= n,
        "{cut_short} reduced searches ran out of budget before a violation"
    );
    assert!(
        reduced * 4 > symmetric_ok,
        "symmetry reduced only {reduced} of {symmetric_ok} symmetric ok models"
    );
    let ok = kinds.get("ok").copied().unwrap_or(0);
    assert!(ok * 10 >= n, "only {ok} ok models: {kinds:?}");
    let violations = kinds
        .iter()
        .filter(|&(&k, &count)| k != "ok" && count > 0 && count * 50 >= n)
        .count();
    assert!(violations >= 3, "too few kinds of violation: {kinds:?}");
}

/// models/bench/claims_fix.mig with three migrations (its comments left out): `src_alloc` and
/// `phase` are each migration's own, `usage` is shared through a computed key.
const CLAIMS_FIX: &str = "
model claims_fix
const N = 3
const H = 2
const CAP = 1
const TRIES = 2
enum Phase { queued, migrating, confirmed, reverted, unplaced }
shared usage: map[0..H] 0..=CAP = 0
shared src_alloc: map[0..N] 0..=1 = 1
shared phase: map[0..N] Phase = queued

task migrate[i in 0..N] {
    let placed = false
    let dest = 0
    let tries = 0
    while !placed && tries < TRIES {
        choose h in 0..H
        let u = usage[h]
        if u < CAP {
            atomic {
                if usage[h] == u {
                    usage[h] = u + 1
                    placed = true
                    dest = h
                }
            }
        }
        tries = tries + 1
    }
    if placed {
        phase[i] = migrating
        either {
            src_alloc[i] = 0
            phase[i] = confirmed
        } or {
            usage[dest] = usage[dest] - 1
            phase[i] = reverted
        }
    } else {
        phase[i] = unplaced
    }
}
";

/// The compare-and-set of [`CLAIMS_FIX`].
const CAS: &str = "
            atomic {
                if usage[h] == u {
                    usage[h] = u + 1
                    placed = true
                    dest = h
                }
            }";

/// models/bench/claims_bug.mig's claim instead: an increment on a check that may be stale.
const STALE_CLAIM: &str = "
            usage[h] = usage[h] + 1
            placed = true
            dest = h";

/// `model` checked with symmetry reduction and without.
fn with_and_without_symmetry(model: &migcheck_lang::ir::Model) -> (Outcome, Outcome) {
    let without = Options {
        no_symmetry: true,
        ..Options::default()
    };
    (check(model, &Options::default()), check(model, &without))
}

#[test]
fn claims_are_reduced_by_symmetry() {
    let (merged, unmerged) = with_and_without_symmetry(&compile(0, CLAIMS_FIX));
    assert_eq!(merged.verdict, Verdict::Ok);
    assert_eq!(unmerged.verdict, Verdict::Ok);
    eprintln!(
        "claims, 3 migrations: {} states with symmetry, {} without",
        merged.stats.states, unmerged.stats.states
    );
    assert!(
        merged.stats.states * 2 <= unmerged.stats.states,
        "symmetry stored {} states of {}",
        merged.stats.states,
        unmerged.stats.states
    );

    assert!(CLAIMS_FIX.contains(CAS));
    let (merged, unmerged) =
        with_and_without_symmetry(&compile(0, &CLAIMS_FIX.replace(CAS, STALE_CLAIM)));
    assert_eq!(kind(&merged.verdict), "model_error", "{:?}", merged.verdict);
    assert_eq!(merged.verdict, unmerged.verdict);
}
