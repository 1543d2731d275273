//! Unit tests of the semantics through small models: the step rule, the checks and replay.

use migcheck_lang::ir::Model;

use crate::explore::{check, Explorer, Options, Verdict};
use crate::replay::replay;
use crate::step::{Event, WaitFor};
use crate::violation::{Violation, ViolationKind};

fn model(src: &str) -> Model {
    migcheck_lang::compile(src).unwrap_or_else(|e| panic!("the test model compiles: {e:?}"))
}

/// Checks `src` and returns the violation with its schedule as text.
fn violation(src: &str) -> (Model, Violation, String) {
    let m = model(src);
    let o = check(&m, &Options::default());
    let v = o.violation().cloned().expect("a violation");
    let s = v.schedule.format(&m);
    (m, v, s)
}

#[test]
fn a_read_modify_write_over_two_steps_is_a_lost_update() {
    let (_, v, s) = violation(
        "model m\nshared x: int = 0\ntask a {\n let v = x\n x = v + 1\n}\ntask b { x = 5 }\n",
    );
    assert_eq!(v.kind, ViolationKind::LostUpdate);
    assert_eq!(v.name.as_deref(), Some("x"));
    assert_eq!(s, "a,b,a");
    let lu = v.lost_update.expect("details");
    assert_eq!((lu.read.step, lu.write.step, lu.overwrite.step), (1, 2, 3));
    assert_eq!(
        (
            lu.read.span.line,
            lu.write.span.line,
            lu.overwrite.span.line
        ),
        (4, 7, 5)
    );
}

#[test]
fn one_step_increments_and_last_writer_wins_are_no_lost_update() {
    let m = model("model m\nshared x: int = 0\ntask a { x = x + 1 }\ntask b { x = x + 1 }\nfinal two: x == 2\n");
    assert_eq!(check(&m, &Options::default()).verdict, Verdict::Ok);
    let m = model(
        "model m\nshared x: int = 0 last_writer_wins\ntask a {\n let v = x\n x = v + 1\n}\ntask b { x = 5 }\n",
    );
    assert_eq!(check(&m, &Options::default()).verdict, Verdict::Ok);
}

#[test]
fn a_lock_held_across_read_and_write_prevents_the_lost_update() {
    let m = model(
        "model m\nlock l\nshared x: int = 0\ntask a { lock l; let v = x; x = v + 1; unlock l }\n\
         task b { lock l; x = 5; unlock l }\n",
    );
    let o = check(&m, &Options::default());
    assert_eq!(o.verdict, Verdict::Ok);
    assert!(o.stats.states > 5);
}

#[test]
fn opposite_lock_order_deadlocks_with_a_cycle() {
    let (m, v, s) = violation(
        "model m\nlock p\nlock q\ntask a { lock p; lock q; unlock q; unlock p }\n\
         task b { lock q; lock p; unlock p; unlock q }\n",
    );
    assert_eq!(v.kind, ViolationKind::Deadlock);
    assert_eq!(s, "a,b");
    assert_eq!(v.blocked.len(), 2);
    assert_eq!(v.blocked[0].wait, WaitFor::Lock { lock: 1, holder: 1 });
    assert_eq!(v.cycle, vec![0, 1]);
    assert!(
        v.message.contains("a waits for lock `q` held by b"),
        "{}",
        v.message
    );
    assert!(v.message.contains("cycle a -> b -> a"), "{}", v.message);
    assert_eq!(m.tasks.len(), 2);
}

#[test]
fn a_lock_kept_by_a_finished_task_is_named_in_the_deadlock() {
    let (_, v, s) = violation("model m\nlock l\ntask a { lock l }\ntask b { lock l; unlock l }\n");
    assert_eq!(s, "a");
    assert!(v.message.contains("held by a (finished)"), "{}", v.message);
    assert!(v.cycle.is_empty());
}

#[test]
fn an_await_that_never_holds_deadlocks() {
    let (_, v, s) = violation("model m\nshared go: bool = false\ntask a { await go }\n");
    assert_eq!(s, "");
    assert_eq!(v.kind, ViolationKind::Deadlock);
    assert_eq!(v.blocked[0].wait, WaitFor::Await);
}

