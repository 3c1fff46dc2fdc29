#pragma STDC FP_CONTRACT OFF
// What skipping a batch's all-zero input columns buys layer 0 of 784-30-10 at m = 10: for each
// ISA this machine has and a sweep of densities (the fraction of the 784 columns nonzero in
// some row: ~0.49 for a batch of ten MNIST digits, ~0.89 for Fashion-MNIST), the dense forward
// and sgd_packed against forward_cols and sgd_packed_cols over the nonzero columns, and what
// nonzero_columns costs to list them — microseconds per batch, medians of the rounds, each
// round timing the variants back to back. It checks on the way that the two give the same bits.
// Usage: columns [rounds] [steps per round]
#define _GNU_SOURCE
#include "shardnet_kernels.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "timing.h"

enum { M = 10, NIN = 784, NOUT = 30, LD = 32, MAX_ROUNDS = 99 };

int main(int argc, char **argv) {
    const int rounds = argc > 1 ? atoi(argv[1]) : 7;
    const long steps = argc > 2 ? atol(argv[2]) : 4000;
    if (rounds < 1 || rounds > MAX_ROUNDS || steps < 1) {
        fprintf(stderr, "columns: usage: columns [rounds, 1 ... %d] [steps per round]\n", MAX_ROUNDS);
        return 2;
    }
    static const double densities[] = {0.25, 0.49, 0.75, 0.89, 1.0};
    unsigned seed = 20261202;
    float *W = randoms(NOUT * NIN, -0.05f, 0.05f, &seed), *b = randoms(LD, -1, 1, &seed);
    float *delta = randoms(M * LD, -0.01f, 0.01f, &seed);
    float *packed = aligned_alloc(64, sizeof(float) * (size_t)sn_packed_size(NIN, NOUT));
    float *a = aligned_alloc(64, sizeof(float) * (size_t)sn_packed_size(NIN, NOUT));
    float *z = aligned_alloc(64, sizeof(float) * (size_t)sn_packed_size(NIN, NOUT));
    float outA[M * LD], outB[M * LD], biasA[LD], biasB[LD];
    int32_t cols[NIN];
    ptrdiff_t bounds[3] = {0, M / 2, M};
    const sn_update rule = {0.3f, 1.0f, 0, 0, 0, 0};
    int status = 0;
    for (int isa = SN_ISA_COUNT - 1; isa >= 0; isa--) {
        const sn_kernels *K = sn_kernels_for(isa);
        if (!K || isa == SN_ISA_SCALAR) continue;
        K->pack(NIN, NOUT, 0, NOUT, W, packed);
        for (size_t d = 0; d < sizeof densities / sizeof densities[0]; d++) {
            float *in = randoms(M * NIN, 0.01f, 1, &seed);
            for (int k = 0; k < NIN; k++)
                if ((double)(rand_r(&seed) & 0xFFFF) / 65536.0 >= densities[d])
                    for (int r = 0; r < M; r++) in[r * NIN + k] = 0;
            ptrdiff_t n = K->nonzero_columns(M, NIN, in, NIN, cols);
            // The same bits, forward and update (the rows' two padding floats alike in both).
            memset(outA, 0, sizeof outA);
            memset(outB, 0, sizeof outB);
            K->forward(M, NIN, 0, NOUT, in, NIN, packed, b, outA, LD, SN_ACT_SIGMOID);
            K->forward_cols(M, NIN, 0, NOUT, in, NIN, packed, b, outB, LD, SN_ACT_SIGMOID, cols, n);
            memcpy(a, packed, sizeof(float) * (size_t)sn_packed_size(NIN, NOUT));
            memcpy(z, packed, sizeof(float) * (size_t)sn_packed_size(NIN, NOUT));
            memcpy(biasA, b, sizeof biasA);
            memcpy(biasB, b, sizeof biasB);
            K->sgd_packed(NIN, 0, NOUT, bounds, 2, delta, LD, in, NIN, a, biasA, &rule, &rule);
            K->sgd_packed_cols(NIN, 0, NOUT, bounds, 2, delta, LD, in, NIN, z, biasB, &rule, &rule, cols, n);
            if (memcmp(outA, outB, sizeof outA) || memcmp(a, z, sizeof(float) * (size_t)sn_packed_size(NIN, NOUT)) ||
                memcmp(biasA, biasB, sizeof biasA)) {
                fprintf(stderr, "columns: %s at density %.2f: the column kernels' bits differ from the dense ones\n", K->name, densities[d]);
                status = 1;
            }
            double tf[MAX_ROUNDS], tfc[MAX_ROUNDS], ts[MAX_ROUNDS], tsc[MAX_ROUNDS], tl[MAX_ROUNDS], ratio[MAX_ROUNDS];
            for (int round = 0; round < rounds; round++) {  // µs per batch
                double t0 = now();
                for (long s = 0; s < steps; s++) K->forward(M, NIN, 0, NOUT, in, NIN, packed, b, outA, LD, SN_ACT_SIGMOID);
                double t1 = now();
                for (long s = 0; s < steps; s++) K->forward_cols(M, NIN, 0, NOUT, in, NIN, packed, b, outB, LD, SN_ACT_SIGMOID, cols, n);
                double t2 = now();
                for (long s = 0; s < steps; s++) K->sgd_packed(NIN, 0, NOUT, bounds, 2, delta, LD, in, NIN, a, biasA, &rule, &rule);
                double t3 = now();
                for (long s = 0; s < steps; s++)
                    K->sgd_packed_cols(NIN, 0, NOUT, bounds, 2, delta, LD, in, NIN, z, biasB, &rule, &rule, cols, n);
                double t4 = now();
                for (long s = 0; s < steps; s++) n = K->nonzero_columns(M, NIN, in, NIN, cols);
                double t5 = now();
                tf[round] = (t1 - t0) / steps * 1e6, tfc[round] = (t2 - t1) / steps * 1e6;
                ts[round] = (t3 - t2) / steps * 1e6, tsc[round] = (t4 - t3) / steps * 1e6, tl[round] = (t5 - t4) / steps * 1e6;
                ratio[round] = (tf[round] + ts[round]) / (tfc[round] + tsc[round] + tl[round]);
            }
            printf("%-6s density %.2f (%3td of %d columns): forward %.2f -> %.2f us, sgd_packed %.2f -> %.2f us, list %.2f us; "
                   "dense / skipping with the list, median of %d rounds: %.2fx\n",
                   K->name, densities[d], n, NIN, median(tf, rounds), median(tfc, rounds), median(ts, rounds), median(tsc, rounds),
                   median(tl, rounds), rounds, median(ratio, rounds));
            free(in);
        }
    }
    free(W); free(b); free(delta); free(packed); free(a); free(z);
    return status;
}
