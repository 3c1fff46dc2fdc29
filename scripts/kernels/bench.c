#pragma STDC FP_CONTRACT OFF
// Single-thread GFLOP/s of ShardNet's kernels against OpenBLAS cblas_sgemm doing the same
// products: forward = NT (rows x nIn · (nOut x nIn)ᵀ), backward = NN (rows x nOut · nOut x nIn),
// gradient = TN ((rows x nOut)ᵀ · rows x nIn). Timings are interleaved (native, BLAS, native,
// ...) in one process and the median of several repetitions is reported, because the machine
// is shared. Our kernels also do more than the bare product (bias + activation, the
// derivative, nablaB); the flop count is the product's 2·rows·nIn·nOut in both columns.
// Usage: bench [repetitions] [tail]. Build and run with scripts/kernel-bench; `tail` runs only
// the last table (the small later layers' kernels at m = 10).
#define _GNU_SOURCE
#include "shardnet_kernels.h"
#include "shardnet_cpu.h"
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "timing.h"
#include <time.h>
#include <math.h>

extern char *openblas_get_corename(void);
extern char *openblas_get_config(void);
extern void openblas_set_num_threads(int);

typedef struct {
    ptrdiff_t nIn, nOut, rows;
    float *W, *packed, *b, *in, *out, *delta, *prev, *a, *nw, *nb;
} layer;

enum { K_FWD, K_FWD_SIG, K_BWD, K_GRD };
static const char *kname[] = {"forward NT (identity)", "forward NT (sigmoid)", "backward NN (sigmoid')", "gradient TN (+nablaB)"};

static void run_native(const sn_kernels *K, int kernel, layer *L) {
    switch (kernel) {
    case K_FWD: K->forward(L->rows, L->nIn, 0, L->nOut, L->in, L->nIn, L->packed, L->b, L->out, L->nOut, SN_ACT_IDENTITY); break;
    case K_FWD_SIG: K->forward(L->rows, L->nIn, 0, L->nOut, L->in, L->nIn, L->packed, L->b, L->out, L->nOut, SN_ACT_SIGMOID); break;
    case K_BWD: K->backward(L->rows, L->nIn, L->nOut, 0, L->nIn, L->delta, L->nOut, L->W, L->a, L->nIn, L->prev, L->nIn, SN_ACT_SIGMOID); break;
    default: K->gradient(L->rows, L->nIn, 0, L->nOut, L->delta, L->nOut, L->in, L->nIn, L->nw, L->nb); break;
    }
}
/// What Layers.swift does after the product: bias + σ with libm exp, σ'(a) product, nablaB sums.
static void epilogue(int kernel, layer *L) {
    ptrdiff_t rows = L->rows, nIn = L->nIn, nOut = L->nOut;
    switch (kernel) {
    case K_FWD:
        for (ptrdiff_t r = 0; r < rows; r++) for (ptrdiff_t j = 0; j < nOut; j++) L->out[r * nOut + j] += L->b[j];
        break;
    case K_FWD_SIG:
        for (ptrdiff_t r = 0; r < rows; r++)
            for (ptrdiff_t j = 0; j < nOut; j++) L->out[r * nOut + j] = 1.0f / (1.0f + expf(-(L->out[r * nOut + j] + L->b[j])));
        break;
    case K_BWD:
        for (ptrdiff_t i = 0; i < rows * nIn; i++) L->prev[i] *= L->a[i] * (1.0f - L->a[i]);
        break;
    default:
        for (ptrdiff_t j = 0; j < nOut; j++) L->nb[j] = 0;
        for (ptrdiff_t r = 0; r < rows; r++) for (ptrdiff_t j = 0; j < nOut; j++) L->nb[j] += L->delta[r * nOut + j];
        break;
    }
}
static void run_blas(int kernel, layer *L) {
    int m = (int)L->rows, n = (int)L->nOut, k = (int)L->nIn;
    switch (kernel) {
    case K_FWD: case K_FWD_SIG:
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, m, n, k, 1, L->in, k, L->W, k, 0, L->out, n); break;
    case K_BWD:
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, m, k, n, 1, L->delta, n, L->W, k, 0, L->prev, k); break;
    default:
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, k, m, 1, L->delta, n, L->in, k, 0, L->nw, k); break;
    }
}