#[test]
fn every_choice_is_explored_and_recorded_in_the_schedule() {
    let (_, v, s) = violation(
        "model m\nenum S { p, q, r }\nshared x: int = 0\nshared st: S = p\n\
         task a { choose v in 0..4; x = v }\ntask b { choose e in S; st = e }\n\
         invariant i: !(x == 3 && st == r)\n",
    );
    assert_eq!(v.kind, ViolationKind::Invariant);
    assert_eq!(s, "a:3,b:r");
}

#[test]
fn relocking_and_unlocking_what_one_does_not_hold_are_model_errors() {
    let (_, v, _) = violation("model m\nlock l\ntask a { lock l; lock l }\n");
    assert_eq!(v.kind, ViolationKind::ModelError);
    assert!(v.message.contains("already holds"), "{}", v.message);
    let (_, v, s) = violation("model m\nlock l\ntask a { unlock l }\n");
    assert_eq!(s, "a");
    assert!(v.message.contains("not held"), "{}", v.message);
}

#[test]
fn blocking_after_the_first_statement_of_atomic_is_a_model_error() {
    let (_, v, s) = violation(
        "model m\nlock l\nshared x: int = 0\ntask a { lock l; x = 1 }\n\
         task b { atomic { x = 2; lock l; unlock l } }\n",
    );
    assert_eq!(v.kind, ViolationKind::ModelError);
    assert_eq!(s, "a,b");
    assert!(
        v.message.contains("inside `atomic` would block"),
        "{}",
        v.message
    );
}

#[test]
fn values_outside_their_range_and_keys_outside_their_domain_are_model_errors() {
    let (_, v, _) = violation("model m\nshared x: 0..2 = 0\ntask a { x = x + 5 }\n");
    assert!(
        v.message.contains("outside the range 0..2"),
        "{}",
        v.message
    );
    let (_, v, _) =
        violation("model m\nshared k: int = 2\nshared m: map[0..2] int = 0\ntask a { m[k] = 1 }\n");
    assert!(
        v.message.contains("key 2 is outside the domain 0..2"),
        "{}",
        v.message
    );
}

#[test]
fn a_failed_assertion_carries_its_message() {
    let (_, v, s) = violation(
        "model m\nshared x: int = 0\ntask a { x = 1 }\ntask b {\n let v = x\n assert v == 0, \"moved\"\n}\n",
    );
    assert_eq!(v.kind, ViolationKind::Assertion);
    assert_eq!(s, "a,b,b");
    assert_eq!(v.message, "assertion failed: moved");
}

#[test]
fn replay_records_reads_writes_locks_and_changes() {
    let m = model("model m\nlock l\nshared x: int = 1\ntask a { lock l; x = x + 1; unlock l }\n");
    let t = replay(&m, "a,a,a").expect("fits");
    assert!(t.violation.is_none());
    assert!(t.all_finished);
    assert!(t.steps[0].events.contains(&Event::Lock { lock: 0 }));
    assert!(t.steps[1]
        .events
        .contains(&Event::Read { slot: 0, value: 1 }));
    assert!(t.steps[1].events.contains(&Event::Write {
        slot: 0,
        old: 1,
        new: 2
    }));
    assert_eq!(t.steps[1].changes.len(), 1);
    assert!(t.steps[2].finished);
}

#[test]
fn a_schedule_replays_identically_every_time() {
    let m = model(
        "model m\nshared x: int = 0\ntask a[i in 0..3] { choose v in 0..2; x = x + v }\n\
         final f: x < 3\n",
    );
    let o = check(&m, &Options::default());
    let v = o.violation().expect("a violation");
    let text = v.schedule.format(&m);
    assert_eq!(text, "a[0]:1,a[1]:1,a[2]:1");
    let first = replay(&m, &text).expect("fits");
    let second = replay(&m, &text).expect("fits");
    assert_eq!(first.steps, second.steps);
    assert_eq!(first.violation, second.violation);
}

