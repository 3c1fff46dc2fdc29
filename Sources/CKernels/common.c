#pragma STDC FP_CONTRACT OFF
// Shared scalar pieces: sn_exp, σ, tanh, the output error and costs, softmax, the row prefetch,
// sgd_packed's delta panel and bias update, the scalar unpacker.
#include "common.h"
#include <float.h>
#include <math.h>
#include <string.h>

float sn_exp(float x) {
    x = x < SN_EXP_LO ? SN_EXP_LO : x;
    x = x > SN_EXP_HI ? SN_EXP_HI : x;
    float t = x * SN_LOG2E;
    float y = t + SN_MAGIC;
    float n = y - SN_MAGIC;
    float r = fmaf(n, -SN_LN2_HI, x);
    r = fmaf(n, -SN_LN2_LO, r);
    float p = SN_EXP_C7;
    p = fmaf(p, r, SN_EXP_C6);
    p = fmaf(p, r, SN_EXP_C5);
    p = fmaf(p, r, SN_EXP_C4);
    p = fmaf(p, r, SN_EXP_C3);
    p = fmaf(p, r, SN_EXP_C2);
    p = fmaf(p, r, SN_EXP_C1);
    p = fmaf(p, r, SN_EXP_C0);
    // 2^n: n sits in the low mantissa bits of y = 1.5*2^23 + n.
    int32_t yb; memcpy(&yb, &y, 4);
    int32_t sb = (yb - SN_MAGIC_BITS + 127) << 23;
    float scale; memcpy(&scale, &sb, 4);
    return p * scale;
}

float sn_sigmoid(float z) {
    float e = sn_exp(-z);
    float d = 1.0f + e;
    return 1.0f / d;
}

float sn_tanh(float z) {
    float az = fabsf(z);
    if (az < SN_TANH_SMALL) {
        float s = z * z;
        float q = SN_TANH_Q4;
        q = fmaf(q, s, SN_TANH_Q3);
        q = fmaf(q, s, SN_TANH_Q2);
        q = fmaf(q, s, SN_TANH_Q1);
        q = fmaf(q, s, SN_TANH_Q0);
        float w = z * s;
        return fmaf(w, q, z);
    }
    float m = -2.0f * az;
    float t = sn_exp(m);
    float num = 1.0f - t;
    float den = 1.0f + t;
    return copysignf(num / den, z);
}

float sn_activate(float z, int act) {
    switch (act) {
    case SN_ACT_SIGMOID: return sn_sigmoid(z);
    case SN_ACT_TANH: return sn_tanh(z);
    case SN_ACT_RELU: return z > 0.0f ? z : 0.0f;
    default: return z;
    }
}

/// -ln max(p, FLT_TRUE_MIN) in double: ln 0 clamped as network2.py's np.nan_to_num does; a NaN
/// stays NaN, so a diverged run's cost says so.
static double sn_neg_log(float p) {
    double v = (double)p;
    double tiny = (double)FLT_TRUE_MIN;
    return -log(v < tiny ? tiny : v);
}

static void sn_softmax_row(ptrdiff_t n, float *x) {
    if (n <= 0) return;
    float m = x[0];
    for (ptrdiff_t j = 1; j < n; j++) m = x[j] > m ? x[j] : m;
    float s = 0.0f;
    for (ptrdiff_t j = 0; j < n; j++) { float d = x[j] - m; x[j] = sn_exp(d); s = s + x[j]; }
    for (ptrdiff_t j = 0; j < n; j++) x[j] = x[j] / s;
}

void sn_softmax_rows(ptrdiff_t rows, ptrdiff_t n, float *x, ptrdiff_t ld) {
    for (ptrdiff_t r = 0; r < rows; r++) sn_softmax_row(n, x + r * ld);
}

