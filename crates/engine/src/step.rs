//! The step function: one step of one task, as DESIGN.md's "Precise semantics" defines it.
//!
//! A step runs the task's local statements up to and including the next statement that touches
//! shared state (or one whole shared `atomic` block, or up to the task's end). Every `choose` and
//! `either` met on the way asks a [`Chooser`] which value to take, so that the explorer can
//! enumerate every resolution and replay can follow a schedule.

use migcheck_lang::ir::{BinOp, Domain, Expr, InstrKind, Model, TaskBody, UnOp, ValueType};
use migcheck_lang::Span;

use crate::budget::Guard;
use crate::schedule::ChoiceKind;
use crate::state::{Layout, State};

/// A step that runs more statements than this without touching shared state is a model error.
pub const LOCAL_STEP_LIMIT: u32 = 100_000;

/// What a blocked step waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WaitFor {
    /// `lock L` while task `holder` holds L.
    Lock { lock: u32, holder: usize },
    /// `await e` while e is false.
    Await,
}

/// Why a step failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    Overflow,
    DivisionByZero,
    /// A write of `value` outside the range type of shared variable `var`.
    OutOfRange {
        var: u32,
        value: i64,
    },
    /// A key outside the domain of map `var`.
    KeyOutOfDomain {
        var: u32,
        key: i64,
    },
    /// `lock L` by the task that already holds L.
    Relock {
        lock: u32,
    },
    /// `unlock L` by a task that does not hold L (`holder` is who does, if anyone).
    UnlockNotHeld {
        lock: u32,
        holder: Option<usize>,
    },
    /// A statement after the first of an `atomic` block would block.
    BlockInAtomic(WaitFor),
    /// `choose` over an empty range.
    EmptyChoose {
        lo: i64,
        hi: i64,
    },
    /// More than [`LOCAL_STEP_LIMIT`] statements without touching shared state.
    LocalLoop,
    /// A failed `assert`: the only error that is not a model error.
    Assertion {
        message: Option<String>,
    },
}

/// A failed step: what went wrong and at which statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepError {
    pub kind: ErrorKind,
    pub span: Span,
}

/// The result of trying one resolution of one task's step.
#[derive(Debug, Clone)]
pub enum StepResult {
    /// The step ran; here is the state after it (lost-update bookkeeping not yet updated).
    Next(State),
    /// The closing statement cannot run: no transition for this resolution.
    Blocked { wait: WaitFor, span: Span },
    /// The step failed: a violation.
    Error(StepError),
    /// The chooser refused a choice (replay of a schedule that does not fit).
    Refused,
}

/// Supplies the value of each `choose`/`either` that a step meets, in order.
pub trait Chooser {
    /// Picks a value in `lo..hi` (never empty) for a choice of `kind` at `span`, or refuses.
    fn choose(&mut self, kind: ChoiceKind, lo: i64, hi: i64, span: Span) -> Option<i64>;
}

/// One thing a traced step did, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// A statement ran.
    Stmt(Span),
    Read {
        slot: u32,
        value: i64,
    },
    Write {
        slot: u32,
        old: i64,
        new: i64,
    },
    Local {
        slot: u32,
        value: i64,
    },
    Lock {
        lock: u32,
    },
    Unlock {
        lock: u32,
    },
    Choice {
        kind: ChoiceKind,
        value: i64,
    },
}

/// The shared locations a step read and wrote (each once, in first-access order), and, when
/// tracing, every event.
#[derive(Debug, Clone, Default)]
pub struct StepLog {
    pub reads: Vec<u32>,
    pub writes: Vec<u32>,
    pub events: Option<Vec<Event>>,
    /// Buffers that enumerating a step's resolutions reuses from call to call
    /// ([`crate::semantics::Semantics::for_each_resolution_into`]), so that it allocates nothing.
    pub(crate) spare: crate::semantics::Spare,
    /// The budgets that enumeration honours, one resolution at a time (unarmed by default).
    pub guard: Guard,
}

impl StepLog {
    pub fn traced() -> StepLog {
        StepLog {
            events: Some(Vec::new()),
            ..StepLog::default()
        }
    }

    /// Whether a budget ran out while this log enumerated resolutions: the enumerations since
    /// were cut short, so what they found is not the whole story (see [`Guard`]).
    #[inline]
    pub fn cut(&self) -> bool {
        self.guard.cut()
    }

