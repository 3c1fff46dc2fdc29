#pragma STDC FP_CONTRACT OFF
// Would skipping zero pixels speed up layer 0? Half the pixels of a Fashion-MNIST image are 0
// (49.8% of the training set's nonzero; 89% of the pixels are nonzero in some image of a batch
// of 10, so a batch-wide skip saves little), and a term in[r][k]·w[k][j] with in[r][k] = +0
// leaves a chain that starts at +0 unchanged (acc + (±0) = acc; the chain is never −0), so a
// forward that skips each row's zero inputs gives the same bits as the dense chain for finite
// weights — this program checks that on every batch of the training split.
//
// Whether it is faster: the dense AVX-512 forward (ShardNet's, 10 rows x 2 panels of 784-30-10,
// identity) against a forward over each row's list of nonzero inputs, the 10 rows in lockstep
// (a row's list padded with zero terms to the longest; 20 accumulators), plus the cost of
// building the lists (vector compress). The lockstep loads a weight row per row and term where
// the dense forward loads it once for all 10 rows, so it trades fmas for loads.
// Usage: zeroskip PIXELS [rounds]   (PIXELS: the training images as raw uint8, 784 per image;
// scripts/zero-skip makes it from Debian's Fashion-MNIST). x86-64 with AVX-512 only.
#define _GNU_SOURCE
#include "shardnet_kernels.h"
#include <immintrin.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "timing.h"

enum { M = 10, NIN = 784, NOUT = 30, LD = 32, MAX_ROUNDS = 99 };

/// Each row's nonzero inputs: offsets k·16 into a panel and values, padded to `longest`.
typedef struct {
    int32_t offset[M][NIN + 16];  // (M, NIN + 16) 16 floats of slack for the last full store
    float value[M][NIN + 16];     // (M, NIN + 16)
    int longest;
} nonzeros;

__attribute__((target("avx512f"))) static void build(const float *in, nonzeros *L) {
    const __m512 zero = _mm512_setzero_ps();
    int longest = 0, count[M];
    for (int r = 0; r < M; r++) {
        __m512i k16 = _mm512_mullo_epi32(_mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15),
                                         _mm512_set1_epi32(16));
        int n = 0;
        for (int k = 0; k < NIN; k += 16) {
            const __m512 v = _mm512_loadu_ps(in + r * NIN + k);
            const __mmask16 nz = _mm512_cmp_ps_mask(v, zero, _CMP_NEQ_UQ);
            _mm512_storeu_ps(L->value[r] + n, _mm512_maskz_compress_ps(nz, v));
            _mm512_storeu_si512(L->offset[r] + n, _mm512_maskz_compress_epi32(nz, k16));
            n += __builtin_popcount(nz);
            k16 = _mm512_add_epi32(k16, _mm512_set1_epi32(16 * 16));
        }
        count[r] = n;
        if (n > longest) longest = n;
    }
    for (int r = 0; r < M; r++)
        for (int i = count[r]; i < longest; i++) L->offset[r][i] = 0, L->value[r][i] = 0.0f;
    L->longest = longest;
}

/// out[r][j] = chain over row r's nonzero inputs of fma(in, w, acc) from +0, then + b[j].
__attribute__((target("avx512f"))) static void forward_nonzeros(const nonzeros *L, const float *packed,
                                                                 const float *bias, float *out) {
    const float *p1 = packed + NIN * 16;
    __m512 a0[M], a1[M];
    for (int r = 0; r < M; r++) a0[r] = a1[r] = _mm512_setzero_ps();
    for (int i = 0; i < L->longest; i++)
        for (int r = 0; r < M; r++) {
            const __m512 x = _mm512_set1_ps(L->value[r][i]);
            a0[r] = _mm512_fmadd_ps(x, _mm512_load_ps(packed + L->offset[r][i]), a0[r]);
            a1[r] = _mm512_fmadd_ps(x, _mm512_load_ps(p1 + L->offset[r][i]), a1[r]);
        }
    for (int r = 0; r < M; r++) {
        _mm512_storeu_ps(out + r * LD, _mm512_add_ps(a0[r], _mm512_loadu_ps(bias)));
        _mm512_storeu_ps(out + r * LD + 16, _mm512_add_ps(a1[r], _mm512_loadu_ps(bias + 16)));
    }
}

int main(int argc, char **argv) {
    const sn_kernels *K = sn_kernels_for(SN_ISA_AVX512);
    const int rounds = argc > 2 ? atoi(argv[2]) : 9;
    FILE *f = argc > 1 ? fopen(argv[1], "rb") : NULL;
    if (!K || !f || rounds < 1 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "zeroskip: usage: zeroskip PIXELS [rounds, 1 ... %d] (an AVX-512 CPU)\n", MAX_ROUNDS);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    const long images = ftell(f) / NIN, steps = images / M;
    rewind(f);
    uint8_t *pixels = malloc((size_t)images * NIN);
    if (steps < 1 || fread(pixels, NIN, (size_t)images, f) != (size_t)images) return fprintf(stderr, "zeroskip: cannot read %s\n", argv[1]), 1;
    fclose(f);
    unsigned seed = 1;
    float *w = randoms(NOUT * NIN, -0.1f, 0.1f, &seed), *b = randoms(LD, -0.1f, 0.1f, &seed);
    float *packed = aligned_alloc(64, (size_t)sn_packed_size(NIN, NOUT) * sizeof(float));
    K->pack(NIN, NOUT, 0, NOUT, w, packed);
    float *a0 = randoms(M * NIN, 0, 0, &seed), *dense = randoms(M * LD, 0, 0, &seed), *sparse = randoms(M * LD, 0, 0, &seed);
    static nonzeros L;
    long differing = 0;
    for (long s = 0; s < steps; s++) {
        K->scale_bytes(pixels + s * M * NIN, M * NIN, a0);
        K->forward(M, NIN, 0, NOUT, a0, NIN, packed, b, dense, LD, SN_ACT_IDENTITY);
        build(a0, &L);
        forward_nonzeros(&L, packed, b, sparse);
        for (int r = 0; r < M; r++) differing += memcmp(dense + r * LD, sparse + r * LD, NOUT * sizeof(float)) != 0;
    }
    double d[MAX_ROUNDS], z[MAX_ROUNDS], l[MAX_ROUNDS], ratio[MAX_ROUNDS];
    for (int round = 0; round < rounds; round++) {  // µs per batch, the inputs staged alike
        double t0 = now();
        for (long s = 0; s < steps; s++) K->forward(M, NIN, 0, NOUT, a0, NIN, packed, b, dense, LD, SN_ACT_IDENTITY);
        double t1 = now();
        for (long s = 0; s < steps; s++) build(a0, &L);
        double t2 = now();
        for (long s = 0; s < steps; s++) forward_nonzeros(&L, packed, b, sparse);
        double t3 = now();
        d[round] = (t1 - t0) / steps * 1e6, l[round] = (t2 - t1) / steps * 1e6, z[round] = (t3 - t2) / steps * 1e6;
        ratio[round] = d[round] / (l[round] + z[round]);
    }
    printf("rows whose 30 outputs differ, dense vs zero inputs skipped: %ld of %ld (every batch of %s)\n", differing, steps * M, argv[1]);
    printf("the last batch's longest row: %d nonzero inputs of %d\n", L.longest, NIN);
    printf("dense forward %.2f us; skipping zeros: lists %.2f us + forward %.2f us; dense / skipping, median of %d rounds: %.2fx\n",
           median(d, rounds), median(l, rounds), median(z, rounds), rounds, median(ratio, rounds));
    return 0;
}
