//! Packing a [`State`] into as few bits as its declared domains need, and back.
//!
//! Every part of a state becomes a field of a fixed bit width: a shared `bool` one bit, a shared
//! range or enum just enough bits for its values, a lock its holder (or none), a program counter
//! its body's length, a lost-update mark two bits — and only for the task-location pairs where the
//! mark can matter (the task may both read and write the slot). Values whose range the language does
//! not enforce (`int` variables, locals of a range type) start with 8 bits and are *widened*
//! (16, 32, then 64 bits) the first time a value does not fit: [`Packer::pack`] reports the field
//! and the explorer re-packs what it has stored. The fields are laid end to end in 64-bit words,
//! so a state is a fixed number of words and two states are equal exactly when their words are.

use migcheck_lang::ir::{Model, ValueType};

use crate::state::{Layout, State, LU_NONE};

use super::analysis::Analysis;

/// Where a field's value lives in a [`State`].
#[derive(Debug, Clone, Copy)]
enum Part {
    Shared,
    Lock,
    Pc,
    Local,
    Lu,
}

#[derive(Debug, Clone, Copy)]
struct Field {
    /// Widened when a value does not fit (a value of unenforced range).
    adaptive: bool,
    part: Part,
    /// Index into the part's slice.
    index: u32,
    /// The value stored is `value - lo`, in `bits` bits (64: the raw two's complement).
    lo: i64,
    bits: u32,
    /// Where the bits are (set once the fields are laid out: [`lay_out`]).
    place: Place,
}

/// Where a field's bits are in a packed state.
#[derive(Debug, Clone, Copy, Default)]
struct Place {
    word: u32,
    shift: u32,
    /// The field's `bits` low bits.
    mask: u64,
    /// The field goes on into the next word.
    straddles: bool,
}

impl Place {
    fn new(at: u32, bits: u32) -> Place {
        Place {
            word: at / 64,
            shift: at % 64,
            mask: if bits == 64 {
                u64::MAX
            } else {
                (1 << bits) - 1
            },
            straddles: at % 64 + bits > 64,
        }
    }

    /// The field's bits in `words`.
    #[inline]
    fn get(&self, words: &[u64]) -> u64 {
        let w = self.word as usize;
        let mut v = words[w] >> self.shift;
        if self.straddles {
            v |= words[w + 1] << (64 - self.shift);
        }
        v & self.mask
    }

    /// Overwrites the field's bits in `out` with the low bits of `value`.
    #[inline]
    fn set(&self, out: &mut [u64], value: u64) {
        let (w, o, mask) = (self.word as usize, self.shift, self.mask);
        out[w] = (out[w] & !(mask << o)) | (value & mask) << o;
        if self.straddles {
            out[w + 1] = (out[w + 1] & !(mask >> (64 - o))) | (value & mask) >> (64 - o);
        }
    }
}

/// Lays the fields end to end: sets each one's place; returns the bits used.
fn lay_out(fields: &mut [Field]) -> u32 {
    let mut at = 0;
    for f in fields {
        f.place = Place::new(at, f.bits);
        at += f.bits;
    }
    at
}

/// The packing of one model's states.
#[derive(Debug, Clone)]
pub struct Packer {
    /// Grouped by part: shared, locks, pcs, locals, lost-update marks.
    fields: Vec<Field>,
    /// The end of each part's fields in `fields`.
    part_ends: [usize; 5],
    /// 64-bit words per packed state.
    pub words: usize,
    /// Total bits used (the last word's unused bits aside).
    pub bits: u32,
    /// Where things are, for [`Packer::pack_step`].
    index: Index,
}

/// Per part of a state the fields that hold it.
#[derive(Debug, Clone, Default)]
struct Index {
    /// Per shared slot, its field.
    shared: Vec<u32>,
    /// Per task: its pc's field, its locals' fields, its lost-update marks' fields.
    pc: Vec<u32>,
    locals: Vec<std::ops::Range<u32>>,
    lu_row: Vec<std::ops::Range<u32>>,
    /// Per shared slot, the fields of every task's mark on it.
    lu_column: Vec<Vec<u32>>,
    /// The lock fields.
    locks: std::ops::Range<u32>,
}

