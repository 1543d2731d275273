/* Benchmark family (b) in Promela: N independent workers. The same steps as
 * models/bench/independent.mig: K rounds of a two-step read-modify-write on the worker's own
 * variable work[i], then one increment of the shared counter `finished`.
 *
 * scripts/bench substitutes the `#define N` line (keep it in this form).
 *
 * Granularity: the `for` loop's own statements (k = 0, the test, k++) are transitions of their
 * own in SPIN; migcheck folds them into the next shared step. work[] is a global array, as it is
 * a shared map in the .mig model, and SPIN's partial-order reduction treats every access to a
 * global as dependent, even when only one process ever touches that element: so its reduction
 * cannot use the independence of the workers here (it would if work[i] were a local).
 * The `final` property is checked by a process that runs only when nothing else can (timeout):
 * in the final state, since the model has no blocking statement.
 */
#define N 4             /* workers */
#define K 3             /* rounds of work per worker */

byte work[N];                   /* each worker's own progress */
byte finished;                  /* the one variable they share */

active [N] proctype worker()
{
    byte v;
    byte k;
    for (k : 0 .. K - 1) {
        v = work[_pid];                         /* read its own variable */
        work[_pid] = v + 1                      /* write it back */
    };
    finished = finished + 1                     /* the one shared access */
}

active proctype final_check()
{
    timeout -> assert(finished == N)            /* final all_done */
}
