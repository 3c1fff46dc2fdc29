// Private pieces shared by the CKernels files: constants of the exp and tanh approximations
// (the scalar and vector forms must use exactly the same ones), scalar activation helpers
// and the per-ISA tables.
#ifndef SHARDNET_KERNELS_COMMON_H
#define SHARDNET_KERNELS_COMMON_H

#include "shardnet_kernels.h"

#define SN_PANEL 16

// sn_exp: clamp, n = rne(x*log2 e) by the 1.5*2^23 magic number, Cody-Waite reduction with
// fma, degree-7 Taylor polynomial of e^r on |r| <= ln2/2 in Horner form with fma, scale 2^n.
#define SN_EXP_LO (-87.0f)
#define SN_EXP_HI 87.0f
#define SN_LOG2E 1.44269502e+00f
#define SN_MAGIC 12582912.0f          /* 1.5 * 2^23 */
#define SN_MAGIC_BITS 0x4B400000
#define SN_LN2_HI 6.93359375e-01f      /* 0x3F318000: 9 significant bits, n*LN2_HI exact */
#define SN_LN2_LO (-2.12194440e-04f)   /* ln2 - LN2_HI */
#define SN_EXP_C7 1.98412698e-04f      /* 1/5040 */
#define SN_EXP_C6 1.38888889e-03f      /* 1/720 */
#define SN_EXP_C5 8.33333333e-03f      /* 1/120 */
#define SN_EXP_C4 4.16666667e-02f      /* 1/24 */
#define SN_EXP_C3 1.66666667e-01f      /* 1/6 */
#define SN_EXP_C2 0.5f
#define SN_EXP_C1 1.0f
#define SN_EXP_C0 1.0f

// 1/255 as hi + lo (the vector kernels' byte scaling, simd_impl.h's vscale_u8).
#define SN_INV255_HI 0x1.010102p-8f    /* RN(1/255) */
#define SN_INV255_LO (-0x1.fdfdfep-33f) /* RN(1/255 - HI) */

// tanh(z) = z + z^3 q(z^2) for |z| < SN_TANH_SMALL, q fitted (weighted least squares on the
// relative error of tanh) over [0, 0.625]; model error 1.7e-8.
#define SN_TANH_SMALL 0.625f
#define SN_TANH_Q0 (-0.333332926f)
#define SN_TANH_Q1 0.133317187f
#define SN_TANH_Q2 (-0.0537637994f)
#define SN_TANH_Q3 0.0207202807f
#define SN_TANH_Q4 (-0.0057981000f)

/// act'(z) from the activation value a.
static inline float sn_derivative(float a, int act) {
    switch (act) {
    case SN_ACT_SIGMOID: { float t = 1.0f - a; return a * t; }
    case SN_ACT_TANH: { float t = a * a; return 1.0f - t; }
    case SN_ACT_RELU: return a > 0.0f ? 1.0f : 0.0f;
    default: return 1.0f;
    }
}

/// sgn(p) with sgn(0) = 0.
static inline float sn_sign(float p) { return p > 0.0f ? 1.0f : (p < 0.0f ? -1.0f : 0.0f); }

/// One element of the update, as every ISA computes it (g already summed over shards).
static inline void sn_update_one(float *param, float *velocity, ptrdiff_t i, float g, const sn_update *u) {
    float p = param[i];
    if (u->mu == 0.0f) {
        float t = u->decay * p;
        float rg = u->rate * g;
        t = t - rg;
        if (u->l1 != 0.0f) { float s = u->l1 * sn_sign(p); t = t - s; }
        param[i] = t;
    } else {
        float q = u->rate * g;
        if (u->l2 != 0.0f) { float s = u->l2 * p; q = q + s; }
        if (u->l1 != 0.0f) { float s = u->l1 * sn_sign(p); q = q + s; }
        float v = u->mu * velocity[i];
        v = v - q;
        velocity[i] = v;
        if (u->nesterov) { float m = u->mu * v; m = m - q; param[i] = p + m; }
        else param[i] = p + v;
    }
}

void sn_pack_scalar(ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t j0, ptrdiff_t j1, const float *W, float *packed);
void sn_unpack_scalar(ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t j0, ptrdiff_t j1, const float *packed, float *W);
/// The portable nonzero_columns (every table without a vector one).
ptrdiff_t sn_nonzero_columns_scalar(ptrdiff_t rows, ptrdiff_t n, const float *in, ptrdiff_t ld, int32_t *cols);
/// nonzero_columns' columns k0 ..< n, appended to the count (<= k0) already listed in cols:
/// the remainder of a vector lister, or the whole list from k0 = count = 0.
ptrdiff_t sn_nonzero_columns_from(ptrdiff_t rows, ptrdiff_t n, ptrdiff_t k0, ptrdiff_t count, const float *in, ptrdiff_t ld,
                                  int32_t *cols);

extern const sn_kernels sn_kernels_scalar;
#if defined(__x86_64__)
extern const sn_kernels sn_kernels_avx2;
extern const sn_kernels sn_kernels_avx512;
#endif
#if defined(__aarch64__)
extern const sn_kernels sn_kernels_neon;
#endif

#endif