impl Index {
    fn new(fields: &[Field], part_ends: [usize; 5], tasks: usize, layout: &Layout) -> Index {
        let mut ix = Index {
            shared: vec![0; layout.num_slots],
            pc: vec![0; tasks],
            locals: vec![0..0; tasks],
            lu_row: vec![0..0; tasks],
            lu_column: vec![Vec::new(); layout.num_slots],
            locks: part_ends[0] as u32..part_ends[1] as u32,
        };
        let task_of_local = |i: usize| layout.local_base.iter().rposition(|&b| b <= i).unwrap_or(0);
        for (n, f) in fields.iter().enumerate() {
            let (i, n) = (f.index as usize, n as u32);
            let extend = |r: &mut std::ops::Range<u32>| {
                if r.start == r.end {
                    *r = n..n + 1;
                } else {
                    r.end = n + 1;
                }
            };
            match f.part {
                Part::Shared => ix.shared[i] = n,
                Part::Lock => {}
                Part::Pc => ix.pc[i] = n,
                Part::Local => extend(&mut ix.locals[task_of_local(i)]),
                Part::Lu => {
                    extend(&mut ix.lu_row[i / layout.num_slots]);
                    ix.lu_column[i % layout.num_slots].push(n);
                }
            }
        }
        ix
    }
}

/// Bits for `n` distinct values (at least 1, so every field has a place).
fn bits_for(n: u64) -> u32 {
    (64 - n.saturating_sub(1).leading_zeros()).max(1)
}

/// The offset and width of a value of type `ty`; `checked` when the semantics guarantee that
/// every stored value is of the type (shared variables, whose writes are range-checked).
fn typed(ty: ValueType, model: &Model, checked: bool) -> (i64, u32) {
    match ty {
        ValueType::Bool => (0, 1),
        ValueType::Enum(e) => (0, bits_for(model.enums[e as usize].variants.len() as u64)),
        ValueType::Range { lo, hi } if checked && hi > lo => {
            (lo, bits_for(hi.abs_diff(lo)).min(64))
        }
        _ => (-(1 << (ADAPTIVE_START - 1)), ADAPTIVE_START),
    }
}

/// The first width of a field whose values the semantics do not bound.
const ADAPTIVE_START: u32 = 8;

/// A field whose value did not fit: the index of the field to widen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overflow(usize);

impl Packer {
    pub fn new(model: &Model, layout: &Layout, analysis: &Analysis) -> Packer {
        let field = |part, index: usize, (lo, bits): (i64, u32)| Field {
            adaptive: bits == ADAPTIVE_START && lo == -(1 << (ADAPTIVE_START - 1)),
            part,
            index: index as u32,
            lo,
            bits,
            place: Place::default(),
        };
        let mut shared = Vec::new();
        for v in &model.shared {
            for i in 0..v.len {
                shared.push(field(
                    Part::Shared,
                    v.base_slot + i,
                    typed(v.ty, model, true),
                ));
            }
        }
        let lock_bits = bits_for(model.tasks.len() as u64 + 1);
        let locks = (0..model.locks.len()).map(|l| field(Part::Lock, l, (0, lock_bits)));
        let (mut pcs, mut locals, mut lu) = (Vec::new(), Vec::new(), Vec::new());
        for (t, inst) in model.tasks.iter().enumerate() {
            let body = &model.bodies[inst.body as usize];
            pcs.push(field(
                Part::Pc,
                t,
                (0, bits_for(body.code.len() as u64 + 1)),
            ));
            for (i, local) in body.locals.iter().enumerate() {
                let ty = typed(local.ty, model, false);
                locals.push(field(Part::Local, layout.local_base[t] + i, ty));
            }
            for (slot, _) in analysis.keeps_mark(t).iter().enumerate().filter(|k| *k.1) {
                lu.push(field(Part::Lu, t * layout.num_slots + slot, (0, 2)));
            }
        }
        // Grouped by part, so that packing runs one tight loop per part.
        let mut fields = shared;
        fields.extend(locks);
        fields.extend(pcs);
        fields.extend(locals);
        fields.extend(lu);
        let bits = lay_out(&mut fields);
        let ends = [Part::Shared, Part::Lock, Part::Pc, Part::Local, Part::Lu].map(|p| {
            fields
                .iter()
                .rposition(|f| std::mem::discriminant(&f.part) == std::mem::discriminant(&p))
                .map_or(0, |i| i + 1)
        });
        let mut part_ends = [0usize; 5];
        let mut last = 0;
        for (e, end) in part_ends.iter_mut().zip(ends) {
            last = last.max(end);
            *e = last;
        }
        let index = Index::new(&fields, part_ends, model.tasks.len(), layout);
        Packer {
            fields,
            part_ends,
            words: (bits as usize).div_ceil(64).max(1),
            bits,
            index,
        }
    }

