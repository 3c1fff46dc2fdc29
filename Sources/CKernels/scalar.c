#pragma STDC FP_CONTRACT OFF
// Portable reference kernels: the definition every ISA must reproduce bit for bit.
#include "common.h"
#include <math.h>

/// cols: the inputs each chain runs over (forward_cols), or NULL for all of them.
static void forward_impl_scalar(ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1,
                                const float *in, ptrdiff_t ldIn, const float *packed, const float *bias,
                                float *out, ptrdiff_t ldOut, int act, const int32_t *cols, ptrdiff_t nK) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *x = in + r * ldIn;
        for (ptrdiff_t j = j0; j < j1; j++) {
            const float *w = packed + (j / SN_PANEL) * nIn * SN_PANEL + (j % SN_PANEL);
            float acc = 0.0f;
            for (ptrdiff_t i = 0; i < nK; i++) {
                const ptrdiff_t k = cols ? cols[i] : i;
                acc = fmaf(x[k], w[k * SN_PANEL], acc);
            }
            float z = acc + bias[j];
            out[r * ldOut + j] = sn_activate(z, act);
        }
    }
}

static void forward_scalar(ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1,
                           const float *in, ptrdiff_t ldIn, const float *packed, const float *bias,
                           float *out, ptrdiff_t ldOut, int act) {
    forward_impl_scalar(rows, nIn, j0, j1, in, ldIn, packed, bias, out, ldOut, act, NULL, nIn);
}

static void forward_cols_scalar(ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1,
                                const float *in, ptrdiff_t ldIn, const float *packed, const float *bias,
                                float *out, ptrdiff_t ldOut, int act, const int32_t *cols, ptrdiff_t nCols) {
    forward_impl_scalar(rows, nIn, j0, j1, in, ldIn, packed, bias, out, ldOut, act, cols, nCols);
}

static void backward_scalar(ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t k0, ptrdiff_t k1,
                            const float *delta, ptrdiff_t ldDelta, const float *W,
                            const float *a, ptrdiff_t ldA, float *prev, ptrdiff_t ldPrev, int act) {
    for (ptrdiff_t r = 0; r < rows; r++) {
        const float *d = delta + r * ldDelta;
        for (ptrdiff_t k = k0; k < k1; k++) {
            float acc = 0.0f;
            for (ptrdiff_t j = 0; j < nOut; j++) acc = fmaf(d[j], W[j * nIn + k], acc);
            prev[r * ldPrev + k] = acc * sn_derivative(a[r * ldA + k], act);
        }
    }
}

static void gradient_impl_scalar(ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1,
                                 const float *delta, ptrdiff_t ldDelta, const float *in, ptrdiff_t ldIn,
                                 float *nablaW, float *nablaB, int add) {
    for (ptrdiff_t j = j0; j < j1; j++) {
        for (ptrdiff_t k = 0; k < nIn; k++) {
            float acc = 0.0f;
            for (ptrdiff_t r = 0; r < rows; r++) acc = fmaf(delta[r * ldDelta + j], in[r * ldIn + k], acc);
            nablaW[j * nIn + k] = add ? nablaW[j * nIn + k] + acc : acc;
        }
        float b = 0.0f;
        for (ptrdiff_t r = 0; r < rows; r++) b = b + delta[r * ldDelta + j];
        nablaB[j] = add ? nablaB[j] + b : b;
    }
}

static void gradient_scalar(ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1,
                            const float *delta, ptrdiff_t ldDelta, const float *in, ptrdiff_t ldIn,
                            float *nablaW, float *nablaB) {
    gradient_impl_scalar(rows, nIn, j0, j1, delta, ldDelta, in, ldIn, nablaW, nablaB, 0);
}

static void gradient_add_scalar(ptrdiff_t rows, ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1,
                                const float *delta, ptrdiff_t ldDelta, const float *in, ptrdiff_t ldIn,
                                float *nablaW, float *nablaB) {
    gradient_impl_scalar(rows, nIn, j0, j1, delta, ldDelta, in, ldIn, nablaW, nablaB, 1);
}

static void update_scalar(ptrdiff_t count, float *param, float *velocity, const float *const *grads,
                          ptrdiff_t nGrads, ptrdiff_t offset, const sn_update *u) {
    for (ptrdiff_t i = offset; i < offset + count; i++) {
        float g = grads[0][i];
        for (ptrdiff_t s = 1; s < nGrads; s++) g = g + grads[s][i];
        sn_update_one(param, velocity, i, g, u);
    }
}