    /// Where the last enumeration of a step's resolutions was stopped by its caller
    /// ([`crate::semantics::Semantics::for_each_resolution_into`]'s `f` returned false), if
    /// resolutions were left: the start of the next one, for
    /// [`crate::semantics::Semantics::for_each_resolution_from`]. `None` once it ran to its end.
    pub fn rest(&self) -> Option<&[i64]> {
        self.spare.rest()
    }

    /// Clears what the last step did (the guard stays as it is).
    pub fn clear(&mut self) {
        self.reads.clear();
        self.writes.clear();
        if let Some(e) = &mut self.events {
            e.clear();
        }
    }

    /// Records the event `e` makes, when tracing (built only then: steps run untraced by the
    /// million).
    #[inline(always)]
    fn event(&mut self, e: impl FnOnce() -> Event) {
        if let Some(events) = &mut self.events {
            events.push(e());
        }
    }

    #[inline]
    fn read(&mut self, slot: u32, value: i64) {
        if !self.reads.contains(&slot) {
            self.reads.push(slot);
        }
        self.event(|| Event::Read { slot, value });
    }
}

/// Follows the non-statements (`Jump`, `Clear`) from `pc` to the next statement or the end, so
/// that a task whose remaining code holds no statement counts as finished.
pub fn settle(body: &TaskBody, mut pc: u32, locals: &mut [i64]) -> u32 {
    let mut guard = 0usize;
    while let Some(instr) = body.code.get(pc as usize) {
        match instr.kind {
            InstrKind::Jump(target) => pc = target,
            InstrKind::Clear { from, to } => {
                locals[from as usize..to as usize].fill(0);
                pc += 1;
            }
            _ => break,
        }
        // A cycle of jumps with no statement cannot come out of lowering; stop rather than hang.
        guard += 1;
        if guard > body.code.len() {
            break;
        }
    }
    pc
}

/// Control of the step loop after one statement.
enum Flow {
    Next,
    Goto(u32),
    Block(WaitFor),
}

/// Runs one step of `task` from `state`. `log` receives the accesses (clear it first).
pub fn step(
    model: &Model,
    layout: &Layout,
    state: &State,
    task: usize,
    chooser: &mut dyn Chooser,
    log: &mut StepLog,
) -> StepResult {
    let mut next = state.clone();
    match step_into(model, layout, state, task, chooser, log, &mut next) {
        StepEnd::Ran => StepResult::Next(next),
        StepEnd::Blocked { wait, span } => StepResult::Blocked { wait, span },
        StepEnd::Error(e) => StepResult::Error(e),
        StepEnd::Refused => StepResult::Refused,
    }
}

/// How [`step_into`] ended: like [`StepResult`], with the next state left in the caller's buffer.
#[derive(Debug, Clone)]
pub enum StepEnd {
    /// The step ran; the buffer holds the state after it (lost-update bookkeeping not updated).
    Ran,
    Blocked {
        wait: WaitFor,
        span: Span,
    },
    Error(StepError),
    Refused,
}