    /// Packs the state `next` that `task` reached in one step (with `log`, the lost-update
    /// bookkeeping and canonical form applied) from `parent`, packed as `parent_words`: only
    /// what such a step can change is looked at (the task's pc, locals and marks, the slots it
    /// wrote and every task's marks on them, the locks), and only what did change is written.
    /// `moved` are the tasks whose parts symmetry reduction exchanged to make `next` canonical
    /// (a mask, 0 for none): their pcs, locals and marks are looked at too, and every shared
    /// slot. Fails like [`Packer::pack`].
    #[expect(
        clippy::too_many_arguments,
        reason = "the step's states, packed and not, its task, log and what symmetry moved"
    )]
    pub fn pack_step(
        &self,
        parent_words: &[u64],
        parent: &State,
        next: &State,
        task: usize,
        log: &crate::step::StepLog,
        moved: u64,
        out: &mut [u64],
    ) -> Result<(), Overflow> {
        out.copy_from_slice(parent_words);
        let ix = &self.index;
        let fields = &self.fields;
        let put = |out: &mut [u64], n: u32, value: i64| {
            let f = &fields[n as usize];
            if !fits(f, value) {
                return Err(Overflow(n as usize));
            }
            f.place.set(out, value.wrapping_sub(f.lo) as u64);
            Ok(())
        };
        let at = |n: u32| fields[n as usize].index as usize;
        let marks = |out: &mut [u64], n: u32| {
            let i = at(n);
            if next.lu[i] != parent.lu[i] {
                put(out, n, i64::from(next.lu[i]))?;
            }
            Ok(())
        };
        let mut tasks = moved | 1 << task;
        while tasks != 0 {
            let t = tasks.trailing_zeros() as usize;
            tasks &= tasks - 1;
            if next.pcs[t] != parent.pcs[t] {
                put(out, ix.pc[t], i64::from(next.pcs[t]))?;
            }
            for n in ix.locals[t].clone() {
                let i = at(n);
                if next.locals[i] != parent.locals[i] {
                    put(out, n, next.locals[i])?;
                }
            }
            for n in ix.lu_row[t].clone() {
                marks(out, n)?;
            }
        }
        for n in ix.locks.clone() {
            let i = at(n);
            if next.locks[i] != parent.locks[i] {
                put(out, n, i64::from(next.locks[i]))?;
            }
        }
        if moved != 0 {
            for (slot, (&a, &b)) in next.shared.iter().zip(&parent.shared[..]).enumerate() {
                if a != b {
                    put(out, ix.shared[slot], a)?;
                }
            }
        }
        for &w in &log.writes {
            put(out, ix.shared[w as usize], next.shared[w as usize])?;
            for &n in &ix.lu_column[w as usize] {
                marks(out, n)?;
            }
        }
        #[cfg(debug_assertions)]
        {
            let mut full = vec![0; self.words];
            if self.pack(next, &mut full).is_ok() {
                debug_assert_eq!(
                    &full[..],
                    &out[..],
                    "a step changed what pack_step left alone"
                );
            }
        }
        Ok(())
    }

    /// [`Packer::pack_step`], or [`Packer::pack`] in full when symmetry reduction moved tasks
    /// that a mask cannot name (numbered 64 or more: `moved` is then every bit).
    #[expect(
        clippy::too_many_arguments,
        reason = "pack_step's arguments, and whether it applies"
    )]
    pub fn pack_successor(
        &self,
        parent_words: &[u64],
        parent: &State,
        next: &State,
        task: usize,
        log: &crate::step::StepLog,
        moved: u64,
        out: &mut [u64],
    ) -> Result<(), Overflow> {
        if moved == u64::MAX || task >= 64 {
            self.pack(next, out)
        } else {
            self.pack_step(parent_words, parent, next, task, log, moved, out)
        }
    }

    /// Writes the packed form of `state` into `out` (`self.words` words). The lost-update marks
    /// that have no field must be [`LU_NONE`] (the explorer's canonical form guarantees it).
    ///
    /// Fails, leaving `out` meaningless, when a value does not fit its field: the caller widens
    /// that field ([`Packer::widen`]) and packs again.
    pub fn pack(&self, state: &State, out: &mut [u64]) -> Result<(), Overflow> {
        let mut w = Writer {
            out,
            at: 0,
            acc: 0,
            fill: 0,
            overflow: false,
        };
        let [shared, locks, pcs, locals, lu] = self.part_ends;
        for f in &self.fields[..shared] {
            w.put(f, state.shared[f.index as usize]);
        }
        for f in &self.fields[shared..locks] {
            w.put(f, i64::from(state.locks[f.index as usize]));
        }
        for f in &self.fields[locks..pcs] {
            w.put(f, i64::from(state.pcs[f.index as usize]));
        }
        for f in &self.fields[pcs..locals] {
            w.put(f, state.locals[f.index as usize]);
        }
        for f in &self.fields[locals..lu] {
            w.put(f, i64::from(state.lu[f.index as usize]));
        }
        if w.overflow {
            return Err(Overflow(self.first_overflow(state)));
        }
        w.finish();
        Ok(())
    }

    /// The value of field `f` in `state`.
    fn value(f: &Field, state: &State) -> i64 {
        let i = f.index as usize;
        match f.part {
            Part::Shared => state.shared[i],
            Part::Lock => i64::from(state.locks[i]),
            Part::Pc => i64::from(state.pcs[i]),
            Part::Local => state.locals[i],
            Part::Lu => i64::from(state.lu[i]),
        }
    }

    /// The first field of `state` whose value does not fit (only called after a failed pack).
    fn first_overflow(&self, state: &State) -> usize {
        self.fields
            .iter()
            .position(|f| !fits(f, Self::value(f, state)))
            .expect("a field overflowed")
    }

    /// The width of every field, in order (what a checkpoint records of the packing).
    pub fn widths(&self) -> Vec<u32> {
        self.fields.iter().map(|f| f.bits).collect()
    }

    /// This packing with its fields widened to `widths` (those of a checkpoint), or why that is
    /// not a packing of this model.
    pub fn with_widths(mut self, widths: &[u32]) -> Result<Packer, String> {
        if widths.len() != self.fields.len() {
            return Err(format!(
                "it has {} fields and this model's states have {}",
                widths.len(),
                self.fields.len()
            ));
        }
        for (i, &w) in widths.iter().enumerate() {
            while self.fields[i].bits < w && self.fields[i].adaptive && self.fields[i].bits < 64 {
                self = self.widen(Overflow(i));
            }
            if self.fields[i].bits != w {
                return Err(format!(
                    "its field {i} is {w} bits wide, which this model's cannot be"
                ));
            }
        }
        Ok(self)
    }

    /// The packing with field `overflow` one step wider (8, 16, 32, 64 bits).
    pub fn widen(&self, overflow: Overflow) -> Packer {
        let mut p = self.clone();
        let f = &mut p.fields[overflow.0];
        debug_assert!(f.adaptive && f.bits < 64, "only adaptive fields overflow");
        f.bits = (f.bits * 2).min(64);
        f.lo = if f.bits == 64 {
            0
        } else {
            -(1 << (f.bits - 1))
        };
        p.bits = lay_out(&mut p.fields);
        p.words = (p.bits as usize).div_ceil(64).max(1);
        p
    }

    /// Fills `state` (a state of the same model) from its packed form. Each field is read at its
    /// own offset, so that the reads do not wait on one another.
    pub fn unpack(&self, words: &[u64], state: &mut State) {
        let [shared, locks, pcs, locals, lu] = self.part_ends;
        let take = |f: &Field| (f.place.get(words) as i64).wrapping_add(f.lo);
        for f in &self.fields[..shared] {
            state.shared[f.index as usize] = take(f);
        }
        for f in &self.fields[shared..locks] {
            state.locks[f.index as usize] = take(f) as u32;
        }
        for f in &self.fields[locks..pcs] {
            state.pcs[f.index as usize] = take(f) as u32;
        }
        for f in &self.fields[pcs..locals] {
            state.locals[f.index as usize] = take(f);
        }
        if lu > locals {
            state.lu.fill(LU_NONE);
        }
        for f in &self.fields[locals..lu] {
            state.lu[f.index as usize] = take(f) as u8;
        }
    }
}