#[test]
fn the_state_budget_gives_an_incomplete_verdict() {
    let m = model("model m\nshared x: int = 0\ntask a[i in 0..3] { x = x + 1; x = x + 1 }\n");
    let explorers = [
        (Explorer::Fast, None),
        (Explorer::Fast, Some(1)),
        (Explorer::Fast, Some(3)),
        (Explorer::Reference, None),
    ];
    for (explorer, threads) in explorers {
        let o = check(
            &m,
            &Options {
                max_states: Some(4),
                explorer,
                threads,
                compact: false,
                no_reduction: false,
                strategy: Default::default(),
                ..Options::default()
            },
        );
        assert!(matches!(o.verdict, Verdict::Incomplete { .. }));
        assert_eq!(o.stats.states, 4);
    }
    assert_eq!(check(&m, &Options::default()).verdict, Verdict::Ok);
}

#[test]
fn states_differing_only_in_dead_locals_are_one_state_for_the_fast_explorers() {
    // `v` is dead once `y` is written: the three picks leave one state, not three. `w` is
    // read again later, so its two values stay apart.
    let src = "model m\nshared x: int = 0\nshared y: bool = false\n\
               task t { choose v in 0..3; y = v > 5; x = 1 }\n\
               task u { choose w in 0..2; x = 2; x = w }\n\
               final last: x <= 1\n";
    let m = model(src);
    let run = |explorer, threads, compact| {
        check(
            &m,
            &Options {
                explorer,
                threads,
                compact,
                no_reduction: true,
                ..Options::default()
            },
        )
    };
    let reference = run(Explorer::Reference, None, false);
    let fast = run(Explorer::Fast, None, false);
    assert_eq!(fast.verdict, reference.verdict);
    assert!(
        fast.stats.states < reference.stats.states,
        "{} against {}",
        fast.stats.states,
        reference.stats.states
    );
    for (threads, compact) in [(Some(2), false), (None, true)] {
        let other = run(Explorer::Fast, threads, compact);
        assert_eq!(other.verdict, fast.verdict);
        assert_eq!(other.stats.states, fast.stats.states);
    }
    // The violation's schedule is the reference's, and it replays.
    assert_eq!(fast.violation(), reference.violation());
}

#[test]
fn the_fast_explorer_widens_int_fields_and_agrees_with_the_reference() {
    // x leaves 8, 16 and 32 bits in turn, while states are stored; the final property needs
    // every one of them told apart.
    let m = model(
        "model m\nshared x: int = 0\nshared y: int = -3\n\
         task a { x = x + 100; x = x + 100; x = x * 1000; x = x * 100000 }\n\
         task b { let v = y; y = v - 200; y = y - 70000 }\n\
         final big: x == 20000000000 || y < 0\n\
         final sum: x + y != 20000000000 - 70203\n",
    );
    let fast = check(&m, &Options::default());
    let reference = check(
        &m,
        &Options {
            explorer: Explorer::Reference,
            ..Options::default()
        },
    );
    assert_eq!(fast.verdict, reference.verdict);
    let v = fast.violation().expect("the sum is reached");
    assert_eq!(v.name.as_deref(), Some("sum"));
    assert!(fast.stats.states <= reference.stats.states);
    // The parallel explorer widens between levels, moving states between shards: same answer.
    for threads in [1, 2, 3] {
        let sequential = check(&m, &Options::default());
        let parallel = check(
            &m,
            &Options {
                threads: Some(threads),
                ..Options::default()
            },
        );
        assert_eq!(parallel.verdict, sequential.verdict, "{threads} threads");
        assert_eq!(parallel.stats.states, sequential.stats.states);
        assert_eq!(parallel.stats.transitions, sequential.stats.transitions);
    }
}