/// [`step`] without allocating: the state after the step is written into `next` (a state of the
/// same model; its previous contents do not matter). On anything but [`StepEnd::Ran`], `next`
/// holds a partly stepped state that means nothing.
pub fn step_into(
    model: &Model,
    layout: &Layout,
    state: &State,
    task: usize,
    chooser: &mut dyn Chooser,
    log: &mut StepLog,
    next: &mut State,
) -> StepEnd {
    let inst = &model.tasks[task];
    let body = &model.bodies[inst.body as usize];
    let end = body.code.len() as u32;
    next.copy_from(state);
    let base = layout.local_base[task];
    let mut pc = next.pcs[task];
    debug_assert!(pc < end, "step of a finished task");

    let mut since_shared = 0u32;
    let mut atomic_depth = 0u32;
    // Statements run inside the outermost atomic block: the first one decides whether it blocks.
    let mut atomic_stmts = 0u32;
    let mut cx = Cx {
        model,
        shared: &mut next.shared,
        locals: &mut next.locals[base..base + body.locals.len()],
        locks: &mut next.locks,
        log,
        error: None,
    };
    let tracing = cx.log.events.is_some();
    while let Some(instr) = body.code.get(pc as usize) {
        match &instr.kind {
            InstrKind::Jump(target) => {
                pc = *target;
                continue;
            }
            InstrKind::Clear { from, to } => {
                cx.locals[*from as usize..*to as usize].fill(0);
                pc += 1;
                continue;
            }
            InstrKind::AtomicEnd => {
                atomic_depth -= 1;
                pc += 1;
                if atomic_depth == 0 {
                    break;
                }
                continue;
            }
            _ => {}
        }
        if instr.shared {
            since_shared = 0;
        } else {
            since_shared += 1;
            if since_shared > LOCAL_STEP_LIMIT {
                return StepEnd::Error(StepError {
                    kind: ErrorKind::LocalLoop,
                    span: instr.span,
                });
            }
        }
        if tracing {
            cx.log.event(|| Event::Stmt(instr.span));
        }
        let flow = match exec(&mut cx, &instr.kind, instr.span, task, chooser) {
            Ok(flow) => flow,
            Err(Fail::Error) => {
                return StepEnd::Error(StepError {
                    kind: cx.error.take().expect("a failure records its error"),
                    span: instr.span,
                })
            }
            Err(Fail::Refused) => return StepEnd::Refused,
        };
        match flow {
            Flow::Block(wait) => {
                if atomic_depth > 0 && atomic_stmts > 0 {
                    return StepEnd::Error(StepError {
                        kind: ErrorKind::BlockInAtomic(wait),
                        span: instr.span,
                    });
                }
                return StepEnd::Blocked {
                    wait,
                    span: instr.span,
                };
            }
            Flow::Next => pc += 1,
            Flow::Goto(target) => pc = target,
        }
        if matches!(instr.kind, InstrKind::AtomicBegin { .. }) {
            atomic_depth += 1;
        } else if atomic_depth > 0 {
            atomic_stmts += 1;
        } else if instr.shared {
            // The statement that closes the step.
            break;
        }
    }
    let locals = &mut next.locals[base..base + body.locals.len()];
    pc = settle(body, pc, locals).min(end);
    next.pcs[task] = pc;
    if pc >= end {
        // A finished task's locals can no longer matter; reset them (but the index) so that
        // states differing only there are one state.
        for (slot, v) in locals.iter_mut().enumerate() {
            if Some(slot as u32) != body.index_slot {
                *v = 0;
            }
        }
    }
    StepEnd::Ran
}

/// Why a statement or an expression did not go on: it failed, with the error recorded in
/// [`Cx::error`] (kept apart so that an evaluation's result fits two registers), or the chooser
/// refused.
#[derive(Debug, Clone, Copy)]
enum Fail {
    Error,
    Refused,
}

/// What a step's statements and expressions work on: the state being stepped (its shared
/// slots, the task's locals, the locks), the log, and the error of the last [`Fail::Error`].
struct Cx<'a> {
    model: &'a Model,
    shared: &'a mut [i64],
    locals: &'a mut [i64],
    locks: &'a mut [u32],
    log: &'a mut StepLog,
    error: Option<ErrorKind>,
}