void sn_pack_scalar(ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t j0, ptrdiff_t j1, const float *W, float *packed) {
    // Tile by tile (16 units x 16 inputs, 1 KiB of the panel), so that the rows read and the
    // panel lines written stay in L1.
    for (ptrdiff_t p = j0 / SN_PANEL; p * SN_PANEL < j1; p++) {
        float *dst = packed + p * nIn * SN_PANEL;
        for (ptrdiff_t k0 = 0; k0 < nIn; k0 += SN_PANEL) {
            ptrdiff_t k1 = k0 + SN_PANEL < nIn ? k0 + SN_PANEL : nIn;
            for (ptrdiff_t u = 0; u < SN_PANEL; u++) {
                ptrdiff_t j = p * SN_PANEL + u;
                for (ptrdiff_t k = k0; k < k1; k++) dst[k * SN_PANEL + u] = j < nOut ? W[j * nIn + k] : 0.0f;
            }
        }
    }
}

/// cols: the inputs whose weights are updated (sgd_packed_cols), or NULL for all of them.
static void sgd_packed_impl_scalar(ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1, const ptrdiff_t *bounds, ptrdiff_t shards,
                                   const float *delta, ptrdiff_t ldDelta, const float *in, ptrdiff_t ldIn,
                                   float *packed, float *bias, const sn_update *wu, const sn_update *bu,
                                   const int32_t *cols, ptrdiff_t nK) {
    for (ptrdiff_t j = j0; j < j1; j++) {
        float *w = packed + (j / SN_PANEL) * nIn * SN_PANEL + j % SN_PANEL;
        for (ptrdiff_t i = 0; i < nK; i++) {
            const ptrdiff_t k = cols ? cols[i] : i;
            float g = 0.0f;
            int first = 1;
            for (ptrdiff_t s = 0; s < shards; s++) {
                if (bounds[s + 1] <= bounds[s]) continue;
                float acc = 0.0f;
                for (ptrdiff_t r = bounds[s]; r < bounds[s + 1]; r++) acc = fmaf(delta[r * ldDelta + j], in[r * ldIn + k], acc);
                g = first ? acc : g + acc;
                first = 0;
            }
            sn_update_one(w, NULL, k * SN_PANEL, g, wu);
        }
        float g = 0.0f;
        int first = 1;
        for (ptrdiff_t s = 0; s < shards; s++) {
            if (bounds[s + 1] <= bounds[s]) continue;
            float b = 0.0f;
            for (ptrdiff_t r = bounds[s]; r < bounds[s + 1]; r++) b = b + delta[r * ldDelta + j];
            g = first ? b : g + b;
            first = 0;
        }
        sn_update_one(bias, NULL, j, g, bu);
    }
}

static void sgd_packed_scalar(ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1, const ptrdiff_t *bounds, ptrdiff_t shards,
                              const float *delta, ptrdiff_t ldDelta, const float *in, ptrdiff_t ldIn,
                              float *packed, float *bias, const sn_update *wu, const sn_update *bu) {
    sgd_packed_impl_scalar(nIn, j0, j1, bounds, shards, delta, ldDelta, in, ldIn, packed, bias, wu, bu, NULL, nIn);
}

static void sgd_packed_cols_scalar(ptrdiff_t nIn, ptrdiff_t j0, ptrdiff_t j1, const ptrdiff_t *bounds, ptrdiff_t shards,
                                   const float *delta, ptrdiff_t ldDelta, const float *in, ptrdiff_t ldIn,
                                   float *packed, float *bias, const sn_update *wu, const sn_update *bu,
                                   const int32_t *cols, ptrdiff_t nCols) {
    // A skipped input's weights still change under decay or L1: then every input is updated.
    const int plain = wu->decay == 1.0f && wu->l1 == 0.0f;
    sgd_packed_impl_scalar(nIn, j0, j1, bounds, shards, delta, ldDelta, in, ldIn, packed, bias, wu, bu,
                           plain ? cols : NULL, plain ? nCols : nIn);
}

static void scale_bytes_scalar(const uint8_t *src, ptrdiff_t n, float *dst) {
    for (ptrdiff_t i = 0; i < n; i++) dst[i] = (float)src[i] / 255.0f;
}

const sn_kernels sn_kernels_scalar = {
    "scalar", SN_ISA_SCALAR, forward_scalar, backward_scalar, gradient_scalar, gradient_add_scalar, update_scalar,
    scale_bytes_scalar, sgd_packed_scalar, sn_pack_scalar, sn_unpack_scalar, forward_cols_scalar, sgd_packed_cols_scalar,
    sn_nonzero_columns_scalar,
};
