// A/B of one ISA's kernels against a second build (scripts/kernel-ab with SHAPES=large): the
// shapes of the larger networks' steps, where register blocking decides the speed — layer 0's
// forward at 784-100-10 (64 and 128 rows, both cores' unit ranges) and 784-512-512-10, the
// gradient (equation 5) at 784→100, 784→512, 512→512 and the later layers, with the small
// shapes of Nielsen's step beside them (5 and 10 rows), and δ back (equation 4). Timed
// alternately, A then B; prints both medians, the median of the ratios A/B, and whether the two
// builds gave the same bits.
#include "ab.h"
#include <string.h>

#define REPS 61
#define ITERS 10

enum { MAXIN = 784, MAXOUT = 512, MAXROWS = 128 };
static float *packed[2], *bias[2], *in, *out[2], *prev[2], *delta, *weights, *nablaW[2], *nablaB[2];
static ptrdiff_t rows, nIn, nOut, j0, j1;

static void fwd(const sn_kernels *K, int w) { K->forward(rows, nIn, j0, j1, in, nIn, packed[w], bias[w], out[w], nOut, 1); }
static void grd(const sn_kernels *K, int w) { K->gradient(rows, nIn, j0, j1, delta, nOut, in, nIn, nablaW[w], nablaB[w]); }
static void bwd(const sn_kernels *K, int w) {
    K->backward(rows, nIn, nOut, j0, j1, delta, nOut, weights, in, nIn, prev[w], nIn, 1);
}

int main(void) {
    unsigned seed = 7;
    weights = randoms(MAXOUT * MAXIN, -0.05f, 0.05f, &seed);
    in = randoms(MAXROWS * MAXIN, 0, 1, &seed);
    delta = randoms(MAXROWS * MAXOUT, -0.1f, 0.1f, &seed);
    for (int w = 0; w < 2; w++) {
        packed[w] = randoms((size_t)sn_packed_size(MAXIN, MAXOUT), 0, 0, &seed);
        bias[w] = randoms(MAXOUT, 0, 0, &seed);
        out[w] = randoms(MAXROWS * MAXOUT, 0, 0, &seed);
        prev[w] = randoms(MAXROWS * MAXIN, 0, 0, &seed);
        nablaW[w] = randoms(MAXOUT * MAXIN, 0, 0, &seed);
        nablaB[w] = randoms(MAXOUT, 0, 0, &seed);
    }
    printf("%s (A) against %s (B), µs per call: medians of %d alternating repetitions of %d calls\n\n",
           SN_AB_TABLE_A.name, SN_AB_TABLE_B.name, REPS, ITERS);
    printf("| call | A | B | A/B (median of ratios) |\n|---|---:|---:|---:|\n");
    char what[96];
    // rows, nIn, nOut, j0, j1: forward over units [j0, j1) of a 784→nOut layer.
    static const ptrdiff_t fs[][5] = {{64, 784, 100, 0, 100}, {128, 784, 100, 0, 100}, {128, 784, 100, 0, 48},
                                      {128, 784, 100, 48, 100}, {128, 784, 512, 0, 512}, {64, 784, 512, 0, 512},
                                      {10, 784, 30, 0, 30}};
    for (size_t s = 0; s < sizeof fs / sizeof *fs; s++) {
        rows = fs[s][0]; nIn = fs[s][1]; nOut = fs[s][2]; j0 = fs[s][3]; j1 = fs[s][4];
        for (int w = 0; w < 2; w++) SN_AB_TABLE_A.pack(nIn, nOut, 0, nOut, weights, packed[w]);
        snprintf(what, sizeof what, "forward %td rows, %td→%td, units %td..<%td", rows, nIn, nOut, j0, j1);
        report(what, fwd, REPS, ITERS);
    }
    static const ptrdiff_t gs[][3] = {{128, 784, 100}, {64, 784, 100}, {128, 784, 512}, {128, 512, 512}, {128, 512, 10},
                                      {128, 100, 10}, {64, 784, 30}, {5, 784, 30}, {5, 30, 10}, {10, 30, 10}};
    for (size_t s = 0; s < sizeof gs / sizeof *gs; s++) {
        rows = gs[s][0]; nIn = gs[s][1]; nOut = gs[s][2]; j0 = 0; j1 = nOut;
        snprintf(what, sizeof what, "gradient %td rows, %td→%td", rows, nIn, nOut);
        report(what, grd, REPS, ITERS);
    }
    static const ptrdiff_t bs[][3] = {{128, 512, 512}, {128, 512, 10}, {128, 100, 10}, {64, 100, 10}, {10, 30, 10}};
    for (size_t s = 0; s < sizeof bs / sizeof *bs; s++) {
        rows = bs[s][0]; nIn = bs[s][1]; nOut = bs[s][2]; j0 = 0; j1 = nIn;
        snprintf(what, sizeof what, "backward %td rows, %td←%td", rows, nIn, nOut);
        report(what, bwd, REPS, ITERS);
    }
    int same = memcmp(out[0], out[1], MAXROWS * MAXOUT * sizeof(float)) == 0 &&
               memcmp(prev[0], prev[1], MAXROWS * MAXIN * sizeof(float)) == 0 &&
               memcmp(nablaW[0], nablaW[1], MAXOUT * MAXIN * sizeof(float)) == 0 &&
               memcmp(nablaB[0], nablaB[1], MAXOUT * sizeof(float)) == 0;
    printf("\nsame bits from A and B (the last forward, gradient and δ back outputs): %s\n", same ? "yes" : "NO");
    return same ? 0 : 1;
}
