#pragma STDC FP_CONTRACT OFF
// AVX2 + FMA kernels (8 lanes: two ymm per panel). Compiled for x86-64 only; the functions
// carry target("avx2,fma") so no global flags are needed.
#include "common.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define SN_T __attribute__((target("avx2,fma")))
#ifndef SN_NAME
#define SN_NAME(x) x##_avx2
#endif
#define SN_ISA_NAME "avx2"
#define SN_ISA_CODE SN_ISA_AVX2
#define V __m256
#define W 8
#define VLD(p) _mm256_loadu_ps(p)
#define VST(p, v) _mm256_storeu_ps((p), (v))
// The first n < 8 lanes (the rest 0 on loading, untouched on storing).
#define VMASK_N(n) _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define VLD_N(p, n) _mm256_maskload_ps((p), VMASK_N(n))
#define VST_N(p, v, n) _mm256_maskstore_ps((p), VMASK_N(n), (v))
#define VSET(x) _mm256_set1_ps(x)
#define VZERO() _mm256_setzero_ps()
#define VADD(a, b) _mm256_add_ps((a), (b))
#define VSUB(a, b) _mm256_sub_ps((a), (b))
#define VMUL(a, b) _mm256_mul_ps((a), (b))
#define VDIV(a, b) _mm256_div_ps((a), (b))
#define VLD_U8(p) _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(p))))
#define VFMA(a, b, c) _mm256_fmadd_ps((a), (b), (c))
#define VSEL_LT(x, y, a, b) _mm256_blendv_ps((b), (a), _mm256_cmp_ps((x), (y), _CMP_LT_OQ))
#define VSIGN_MASK _mm256_castsi256_ps(_mm256_set1_epi32((int)0x80000000u))
#define VNEG(x) _mm256_xor_ps((x), VSIGN_MASK)
#define VABS(x) _mm256_andnot_ps(VSIGN_MASK, (x))
#define VCOPYSIGN(m, s) _mm256_or_ps(_mm256_andnot_ps(VSIGN_MASK, (m)), _mm256_and_ps(VSIGN_MASK, (s)))
#define VEXP_SCALE(y) _mm256_castsi256_ps(_mm256_slli_epi32( \
    _mm256_add_epi32(_mm256_sub_epi32(_mm256_castps_si256(y), _mm256_set1_epi32(SN_MAGIC_BITS)), _mm256_set1_epi32(127)), 23))

#define FWD_RB 6
#define FWD_PB 1
#define BWD_RB 6
#define BWD_KB 2
#define GRD_JB 6
#define GRD_KB 2
#define GUP_KB 4

// Packing is pure data movement (no arithmetic, so every ISA's result is the same bits): a
// 16-unit panel is written 8 inputs at a time as two 8 x 8 tiles transposed in registers, so
// each pair of stores fills a whole 64-byte line of the panel; the inputs past the last
// multiple of 8 go through the scalar loop.
SN_T static inline void transpose8(__m256 r[8]) {
    __m256 t[8], s[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int h = 0; h < 2; h++) {
        s[4 * h] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], 0x44);
        s[4 * h + 1] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], 0xee);
        s[4 * h + 2] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], 0x44);
        s[4 * h + 3] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], 0xee);
    }
    for (int i = 0; i < 4; i++) {
        r[i] = _mm256_permute2f128_ps(s[i], s[4 + i], 0x20);
        r[4 + i] = _mm256_permute2f128_ps(s[i], s[4 + i], 0x31);
    }
}

SN_T static void pack_avx2(ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t j0, ptrdiff_t j1, const float *Wt, float *packed) {
    ptrdiff_t kFull = nIn / 8 * 8;
    for (ptrdiff_t p = j0 / SN_PANEL; p * SN_PANEL < j1; p++) {
        ptrdiff_t units = nOut - p * SN_PANEL < SN_PANEL ? nOut - p * SN_PANEL : SN_PANEL;  // rows of W in this panel
        const float *rows = Wt + p * SN_PANEL * nIn;
        float *dst = packed + p * nIn * SN_PANEL;
        for (ptrdiff_t k = 0; k < kFull; k += 8) {
            for (int h = 0; h < 2; h++) {
                __m256 r[8];
                for (int u = 0; u < 8; u++)
                    r[u] = 8 * h + u < units ? _mm256_loadu_ps(rows + (8 * h + u) * nIn + k) : _mm256_setzero_ps();
                transpose8(r);
                for (int kk = 0; kk < 8; kk++) _mm256_storeu_ps(dst + (k + kk) * SN_PANEL + 8 * h, r[kk]);
            }
        }
        if (kFull < nIn) {
            // The last nIn - kFull < 8 inputs: the rows' tails loaded masked, one more transpose per half.
            const int rem = (int)(nIn - kFull);
            const __m256i m = VMASK_N(rem);
            for (int h = 0; h < 2; h++) {
                __m256 r[8];
                for (int u = 0; u < 8; u++)
                    r[u] = 8 * h + u < units ? _mm256_maskload_ps(rows + (8 * h + u) * nIn + kFull, m) : _mm256_setzero_ps();
                transpose8(r);
                for (int kk = 0; kk < rem; kk++) _mm256_storeu_ps(dst + (kFull + kk) * SN_PANEL + 8 * h, r[kk]);
            }
        }
    }
}
#define SN_PACK_FN pack_avx2

