//! The fast explorer: the reference explorer's breadth-first search, with the same order of
//! states, tasks, resolutions and checks — so the same verdict and the same shortest schedule —
//! but over packed states in a compact table, without allocating per transition.
//!
//! What makes it faster and smaller than the reference ([`crate::explore`]):
//! - states are packed into as few bits as their domains need ([`pack`]) and stored end to end
//!   in one arena with an open-addressing index ([`table`]); the arena is the BFS queue, and a
//!   state's parent is one `u32`, the step that reached it being found again by re-expanding the
//!   parent only when a schedule is printed;
//! - the lost-update mark of a task-location pair is dropped as soon as the task can no longer
//!   write that variable, and never kept where the task cannot both read and write the slot
//!   ([`analysis`]; DESIGN.md, "Precise semantics": the mark matters only
//!   while such a write is reachable). States that differed only there are one state: they have
//!   the same futures and the same violations, so the first violation in breadth-first order, and
//!   its schedule, are the reference's;
//! - the deadlock check runs the steps of the unfinished tasks only when each of them could block
//!   at all.

pub(crate) mod analysis;
pub mod compact;
mod core;
mod explore;
pub(crate) mod pack;
pub(crate) mod por;
pub(crate) mod symmetry;
pub(crate) mod table;

pub(crate) use core::{passes, Copies, Fast, Ran, Transition};
pub use explore::explore;
pub(crate) use explore::schedule_along;
