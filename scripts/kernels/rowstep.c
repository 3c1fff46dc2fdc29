#pragma STDC FP_CONTRACT OFF
// How fast can two cores run the row plan's step at all? A replica, in C over ShardNet's own
// kernels, of the step `ShardedSGD` runs for 784-100-10 at m = 128 on 2 shards (layer 0: 98% of
// its multiply-adds; the 100-10 tail is left out), timed in three arrangements:
//
//   one thread   both shards' forward (64 rows each), then both unit ranges' gradient over the
//                two shards (gradient, gradient_add), update and pack — the 1-thread step;
//   2T shared    the same two items per phase on two pinned threads with one spin barrier per
//                phase, over one set of buffers, as ShardNet shares them: each forward reads
//                every packed panel, half of them packed by the other core the phase before;
//   2T private   the same, but each thread works on its own copy of every buffer, so no cache
//                line moves between the cores: the ceiling of any plan that cuts this step into
//                these halves, whatever it shares. (Its results are not the step's — each copy
//                is only half updated — only its time is.)
//
// a⁰ is fixed (no gather) and δ¹ is given, so the shared arrangement moves fewer lines than
// ShardNet does (the update also reads the other shard's gathered rows there): its ratio is an
// upper bound for the row plan. The arrangements alternate, round after round, so a slow
// spell of a shared machine hits all of them; each round's one-thread step over its 2-thread
// steps gives the pairwise ratios, whose median is reported with the per-thread phase times.
// Usage: rowstep [rounds]. Build and run with scripts/step-ceiling.
#define _GNU_SOURCE
#include "shardnet_kernels.h"
#include "pinned.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "timing.h"
#include <time.h>

enum { M = 128, NIN = 784, NOUT = 100, ROWS = M / 2, CUT = 48, STEPS = 300 };

/// One set of the step's buffers (shapes as in ShardNet; row-major).
typedef struct {
    float *a0;      // (M, NIN) the batch's inputs
    float *a1;      // (M, NOUT) layer 0's outputs
    float *delta1;  // (M, NOUT) δ¹, given
    float *w;       // (NOUT, NIN) layer 0's weights
    float *b;       // (NOUT) its biases
    float *nablaW;  // (NOUT, NIN) the shards' gradient sum
    float *nablaB;  // (NOUT)
    float *packed;  // sn_packed_size(NIN, NOUT): w's forward panels
} buffers;

static const sn_kernels *K;
static buffers sets[2];
static int threads, privateCopies;
static atomic_long arrived;
static double phaseA[2], phaseB[2], waited[2];  // µs per step, per thread

/// Phase A, shard s: equation 2 on its 64 rows, every unit.
static void forwardShard(buffers *x, int s) {
    K->forward(ROWS, NIN, 0, NOUT, x->a0 + s * ROWS * NIN, NIN, x->packed, x->b, x->a1 + s * ROWS * NOUT, NOUT,
               SN_ACT_SIGMOID);
}

/// Phase B, unit range r (0 ..< CUT, CUT ..< NOUT: ShardNet's 16-unit-aligned cut): equation 5
/// over both shards (summed as computed), the update and the range's panels.
static void updateRange(buffers *x, int r) {
    const ptrdiff_t j0 = r ? CUT : 0, j1 = r ? NOUT : CUT;
    const sn_update rule = {0.003f / M, 1.0f, 0, 0, 0, 0};
    K->gradient(ROWS, NIN, j0, j1, x->delta1, NOUT, x->a0, NIN, x->nablaW, x->nablaB);
    K->gradient_add(ROWS, NIN, j0, j1, x->delta1 + ROWS * NOUT, NOUT, x->a0 + ROWS * NIN, NIN, x->nablaW, x->nablaB);
    const float *grads[1] = {x->nablaW};
    K->update((j1 - j0) * NIN, x->w, NULL, grads, 1, j0 * NIN, &rule);
    K->pack(NIN, NOUT, j0, j1, x->w, x->packed);
}

static void barrier(long *generation) { spin_barrier(&arrived, threads, generation); }

