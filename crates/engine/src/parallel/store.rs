//! The parallel explorer's visited set: packed states spread over many shards by hash, each
//! shard a [`Table`] behind its own lock, with per state the *discovery key* (the smallest
//! `(parent position, transition ordinal)` among the transitions of the current level that reach
//! it) and the parent that key belongs to. Keeping the smallest key, rather than the first to
//! arrive, is what makes the result independent of the thread count: it is the key under which
//! the sequential breadth-first search would have discovered the state.

use crate::checkpoint::Checkpoint;
use crate::fast::table::{hash, Table};

use super::sync::Mutex;

/// A state's number: `local << shard_bits | shard`.
pub type Gid = u64;

/// No parent (the initial state).
pub const ROOT: Gid = u64::MAX;

struct Shard {
    table: Table,
    disc: Vec<u64>,
    parent: Vec<Gid>,
    /// The first local number of the level being explored: keys of older states are final.
    level_start: usize,
}

pub struct Store {
    shards: Vec<Mutex<Shard>>,
    shard_bits: u32,
}

/// What [`Store::visit`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visit {
    /// The state is new: stored under this number.
    New(Gid),
    /// The state was there already.
    Seen,
}

impl Store {
    /// A store of `words`-word states over `2^shard_bits` shards.
    pub fn new(words: usize, shard_bits: u32) -> Store {
        let shards = (0..1usize << shard_bits)
            .map(|_| {
                Mutex::new(Shard {
                    table: Table::with_index(words, 64),
                    disc: Vec::new(),
                    parent: Vec::new(),
                    level_start: 0,
                })
            })
            .collect();
        Store { shards, shard_bits }
    }

    fn shard_of(&self, h: u64) -> usize {
        if self.shard_bits == 0 {
            return 0;
        }
        // The table indexes by the low bits and tags by the high ones: pick the shard from a
        // remix, so that neither is constant within a shard.
        (h.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> (64 - self.shard_bits)) as usize
    }

    fn split(&self, gid: Gid) -> (usize, usize) {
        let mask = (1u64 << self.shard_bits) - 1;
        ((gid & mask) as usize, (gid >> self.shard_bits) as usize)
    }

    /// Records that the transition `disc` from `parent` reaches the packed state `key`: stores
    /// the state if it is new, else lowers its discovery key if it was first reached in this
    /// level and `disc` is smaller.
    pub fn visit(&self, key: &[u64], disc: u64, parent: Gid) -> Visit {
        let h = hash(key);
        let s = self.shard_of(h);
        let mut shard = self.shards[s].lock();
        self.visit_in(&mut shard, s, key, h, disc, parent)
    }

    /// [`Store::visit`] of `n` states that all belong to shard `s` (their hashes say so), under
    /// one lock: `item(i)` gives the `i`-th state's packed form, hash, discovery key and parent;
    /// `seen(i, visit)` is told what its visit found. Taking a shard's lock once for a group, not
    /// once per state, keeps the lock's cache line from travelling between cores at every visit.
    pub fn visit_group<'k>(
        &self,
        s: usize,
        n: usize,
        item: impl Fn(usize) -> (&'k [u64], u64, u64, Gid),
        mut seen: impl FnMut(usize, Visit),
    ) {
        let mut shard = self.shards[s].lock();
        for i in 0..n {
            shard.table.prefetch(item(i).1);
        }
        for i in 0..n {
            let (key, h, disc, parent) = item(i);
            debug_assert_eq!(self.shard_of(h), s, "a state of another shard");
            let v = self.visit_in(&mut shard, s, key, h, disc, parent);
            seen(i, v);
        }
    }

    /// How many shards there are.
    pub fn shards(&self) -> usize {
        self.shards.len()
    }

    /// The shard of a packed state whose [`hash`] is `h`.
    pub fn shard_of_hash(&self, h: u64) -> usize {
        self.shard_of(h)
    }

    fn visit_in(
        &self,
        shard: &mut Shard,
        s: usize,
        key: &[u64],
        h: u64,
        disc: u64,
        parent: Gid,
    ) -> Visit {
        let (local, new) = shard.table.insert_hashed(key, h);
        if new {
            shard.disc.push(disc);
            shard.parent.push(parent);
            return Visit::New((local as u64) << self.shard_bits | s as u64);
        }
        if local >= shard.level_start && disc < shard.disc[local] {
            shard.disc[local] = disc;
            shard.parent[local] = parent;
        }
        Visit::Seen
    }