#[test]
fn a_field_widened_among_one_states_successors_repacks_those_already_hashed() {
    // The successors of a's step are x = 0, 60, 120, 180, 240: the fourth does not fit the
    // first 8 bits, after three were packed and hashed. Each must still be found again: the
    // final property fails only if one of them is missed or stored twice.
    let m = model(
        "model m\nshared x: int = 0\nshared y: int = 0\n\
         task a { choose v in 0..5; x = v * 60 }\n\
         task b { y = 1; y = 2 }\n\
         final all: x != 240 || y != 2\n",
    );
    let fast = check(&m, &Options::default());
    let reference = check(
        &m,
        &Options {
            explorer: Explorer::Reference,
            ..Options::default()
        },
    );
    assert_eq!(fast.verdict, reference.verdict);
    assert_eq!(
        fast.violation().map(|v| v.schedule.format(&m)).as_deref(),
        Some("a:4,b,b")
    );
    let ok = model(
        "model m\nshared x: int = 0\nshared y: int = 0\n\
         task a { choose v in 0..5; x = v * 60 }\n\
         task b { y = 1; y = 2 }\n",
    );
    let full = Options {
        no_reduction: true,
        ..Options::default()
    };
    // 5 values of x (and the start) times 3 of y: every one stored once.
    assert_eq!(check(&ok, &full).stats.states, 6 * 3);
}

fn sampled(m: &Model, sampler: crate::strategy::Sampler, seed: u64) -> crate::Outcome {
    check(
        m,
        &Options {
            strategy: crate::Strategy::Sample(crate::strategy::Sampling {
                sampler,
                seed,
                first_run: 0,
                runs: 200,
                max_steps: 1000,
            }),
            ..Options::default()
        },
    )
}

#[test]
fn sampling_finds_a_race_reproducibly_and_proves_nothing_without_one() {
    use crate::strategy::Sampler;
    let bug = model(
        "model m\nshared x: int = 0\ntask a[i in 0..3] { let v = x; x = v + 1 }\n\
         final all: x == 3\n",
    );
    for sampler in [Sampler::Random, Sampler::Pct { depth: 2 }] {
        let o = sampled(&bug, sampler, 7);
        let v = o.violation().expect("a lost update is found");
        let s = o.sampled.as_ref().expect("sampling figures");
        assert_eq!(s.runs, 200);
        assert!(!s.failing.is_empty());
        assert_eq!(s.failing[0].schedule, v.schedule);
        // Every failing run replays to its violation.
        for f in &s.failing {
            let t = replay(&bug, &f.schedule.format(&bug)).expect("fits");
            assert!(
                t.violation.is_some(),
                "run {} replays to a violation",
                f.run
            );
        }
        // The same seed gives the same runs.
        assert_eq!(sampled(&bug, sampler, 7).sampled, o.sampled);
    }
    let fine = model(
        "model m\nshared x: int = 0\ntask a[i in 0..3] { atomic { x = x + 1 } }\nfinal all: x == 3\n",
    );
    let o = sampled(&fine, Sampler::Random, 7);
    assert!(
        matches!(o.verdict, Verdict::Incomplete { .. }),
        "{:?}",
        o.verdict
    );
}

#[test]
fn a_sampling_split_into_run_ranges_makes_the_same_runs() {
    let m = model(
        "model m\nshared x: int = 0\ntask a { let v = x; x = v + 1 }\n\
         task b { let v = x; x = v + 1 }\ntask c { x = 0 }\n",
    );
    let runs = |first_run, runs| {
        let o = check(
            &m,
            &Options {
                strategy: crate::Strategy::Sample(crate::strategy::Sampling {
                    sampler: crate::strategy::Sampler::Random,
                    seed: 9,
                    first_run,
                    runs,
                    max_steps: 1000,
                }),
                ..Options::default()
            },
        );
        let s = o.sampled.expect("a sampling");
        assert_eq!(s.runs, runs);
        s.failing
            .iter()
            .map(|f| (f.run, f.schedule.format(&m)))
            .collect::<Vec<_>>()
    };
    let whole = runs(0, 120);
    assert!(!whole.is_empty() && whole.len() < 120, "{whole:?}");
    let mut parts = runs(0, 50);
    parts.extend(runs(50, 70));
    assert_eq!(parts, whole);
}

