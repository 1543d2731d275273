//! The synchronisation the parallel explorer's shared parts use, from one of three places: the
//! real ones (parking_lot's mutex, std's atomics), loom's (`--cfg loom`: every interleaving of a
//! small test, exhaustively) or shuttle's (feature `shuttle`: many random schedules of a larger
//! test). The store and the work queue are written against this module only, so the code that
//! loom and shuttle check is the code that runs.

#[cfg(loom)]
pub use loom::sync::atomic::{AtomicBool, AtomicU64, Ordering};
#[cfg(all(feature = "shuttle", not(loom)))]
pub use shuttle::sync::atomic::{AtomicBool, AtomicU64, Ordering};
#[cfg(not(any(loom, feature = "shuttle")))]
pub use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// A mutual-exclusion lock with parking_lot's interface (no poisoning).
#[derive(Debug, Default)]
pub struct Mutex<T> {
    #[cfg(loom)]
    inner: loom::sync::Mutex<T>,
    #[cfg(all(feature = "shuttle", not(loom)))]
    inner: shuttle::sync::Mutex<T>,
    #[cfg(not(any(loom, feature = "shuttle")))]
    inner: parking_lot::Mutex<T>,
}

impl<T> Mutex<T> {
    pub fn new(value: T) -> Mutex<T> {
        Mutex {
            #[cfg(loom)]
            inner: loom::sync::Mutex::new(value),
            #[cfg(all(feature = "shuttle", not(loom)))]
            inner: shuttle::sync::Mutex::new(value),
            #[cfg(not(any(loom, feature = "shuttle")))]
            inner: parking_lot::Mutex::new(value),
        }
    }

    /// Locks, waiting as long as it takes.
    pub fn lock(&self) -> impl std::ops::DerefMut<Target = T> + '_ {
        #[cfg(any(loom, feature = "shuttle"))]
        {
            // A panic while holding the lock already fails the test that holds it.
            self.inner.lock().unwrap_or_else(|e| e.into_inner())
        }
        #[cfg(not(any(loom, feature = "shuttle")))]
        {
            self.inner.lock()
        }
    }

    pub fn into_inner(self) -> T {
        #[cfg(any(loom, feature = "shuttle"))]
        {
            self.inner.into_inner().unwrap_or_else(|e| e.into_inner())
        }
        #[cfg(not(any(loom, feature = "shuttle")))]
        {
            self.inner.into_inner()
        }
    }
}
