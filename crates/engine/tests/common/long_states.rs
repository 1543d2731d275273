//! The models whose one state once kept the explorers past their budgets, shared by the tests
//! that check the budgets hold (long_states.rs) and the bounded fuzz test (fuzz.rs).

/// The models that overran their budgets by minutes when the explorers looked at the clock only
/// between states (the fuzz harness's former known issues), and one whose long state the parallel
/// explorer meets outside its workers (a stop there once left no checkpoint).
pub const LONG_STATES: [(&str, &str); 5] = [
    (
        "a choose over a billion values",
        "model m\nshared x: int = 0\ntask a { choose c in 0..1000000000; x = c }\ntask b { x = 1 }\n",
    ),
    (
        "a choose in a local loop: 2^40 resolutions of one step",
        "model m\nshared x: int = 0\ntask a {\n    let i = 0\n    let s = 0\n    \
         while i < 40 { choose c in 0..2; s = s + c; i = i + 1 }\n    x = s\n}\n",
    ),
    (
        "a choose over a computed range",
        "model m\nshared n: int = 1000000000\nshared x: int = 0\n\
         task a { choose c in 0..n; x = c }\n",
    ),
    (
        // The read and the write in two steps (under a lock): the tasks' lost-update marks over
        // the map are part of the packed state too. The first step cannot block, so that the
        // initial state needs no deadlock check.
        "a map over a million keys: states of 11 MB",
        "model m\nshared m: map[0..1048576] int = 0\nshared go: bool = false last_writer_wins\n\
         lock l\ntask a[i in 0..3] {\n    let k = 0\n    go = true\n    \
         while k < 100 { lock l; let v = m[k]; m[k] = v + 1; unlock l; k = k + 1 }\n}\n",
    ),
    (
        "a value that outgrows its packing into a state whose deadlock check takes a billion \
         resolutions (the parallel explorer checks such a state after the level)",
        "model m\nshared x: int = 0\n\
         task a { x = 999999999; choose c in 0..1000000000; await x == c; x = 0 }\n\
         task b { await x == 0 }\n",
    ),
];