/// Appends fields to a packed state through a 128-bit accumulator, a word at a time.
struct Writer<'a> {
    out: &'a mut [u64],
    /// The next word of `out` to write.
    at: usize,
    acc: u128,
    fill: u32,
    /// Set when a value did not fit its field.
    overflow: bool,
}

/// Whether `value` fits field `f`.
#[inline]
fn fits(f: &Field, value: i64) -> bool {
    f.bits == 64 || (value.wrapping_sub(f.lo) as u64) >> f.bits == 0
}

impl Writer<'_> {
    #[inline]
    fn put(&mut self, f: &Field, value: i64) {
        let raw = value.wrapping_sub(f.lo) as u64;
        if !fits(f, value) {
            debug_assert!(f.adaptive, "value {value} does not fit its field {f:?}");
            self.overflow = true;
            return;
        }
        self.acc |= u128::from(raw) << self.fill;
        self.fill += f.bits;
        if self.fill >= 64 {
            self.out[self.at] = self.acc as u64;
            self.at += 1;
            self.acc >>= 64;
            self.fill -= 64;
        }
    }

    fn finish(self) {
        if self.fill > 0 {
            self.out[self.at] = self.acc as u64;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_straddle_words() {
        let mut w = [0u64; 3];
        let (wide, small, bit) = (Place::new(60, 64), Place::new(124, 3), Place::new(0, 1));
        wide.set(&mut w, 0xdead_beef_cafe_f00d);
        small.set(&mut w, 5);
        bit.set(&mut w, 1);
        small.set(&mut w, 6);
        assert_eq!(wide.get(&w), 0xdead_beef_cafe_f00d);
        assert_eq!(small.get(&w), 6);
        assert_eq!(bit.get(&w), 1);
        // Setting a field leaves its neighbours as they were.
        Place::new(61, 62).set(&mut w, 0);
        assert_eq!(w[0] >> 60, 0b0001);
        assert_eq!(w[1] >> 59, 0b01101);
        assert_eq!(bits_for(1), 1);
        assert_eq!(bits_for(2), 1);
        assert_eq!(bits_for(3), 2);
        assert_eq!(bits_for(256), 8);
        assert_eq!(bits_for(257), 9);
    }

    #[test]
    fn a_state_survives_packing() {
        let model = migcheck_lang::compile(
            "model m\nenum E { a, b, c }\nshared x: int = -5\nshared r: 3..7 = 4\n\
             shared m: map[E] bool = true\nshared e: E = c\nlock l\n\
             task t { let v = x; lock l; x = v + 1; unlock l }\ntask u { let w = true; choose k in E; r = 6 }\n",
        )
        .expect("compiles");
        let layout = Layout::new(&model);
        let analysis = Analysis::new(&model);
        let packer = Packer::new(&model, &layout, &analysis);
        let mut state = State::initial(&model, &layout);
        state.shared[0] = i64::MIN;
        state.locks[0] = 2;
        state.lu[0] = 2;
        let mut words = vec![0; packer.words];
        // x and the local v are ints: 8 bits at first, widened until i64::MIN fits.
        let mut packer = packer;
        let mut widened = 0;
        while let Err(o) = packer.pack(&state, &mut words) {
            packer = packer.widen(o);
            words = vec![0; packer.words];
            widened += 1;
        }
        assert_eq!(widened, 3);
        let mut back = State::initial(&model, &layout);
        back.shared[0] = 0;
        packer.unpack(&words, &mut back);
        assert_eq!(back, state);
        assert!(packer.bits <= 64 + 8 + 32, "{} bits", packer.bits);
        assert_eq!(packer.words, 2);
        // A small negative value round-trips in an 8-bit field.
        state.shared[0] = -100;
        state.locals[0] = 127;
        let small = Packer::new(&model, &layout, &analysis);
        small.pack(&state, &mut words).expect("fits");
        small.unpack(&words, &mut back);
        assert_eq!(back, state);
    }
}
