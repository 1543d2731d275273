//! The visited set of the fast explorer: packed states stored end to end in one arena, found
//! again through an open-addressing index of 64-bit entries (the hash's high 32 bits and the
//! state's number). States are numbered in the order they are inserted, which is the breadth-first
//! order: the arena doubles as the explorer's queue.
//!
//! A state's home slot is given by the *high* bits of its hash, the ones its entry keeps: so the
//! index grows by moving entries, without hashing a state again or reading the arena.

/// The states seen so far.
pub struct Table {
    words: usize,
    arena: Vec<u64>,
    /// `0` for an empty entry, else `tag << 32 | (id + 1)` where `tag` is the hash's high half.
    index: Vec<u64>,
    /// `log2(index.len())`.
    bits: u32,
    len: usize,
}

/// The slot where an entry or hash whose high half is `tag` starts its probe, in an index of
/// `2^bits` slots.
fn home(tag: u64, bits: u32) -> usize {
    (tag >> (32 - bits)) as usize
}

/// A fast hash of a packed state (a multiply-xorshift mix per word, then a final avalanche).
pub fn hash(words: &[u64]) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15;
    for &w in words {
        h = (h ^ w).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        h ^= h >> 31;
    }
    h = (h ^ (h >> 30)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 29)
}

impl Table {
    pub fn new(words: usize) -> Table {
        Table::with_index(words, 1024)
    }

    /// A table whose index starts with `size` entries (a power of two).
    pub fn with_index(words: usize, size: usize) -> Table {
        assert!(size.is_power_of_two() && size <= 1 << 32);
        Table {
            words,
            arena: Vec::new(),
            index: vec![0; size],
            bits: size.trailing_zeros(),
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// The packed state numbered `id`.
    pub fn get(&self, id: usize) -> &[u64] {
        &self.arena[id * self.words..(id + 1) * self.words]
    }

    /// Inserts `key` unless it is there: its number, and whether it is new.
    pub fn insert(&mut self, key: &[u64]) -> (usize, bool) {
        self.insert_hashed(key, hash(key))
    }

    /// [`Table::insert`] of a key whose [`hash`] the caller has computed.
    pub fn insert_hashed(&mut self, key: &[u64], h: u64) -> (usize, bool) {
        debug_assert_eq!(key.len(), self.words);
        if (self.len + 1) * 4 > self.index.len() * 3 {
            self.grow();
        }
        match self.probe(key, h) {
            Ok(id) => (id, false),
            Err(slot) => {
                let id = self.len;
                assert!(id < u32::MAX as usize, "more than 2^32 - 1 states");
                self.index[slot] = (h >> 32) << 32 | (id as u64 + 1);
                if self.arena.len() + key.len() > self.arena.capacity() {
                    // Doubled by `realloc` (which moves large blocks without copying), then the
                    // pages not touched yet advised.
                    self.arena.reserve(self.arena.capacity().max(1024));
                    advise_huge(&self.arena);
                }
                self.arena.extend_from_slice(key);
                self.len += 1;
                (id, true)
            }
        }
    }

    /// Starts bringing into the cache the index slot where a key of hash `h` starts its probe,
    /// for a lookup that comes a little later (the explorer hashes a state's successors first
    /// and looks them up after, so that their cache misses overlap).
    #[inline]
    pub fn prefetch(&self, h: u64) {
        prefetch(&self.index[home(h >> 32, self.bits)]);
    }

    /// Looks `key` up: `Ok` with its number, or `Err` with the empty index slot where it goes.
    fn probe(&self, key: &[u64], h: u64) -> Result<usize, usize> {
        let tag = h >> 32;
        let mask = self.index.len() - 1;
        let mut i = home(tag, self.bits);
        loop {
            let e = self.index[i];
            if e == 0 {
                return Err(i);
            }
            if e >> 32 == tag {
                let id = (e & 0xffff_ffff) as usize - 1;
                if self.get(id) == key {
                    return Ok(id);
                }
            }
            i = (i + 1) & mask;
        }
    }

    /// Doubles the index, moving each entry to its home in the larger one (or past it).
    fn grow(&mut self) {
        let bits = self.bits + 1;
        assert!(bits <= 32, "an index of more than 2^32 slots");
        let old = std::mem::take(&mut self.index);
        let mut index = vec![0u64; old.len() * 2];
        advise_huge(&index);
        for e in old.into_iter().filter(|&e| e != 0) {
            place(&mut index, bits, e);
        }
        self.index = index;
        self.bits = bits;
    }

    /// Builds the index again from the stored states (whose packing, so hash, changed).
    fn reindex(&mut self) {
        let mut index = vec![0u64; self.index.len()];
        advise_huge(&index);
        for id in 0..self.len {
            let h = hash(self.get(id));
            place(&mut index, self.bits, (h >> 32) << 32 | (id as u64 + 1));
        }
        self.index = index;
    }

    /// Re-encodes every stored state with `convert` (from the old packed form to a new one of
    /// `words` words), keeping their numbers.
    pub fn repack(&mut self, words: usize, mut convert: impl FnMut(&[u64], &mut [u64])) {
        let mut arena = Vec::with_capacity((self.len * words).next_power_of_two().max(1024));
        advise_huge(&arena);
        arena.resize(self.len * words, 0);
        for id in 0..self.len {
            convert(self.get(id), &mut arena[id * words..(id + 1) * words]);
        }
        self.words = words;
        self.arena = arena;
        self.reindex();
    }

    /// Bytes held: the arena and the index, as allocated.
    pub fn bytes(&self) -> usize {
        self.arena.capacity() * 8 + self.index.len() * 8
    }
}

/// Asks the processor to bring the cache line of `x` in, without waiting for it.
#[inline(always)]
#[allow(unsafe_code)]
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it never faults and reads nothing into the program, and the
    // pointer comes from a live reference anyway.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            (x as *const T).cast::<i8>(),
        );
    }
}