static void *worker(void *arg) {
    const int me = (int)(long)arg;
    pin_to_core(me);
    buffers *x = &sets[privateCopies ? me : 0];
    long generation = 0;
    double a = 0, b = 0, w = 0;
    barrier(&generation);
    for (int step = 0; step < STEPS; step++) {
        const double t0 = now();
        if (threads == 1) { forwardShard(x, 0); forwardShard(x, 1); } else forwardShard(x, me);
        const double t1 = now();
        barrier(&generation);
        const double t2 = now();
        if (threads == 1) { updateRange(x, 0); updateRange(x, 1); } else updateRange(x, me);
        const double t3 = now();
        barrier(&generation);
        const double t4 = now();
        a += t1 - t0; b += t3 - t2; w += (t2 - t1) + (t4 - t3);
    }
    phaseA[me] = a / STEPS * 1e6; phaseB[me] = b / STEPS * 1e6; waited[me] = w / STEPS * 1e6;
    return NULL;
}

int main(int argc, char **argv) {
    const int rounds = argc > 1 ? atoi(argv[1]) : 30;
    K = sn_kernels_for(sn_isa_best());
    if (rounds < 1 || !K) { fprintf(stderr, "rowstep: usage: rowstep [rounds >= 1]\n"); return 1; }
    unsigned seed = 1;
    for (int i = 0; i < 2; i++) {
        buffers *x = &sets[i];
        x->a0 = randoms(M * NIN, -1.0f, 1.0f, &seed); x->a1 = randoms(M * NOUT, -0.5f, 0.5f, &seed);
        x->delta1 = randoms(M * NOUT, -0.01f, 0.01f, &seed); x->w = randoms(NOUT * NIN, -0.1f, 0.1f, &seed);
        x->b = randoms(NOUT, -0.5f, 0.5f, &seed); x->nablaW = randoms(NOUT * NIN, 0, 0, &seed);
        x->nablaB = randoms(NOUT, 0, 0, &seed);
        x->packed = aligned_alloc(64, (size_t)sn_packed_size(NIN, NOUT) * sizeof(float));
        K->pack(NIN, NOUT, 0, NOUT, x->w, x->packed);
    }
    static const char *names[3] = {"one thread", "2T shared (as ShardNet)", "2T private (nothing shared)"};
    static const int arrangement[3][2] = {{1, 0}, {2, 0}, {2, 1}};
    double *step = calloc((size_t)rounds * 3, sizeof(double)), *ratio = calloc((size_t)rounds, sizeof(double));
    double sums[3][6] = {{0}};
    for (int r = 0; r < rounds; r++)
        for (int c = 0; c < 3; c++) {
            threads = arrangement[c][0]; privateCopies = arrangement[c][1];
            atomic_store(&arrived, 0);
            phaseA[1] = phaseB[1] = waited[1] = 0;
            pthread_t t[2];
            const double t0 = now();
            for (long i = 0; i < threads; i++) pthread_create(&t[i], NULL, worker, (void *)i);
            for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
            step[c * rounds + r] = (now() - t0) / STEPS * 1e6;
            const double v[6] = {phaseA[0], phaseA[1], phaseB[0], phaseB[1], waited[0], waited[1]};
            for (int k = 0; k < 6; k++) sums[c][k] += v[k] / rounds;
        }
    printf("# rowstep: 784-100-10 layer 0, m = %d on 2 shards, %s kernels, %d rounds of %d steps per arrangement\n", M,
           K->name, rounds, STEPS);
    printf("| arrangement | step, median (µs) | one thread / this, pairwise median | forward, thread 0 / 1 (µs) | gradient + update, thread 0 / 1 (µs) | wait, thread 0 / 1 (µs) |\n");
    printf("|---|---:|---:|---:|---:|---:|\n");
    for (int c = 0; c < 3; c++) {
        for (int r = 0; r < rounds; r++) ratio[r] = step[r] / step[c * rounds + r];
        const double ratioMedian = median(ratio, rounds), stepMedian = median(step + c * rounds, rounds);
        printf("| %s | %.1f | %.3f | %.1f / %.1f | %.1f / %.1f | %.1f / %.1f |\n", names[c], stepMedian, ratioMedian, sums[c][0],
               sums[c][1], sums[c][2], sums[c][3], sums[c][4], sums[c][5]);
    }
    return 0;
}