fn exec(
    cx: &mut Cx<'_>,
    kind: &InstrKind,
    span: Span,
    task: usize,
    chooser: &mut dyn Chooser,
) -> Result<Flow, Fail> {
    match kind {
        InstrKind::SetLocal { slot, value } => {
            let v = cx.operand(value)?;
            cx.set_local(*slot, v);
        }
        InstrKind::SetShared { var, key, value } => {
            let slot = match key {
                Some(k) => {
                    let k = cx.operand(k)?;
                    cx.map_slot(*var, k)?
                }
                None => cx.model.shared[*var as usize].base_slot as u32,
            };
            let v = cx.operand(value)?;
            if let ValueType::Range { lo, hi } = cx.model.shared[*var as usize].ty {
                if v < lo || v >= hi {
                    return Err(cx.fail(ErrorKind::OutOfRange {
                        var: *var,
                        value: v,
                    }));
                }
            }
            let old = cx.shared[slot as usize];
            cx.shared[slot as usize] = v;
            if !cx.log.writes.contains(&slot) {
                cx.log.writes.push(slot);
            }
            cx.log.event(|| Event::Write { slot, old, new: v });
        }
        InstrKind::Lock(lock) => {
            let holder = cx.locks[*lock as usize];
            if holder == 0 {
                cx.locks[*lock as usize] = task as u32 + 1;
                cx.log.event(|| Event::Lock { lock: *lock });
            } else if holder as usize == task + 1 {
                return Err(cx.fail(ErrorKind::Relock { lock: *lock }));
            } else {
                return Ok(Flow::Block(WaitFor::Lock {
                    lock: *lock,
                    holder: holder as usize - 1,
                }));
            }
        }
        InstrKind::Unlock(lock) => {
            let holder = cx.locks[*lock as usize];
            if holder as usize == task + 1 {
                cx.locks[*lock as usize] = 0;
                cx.log.event(|| Event::Unlock { lock: *lock });
            } else {
                return Err(cx.fail(ErrorKind::UnlockNotHeld {
                    lock: *lock,
                    holder: (holder > 0).then(|| holder as usize - 1),
                }));
            }
        }
        InstrKind::Await(cond) => {
            if cx.operand(cond)? == 0 {
                return Ok(Flow::Block(WaitFor::Await));
            }
        }
        InstrKind::Assert { cond, message } => {
            if cx.operand(cond)? == 0 {
                return Err(cx.fail(ErrorKind::Assertion {
                    message: message.clone(),
                }));
            }
        }
        InstrKind::Skip | InstrKind::AtomicBegin { .. } => {}
        InstrKind::Return => return Ok(Flow::Goto(u32::MAX)),
        InstrKind::Choose { slot, domain } => {
            let (kind, lo, hi) = cx.domain(domain)?;
            if lo >= hi {
                return Err(cx.fail(ErrorKind::EmptyChoose { lo, hi }));
            }
            let v = chooser.choose(kind, lo, hi, span).ok_or(Fail::Refused)?;
            cx.log.event(|| Event::Choice { kind, value: v });
            cx.set_local(*slot, v);
        }
        InstrKind::Either { targets } => {
            let b = chooser
                .choose(ChoiceKind::Branch, 0, targets.len() as i64, span)
                .ok_or(Fail::Refused)?;
            cx.log.event(|| Event::Choice {
                kind: ChoiceKind::Branch,
                value: b,
            });
            return Ok(Flow::Goto(targets[b as usize]));
        }
        InstrKind::Branch { cond, target } => {
            if cx.operand(cond)? == 0 {
                return Ok(Flow::Goto(*target));
            }
        }
        InstrKind::ForEnter {
            var,
            end_slot,
            domain,
            exit,
        } => {
            let (_, lo, hi) = cx.domain(domain)?;
            cx.set_local(*var, lo);
            cx.locals[*end_slot as usize] = hi;
            if lo >= hi {
                return Ok(Flow::Goto(*exit));
            }
        }
        InstrKind::ForNext {
            var,
            end_slot,
            body,
        } => {
            let v = cx.locals[*var as usize];
            // v < end, so v + 1 cannot overflow.
            if v + 1 < cx.locals[*end_slot as usize] {
                cx.set_local(*var, v + 1);
                return Ok(Flow::Goto(*body));
            }
        }
        InstrKind::AtomicEnd | InstrKind::Jump(_) | InstrKind::Clear { .. } => {
            unreachable!("non-statements are handled by the step loop")
        }
    }
    Ok(Flow::Next)
}

