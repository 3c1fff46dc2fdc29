#pragma STDC FP_CONTRACT OFF
// How fast can two cores run the one-phase unit plan's layer 0 at m = 10 at all? A replica, in
// C over ShardNet's own kernels, of what each core does to layer 0 in a round of the plan
// `ShardedSGD` runs for Nielsen's 784-30-10 at m = 10 on 2 shards (5 + 5 rows): sgd_packed over
// its unit range's panels (equation 5 and the update), then the forward of the next batch
// through them. The gather, the 30-10 tail and the output error are left out: every core does
// them all, so they only lower the ratio.
//
//   one thread   sgd_packed and the forward over units 0 ..< 30 (both panels) — the 1-thread step;
//   2T private   each thread sgd_packed and the forward over its own panel (0 ..< 16, 16 ..< 30)
//                on its own copy of every buffer, then one spin barrier per step, as the plan
//                has: nothing moves between the cores but the barrier's counter, so this is the
//                ceiling of any plan that cuts layer 0 at a panel boundary, whatever it shares.
//                (Its results are not the step's — each copy has one panel updated — only its
//                time is.)
//   2T by inputs the other cut, for comparison: each thread sgd_packed and the forward over both
//                panels but only its half of each row's inputs (392 of 784, a layer of its own),
//                privately, then the barrier and z = z₀ + z₁ + b on every thread (σ left out:
//                over 300 values a vector σ is a fraction of a µs, libm's expf here was not). ShardNet
//                cannot run this today: it changes each z's chain (two halves summed instead of
//                one chain over all 784 inputs), so every path — one thread, evaluate, each ISA —
//                would have to compute z that way too for the bits to stay one model.
//
// One thread's ratio to the private pair says how much of the target "2 threads ≥ 1.5× one"
// this cut can give before anything is shared: a core's one panel is one vector per row (10
// fma chains, one broadcast per fma) where the whole layer is two, so each half runs slower
// than half the whole. The arrangements alternate, round after round, so a slow spell of a
// shared machine hits both; the pairwise ratios' median is reported with each side's median
// step and per-thread work (the step less the barrier's wait).
// Usage: unitstep [rounds]. Build and run with scripts/step-ceiling unit.
#define _GNU_SOURCE
#include "shardnet_kernels.h"
#include "pinned.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "timing.h"

enum { M = 10, NIN = 784, NOUT = 30, LD = 32, STEPS = 3000, MAX_ROUNDS = 200 };

/// One core's copy of layer 0's buffers (row-major; LD: a row of a¹ and δ¹ padded to 32 floats).
typedef struct {
    float *a0;      // (M, NIN) the batch's inputs
    float *a1;      // (M, LD) layer 0's outputs
    float *delta1;  // (M, LD) δ¹, given
    float *b;       // (LD) layer 0's biases
    float *packed;  // sn_packed_size(NIN, NOUT): w's panels, the weights themselves in this plan
    float *half;    // sn_packed_size(NIN / 2, NOUT): the panels of this thread's half of the inputs
    float *part;    // (M, LD) this thread's partial z over its half (by inputs)
} buffers;

static const sn_kernels *K;
static buffers sets[2];
static int threads, byInputs;
static _Alignas(128) atomic_long arrived;
static double work[2];  // µs per step, per thread

/// Thread t of T: its range's equation 5 and update (5 + 5 rows), then equation 2 for all rows.
static void layerZero(buffers *x, int t, int T) {
    const ptrdiff_t j0 = T == 1 || t == 0 ? 0 : 16, j1 = T == 2 && t == 0 ? 16 : NOUT;
    const ptrdiff_t bounds[3] = {0, 5, 10};
    const sn_update rule = {3.0f / M, 1.0f, 0, 0, 0, 0};
    K->sgd_packed(NIN, j0, j1, bounds, 2, x->delta1, LD, x->a0, NIN, x->packed, x->b, &rule, &rule);
    K->forward(M, NIN, j0, j1, x->a0, NIN, x->packed, x->b, x->a1, LD, SN_ACT_SIGMOID);
}

/// Thread t's half of the inputs (by inputs): equation 5 and the update on its half-layer, then
/// its partial z over those inputs (identity, bias 0).
static void halfInputs(buffers *x, int t) {
    const ptrdiff_t bounds[3] = {0, 5, 10};
    const sn_update rule = {3.0f / M, 1.0f, 0, 0, 0, 0};
    float zeros[LD] = {0};
    K->sgd_packed(NIN / 2, 0, NOUT, bounds, 2, x->delta1, LD, x->a0 + t * (NIN / 2), NIN, x->half, x->b, &rule, &rule);
    K->forward(M, NIN / 2, 0, NOUT, x->a0 + t * (NIN / 2), NIN, x->half, zeros, x->part, LD, SN_ACT_IDENTITY);
}