double sn_output_error(int kind, ptrdiff_t rows, ptrdiff_t nOut, const float *out, ptrdiff_t ldOut,
                       const int32_t *labels, float *delta, ptrdiff_t ldDelta) {
    // Quadratic in a loop of its own (its δ carries σ′); the two costs with δ = a − y share one.
    double cost = 0.0;
    switch (kind) {
    case SN_COST_QUADRATIC:
        for (ptrdiff_t r = 0; r < rows; r++) {
            const float *a = out + r * ldOut;
            float *d = delta + r * ldDelta;
            for (ptrdiff_t j = 0; j < nOut; j++) {
                float diff = a[j] - (j == labels[r] ? 1.0f : 0.0f);
                float t = diff * a[j];
                d[j] = t * (1.0f - a[j]);
                double wide = (double)diff;
                cost += 0.5 * wide * wide;
            }
        }
        break;
    default: // cross-entropy (every unit's ln) and log-likelihood (the label's ln only)
        for (ptrdiff_t r = 0; r < rows; r++) {
            const float *a = out + r * ldOut;
            float *d = delta + r * ldDelta;
            for (ptrdiff_t j = 0; j < nOut; j++) {
                int hit = j == labels[r];
                d[j] = a[j] - (hit ? 1.0f : 0.0f);
                if (kind == SN_COST_CROSS_ENTROPY) cost += sn_neg_log(hit ? a[j] : 1.0f - a[j]);
                else if (hit) cost += sn_neg_log(a[j]);
            }
        }
        break;
    }
    return cost;
}

ptrdiff_t sn_packed_size(ptrdiff_t nIn, ptrdiff_t nOut) {
    return (nOut + SN_PANEL - 1) / SN_PANEL * nIn * SN_PANEL;
}

ptrdiff_t sn_nonzero_columns_from(ptrdiff_t rows, ptrdiff_t n, ptrdiff_t k0, ptrdiff_t count, const float *in, ptrdiff_t ld,
                                  int32_t *cols) {
    // cols[k0 ..< n] first collects each column's bits OR'ed over the rows, the sign bit masked
    // off (±0 give 0; any other value, NaN included, does not) — integer passes along the rows,
    // which compilers vectorise — then is compacted onto cols[count ...] without a branch per
    // column (count <= k0, so the write position never passes the read position).
    uint32_t *flag = (uint32_t *)cols;
    for (ptrdiff_t k = k0; k < n; k++) flag[k] = 0;
    for (ptrdiff_t r = 0; r < rows; r++) {
        uint32_t x;
        for (ptrdiff_t k = k0; k < n; k++) {
            memcpy(&x, in + r * ld + k, sizeof x);
            flag[k] |= x & 0x7FFFFFFFu;
        }
    }
    for (ptrdiff_t k = k0; k < n; k++) {
        const int keep = flag[k] != 0;
        cols[count] = (int32_t)k;
        count += keep;
    }
    return count;
}

ptrdiff_t sn_nonzero_columns_scalar(ptrdiff_t rows, ptrdiff_t n, const float *in, ptrdiff_t ld, int32_t *cols) {
    return sn_nonzero_columns_from(rows, n, 0, 0, in, ld, cols);
}

void sn_prefetch_rows(const void *base, const int32_t *order, ptrdiff_t rows, ptrdiff_t rowBytes) {
    if (rowBytes <= 0) return;
    const uintptr_t b = (uintptr_t)base;
    for (ptrdiff_t r = 0; r < rows; r++) {
        // Each 64-byte line the row touches, once: a row need not start on a line.
        const uintptr_t first = (b + (uintptr_t)order[r] * (uintptr_t)rowBytes) & ~(uintptr_t)63;
        const uintptr_t last = (b + (uintptr_t)order[r] * (uintptr_t)rowBytes + (uintptr_t)rowBytes - 1) & ~(uintptr_t)63;
        for (uintptr_t line = first; line <= last; line += 64) __builtin_prefetch((const void *)line, 0, 2);
    }
}

void sn_unpack_scalar(ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t j0, ptrdiff_t j1, const float *packed, float *W) {
    // Tile by tile (16 inputs x the panel's units), as sn_pack_scalar, so that the panel lines
    // read and the rows written stay in L1.
    for (ptrdiff_t p = j0 / SN_PANEL; p * SN_PANEL < j1; p++) {
        const float *src = packed + p * nIn * SN_PANEL;
        ptrdiff_t u0 = j0 > p * SN_PANEL ? j0 - p * SN_PANEL : 0;
        ptrdiff_t end = j1 < nOut ? j1 : nOut;
        ptrdiff_t u1 = end - p * SN_PANEL < SN_PANEL ? end - p * SN_PANEL : SN_PANEL;
        for (ptrdiff_t k0 = 0; k0 < nIn; k0 += SN_PANEL) {
            ptrdiff_t k1 = k0 + SN_PANEL < nIn ? k0 + SN_PANEL : nIn;
            for (ptrdiff_t u = u0; u < u1; u++) {
                float *row = W + (p * SN_PANEL + u) * nIn;
                for (ptrdiff_t k = k0; k < k1; k++) row[k] = src[k * SN_PANEL + u];
            }
        }
    }
}
