#pragma STDC FP_CONTRACT OFF
// Cross-ISA conformance driver: runs every kernel on fixed pseudo-random cases with one ISA's
// table and prints every output float as hex, one case per line. The output must be byte-for-
// byte the same for every ISA (scalar, avx2, avx512, neon); scripts/neon-check diffs it.
// Usage: driver ISA   (ISA = scalar | avx2 | avx512 | neon). Count of values goes to stderr.
#include "shardnet_kernels.h"
#include "shardnet_cpu.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t state = 0x9E3779B97F4A7C15ull;
static float uniform(float lo, float hi) {  // xorshift64*, 24 bits
    state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
    uint32_t v = (uint32_t)((state * 0x2545F4914F6CDD1Dull) >> 40);
    return lo + (hi - lo) * ((float)v / 16777216.0f);
}
static float *randoms(ptrdiff_t n, float lo, float hi) {
    float *p = malloc(sizeof(float) * (size_t)(n > 0 ? n : 1));
    for (ptrdiff_t i = 0; i < n; i++) p[i] = uniform(lo, hi);
    return p;
}
static long emitted = 0;
static void emit(const char *tag, const float *x, ptrdiff_t n) {
    printf("%s", tag);
    for (ptrdiff_t i = 0; i < n; i++) { uint32_t b; memcpy(&b, &x[i], 4); printf(" %08x", b); }
    printf("\n");
    emitted += n;
}

