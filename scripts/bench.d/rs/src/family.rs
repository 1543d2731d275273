// The benchmark family, written once against `std`-like names that the including module binds
// to loom's or shuttle's versions: `Arc`, `AtomicUsize`, `spawn`.
//
// It mirrors models/bench/*.mig step for step, with one difference: loom and shuttle explore
// the schedules of the threads, not data choices, so where the .mig model lets the scheduler
// pick any host (`choose h in 0..H`) and confirm or revert (`either`), each thread here makes a
// fixed choice: try `t` of migration `i` picks host (i + t) % H (so with N > H two migrations
// contend for the same host), and migration i confirms when i is even, reverts when it is odd.

use std::sync::atomic::Ordering::SeqCst;

pub const CAP: usize = 1;
pub const TRIES: usize = 2;
pub const K: usize = 3;

const QUEUED: usize = 0;
const MIGRATING: usize = 1;
const CONFIRMED: usize = 2;
const REVERTED: usize = 3;
const UNPLACED: usize = 4;

struct Claims {
    usage: Vec<AtomicUsize>,     // slots claimed on each destination host: 0..=CAP
    src_alloc: Vec<AtomicUsize>, // each migration's allocation on its source host
    phase: Vec<AtomicUsize>,     // each migration's status
}

/// N migrations claim capacity on H hosts, then confirm or revert. With `bug`, the capacity
/// check and the claim are two steps (a load, then a fetch_add): a host can be overcommitted,
/// which the range check of the claim (an assert) reports.
pub fn claims(n: usize, h: usize, bug: bool) {
    let s = Arc::new(Claims {
        usage: (0..h).map(|_| AtomicUsize::new(0)).collect(),
        src_alloc: (0..n).map(|_| AtomicUsize::new(1)).collect(),
        phase: (0..n).map(|_| AtomicUsize::new(QUEUED)).collect(),
    });
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let s = s.clone();
            spawn(move || migrate(&s, i, h, bug))
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

fn migrate(s: &Claims, i: usize, h: usize, bug: bool) {
    let mut placed = false;
    let mut dest = 0;
    let mut tries = 0;
    while !placed && tries < TRIES {
        let host = (i + tries) % h; // the pick: fixed (see above)
        let u = s.usage[host].load(SeqCst); // read the host's usage
        if u < CAP {
            if bug {
                // BUG: claim on the stale check
                let was = s.usage[host].fetch_add(1, SeqCst);
                assert!(was < CAP, "overcommit: host {host} at {} > {CAP}", was + 1);
                placed = true;
                dest = host;
            } else if s.usage[host]
                .compare_exchange(u, u + 1, SeqCst, SeqCst)
                .is_ok()
            {
                // the compare-and-set claim
                placed = true;
                dest = host;
            }
        }
        tries += 1;
    }
    if placed {
        s.phase[i].store(MIGRATING, SeqCst);
        if i.is_multiple_of(2) {
            s.src_alloc[i].store(0, SeqCst); // confirm: release the source
            s.phase[i].store(CONFIRMED, SeqCst);
        } else {
            s.usage[dest].fetch_sub(1, SeqCst); // revert: release the destination slot
            s.phase[i].store(REVERTED, SeqCst);
        }
    } else {
        s.phase[i].store(UNPLACED, SeqCst);
    }
}

struct Independent {
    work: Vec<AtomicUsize>, // each worker's own progress: only worker i touches work[i]
    finished: AtomicUsize,  // the one variable they share
}

/// N workers, each K rounds of a two-step read-modify-write on its own variable, then one
/// increment of a shared counter; the final property is checked once all have joined.
pub fn independent(n: usize) {
    let s = Arc::new(Independent {
        work: (0..n).map(|_| AtomicUsize::new(0)).collect(),
        finished: AtomicUsize::new(0),
    });
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let s = s.clone();
            spawn(move || {
                for _ in 0..K {
                    let v = s.work[i].load(SeqCst); // read its own variable
                    s.work[i].store(v + 1, SeqCst); // write it back
                }
                s.finished.fetch_add(1, SeqCst); // the one shared access
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(s.finished.load(SeqCst), n, "final all_done");
}
