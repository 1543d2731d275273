//! The parallel explorer's shared parts under loom, which runs every interleaving of these small
//! tests (`RUSTFLAGS="--cfg loom" cargo test -p migcheck-engine --release --test loom`; `.ci/run`
//! does). Built without `--cfg loom`, this file is empty.
#![cfg(loom)]

use std::collections::BTreeSet;

use loom::sync::Arc;
use loom::thread;

use migcheck_engine::parallel::{state_hash, Chunks, Store, Visit, ROOT};

/// Two workers reach the same states by different transitions: each state is stored once, and
/// its discovery key and parent are those of the smallest key, whatever the interleaving.
#[test]
fn the_store_keeps_one_copy_and_the_smallest_key() {
    loom::model(|| {
        let store = Arc::new(Store::new(1, 1));
        store.start_level();
        let a = {
            let store = store.clone();
            thread::spawn(move || {
                let x = store.visit(&[7], 5, 100);
                let y = store.visit(&[9], 2, 100);
                (x, y)
            })
        };
        let b = {
            let store = store.clone();
            thread::spawn(move || {
                let x = store.visit(&[7], 3, 200);
                let y = store.visit(&[9], 4, 200);
                (x, y)
            })
        };
        let (a, b) = (a.join().unwrap(), b.join().unwrap());
        // Exactly one of the two visits of each state found it new.
        assert_eq!(
            [a.0, b.0]
                .iter()
                .filter(|v| matches!(v, Visit::New(_)))
                .count(),
            1
        );
        assert_eq!(
            [a.1, b.1]
                .iter()
                .filter(|v| matches!(v, Visit::New(_)))
                .count(),
            1
        );
        let level = store.level();
        assert_eq!(level.len(), 2);
        let keys: Vec<u64> = level.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, vec![2, 3]);
        let parents: Vec<u64> = level.iter().map(|(_, g)| store.parent(*g)).collect();
        assert_eq!(parents, vec![100, 200]);
    });
}

/// A worker visiting a group of states under one lock and another visiting them one at a time
/// agree as two single visitors do: one copy of each, the smallest key and its parent.
#[test]
fn a_group_visit_agrees_with_single_visits() {
    loom::model(|| {
        let store = Arc::new(Store::new(1, 0));
        store.start_level();
        let a = {
            let store = store.clone();
            thread::spawn(move || {
                let keys = [[7u64], [9u64]];
                let mut seen = Vec::new();
                store.visit_group(
                    0,
                    2,
                    |i| (&keys[i][..], state_hash(&keys[i]), [5, 2][i], 100),
                    |i, v| seen.push((i, v)),
                );
                seen
            })
        };
        let b = {
            let store = store.clone();
            thread::spawn(move || (store.visit(&[7], 3, 200), store.visit(&[9], 4, 200)))
        };
        let (a, b) = (a.join().unwrap(), b.join().unwrap());
        assert_eq!(a.iter().map(|(i, _)| *i).collect::<Vec<_>>(), vec![0, 1]);
        for (i, single) in [(0, b.0), (1, b.1)] {
            let new = [a[i].1, single]
                .iter()
                .filter(|v| matches!(v, Visit::New(_)))
                .count();
            assert_eq!(new, 1, "state {i} is stored once");
        }
        let level = store.level();
        let keys: Vec<u64> = level.iter().map(|(k, _)| *k).collect();
        assert_eq!(keys, vec![2, 3]);
        let parents: Vec<u64> = level.iter().map(|(_, g)| store.parent(*g)).collect();
        assert_eq!(parents, vec![100, 200]);
    });
}

/// A state of an older level keeps its key: only the current level's keys can still change.
#[test]
fn keys_of_older_levels_are_final() {
    loom::model(|| {
        let store = Arc::new(Store::new(1, 0));
        let Visit::New(old) = store.visit(&[1], 9, ROOT) else {
            panic!("new")
        };
        store.start_level();
        let t = {
            let store = store.clone();
            thread::spawn(move || store.visit(&[1], 0, 5))
        };
        let here = store.visit(&[2], 4, 6);
        assert_eq!(t.join().unwrap(), Visit::Seen);
        assert!(matches!(here, Visit::New(_)));
        assert_eq!(store.disc(old), 9);
        assert_eq!(store.parent(old), ROOT);
        assert_eq!(store.level().len(), 1);
    });
}

/// Workers draining the chunks of a level get each chunk exactly once, and all of them: the level
/// ends (every worker returns) only when every position has been handed out.
#[test]
fn every_chunk_goes_to_exactly_one_worker() {
    loom::model(|| {
        let chunks = Arc::new(Chunks::new(5, 2));
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let chunks = chunks.clone();
                thread::spawn(move || {
                    let mut got = Vec::new();
                    while let Some(r) = chunks.next() {
                        got.extend(r);
                    }
                    got
                })
            })
            .collect();
        let mut all: Vec<usize> = workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        all.sort_unstable();
        assert_eq!(all, vec![0, 1, 2, 3, 4]);
        assert!(chunks.next().is_none());
        let distinct: BTreeSet<usize> = all.into_iter().collect();
        assert_eq!(distinct.len(), 5);
    });
}
