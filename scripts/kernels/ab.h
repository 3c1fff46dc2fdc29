// What the kernel A/B programs (ab.c, ab-large.c; scripts/kernel-ab) share: the two kernel
// tables under test and the timing of one call on both, alternately. Header-only, as timing.h.
#ifndef SHARDNET_SCRIPTS_AB_H
#define SHARDNET_SCRIPTS_AB_H
#include "shardnet_kernels.h"
#include "timing.h"
#include <stdio.h>

extern const sn_kernels SN_AB_TABLE_A, SN_AB_TABLE_B;

/// Times `call(table, which)` for A and B alternately, `reps` repetitions of `iters` calls each
/// (after a few warm-up calls); prints the medians in µs per call and the median of the
/// per-repetition ratios A/B as a table row.
static inline void report(const char *what, void (*call)(const sn_kernels *, int), int reps, int iters) {
    double *a = malloc(3 * (size_t)reps * sizeof(double)), *b = a + reps, *r = b + reps;
    for (int w = 0; w < 20; w++) { call(&SN_AB_TABLE_A, 0); call(&SN_AB_TABLE_B, 1); }
    for (int k = 0; k < reps; k++) {
        double t0 = now();
        for (int i = 0; i < iters; i++) call(&SN_AB_TABLE_A, 0);
        double t1 = now();
        for (int i = 0; i < iters; i++) call(&SN_AB_TABLE_B, 1);
        double t2 = now();
        a[k] = (t1 - t0) / iters; b[k] = (t2 - t1) / iters; r[k] = a[k] / b[k];
    }
    printf("| %s | %.3f | %.3f | %.3f |\n", what, median(a, reps) * 1e6, median(b, reps) * 1e6, median(r, reps));
    fflush(stdout);
    free(a);
}
#endif
