//! Handing out the positions of a level to the workers, in chunks. A level's work is known when it
//! starts (the children of its states go to the next level), so every chunk is queued up front and
//! a worker is done when the queue is empty: that is the whole termination protocol.
//!
//! The queue is crossbeam's work-stealing injector; under loom and shuttle, which cannot see
//! inside crossbeam's lock-free code, a mutex-guarded list with the same interface stands in (the
//! protocol around it is what those tests check; crossbeam is tested upstream, under loom too).

use std::ops::Range;

/// The chunks of one level.
pub struct Chunks {
    #[cfg(not(any(loom, feature = "shuttle")))]
    queue: crossbeam_deque::Injector<Range<usize>>,
    #[cfg(any(loom, feature = "shuttle"))]
    queue: super::sync::Mutex<Vec<Range<usize>>>,
}

impl Chunks {
    /// `0..len` cut into chunks of `chunk` positions (the last may be shorter).
    pub fn new(len: usize, chunk: usize) -> Chunks {
        let chunk = chunk.max(1);
        let ranges = (0..len)
            .step_by(chunk)
            .map(move |start| start..(start + chunk).min(len));
        #[cfg(not(any(loom, feature = "shuttle")))]
        {
            let queue = crossbeam_deque::Injector::new();
            for r in ranges {
                queue.push(r);
            }
            Chunks { queue }
        }
        #[cfg(any(loom, feature = "shuttle"))]
        {
            let mut list: Vec<_> = ranges.collect();
            list.reverse();
            Chunks {
                queue: super::sync::Mutex::new(list),
            }
        }
    }

    /// The next chunk, or `None` once every chunk has been handed out.
    pub fn next(&self) -> Option<Range<usize>> {
        #[cfg(not(any(loom, feature = "shuttle")))]
        loop {
            match self.queue.steal() {
                crossbeam_deque::Steal::Success(r) => return Some(r),
                crossbeam_deque::Steal::Empty => return None,
                crossbeam_deque::Steal::Retry => std::hint::spin_loop(),
            }
        }
        #[cfg(any(loom, feature = "shuttle"))]
        {
            self.queue.lock().pop()
        }
    }
}