#[test]
fn the_parallel_explorer_answers_the_same_whenever_its_workers_visit_their_successors() {
    // A worker visits its pending successors before its chunk ends when they take too much
    // memory (a step of billions of resolutions); with a few at a time, the visits come in
    // another order and interleave with the enumeration: nothing may change.
    let models = [
        include_str!("../../../models/bench/claims_fix.mig"),
        include_str!("../../../models/bench/claims_bug.mig"),
    ];
    for (i, src) in models.iter().enumerate() {
        let m = model(src);
        for options in [
            Options::default(),
            Options {
                no_reduction: true,
                ..Options::default()
            },
            Options {
                max_states: Some(1000),
                ..Options::default()
            },
        ] {
            let answer = |threads: usize, pending: Option<usize>| {
                let (found, stats) =
                    crate::parallel::explore_visiting(&m, &options, threads, pending);
                (found, stats.states, stats.transitions, stats.depth)
            };
            let expected = answer(1, None);
            for threads in [1, 2, 3] {
                for pending in [None, Some(1), Some(7)] {
                    assert_eq!(
                        answer(threads, pending),
                        expected,
                        "model {i}, {threads} threads, {pending:?} at a time, {options:?}"
                    );
                }
            }
        }
    }
}

/// Runs the fast explorers (sequential, parallel, compact) over `m` with reduction on; they
/// must agree, and the sequential one's outcome is returned.
fn reduced(m: &Model) -> crate::Outcome {
    let run = |threads, compact| {
        check(
            m,
            &Options {
                threads,
                compact,
                ..Options::default()
            },
        )
    };
    let fast = run(None, false);
    for (threads, compact) in [(Some(2), false), (None, true)] {
        let other = run(threads, compact);
        assert_eq!(other.verdict, fast.verdict, "{threads:?} {compact}");
        assert_eq!(
            other.stats.states, fast.stats.states,
            "{threads:?} {compact}"
        );
    }
    fast
}

#[test]
fn the_reduction_never_leaves_a_task_out_around_a_cycle() {
    // `spin`'s step touches nothing `b` does, so it alone is a persistent set; it leads back to
    // the same state. Without the cycle proviso `b` would never be expanded and the invariant
    // never seen broken.
    let m = model(
        "model m\nshared y: int = 0\nshared z: int = 0\n\
         task spin { while true { let v = y } }\ntask b { z = 1 }\n\
         invariant z_zero: z == 0\n",
    );
    let o = reduced(&m);
    let v = o.violation().expect("the invariant is broken");
    assert_eq!(v.schedule.format(&m), "b");
}

#[test]
fn a_for_loops_next_round_is_progress_for_the_cycle_proviso() {
    // The rounds of a `for` loop step back in the code but forward in the loop's variable: no
    // cycle can pass through them, so they leave the reduction as it is without the loop.
    let looped = model(include_str!("../../../models/bench/independent.mig"));
    let unrolled = model(include_str!(
        "../../../models/bench/independent_unrolled.mig"
    ));
    let (a, b) = (reduced(&looped), reduced(&unrolled));
    assert_eq!((a.verdict.clone(), b.verdict), (Verdict::Ok, Verdict::Ok));
    assert_eq!(a.stats.states, b.stats.states);
    let full = check(
        &looped,
        &Options {
            no_reduction: true,
            ..Options::default()
        },
    );
    assert!(
        a.stats.states * 5 < full.stats.states,
        "{} reduced against {} in full",
        a.stats.states,
        full.stats.states
    );
}

#[test]
fn a_step_that_stays_in_place_inside_a_for_loop_may_close_a_cycle() {
    // The spinning `while` is inside a `for` round: each of its steps leaves the position (the
    // loop's variable, then the pc) where it was, which is not progress. Counting an unchanged
    // position as progress would leave `b` out for ever, and the invariant never seen broken.
    let m = model(
        "model m\nshared y: int = 0\nshared z: int = 0\n\
         task spin { for k in 0..2 { while true { let v = y } } }\ntask b { z = 1 }\n\
         invariant z_zero: z == 0\n",
    );
    let o = reduced(&m);
    let v = o.violation().expect("the invariant is broken");
    assert_eq!(v.schedule.format(&m), "b");
}
