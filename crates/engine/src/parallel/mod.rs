//! The parallel explorer: the fast explorer's breadth-first search, one level at a time, with the
//! states of a level expanded by several threads. It gives the same verdict, the same schedule and
//! the same figures as the sequential search, whatever the number of threads:
//!
//! - every transition has a *key*, `(position of its parent in the level, ordinal of the
//!   transition among the parent's resolutions)`: the order in which the sequential search takes
//!   it;
//! - a state's discovery key is the smallest key among the transitions that reach it in the level
//!   where it is first reached (the [`store`] keeps the minimum, not the first to arrive), and the
//!   next level is the new states sorted by that key: the sequential order;
//! - a violation found on a transition, or on a new state (under the state's final discovery
//!   key), is a candidate; when the level is done the smallest candidate is the violation the
//!   sequential search reports first, and the states and transitions it would have counted by
//!   then are counted from the keys.
//!
//! Work goes out in chunks of positions ([`work`]); a worker skips whatever comes after the best
//! candidate known so far, since it cannot beat it. A successor whose value outgrows its packed
//! field is set aside and stored once the level is done, after the packing is widened.

mod explore;
mod store;
pub mod sync;
mod work;

/// The hash of a packed state that the store files it under ([`Store::visit_group`] takes it).
pub use crate::fast::table::hash as state_hash;
pub use explore::explore;
#[cfg(test)]
pub(crate) use explore::explore_visiting;
pub use store::{Gid, Store, Visit, ROOT};
pub use work::Chunks;