impl Cx<'_> {
    /// Records `kind` as the error of the failure returned.
    #[cold]
    fn fail(&mut self, kind: ErrorKind) -> Fail {
        self.error = Some(kind);
        Fail::Error
    }

    fn set_local(&mut self, slot: u32, value: i64) {
        self.locals[slot as usize] = value;
        self.log.event(|| Event::Local { slot, value });
    }

    fn map_slot(&mut self, var: u32, key: i64) -> Result<u32, Fail> {
        let v = &self.model.shared[var as usize];
        let domain = v.key.expect("lowering gives map accesses only to maps");
        match domain.offset(key, &self.model.enums) {
            Some(off) => Ok((v.base_slot + off) as u32),
            None => Err(self.fail(ErrorKind::KeyOutOfDomain { var, key })),
        }
    }

    fn domain(&mut self, domain: &Domain) -> Result<(ChoiceKind, i64, i64), Fail> {
        Ok(match domain {
            Domain::Range { lo, hi } => (ChoiceKind::Int, self.operand(lo)?, self.operand(hi)?),
            Domain::Enum(e) => (
                ChoiceKind::Enum(*e),
                0,
                self.model.enums[*e as usize].variants.len() as i64,
            ),
        })
    }

    /// The value of `e` when it is a constant or a local, read without a call: most operands are.
    #[inline(always)]
    fn operand(&mut self, e: &Expr) -> Result<i64, Fail> {
        match e {
            Expr::Const(v) => Ok(*v),
            Expr::Local(slot) => Ok(self.locals[*slot as usize]),
            _ => self.eval(e),
        }
    }

    fn eval(&mut self, e: &Expr) -> Result<i64, Fail> {
        Ok(match e {
            Expr::Const(v) => *v,
            Expr::Local(slot) => self.locals[*slot as usize],
            Expr::Shared(var) => {
                let slot = self.model.shared[*var as usize].base_slot as u32;
                let v = self.shared[slot as usize];
                self.log.read(slot, v);
                v
            }
            Expr::MapGet { var, key } => {
                let k = self.operand(key)?;
                let slot = self.map_slot(*var, k)?;
                let v = self.shared[slot as usize];
                self.log.read(slot, v);
                v
            }
            Expr::Unary(op, a) => {
                let a = self.operand(a)?;
                match op {
                    UnOp::Not => (a == 0) as i64,
                    UnOp::Neg => match a.checked_neg() {
                        Some(v) => v,
                        None => return Err(self.fail(ErrorKind::Overflow)),
                    },
                }
            }
            Expr::Binary(BinOp::And, a, b) => {
                (self.operand(a)? != 0 && self.operand(b)? != 0) as i64
            }
            Expr::Binary(BinOp::Or, a, b) => {
                (self.operand(a)? != 0 || self.operand(b)? != 0) as i64
            }
            Expr::Binary(op, a, b) => {
                let a = self.operand(a)?;
                let b = self.operand(b)?;
                match binary(*op, a, b) {
                    Ok(v) => v,
                    Err(kind) => return Err(self.fail(kind)),
                }
            }
        })
    }
}

/// Evaluates a non-short-circuit binary operator over i64 with DESIGN.md's integer rules.
#[inline]
pub fn binary(op: BinOp, a: i64, b: i64) -> Result<i64, ErrorKind> {
    Ok(match op {
        BinOp::Add => a.checked_add(b).ok_or(ErrorKind::Overflow)?,
        BinOp::Sub => a.checked_sub(b).ok_or(ErrorKind::Overflow)?,
        BinOp::Mul => a.checked_mul(b).ok_or(ErrorKind::Overflow)?,
        BinOp::Div | BinOp::Rem if b == 0 => return Err(ErrorKind::DivisionByZero),
        BinOp::Div => a.checked_div(b).ok_or(ErrorKind::Overflow)?,
        BinOp::Rem => a.checked_rem(b).ok_or(ErrorKind::Overflow)?,
        BinOp::Lt => (a < b) as i64,
        BinOp::Le => (a <= b) as i64,
        BinOp::Gt => (a > b) as i64,
        BinOp::Ge => (a >= b) as i64,
        BinOp::Eq => (a == b) as i64,
        BinOp::Ne => (a != b) as i64,
        BinOp::And => (a != 0 && b != 0) as i64,
        BinOp::Or => (a != 0 || b != 0) as i64,
    })
}

/// Evaluates an invariant or final property over the shared state (it reads nothing that counts
/// for lost updates). An error in it (overflow, a key out of its domain) is returned as such.
pub fn eval_property(model: &Model, shared: &[i64], expr: &Expr) -> Result<bool, ErrorKind> {
    eval_property_in(model, &mut shared.to_vec(), &mut StepLog::default(), expr)
}

/// [`eval_property`] without copying: evaluation only reads `shared` (the `mut` is the
/// evaluator's, which steps share), and `log` is scratch space, cleared first.
pub fn eval_property_in(
    model: &Model,
    shared: &mut [i64],
    log: &mut StepLog,
    expr: &Expr,
) -> Result<bool, ErrorKind> {
    log.clear();
    let mut cx = Cx {
        model,
        shared,
        locals: &mut [],
        locks: &mut [],
        log,
        error: None,
    };
    match cx.eval(expr) {
        Ok(v) => Ok(v != 0),
        Err(_) => Err(cx
            .error
            .take()
            .expect("a failed evaluation records its error")),
    }
}