// Unpacking, the inverse: 8 inputs of a half panel transposed back into 8 rows of W.
SN_T static void unpack_avx2(ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t j0, ptrdiff_t j1, const float *packed, float *Wt) {
    ptrdiff_t kFull = nIn / 8 * 8;
    for (ptrdiff_t p = j0 / SN_PANEL; p * SN_PANEL < j1; p++) {
        ptrdiff_t units = nOut - p * SN_PANEL < SN_PANEL ? nOut - p * SN_PANEL : SN_PANEL;  // rows of W in this panel
        float *rows = Wt + p * SN_PANEL * nIn;
        const float *src = packed + p * nIn * SN_PANEL;
        for (ptrdiff_t k = 0; k < kFull; k += 8) {
            for (int h = 0; h < 2 && 8 * h < units; h++) {
                __m256 r[8];
                for (int kk = 0; kk < 8; kk++) r[kk] = _mm256_loadu_ps(src + (k + kk) * SN_PANEL + 8 * h);
                transpose8(r);
                for (int u = 0; u < 8 && 8 * h + u < units; u++) _mm256_storeu_ps(rows + (8 * h + u) * nIn + k, r[u]);
            }
        }
        if (kFull < nIn) {
            // The last nIn - kFull < 8 inputs: one more transpose per half, the rows' tails stored masked.
            const int rem = (int)(nIn - kFull);
            const __m256i m = VMASK_N(rem);
            for (int h = 0; h < 2 && 8 * h < units; h++) {
                __m256 r[8];
                for (int kk = 0; kk < 8; kk++)
                    r[kk] = kk < rem ? _mm256_loadu_ps(src + (kFull + kk) * SN_PANEL + 8 * h) : _mm256_setzero_ps();
                transpose8(r);
                for (int u = 0; u < 8 && 8 * h + u < units; u++) _mm256_maskstore_ps(rows + (8 * h + u) * nIn + kFull, m, r[u]);
            }
        }
    }
}
#define SN_UNPACK_FN unpack_avx2

/// For each 8-bit mask, the lanes it keeps in ascending order (then zeros): the permutation that
/// moves the kept lanes of 8 to the front. Filled once at load.
static uint8_t sn_kept_lanes[256][8];

__attribute__((constructor)) static void sn_fill_kept_lanes(void) {
    for (int m = 0; m < 256; m++)
        for (int i = 0, c = 0; i < 8; i++)
            if ((m >> i) & 1) sn_kept_lanes[m][c++] = (uint8_t)i;
}

// The nonzero columns 8 at a time: the rows' bits OR'ed (sign masked off, so ±0 count as 0),
// the kept column indices moved to the front by sn_kept_lanes and stored whole — the 8-lane
// store stays inside cols, since count <= k and k + 8 <= n.
SN_T static ptrdiff_t nonzero_columns_avx2(ptrdiff_t rows, ptrdiff_t n, const float *in, ptrdiff_t ld, int32_t *cols) {
    const __m256i magnitude = _mm256_set1_epi32(0x7FFFFFFF), zero = _mm256_setzero_si256();
    ptrdiff_t count = 0, k = 0;
    for (; k + 8 <= n; k += 8) {
        __m256i bits = zero;
        for (ptrdiff_t r = 0; r < rows; r++) bits = _mm256_or_si256(bits, _mm256_loadu_si256((const __m256i *)(in + r * ld + k)));
        const __m256i isZero = _mm256_cmpeq_epi32(_mm256_and_si256(bits, magnitude), zero);
        const int keep = ~_mm256_movemask_ps(_mm256_castsi256_ps(isZero)) & 0xFF;
        const __m256i lanes = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)sn_kept_lanes[keep]));
        _mm256_storeu_si256((__m256i *)(cols + count), _mm256_add_epi32(lanes, _mm256_set1_epi32((int)k)));
        count += __builtin_popcount((unsigned)keep);
    }
    return sn_nonzero_columns_from(rows, n, k, count, in, ld, cols);
}
#define SN_NONZERO_FN nonzero_columns_avx2

#include "simd_impl.h"
#endif