/// Asks the kernel to back the allocation of `v` with huge pages where it can (Linux's
/// transparent huge pages, when the system leaves them to `madvise`): the table is read at random
/// places all over, so with 4 KiB pages nearly every lookup misses the TLB, and every page is a
/// fault when first touched. Only the whole 2 MiB pages inside `v` can be huge; smaller
/// allocations are left alone. A hint: whatever the kernel answers, nothing changes but speed.
#[cfg_attr(
    target_os = "linux",
    expect(unsafe_code, reason = "madvise is a system call, through libc")
)]
fn advise_huge<T>(v: &Vec<T>) {
    const HUGE: usize = 2 << 20;
    let bytes = v.capacity() * std::mem::size_of::<T>();
    if bytes < 2 * HUGE {
        return;
    }
    #[cfg(target_os = "linux")]
    {
        let start = (v.as_ptr() as usize).next_multiple_of(HUGE);
        let end = (v.as_ptr() as usize + bytes) & !(HUGE - 1);
        if end > start {
            // SAFETY: madvise with MADV_HUGEPAGE changes no memory contents and no mapping
            // permissions; the range lies inside the allocation of `v`, which is alive, and is
            // page-aligned as madvise requires.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
            }
        }
    }
}

/// Puts entry `e` in the first free slot from its home in `index` (`2^bits` slots).
fn place(index: &mut [u64], bits: u32, e: u64) {
    let mask = index.len() - 1;
    let mut i = home(e >> 32, bits);
    while index[i] != 0 {
        i = (i + 1) & mask;
    }
    index[i] = e;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_it_stored_across_growth() {
        let mut t = Table::new(2);
        for i in 0..5000u64 {
            assert_eq!(t.insert(&[i, i * 7]), (i as usize, true));
        }
        for i in 0..5000u64 {
            assert_eq!(t.insert(&[i, i * 7]), (i as usize, false));
            assert_eq!(t.get(i as usize), &[i, i * 7]);
        }
        assert_eq!(t.insert(&[1, 8]), (5000, true));
        assert_eq!(t.len(), 5001);
    }
}
