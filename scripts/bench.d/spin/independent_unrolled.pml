/* Benchmark family (b') in Promela: models/bench/independent_unrolled.mig, the independent
 * workers with their three rounds written out instead of a loop (see independent.pml for the
 * notes on granularity and on SPIN's reduction, which treats every access to the global work[]
 * as dependent).
 *
 * scripts/bench substitutes the `#define N` line (keep it in this form).
 */
#define N 4             /* workers */

byte work[N];                   /* each worker's own progress */
byte finished;                  /* the one variable they share */

active [N] proctype worker()
{
    byte v1, v2, v3;
    v1 = work[_pid];                            /* round 1: read its own variable */
    work[_pid] = v1 + 1;                        /*          write it back */
    v2 = work[_pid];                            /* round 2 */
    work[_pid] = v2 + 1;
    v3 = work[_pid];                            /* round 3 */
    work[_pid] = v3 + 1;
    finished = finished + 1                     /* the one shared access */
}

active proctype final_check()
{
    timeout -> assert(finished == N)            /* final all_done */
}