    /// Starts a level: the states stored from now on are the level's.
    pub fn start_level(&self) {
        for s in &self.shards {
            let mut s = s.lock();
            s.level_start = s.table.len();
        }
    }

    /// The states stored since [`Store::start_level`], each with its discovery key, sorted by
    /// it: the breadth-first order of the next level.
    pub fn level(&self) -> Vec<(u64, Gid)> {
        self.level_shards(0, 1)
    }

    /// [`Store::level`]'s states of the shards numbered `k` modulo `of`, sorted the same way
    /// (so that `of` threads can each take a share).
    pub fn level_shards(&self, k: usize, of: usize) -> Vec<(u64, Gid)> {
        let mut out = Vec::new();
        for (i, s) in self.shards.iter().enumerate().skip(k).step_by(of) {
            let s = s.lock();
            out.extend(
                (s.level_start..s.table.len())
                    .map(|l| (s.disc[l], (l as u64) << self.shard_bits | i as u64)),
            );
        }
        out.sort_unstable();
        out
    }

    /// The packed states `gids`, end to end in that order (each shard locked once).
    pub fn gather(&self, gids: &[Gid], words: usize) -> Vec<u64> {
        let mut out = vec![0u64; gids.len() * words];
        self.gather_into(gids.iter().copied(), words, &mut out);
        out
    }

    /// [`Store::gather`] into `out`, `words` words per state of `gids`.
    pub fn gather_into(&self, gids: impl Iterator<Item = Gid>, words: usize, out: &mut [u64]) {
        let mut by_shard: Vec<Vec<(usize, usize)>> = vec![Vec::new(); self.shards.len()];
        for (i, gid) in gids.enumerate() {
            let (s, l) = self.split(gid);
            by_shard[s].push((i, l));
        }
        for (s, wanted) in by_shard.iter().enumerate().filter(|(_, w)| !w.is_empty()) {
            let shard = self.shards[s].lock();
            for &(i, l) in wanted {
                out[i * words..(i + 1) * words].copy_from_slice(shard.table.get(l));
            }
        }
    }

    /// Appends the packed state `gid` to `out`.
    pub fn copy_state(&self, gid: Gid, out: &mut Vec<u64>) {
        let (s, l) = self.split(gid);
        out.extend_from_slice(self.shards[s].lock().table.get(l));
    }

    /// The discovery key of `gid`.
    pub fn disc(&self, gid: Gid) -> u64 {
        let (s, l) = self.split(gid);
        self.shards[s].lock().disc[l]
    }

    pub fn parent(&self, gid: Gid) -> Gid {
        let (s, l) = self.split(gid);
        self.shards[s].lock().parent[l]
    }

    /// Re-encodes every stored state with `convert` (from the old packed form to a new one of
    /// `words` words). A state's shard follows from the hash of its packed form, which changes:
    /// so the store is rebuilt, every state moving to its new shard under a new number (the
    /// states of earlier levels first, so that each shard's level mark still holds), parents
    /// renumbered. Returns the renumbering, for the numbers the caller holds.
    pub fn repack(
        &mut self,
        words: usize,
        mut convert: impl FnMut(&[u64], &mut [u64]),
    ) -> Renumber {
        let old: Vec<Shard> = std::mem::take(&mut self.shards)
            .into_iter()
            .map(Mutex::into_inner)
            .collect();
        let fresh = Store::new(words, self.shard_bits);
        let mut shards: Vec<Shard> = fresh.shards.into_iter().map(Mutex::into_inner).collect();
        let mut map: Vec<Vec<Gid>> = old.iter().map(|s| vec![ROOT; s.table.len()]).collect();
        let mut key = vec![0u64; words];
        for earlier in [true, false] {
            for (si, s) in old.iter().enumerate() {
                let range = if earlier {
                    0..s.level_start
                } else {
                    s.level_start..s.table.len()
                };
                for l in range {
                    convert(s.table.get(l), &mut key);
                    let h = hash(&key);
                    let ns = self.shard_of(h);
                    let (nl, new) = shards[ns].table.insert_hashed(&key, h);
                    debug_assert!(new, "a packing is one to one");
                    shards[ns].disc.push(s.disc[l]);
                    shards[ns].parent.push(s.parent[l]);
                    map[si][l] = (nl as u64) << self.shard_bits | ns as u64;
                }
            }
            if earlier {
                for s in &mut shards {
                    s.level_start = s.table.len();
                }
            }
        }
        let renumber = Renumber {
            map,
            shard_bits: self.shard_bits,
        };
        for s in &mut shards {
            for p in &mut s.parent {
                *p = renumber.get(*p);
            }
        }
        self.shards = shards.into_iter().map(Mutex::new).collect();
        renumber
    }

