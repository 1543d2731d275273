//! The parallel explorer's shared parts under shuttle's randomised scheduler, with more threads
//! and states than loom can exhaust (`cargo test -p migcheck-engine --features shuttle --test
//! shuttle`; `.ci/run` does). Built without the feature, this file is empty.
#![cfg(all(feature = "shuttle", not(loom)))]

use std::sync::Arc;

use shuttle::thread;

use migcheck_engine::parallel::{Chunks, Store, Visit};

/// Three workers share out the chunks of a level and store, for every position, the states
/// `pos % 7` and `pos % 5` with key `pos`: afterwards every state is stored once, with the
/// smallest key that reached it, and every position was expanded once.
#[test]
fn workers_sharing_a_level_store_each_state_once_under_its_smallest_key() {
    shuttle::check_random(
        || {
            let store = Arc::new(Store::new(2, 2));
            store.start_level();
            let chunks = Arc::new(Chunks::new(20, 3));
            let workers: Vec<_> = (0..3)
                .map(|_| {
                    let (store, chunks) = (store.clone(), chunks.clone());
                    thread::spawn(move || {
                        let (mut seen, mut new) = (Vec::new(), 0);
                        while let Some(r) = chunks.next() {
                            for pos in r {
                                seen.push(pos);
                                for s in [pos % 7, 10 + pos % 5] {
                                    if let Visit::New(_) =
                                        store.visit(&[s as u64, 1], pos as u64, pos as u64)
                                    {
                                        new += 1;
                                    }
                                }
                            }
                        }
                        (seen, new)
                    })
                })
                .collect();
            let mut positions = Vec::new();
            let mut new = 0;
            for w in workers {
                let (seen, n) = w.join().unwrap();
                positions.extend(seen);
                new += n;
            }
            positions.sort_unstable();
            assert_eq!(positions, (0..20).collect::<Vec<_>>());
            assert_eq!(new, 12);
            let level = store.level();
            assert_eq!(level.len(), 12);
            // State k < 7 is first reached at position k, state 10 + k at position k.
            let mut keys: Vec<u64> = level.iter().map(|(k, _)| *k).collect();
            keys.sort_unstable();
            assert_eq!(keys, vec![0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 6]);
            for (k, gid) in level {
                assert_eq!(store.parent(gid), k);
            }
        },
        500,
    );
}
