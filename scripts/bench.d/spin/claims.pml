/* Benchmark family (a) in Promela: N migrations claim capacity on H hosts, then confirm or
 * revert. The same steps as models/bench/claims_fix.mig (and, with -DBUG, claims_bug.mig).
 *
 * scripts/bench substitutes the `#define N` and `#define H` lines (keep them in this form), as it
 * does the `const` lines of the .mig files, and compiles pan with -DBUG for the buggy variant.
 *
 * Granularity: every Promela statement is a transition of its own, including the ones that touch
 * only locals (the loop test, the pick of a host, `tries++`, `placed = true`), which migcheck
 * folds into the step that ends at the next shared statement. So SPIN's state space is finer
 * than migcheck's: without reduction (-DNOREDUCE) it counts the intermediate local states too;
 * its partial-order reduction and statement merging (the defaults) remove most of them again.
 * `d_step` is used only where the .mig model has `atomic` (the compare-and-set claim), and to
 * attach the range check of `usage` (a write over CAP is a model error in migcheck, checked
 * within the writing step) to the write itself.
 */
#define N 3             /* migrations */
#define H 2             /* hosts */
#define CAP 1           /* slots per host */
#define TRIES 2         /* picks per migration */

#if H == 1
#define PICK h = 0
#elif H == 2
#define PICK if :: h = 0 :: h = 1 fi
#elif H == 3
#define PICK if :: h = 0 :: h = 1 :: h = 2 fi
#elif H == 4
#define PICK if :: h = 0 :: h = 1 :: h = 2 :: h = 3 fi
#endif

mtype = { queued, migrating, confirmed, reverted, unplaced };

byte usage[H];                  /* slots claimed on each destination host: 0..CAP */
bit src_alloc[N] = 1;           /* each migration's allocation on its source host */
mtype phase[N] = queued;        /* each migration's status */

active [N] proctype migrate()
{
    bool placed = false;
    byte dest = 0;
    byte tries = 0;
    byte h;
    byte u;
    do
    :: !placed && tries < TRIES ->
        PICK;                                   /* the scheduler's pick */
        u = usage[h];                           /* read the host's usage */
        if
        :: u < CAP ->
#ifdef BUG
            d_step {                            /* BUG: claim on the stale check */
                usage[h] = usage[h] + 1;
                assert(usage[h] <= CAP)         /* the range check of the write */
            };
            placed = true;
            dest = h
#else
            d_step {                            /* the compare-and-set claim: `atomic` in .mig */
                if
                :: usage[h] == u ->
                    usage[h] = u + 1;
                    assert(usage[h] <= CAP);
                    placed = true;
                    dest = h
                :: else -> skip
                fi
            }
#endif
        :: else -> skip
        fi;
        tries++
    :: else -> break
    od;
    if
    :: placed ->
        phase[_pid] = migrating;
        if
        :: src_alloc[_pid] = 0;                 /* confirm: release the source */
           phase[_pid] = confirmed
        :: usage[dest] = usage[dest] - 1;       /* revert: release the destination slot */
           phase[_pid] = reverted
        fi
    :: else ->
        phase[_pid] = unplaced
    fi
}
