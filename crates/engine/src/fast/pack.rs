//! Packing a [`State`] into as few bits as its declared domains need, and back.
//!
//! Every part of a state becomes a field of a fixed bit width: a shared `bool` one bit, a shared
//! range or enum just enough bits for its values, a lock its holder (or none), a program counter
//! its body's length, a lost-update mark two bits — and only for the task-location pairs where the
//! mark can matter (the task writes the variable somewhere). Values whose range the language does
//! not enforce (`int` variables, locals of a range type) take 64 bits. The fields are laid end to
//! end in 64-bit words, so a state is a fixed number of words and two states are equal exactly
//! when their words are.

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
    part: Part,
    /// Index into the part's slice.
    index: u32,
    /// The value stored is `value - lo`, in `bits` bits (64: the raw two's complement).
    lo: i64,
    bits: u32,
}

/// The packing of one model's states.
pub struct Packer {
    fields: Vec<Field>,
    /// 64-bit words per packed state.
    pub words: usize,
    /// Total bits used (the last word's unused bits aside).
    #[cfg_attr(not(test), allow(dead_code))]
    pub bits: u32,
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
        _ => (0, 64),
    }
}

impl Packer {
    pub fn new(model: &Model, layout: &Layout, analysis: &Analysis) -> Packer {
        let mut fields = Vec::new();
        for v in &model.shared {
            let (lo, bits) = typed(v.ty, model, true);
            for i in 0..v.len {
                fields.push(Field {
                    part: Part::Shared,
                    index: (v.base_slot + i) as u32,
                    lo,
                    bits,
                });
            }
        }
        let lock_bits = bits_for(model.tasks.len() as u64 + 1);
        for l in 0..model.locks.len() {
            fields.push(Field {
                part: Part::Lock,
                index: l as u32,
                lo: 0,
                bits: lock_bits,
            });
        }
        for (t, inst) in model.tasks.iter().enumerate() {
            let body = &model.bodies[inst.body as usize];
            fields.push(Field {
                part: Part::Pc,
                index: t as u32,
                lo: 0,
                bits: bits_for(body.code.len() as u64 + 1),
            });
            for (i, local) in body.locals.iter().enumerate() {
                let (lo, bits) = typed(local.ty, model, false);
                fields.push(Field {
                    part: Part::Local,
                    index: (layout.local_base[t] + i) as u32,
                    lo,
                    bits,
                });
            }
            for (var, v) in model.shared.iter().enumerate() {
                if v.last_writer_wins || !analysis.ever_writes(inst.body as usize, var) {
                    continue;
                }
                for i in 0..v.len {
                    fields.push(Field {
                        part: Part::Lu,
                        index: (t * layout.num_slots + v.base_slot + i) as u32,
                        lo: 0,
                        bits: 2,
                    });
                }
            }
        }
        let bits: u32 = fields.iter().map(|f| f.bits).sum();
        Packer {
            fields,
            words: (bits as usize).div_ceil(64).max(1),
            bits,
        }
    }

    /// Writes the packed form of `state` into `out` (`self.words` words). The lost-update marks
    /// that have no field must be [`LU_NONE`] (the explorer's canonical form guarantees it).
    pub fn pack(&self, state: &State, out: &mut [u64]) {
        out.fill(0);
        let mut at = 0u32;
        for f in &self.fields {
            let value = match f.part {
                Part::Shared => state.shared[f.index as usize],
                Part::Lock => i64::from(state.locks[f.index as usize]),
                Part::Pc => i64::from(state.pcs[f.index as usize]),
                Part::Local => state.locals[f.index as usize],
                Part::Lu => i64::from(state.lu[f.index as usize]),
            };
            let raw = value.wrapping_sub(f.lo) as u64;
            debug_assert!(
                f.bits == 64 || raw >> f.bits == 0,
                "value {value} does not fit its field {f:?}"
            );
            put(out, at, f.bits, raw);
            at += f.bits;
        }
    }

    /// Fills `state` (a state of the same model) from its packed form.
    pub fn unpack(&self, words: &[u64], state: &mut State) {
        state.lu.fill(LU_NONE);
        let mut at = 0u32;
        for f in &self.fields {
            let value = get(words, at, f.bits).wrapping_add(f.lo as u64) as i64;
            at += f.bits;
            let i = f.index as usize;
            match f.part {
                Part::Shared => state.shared[i] = value,
                Part::Lock => state.locks[i] = value as u32,
                Part::Pc => state.pcs[i] = value as u32,
                Part::Local => state.locals[i] = value,
                Part::Lu => state.lu[i] = value as u8,
            }
        }
    }
}

/// Writes the low `bits` bits of `value` at bit `at` of `out` (which holds zeros there).
fn put(out: &mut [u64], at: u32, bits: u32, value: u64) {
    let (w, o) = ((at / 64) as usize, at % 64);
    let value = if bits == 64 {
        value
    } else {
        value & ((1 << bits) - 1)
    };
    out[w] |= value << o;
    if o + bits > 64 {
        out[w + 1] |= value >> (64 - o);
    }
}

/// Reads `bits` bits at bit `at` of `words`.
fn get(words: &[u64], at: u32, bits: u32) -> u64 {
    let (w, o) = ((at / 64) as usize, at % 64);
    let mut v = words[w] >> o;
    if o + bits > 64 {
        v |= words[w + 1] << (64 - o);
    }
    if bits == 64 {
        v
    } else {
        v & ((1 << bits) - 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_straddle_words() {
        let mut w = [0u64; 3];
        put(&mut w, 60, 64, 0xdead_beef_cafe_f00d);
        put(&mut w, 124, 3, 5);
        put(&mut w, 0, 1, 1);
        assert_eq!(get(&w, 60, 64), 0xdead_beef_cafe_f00d);
        assert_eq!(get(&w, 124, 3), 5);
        assert_eq!(get(&w, 0, 1), 1);
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
        packer.pack(&state, &mut words);
        let mut back = State::initial(&model, &layout);
        back.shared[0] = 0;
        packer.unpack(&words, &mut back);
        assert_eq!(back, state);
        // Two 64-bit values (x and the local v); everything else takes a few bits each.
        assert!(packer.bits <= 64 + 64 + 32, "{} bits", packer.bits);
        assert_eq!(packer.words, 3);
    }
}