    /// A store holding the states of checkpoint `c` (in `words`-word packing), all of them
    /// stored before the level to come, with the numbers they got; or why it cannot be built.
    pub fn restore(
        words: usize,
        shard_bits: u32,
        c: &Checkpoint,
    ) -> Result<(Store, Vec<Gid>), String> {
        let store = Store::new(words, shard_bits);
        let mut gids: Vec<Gid> = Vec::with_capacity(c.len());
        for i in 0..c.len() {
            let parent = match c.parents[i] {
                u32::MAX => ROOT,
                p => gids[p as usize],
            };
            match store.visit(c.state(i), 0, parent) {
                Visit::New(gid) => gids.push(gid),
                Visit::Seen => return Err("it holds a state twice".into()),
            }
        }
        store.start_level();
        Ok((store, gids))
    }

    /// Every state stored before the current level, numbered so that parents come before their
    /// children and the level's own states, `frontier`, come last in that order: the packed
    /// states end to end and each one's parent number (`u32::MAX` for none).
    pub fn snapshot(&self, frontier: &[Gid], words: usize) -> (Vec<u64>, Vec<u32>) {
        let shards: Vec<_> = self.shards.iter().map(|s| s.lock()).collect();
        let mut number: Vec<Vec<u32>> = shards
            .iter()
            .map(|s| vec![u32::MAX; s.level_start])
            .collect();
        let mut order: Vec<Gid> = Vec::new();
        let gid = |s: usize, l: usize| (l as u64) << self.shard_bits | s as u64;
        let mut in_frontier: Vec<Vec<bool>> =
            shards.iter().map(|s| vec![false; s.level_start]).collect();
        for &g in frontier {
            let (s, l) = self.split(g);
            in_frontier[s][l] = true;
        }
        let mut chain = Vec::new();
        for (s, shard) in shards.iter().enumerate() {
            for l in 0..shard.level_start {
                if in_frontier[s][l] || number[s][l] != u32::MAX {
                    continue;
                }
                // Number the unnumbered ancestors first, from the oldest down.
                let mut at = gid(s, l);
                loop {
                    let (ps, pl) = self.split(at);
                    if number[ps][pl] != u32::MAX {
                        break;
                    }
                    chain.push(at);
                    at = shards[ps].parent[pl];
                    if at == ROOT {
                        break;
                    }
                }
                while let Some(g) = chain.pop() {
                    let (cs, cl) = self.split(g);
                    number[cs][cl] = order.len() as u32;
                    order.push(g);
                }
            }
        }
        for &g in frontier {
            let (s, l) = self.split(g);
            number[s][l] = order.len() as u32;
            order.push(g);
        }
        let mut states = Vec::with_capacity(order.len() * words);
        let mut parents = Vec::with_capacity(order.len());
        for &g in &order {
            let (s, l) = self.split(g);
            states.extend_from_slice(shards[s].table.get(l));
            parents.push(match shards[s].parent[l] {
                ROOT => u32::MAX,
                p => {
                    let (ps, pl) = self.split(p);
                    number[ps][pl]
                }
            });
        }
        (states, parents)
    }

    /// Bytes held by the tables, the keys and the parents.
    pub fn bytes(&self) -> u64 {
        self.shards
            .iter()
            .map(|s| {
                let s = s.lock();
                (s.table.bytes() + s.disc.capacity() * 8 + s.parent.capacity() * 8) as u64
            })
            .sum()
    }
}

/// How [`Store::repack`] renumbered the states.
pub struct Renumber {
    map: Vec<Vec<Gid>>,
    shard_bits: u32,
}

impl Renumber {
    /// The new number of the state numbered `gid` before ([`ROOT`] stays itself).
    pub fn get(&self, gid: Gid) -> Gid {
        if gid == ROOT {
            return ROOT;
        }
        let mask = (1u64 << self.shard_bits) - 1;
        self.map[(gid & mask) as usize][(gid >> self.shard_bits) as usize]
    }
}