int main(int argc, char **argv) {
    int reps = argc > 1 ? atoi(argv[1]) : 101;
    if (reps < 1) reps = 1;
    if (reps > 256) reps = 256;
    openblas_set_num_threads(1);
    shardnet_cpu_flush_denormals();
    char brand[64], feats[64] = "";
    shardnet_cpu_brand(brand, sizeof brand);
    unsigned f = shardnet_cpu_features();
    snprintf(feats, sizeof feats, "%s%s%s", f & SHARDNET_CPU_AVX512F ? "avx512f " : "",
             f & SHARDNET_CPU_AVX2_FMA ? "avx2 fma " : "", f & SHARDNET_CPU_NEON ? "neon" : "");
    printf("CPU: %s (%s)\nBLAS: OpenBLAS core %s; config: %s\n", brand, feats, openblas_get_corename(), openblas_get_config());
    printf("single thread, GFLOP/s = 2*rows*nIn*nOut / time, median of %d interleaved repetitions\n\n", reps);
    const sn_kernels *isas[2] = {sn_kernels_for(SN_ISA_AVX512), sn_kernels_for(SN_ISA_AVX2)};
    if (!isas[0] && !isas[1]) isas[0] = sn_kernels_for(sn_isa_best());
    printf("BLAS = cblas_sgemm alone; BLAS+epi = sgemm plus the scalar pass Layers.swift runs after it\n"
           "(bias + 1/(1+expf(-z)), the σ'(a) product, the nablaB sums), i.e. the same work as our kernel.\n\n");
    printf("| nIn→nOut | rows | kernel | %s | %s | BLAS | best/BLAS | BLAS+epi | best/(BLAS+epi) |\n|---|---|---|---|---|---|---|---|---|\n",
           isas[0] ? isas[0]->name : "-", isas[1] ? isas[1]->name : "-");
    int tailOnly = argc > 2 && strcmp(argv[2], "tail") == 0;
    static const int shapes[][3] = {{784, 30, 5}, {784, 30, 10}, {784, 16, 10}, {784, 100, 64}, {784, 100, 128},
                                    {784, 512, 64}, {784, 512, 128}, {512, 512, 64}, {512, 512, 128}};
    unsigned seed = 42;
    for (size_t s = 0; s < (tailOnly ? 0 : sizeof shapes / sizeof shapes[0]); s++) {
        layer L = {shapes[s][0], shapes[s][1], shapes[s][2], 0};
        size_t nIn = (size_t)L.nIn, nOut = (size_t)L.nOut, rows = (size_t)L.rows;
        L.W = randoms(nOut * nIn, -0.05f, 0.05f, &seed);
        L.packed = randoms((size_t)sn_packed_size(L.nIn, L.nOut), 0, 0, &seed);
        sn_kernels_for(SN_ISA_SCALAR)->pack(L.nIn, L.nOut, 0, L.nOut, L.W, L.packed);
        L.b = randoms(nOut, -1, 1, &seed);
        L.in = randoms(rows * nIn, 0, 1, &seed);
        L.a = randoms(rows * nIn, 0, 1, &seed);
        L.out = randoms(rows * nOut, 0, 0, &seed);
        L.delta = randoms(rows * nOut, -0.1f, 0.1f, &seed);
        L.prev = randoms(rows * nIn, 0, 0, &seed);
        L.nw = randoms(nOut * nIn, 0, 0, &seed);
        L.nb = randoms(nOut, 0, 0, &seed);
        double flops = 2.0 * (double)(rows * nIn * nOut);
        int iters = (int)(3.0e6 / flops) + 1; // ~3e6 flops per timing (~30 us): most timings fit between preemptions
        for (int kernel = 0; kernel < 4; kernel++) {
            double t[4][256];
            for (int w = 0; w < 3; w++) { // warm-up
                for (int i = 0; i < 2; i++) { if (isas[i]) run_native(isas[i], kernel, &L); }
                run_blas(kernel, &L);
                epilogue(kernel, &L);
            }
            for (int r = 0; r < reps; r++) {
                for (int c = 0; c < 4; c++) {
                    if (c < 2 && !isas[c]) { t[c][r] = 0; continue; }
                    double t0 = now();
                    for (int it = 0; it < iters; it++) {
                        if (c < 2) run_native(isas[c], kernel, &L);
                        else { run_blas(kernel, &L); if (c == 3) epilogue(kernel, &L); }
                    }
                    t[c][r] = (now() - t0) / iters;
                }
            }
            double g[4];
            for (int c = 0; c < 4; c++) { double m = median(t[c], reps); g[c] = m > 0 ? flops / m * 1e-9 : 0; }
            double best = g[0] > g[1] ? g[0] : g[1];
            printf("| %zu→%zu | %zu | %s | %.1f | %.1f | %.1f | %.2f | %.1f | %.2f |\n", nIn, nOut, rows, kname[kernel],
                   g[0], g[1], g[2], best / g[2], g[3], best / g[3]);
            fflush(stdout);
        }
        free(L.W); free(L.packed); free(L.b); free(L.in); free(L.a); free(L.out); free(L.delta); free(L.prev); free(L.nw); free(L.nb);
    }
    // Equation 5 and the update of a layer's units over two shards: the separate kernels
    // (gradient, gradient_add, update, pack: what the shard schedule and momentum runs do) against
    // sgd_packed (the unit schedule's plain-SGD path), on the best ISA; the same bits.
    const sn_kernels *K = sn_kernels_for(sn_isa_best());
    printf("\n%s, two shards of rows/2: equation 5 + update, µs per call (median of %d interleaved repetitions)\n\n", K->name, reps);
    printf("| nIn→units | rows | gradient + gradient_add + update + pack | sgd_packed (+ unpack at 30→10, 100→10) | ratio |\n|---|---|---|---|---|\n");
    static const int ushapes[][3] = {{30, 10, 10}, {100, 10, 10}, {784, 30, 10}, {784, 16, 10}, {784, 30, 16}, {784, 100, 16}, {784, 30, 32}, {784, 100, 32}, {784, 48, 64}, {784, 100, 128}};
    for (size_t s = 0; s < (tailOnly ? 0 : sizeof ushapes / sizeof ushapes[0]); s++) {
        ptrdiff_t nIn = ushapes[s][0], nOut = ushapes[s][1], rows = ushapes[s][2], half = rows / 2;
        float *W = randoms((size_t)(nOut * nIn), -0.05f, 0.05f, &seed), *b = randoms((size_t)nOut, -1, 1, &seed);
        float *in = randoms((size_t)(rows * nIn), 0, 1, &seed), *delta = randoms((size_t)(rows * nOut), -0.1f, 0.1f, &seed);
        float *nw = randoms((size_t)(nOut * nIn), 0, 0, &seed), *nb = randoms((size_t)nOut, 0, 0, &seed);
        float *packed = randoms((size_t)sn_packed_size(nIn, nOut), 0, 0, &seed);
        K->pack(nIn, nOut, 0, nOut, W, packed);
        ptrdiff_t bounds[3] = {0, half, rows};
        sn_update u = {1e-6f, 1.0f, 0, 0, 0, 0};  // tiny steps: the weights stay in range over the repetitions
        const float *gw[1] = {nw}, *gb[1] = {nb};
        int iters = (int)(3.0e6 / (2.0 * (double)(rows * nIn * nOut))) + 1;
        double t[2][256];
        for (int r = -3; r < reps; r++)
            for (int c = 0; c < 2; c++) {
                double t0 = now();
                for (int it = 0; it < iters; it++) {
                    if (c == 0) {
                        K->gradient(half, nIn, 0, nOut, delta, nOut, in, nIn, nw, nb);
                        K->gradient_add(rows - half, nIn, 0, nOut, delta + half * nOut, nOut, in + half * nIn, nIn, nw, nb);
                        K->update(nOut * nIn, W, NULL, gw, 1, 0, &u);
                        K->update(nOut, b, NULL, gb, 1, 0, &u);
                        K->pack(nIn, nOut, 0, nOut, W, packed);
                    } else {
                        K->sgd_packed(nIn, 0, nOut, bounds, 2, delta, nOut, in, nIn, packed, b, &u, &u);
                        // A later layer (nIn < 784) of the one-phase plan's tail: w back for δ back.
                        if (nIn < 784) K->unpack(nIn, nOut, 0, nOut, packed, W);
                    }
                }
                if (r >= 0) t[c][r] = (now() - t0) / iters * 1e6;
            }
        double a = median(t[0], reps), f = median(t[1], reps);
        printf("| %td→%td | %td | %.2f | %.2f | %.2f |\n", nIn, nOut, rows, a, f, a / f);
        fflush(stdout);
        free(W); free(b); free(in); free(delta); free(nw); free(nb); free(packed);
    }
    // The small later layers of Nielsen's networks at m = 10 (the unit schedule's tail, which
    // every thread recomputes): each kernel alone, ns per call. Their input widths (30, 100)
    // are not multiples of the vector width, so the last columns' path shows here.
    printf("\n%s, the later layers at m = 10 (two shards of 5 rows), ns per call (median of %d interleaved repetitions)\n\n", K->name, reps);
    printf("| nIn→nOut | forward | backward (δ back) | gradient + gradient_add | update (w and b) | pack |\n|---|---|---|---|---|---|\n");
    static const int tshapes[][2] = {{30, 10}, {100, 10}};
    for (size_t s = 0; s < sizeof tshapes / sizeof tshapes[0]; s++) {
        const ptrdiff_t nIn = tshapes[s][0], nOut = tshapes[s][1], rows = 10;
        float *W = randoms((size_t)(nOut * nIn), -0.1f, 0.1f, &seed), *b = randoms((size_t)nOut, -1, 1, &seed);
        float *a = randoms((size_t)(rows * nIn), 0, 1, &seed), *out = randoms((size_t)(rows * nOut), 0, 0, &seed);
        float *delta = randoms((size_t)(rows * nOut), -0.1f, 0.1f, &seed), *prev = randoms((size_t)(rows * nIn), 0, 0, &seed);
        float *nw = randoms((size_t)(nOut * nIn), 0, 0, &seed), *nb = randoms((size_t)nOut, 0, 0, &seed);
        float *packed = randoms((size_t)sn_packed_size(nIn, nOut), 0, 0, &seed);
        K->pack(nIn, nOut, 0, nOut, W, packed);
        sn_update u = {1e-7f, 1.0f, 0, 0, 0, 0};
        const float *gw[1] = {nw}, *gb[1] = {nb};
        double t[5][256];
        for (int r = -3; r < reps; r++)
            for (int c = 0; c < 5; c++) {
                double t0 = now();
                for (int it = 0; it < 1000; it++) {
                    switch (c) {
                    case 0: K->forward(rows, nIn, 0, nOut, a, nIn, packed, b, out, nOut, SN_ACT_SIGMOID); break;
                    case 1: K->backward(rows, nIn, nOut, 0, nIn, delta, nOut, W, a, nIn, prev, nIn, SN_ACT_SIGMOID); break;
                    case 2:
                        K->gradient(5, nIn, 0, nOut, delta, nOut, a, nIn, nw, nb);
                        K->gradient_add(5, nIn, 0, nOut, delta + 5 * nOut, nOut, a + 5 * nIn, nIn, nw, nb);
                        break;
                    case 3: K->update(nOut * nIn, W, NULL, gw, 1, 0, &u); K->update(nOut, b, NULL, gb, 1, 0, &u); break;
                    default: K->pack(nIn, nOut, 0, nOut, W, packed); break;
                    }
                }
                if (r >= 0) t[c][r] = (now() - t0) / 1000 * 1e9;
            }
        printf("| %td→%td | %.0f | %.0f | %.0f | %.0f | %.0f |\n", nIn, nOut, median(t[0], reps), median(t[1], reps),
               median(t[2], reps), median(t[3], reps), median(t[4], reps));
        fflush(stdout);
        free(W); free(b); free(a); free(out); free(delta); free(prev); free(nw); free(nb); free(packed);
    }
    return 0;
}
