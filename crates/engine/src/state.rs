//! The explicit state of a model: shared slots, lock holders, program counters, locals, and the
//! lost-update bookkeeping.

use migcheck_lang::ir::Model;

/// Lost-update bookkeeping of one task-location pair: nothing outstanding.
pub const LU_NONE: u8 = 0;
/// The task read the location and nobody else has written it since.
pub const LU_READ: u8 = 1;
/// The task read the location and another task has written it since: a write by the task now,
/// without reading again, overwrites an update it never saw.
pub const LU_STALE: u8 = 2;

/// One reachable state. Everything that decides the future is here, the lost-update bookkeeping
/// included (DESIGN.md: sound state caching needs it).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct State {
    /// One value per shared slot.
    pub shared: Box<[i64]>,
    /// Per lock: 0 when free, else the holding task's index + 1.
    pub locks: Box<[u32]>,
    /// Per task: the program counter; `code.len()` once finished.
    pub pcs: Box<[u32]>,
    /// Every task's locals, concatenated in task order (see [`Layout::local_base`]).
    pub locals: Box<[i64]>,
    /// `tasks × slots` lost-update marks (`LU_*`), row-major by task.
    pub lu: Box<[u8]>,
}

/// Where each task's part of a [`State`] lives.
#[derive(Debug, Clone)]
pub struct Layout {
    pub local_base: Vec<usize>,
    pub num_locals: usize,
    pub num_slots: usize,
    /// Per task: the end of its code.
    pub ends: Vec<u32>,
}

impl Layout {
    pub fn new(model: &Model) -> Layout {
        let mut local_base = Vec::with_capacity(model.tasks.len());
        let mut num_locals = 0;
        let mut ends = Vec::with_capacity(model.tasks.len());
        for t in &model.tasks {
            let body = &model.bodies[t.body as usize];
            local_base.push(num_locals);
            num_locals += body.locals.len();
            ends.push(body.code.len() as u32);
        }
        Layout {
            local_base,
            num_locals,
            num_slots: model.num_slots,
            ends,
        }
    }
}

impl State {
    /// The initial state: initial values, free locks, every task at its first statement.
    pub fn initial(model: &Model, layout: &Layout) -> State {
        let mut shared = vec![0; model.num_slots];
        for v in &model.shared {
            shared[v.base_slot..v.base_slot + v.len].copy_from_slice(&v.init);
        }
        let mut locals = vec![0; layout.num_locals];
        let mut pcs = Vec::with_capacity(model.tasks.len());
        for (t, inst) in model.tasks.iter().enumerate() {
            let body = &model.bodies[inst.body as usize];
            if let (Some(slot), Some(index)) = (body.index_slot, inst.index) {
                locals[layout.local_base[t] + slot as usize] = index;
            }
            pcs.push(crate::step::settle(
                body,
                0,
                &mut locals[layout.local_base[t]..],
            ));
        }
        State {
            shared: shared.into(),
            locks: vec![0; model.locks.len()].into(),
            pcs: pcs.into(),
            locals: locals.into(),
            lu: vec![LU_NONE; model.tasks.len() * model.num_slots].into(),
        }
    }

    /// Makes `self` a copy of `other`, a state of the same model, without allocating.
    #[inline]
    pub fn copy_from(&mut self, other: &State) {
        self.shared.copy_from_slice(&other.shared);
        self.locks.copy_from_slice(&other.locks);
        self.pcs.copy_from_slice(&other.pcs);
        self.locals.copy_from_slice(&other.locals);
        self.lu.copy_from_slice(&other.lu);
    }

    /// The bytes of its values (not counting the boxes): what copying it costs.
    pub fn bytes(&self) -> usize {
        (self.shared.len() + self.locals.len()) * 8
            + (self.locks.len() + self.pcs.len()) * 4
            + self.lu.len()
    }

    pub fn finished(&self, layout: &Layout, task: usize) -> bool {
        self.pcs[task] >= layout.ends[task]
    }

    pub fn all_finished(&self, layout: &Layout) -> bool {
        (0..self.pcs.len()).all(|t| self.finished(layout, t))
    }
}