int main(int argc, char **argv) {
    int isa = -1;
    for (int i = 0; i < SN_ISA_COUNT; i++) if (argc > 1 && strcmp(argv[1], sn_isa_name(i)) == 0) isa = i;
    const sn_kernels *K = isa >= 0 ? sn_kernels_for(isa) : NULL;
    if (!K) { fprintf(stderr, "driver: ISA %s not available here\n", argc > 1 ? argv[1] : "(none)"); return 2; }
    shardnet_cpu_flush_denormals();
    static const int shapes[][2] = {{784, 30}, {30, 10}, {7, 3}, {100, 100}, {33, 17}, {64, 48}, {1, 20}, {40, 20}, {40, 300}, {256, 40}};
    static const int rowsList[] = {0, 1, 3, 5, 10, 64, 200};
    char tag[128];
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        ptrdiff_t nIn = shapes[s][0], nOut = shapes[s][1];
        for (size_t ri = 0; ri < sizeof rowsList / sizeof rowsList[0]; ri++) {
            ptrdiff_t rows = rowsList[ri];
            ptrdiff_t ldIn = nIn + 3, ldOut = nOut + 5;
            float *Wt = randoms(nOut * nIn, -1, 1), *b = randoms(nOut, -1, 1);
            float *in = randoms(rows * ldIn, -1, 1), *delta = randoms(rows * ldOut, -1, 1);
            float *packed = malloc(sizeof(float) * (size_t)sn_packed_size(nIn, nOut));
            K->pack(nIn, nOut, 0, nOut, Wt, packed);
            snprintf(tag, sizeof tag, "pack %td>%td", nIn, nOut);
            emit(tag, packed, sn_packed_size(nIn, nOut));
            for (int act = 0; act < 4; act++) {
                // Forward over all units and over a sub-range starting at a panel boundary.
                ptrdiff_t j0s[2] = {0, nOut > 16 ? 16 : 0}, j1s[2] = {nOut, nOut > 16 ? nOut - 1 : nOut};
                for (int t = 0; t < 2; t++) {
                    float *out = randoms(rows * ldOut, 5, 6); // pre-filled: untouched entries must stay
                    K->forward(rows, nIn, j0s[t], j1s[t], in, ldIn, packed, b, out, ldOut, act);
                    snprintf(tag, sizeof tag, "forward %td>%td r%td act%d j%td-%td", nIn, nOut, rows, act, j0s[t], j1s[t]);
                    emit(tag, out, rows * ldOut);
                    free(out);
                }
                // Backward: activations of the layer's input in the activation's range.
                float *a = randoms(rows * ldIn, act == 1 ? -1 : 0, 1);
                ptrdiff_t k0s[2] = {0, nIn / 3}, k1s[2] = {nIn, nIn - nIn / 4};
                for (int t = 0; t < 2; t++) {
                    float *prev = randoms(rows * ldIn, 5, 6);
                    K->backward(rows, nIn, nOut, k0s[t], k1s[t], delta, ldOut, Wt, a, ldIn, prev, ldIn, act);
                    snprintf(tag, sizeof tag, "backward %td>%td r%td act%d k%td-%td", nIn, nOut, rows, act, k0s[t], k1s[t]);
                    emit(tag, prev, rows * ldIn);
                    free(prev);
                }
                free(a);
            }
            ptrdiff_t gj0[2] = {0, nOut / 2}, gj1[2] = {nOut, nOut};
            for (int t = 0; t < 2; t++) {
                float *nw = randoms(nOut * nIn, 5, 6), *nb = randoms(nOut, 5, 6);
                K->gradient(rows, nIn, gj0[t], gj1[t], delta, ldOut, in, ldIn, nw, nb);
                snprintf(tag, sizeof tag, "gradient %td>%td r%td j%td-%td", nIn, nOut, rows, gj0[t], gj1[t]);
                emit(tag, nw, nOut * nIn);
                emit(tag, nb, nOut);
                // gradient_add on top: the running sum of a second shard's gradient.
                K->gradient_add(rows, nIn, gj0[t], gj1[t], delta, ldOut, in, ldIn, nw, nb);
                snprintf(tag, sizeof tag, "gradient_add %td>%td r%td j%td-%td", nIn, nOut, rows, gj0[t], gj1[t]);
                emit(tag, nw, nOut * nIn);
                emit(tag, nb, nOut);
                free(nw); free(nb);
            }
            // A list of input columns for forward_cols and sgd_packed_cols: the first two and
            // every third skipped — the inputs there are not 0, so a kernel that did not honour
            // the list would print other bits than scalar's.
            int32_t *cols = malloc(sizeof(int32_t) * (size_t)nIn);
            ptrdiff_t nCols = 0;
            for (ptrdiff_t k = 2; k < nIn; k++)
                if (k % 3 != 0) cols[nCols++] = (int32_t)k;
            for (int act = 0; act < 4; act++) {
                float *out = randoms(rows * ldOut, 5, 6);
                K->forward_cols(rows, nIn, 0, nOut, in, ldIn, packed, b, out, ldOut, act, cols, nCols);
                snprintf(tag, sizeof tag, "forward_cols %td>%td r%td act%d", nIn, nOut, rows, act);
                emit(tag, out, rows * ldOut);
                free(out);
            }
            // nonzero_columns of the inputs with those columns zeroed (as floats: exact).
            {
                float *zeroed = malloc(sizeof(float) * (size_t)(rows * ldIn + 1)), *listed = malloc(sizeof(float) * (size_t)(nIn + 1));
                int32_t *found = malloc(sizeof(int32_t) * (size_t)nIn);
                memcpy(zeroed, in, sizeof(float) * (size_t)(rows * ldIn));
                for (ptrdiff_t r = 0; r < rows; r++)
                    for (ptrdiff_t k = 0; k < nIn; k++)
                        if (k < 2 || k % 3 == 0) zeroed[r * ldIn + k] = r % 2 ? -0.0f : 0.0f;
                ptrdiff_t count = K->nonzero_columns(rows, nIn, zeroed, ldIn, found);
                listed[0] = (float)count;
                for (ptrdiff_t i = 0; i < count; i++) listed[i + 1] = (float)found[i];
                snprintf(tag, sizeof tag, "nonzero_columns %td>%td r%td", nIn, nOut, rows);
                emit(tag, listed, count + 1);
                free(zeroed); free(listed); free(found);
            }
            // sgd_packed: two shards, and three with an empty one; plain and L1 rules; all units
            // and from the second panel on. Then unpack of the result, and sgd_packed_cols (the
            // plain rule over the listed columns; the L1 rule, which ignores the list).
            if (rows > 0 && rows <= SN_SGD_PACKED_MAX_ROWS) {
                ptrdiff_t cuts[2][4] = {{0, rows / 2, rows, rows}, {0, rows / 3, rows / 3, rows}};
                ptrdiff_t nShards[2] = {2, 3};
                sn_update wu[2] = {{0.3f, 1.0f, 0, 0, 0, 0}, {0.05f, 0.999f, 0, 1e-4f, 0, 0}}, bu = {0.3f, 1.0f, 0, 0, 0, 0};
                ptrdiff_t j0s[2] = {0, nOut > 16 ? 16 : 0};
                for (int c = 0; c < 2; c++)
                    for (int t = 0; t < 2; t++) {
                        float *pk = malloc(sizeof(float) * (size_t)sn_packed_size(nIn, nOut)), *bb = malloc(sizeof(float) * (size_t)nOut);
                        memcpy(pk, packed, sizeof(float) * (size_t)sn_packed_size(nIn, nOut));
                        memcpy(bb, b, sizeof(float) * (size_t)nOut);
                        K->sgd_packed(nIn, j0s[t], nOut, cuts[c], nShards[c], delta, ldOut, in, ldIn, pk, bb, &wu[c], &bu);
                        snprintf(tag, sizeof tag, "sgd_packed %td>%td r%td c%d j%td", nIn, nOut, rows, c, j0s[t]);
                        emit(tag, pk, sn_packed_size(nIn, nOut));
                        emit(tag, bb, nOut);
                        float *w2 = randoms(nOut * nIn, 5, 6);  // untouched rows must stay
                        K->unpack(nIn, nOut, j0s[t], nOut, pk, w2);
                        snprintf(tag, sizeof tag, "unpack %td>%td r%td c%d j%td", nIn, nOut, rows, c, j0s[t]);
                        emit(tag, w2, nOut * nIn);
                        memcpy(pk, packed, sizeof(float) * (size_t)sn_packed_size(nIn, nOut));
                        memcpy(bb, b, sizeof(float) * (size_t)nOut);
                        K->sgd_packed_cols(nIn, j0s[t], nOut, cuts[c], nShards[c], delta, ldOut, in, ldIn, pk, bb, &wu[c], &bu,
                                           cols, nCols);
                        snprintf(tag, sizeof tag, "sgd_packed_cols %td>%td r%td c%d j%td", nIn, nOut, rows, c, j0s[t]);
                        emit(tag, pk, sn_packed_size(nIn, nOut));
                        emit(tag, bb, nOut);
                        free(pk); free(bb); free(w2);
                    }
            }
            free(cols);
            free(Wt); free(b); free(in); free(delta); free(packed);
        }
    }
    // Update: every rule, 1..3 shard gradients, odd counts and offsets.
    sn_update rules[] = {
        {0.01f, 1.0f, 0, 0, 0, 0}, {0.03f, 0.9995f, 0, 0, 0, 0}, {0.03f, 0.999f, 0, 1e-4f, 0, 0},
        {0.02f, 1, 1e-3f, 0, 0.9f, 0}, {0.02f, 1, 1e-3f, 2e-4f, 0.9f, 1}, {0.05f, 1, 0, 0, 0.5f, 1},
    };
    for (size_t u = 0; u < sizeof rules / sizeof rules[0]; u++)
        for (int ng = 1; ng <= 3; ng++) {
            ptrdiff_t n = 203;
            float *p = randoms(n, -1, 1), *v = randoms(n, -0.1f, 0.1f);
            p[5] = 0; p[40] = 0;  // sgn(0) = 0
            const float *g[3]; float *gs[3];
            for (int s = 0; s < ng; s++) { gs[s] = randoms(n, -1, 1); g[s] = gs[s]; }
            K->update(n - 9, p, v, g, ng, 7, &rules[u]);
            snprintf(tag, sizeof tag, "update rule%zu g%d", u, ng);
            emit(tag, p, n);
            emit(tag, v, n);
            for (int s = 0; s < ng; s++) free(gs[s]);
            free(p); free(v);
        }
    // scale_bytes: every byte value, from an aligned and an unaligned start.
    {
        uint8_t b[300];
        float y[300];
        for (int i = 0; i < 300; i++) b[i] = (uint8_t)(i * 37 + 11);
        K->scale_bytes(b, 300, y);
        emit("scale_bytes", y, 300);
        K->scale_bytes(b + 3, 261, y);
        emit("scale_bytes+3", y, 261);
    }
    // Shared scalar functions (same code everywhere, but compiled by each compiler).
    {
        float x[64], y[64];
        for (int i = 0; i < 64; i++) x[i] = uniform(-100, 100);
        for (int i = 0; i < 64; i++) y[i] = sn_exp(x[i]);
        emit("sn_exp", y, 64);
        for (int act = 0; act < 4; act++) {
            for (int i = 0; i < 64; i++) y[i] = sn_activate(x[i] / 20, act);
            snprintf(tag, sizeof tag, "activate%d", act);
            emit(tag, y, 64);
        }
        float z[4 * 10], d[4 * 10];
        int32_t labels[4] = {3, 0, 9, 5};
        for (int kind = 0; kind < 3; kind++) {
            for (int i = 0; i < 40; i++) z[i] = kind == 2 ? uniform(-5, 5) : uniform(0, 1);
            if (kind == SN_COST_LOG_LIKELIHOOD) sn_softmax_rows(4, 10, z, 10);
            double c = sn_output_error(kind, 4, 10, z, 10, labels, d, 10);
            float cf = (float)c;
            snprintf(tag, sizeof tag, "output%d", kind);
            emit(tag, z, 40); emit(tag, d, 40); emit(tag, &cf, 1);
        }
    }
    fprintf(stderr, "driver %s: %ld values\n", K->name, emitted);
    return 0;
}
