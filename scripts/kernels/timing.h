// The clock, median and seeded test data the stand-alone measuring programs in this folder
// share (bench.c, ab.c, ab-large.c, cores.c, rowstep.c, unitstep.c; ab.h has the A/B timing, pinned.h has the threads' pinning and barrier). Header-only: each program is built alone by its script.
#ifndef SHARDNET_SCRIPTS_TIMING_H
#define SHARDNET_SCRIPTS_TIMING_H
#include <stdlib.h>
#include <time.h>

/// Seconds on the monotonic clock.
static inline double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
static inline int cmpd(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
/// The median of v[0 ..< n] (sorts v; the upper middle for even n).
static inline double median(double *v, int n) { qsort(v, (size_t)n, sizeof *v, cmpd); return v[n / 2]; }
/// n floats uniform in [lo, hi) from rand_r(seed), 64-byte aligned (free with free()).
static inline float *randoms(size_t n, float lo, float hi, unsigned *seed) {
    float *p = aligned_alloc(64, (n * sizeof(float) + 63) / 64 * 64);
    for (size_t i = 0; i < n; i++) p[i] = lo + (hi - lo) * (float)(rand_r(seed) & 0xFFFFFF) / 16777216.0f;
    return p;
}
#endif
