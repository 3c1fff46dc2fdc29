// A/B of one ISA's kernels against a second build of the same source with other tuning macros
// (scripts/kernel-ab): the shapes of Nielsen's 784-30-10 step — layer 0's forward over one
// core's unit range and over both, sgd_packed over 5 + 5, 10 and 8 + 8 rows, scale_bytes of a
// 10-row uint8 batch, pack and unpack of layer 0's and layer 1's panels — timed alternately, A then B, each repetition; prints both medians, the
// median of the per-repetition ratios A/B, and whether the two builds gave the same bits.
#include "ab.h"
#include <string.h>

#define REPS 301
#define ITERS 100

enum { NIN = 784, NOUT = 30 };
static float *packed[2], *bias[2], *in, *out[2], *delta;
static uint8_t bytes[10 * NIN];
static ptrdiff_t rows, j0, j1, bounds[3], shards;
static sn_update rule = {1e-6f, 1.0f, 0, 0, 0, 0};

static void fwd(const sn_kernels *K, int w) { K->forward(rows, NIN, j0, j1, in, NIN, packed[w], bias[w], out[w], 32, 1); }
static void sgd(const sn_kernels *K, int w) {
    K->sgd_packed(NIN, j0, j1, bounds, shards, delta, 32, in, NIN, packed[w], bias[w], &rule, &rule);
}
static void scale(const sn_kernels *K, int w) { K->scale_bytes(bytes, 10 * NIN, out[w]); }
// pack W (pOut, pIn) into packs[w], and unpack packs[w] back into unpacked[w].
static float *W, *packs[2], *unpacked[2];
static ptrdiff_t pIn, pOut;
static void pk(const sn_kernels *K, int w) { K->pack(pIn, pOut, 0, pOut, W, packs[w]); }
static void upk(const sn_kernels *K, int w) { K->unpack(pIn, pOut, 0, pOut, packs[w], unpacked[w]); }

int main(void) {
    unsigned seed = 7;
    W = randoms(NOUT * NIN, -0.05f, 0.05f, &seed);
    in = randoms(128 * NIN, 0, 1, &seed);
    delta = randoms(16 * 32, -0.1f, 0.1f, &seed);
    for (int w = 0; w < 2; w++) {
        packed[w] = randoms((size_t)sn_packed_size(NIN, NOUT), 0, 0, &seed);
        SN_AB_TABLE_A.pack(NIN, NOUT, 0, NOUT, W, packed[w]);
        bias[w] = randoms(32, 0, 0, &seed);
        out[w] = randoms(128 * 32 + 10 * NIN, 0, 0, &seed);
        packs[w] = randoms((size_t)sn_packed_size(NIN, NOUT), 0, 0, &seed);
        unpacked[w] = randoms(NOUT * NIN, 0, 0, &seed);
    }
    for (int i = 0; i < 10 * NIN; i++) bytes[i] = (uint8_t)(i * 37 + 11);
    printf("%s (A) against %s (B), µs per call: medians of %d alternating repetitions of %d calls\n\n",
           SN_AB_TABLE_A.name, SN_AB_TABLE_B.name, REPS, ITERS);
    printf("| call | A | B | A/B (median of ratios) |\n|---|---:|---:|---:|\n");
    static const ptrdiff_t fshapes[][3] = {{10, 0, 16}, {10, 16, 30}, {10, 0, 30}, {128, 0, 16}};
    char what[96];
    for (int s = 0; s < 4; s++) {
        rows = fshapes[s][0]; j0 = fshapes[s][1]; j1 = fshapes[s][2];
        snprintf(what, sizeof what, "forward %td rows, units %td..<%td", rows, j0, j1);
        report(what, fwd, REPS, ITERS);
    }
    static const ptrdiff_t sshapes[][4] = {{2, 5, 10}, {1, 10, 10}, {2, 8, 16}};
    for (int s = 0; s < 3; s++) {
        shards = sshapes[s][0]; bounds[0] = 0; bounds[1] = sshapes[s][1]; bounds[2] = sshapes[s][2];
        char cut[32];
        if (shards > 1) snprintf(cut, sizeof cut, "%td + %td", bounds[1], bounds[2] - bounds[1]);
        else snprintf(cut, sizeof cut, "%td (one shard)", bounds[1]);
        j0 = 0;
        for (j1 = 16; j1 <= 30; j1 += 14) {  // one core's panel, then both
            snprintf(what, sizeof what, "sgd_packed rows %s, units %td..<%td", cut, j0, j1);
            report(what, sgd, REPS, ITERS);
        }
    }
    report("scale_bytes, 7,840 bytes", scale, REPS, ITERS);
    int same = memcmp(packed[0], packed[1], (size_t)sn_packed_size(NIN, NOUT) * sizeof(float)) == 0 &&
               memcmp(bias[0], bias[1], 32 * sizeof(float)) == 0 && memcmp(out[0], out[1], 10 * NIN * sizeof(float)) == 0;
    static const ptrdiff_t pshapes[][2] = {{NIN, NOUT}, {NOUT, 10}};  // layer 0's and layer 1's panels (W's first rows)
    for (int s = 0; s < 2; s++) {
        pIn = pshapes[s][0]; pOut = pshapes[s][1];
        snprintf(what, sizeof what, "pack %td>%td", pIn, pOut);
        report(what, pk, REPS, ITERS);
        snprintf(what, sizeof what, "unpack %td>%td", pIn, pOut);
        report(what, upk, REPS, ITERS);
        same = same && memcmp(packs[0], packs[1], (size_t)sn_packed_size(pIn, pOut) * sizeof(float)) == 0 &&
               memcmp(unpacked[0], unpacked[1], (size_t)(pIn * pOut) * sizeof(float)) == 0 &&
               memcmp(unpacked[0], W, (size_t)(pIn * pOut) * sizeof(float)) == 0;
    }
    printf("\nsame bits from A and B (panels and biases after every sgd_packed call, scale_bytes, pack, unpack = W): %s\n",
           same ? "yes" : "NO");
    return same ? 0 : 1;
}