/// After the barrier (by inputs): z = z₀ + z₁ + b, every row and unit, on each thread.
static void combine(buffers *x) {
    const buffers *y = &sets[0], *z = &sets[1];
    for (int r = 0; r < M; r++)
        for (int j = 0; j < NOUT; j++) {
            float v = y->part[r * LD + j] + z->part[r * LD + j];
            x->a1[r * LD + j] = v + x->b[j];
        }
}

static void barrier(long *generation) { spin_barrier(&arrived, threads, generation); }

static void *worker(void *arg) {
    const int me = (int)(long)arg;
    pin_to_core(me);
    buffers *x = &sets[me];
    long generation = 0;
    double w = 0;
    barrier(&generation);
    for (int step = 0; step < STEPS; step++) {
        const double t0 = now();
        if (byInputs) halfInputs(x, me); else layerZero(x, me, threads);
        w += now() - t0;
        if (threads > 1) barrier(&generation);
        if (byInputs) combine(x);
    }
    work[me] = w / STEPS * 1e6;
    return NULL;
}

/// Median step (µs) of `threads` threads over one round; their mean work per step in *perThread.
static double round_of(int n, int inputs, double *perThread) {
    threads = n;
    byInputs = inputs;
    atomic_store(&arrived, 0);
    pthread_t t[2];
    const double t0 = now();
    for (long i = 0; i < n; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < n; i++) pthread_join(t[i], NULL);
    *perThread = n == 1 ? work[0] : (work[0] + work[1]) / 2;
    return (now() - t0) / STEPS * 1e6;
}

int main(int argc, char **argv) {
    const int rounds = argc > 1 ? atoi(argv[1]) : 20;
    K = sn_kernels_for(sn_isa_best());
    if (rounds < 1 || rounds > MAX_ROUNDS || !K) {
        fprintf(stderr, "unitstep: usage: unitstep [rounds, 1 ... %d]\n", MAX_ROUNDS);
        return 1;
    }
    unsigned seed = 1;
    float *w = randoms(NOUT * NIN, -0.1f, 0.1f, &seed);
    for (int i = 0; i < 2; i++) {
        buffers *x = &sets[i];
        x->a0 = randoms(M * NIN, 0, 1, &seed);
        x->a1 = randoms(M * LD, 0, 0, &seed);
        x->delta1 = randoms(M * LD, -1e-6f, 1e-6f, &seed);  // small: the weights stay near w
        x->b = randoms(LD, -0.1f, 0.1f, &seed);
        x->packed = aligned_alloc(64, (size_t)sn_packed_size(NIN, NOUT) * sizeof(float));
        K->pack(NIN, NOUT, 0, NOUT, w, x->packed);
        x->half = aligned_alloc(64, (size_t)sn_packed_size(NIN / 2, NOUT) * sizeof(float));
        K->pack(NIN / 2, NOUT, 0, NOUT, w, x->half);  // any weights of the half's shape
        x->part = randoms(M * LD, 0, 0, &seed);
    }
    double one[MAX_ROUNDS], two[MAX_ROUNDS], half[MAX_ROUNDS], oneWork[MAX_ROUNDS], twoWork[MAX_ROUNDS],
        halfWork[MAX_ROUNDS], ratio[MAX_ROUNDS], halfRatio[MAX_ROUNDS];
    for (int r = 0; r < rounds; r++) {
        one[r] = round_of(1, 0, &oneWork[r]);
        two[r] = round_of(2, 0, &twoWork[r]);
        half[r] = round_of(2, 1, &halfWork[r]);
        ratio[r] = one[r] / two[r];
        halfRatio[r] = one[r] / half[r];
    }
    printf("# unitstep: 784-30-10 layer 0, m = 10 on 2 shards (5 + 5 rows), %s kernels, %d rounds of %d steps per arrangement\n",
           K->name, rounds, STEPS);
    printf("| arrangement | step, median (µs) | work per thread, median (µs) | one thread / this, pairwise median |\n");
    printf("|---|---:|---:|---:|\n");
    printf("| one thread (both panels) | %.2f | %.2f | 1.000 |\n", median(one, rounds), median(oneWork, rounds));
    printf("| 2T private (a panel each, one barrier per step) | %.2f | %.2f | %.3f |\n", median(two, rounds),
           median(twoWork, rounds), median(ratio, rounds));
    printf("| 2T by inputs (half the inputs each, both panels; not ShardNet's model) | %.2f | %.2f | %.3f |\n",
           median(half, rounds), median(halfWork, rounds), median(halfRatio, rounds));
    return 0;
}
