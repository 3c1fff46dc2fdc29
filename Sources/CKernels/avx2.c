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
// each pair of stores fills a whole 64-byte line of the panel; the last inputs and a panel's
// missing units are masked.
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

// One 8 x 8 tile between 8 rows of W (`units` <= 8 of them, nIn apart, from input k) and
// half a panel (16 floats per input, from input k; the half's 8 lanes): n <= 8 inputs,
// transposed in registers, read from `from` and written to `to`. Packing (toPanel = 1) reads the
// rows and writes the half, zeros for the missing units; unpacking reads the half and writes
// only the half's units and the n inputs back to the rows. Full tiles pass n = 8, whose masks
// fold to plain loads and stores; the loops' constant bounds (8) keep r[] in registers (with
// `u < units` alone clang spilled it: unpack 1.4x slower).
SN_T __attribute__((always_inline)) static inline void move_tile_avx2(const float *from, float *to, ptrdiff_t nIn, ptrdiff_t units, int n, int toPanel) {
    const __m256i m = VMASK_N(n);
    __m256 r[8];
    if (toPanel) {
        for (int u = 0; u < 8; u++)
            r[u] = u < units ? _mm256_maskload_ps(from + u * nIn, m) : _mm256_setzero_ps();
        transpose8(r);
        for (int kk = 0; kk < 8 && kk < n; kk++) _mm256_storeu_ps(to + kk * SN_PANEL, r[kk]);
    } else {
        for (int kk = 0; kk < 8; kk++) r[kk] = kk < n ? _mm256_loadu_ps(from + kk * SN_PANEL) : _mm256_setzero_ps();
        transpose8(r);
        for (int u = 0; u < 8 && u < units; u++) _mm256_maskstore_ps(to + u * nIn, m, r[u]);
    }
}

// Inputs k ..< k + n (n <= 8) of one panel: its two halves, each an 8 x 8 tile, from `from` to
// `to` (packing: rows to panel; unpacking, which skips a half with no units: panel to rows).
SN_T __attribute__((always_inline)) static inline void move_halves_avx2(const float *from, float *to, ptrdiff_t nIn, ptrdiff_t units, int n, int toPanel) {
    for (int h = 0; h < 2 && (toPanel || 8 * h < units); h++) {
        ptrdiff_t halfUnits = units - 8 * h < 0 ? 0 : units - 8 * h < 8 ? units - 8 * h : 8;
        ptrdiff_t rowsAt = 8 * h * nIn, halfAt = 8 * h;  // the half's first row of W; its first lane
        move_tile_avx2(from + (toPanel ? rowsAt : halfAt), to + (toPanel ? halfAt : rowsAt), nIn, halfUnits, n, toPanel);
    }
}

// The panels of units j0 ..< j1 (whole panels), 8 inputs at a time, from `from` to `to`:
// packing (toPanel = 1) reads W (nOut, nIn) and writes the panels; unpacking the reverse.
SN_T __attribute__((always_inline)) static inline void move_panels_avx2(ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t j0, ptrdiff_t j1, const float *from, float *to, int toPanel) {
    for (ptrdiff_t p = j0 / SN_PANEL; p * SN_PANEL < j1; p++) {
        ptrdiff_t units = nOut - p * SN_PANEL < SN_PANEL ? nOut - p * SN_PANEL : SN_PANEL;  // rows of W in this panel
        // Input k is at rows + k in W and at panel + k * SN_PANEL in the panels.
        ptrdiff_t rows = p * SN_PANEL * nIn, panel = p * nIn * SN_PANEL;
        ptrdiff_t fromAt = toPanel ? rows : panel, fromStride = toPanel ? 1 : SN_PANEL;
        ptrdiff_t toAt = toPanel ? panel : rows, toStride = toPanel ? SN_PANEL : 1;
        ptrdiff_t k = 0;
        for (; k + 8 <= nIn; k += 8)
            move_halves_avx2(from + fromAt + k * fromStride, to + toAt + k * toStride, nIn, units, 8, toPanel);
        if (k < nIn)
            move_halves_avx2(from + fromAt + k * fromStride, to + toAt + k * toStride, nIn, units, (int)(nIn - k), toPanel);
    }
}

SN_T static void pack_avx2(ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t j0, ptrdiff_t j1, const float *Wt, float *packed) {
    move_panels_avx2(nIn, nOut, j0, j1, Wt, packed, 1);
}
#define SN_PACK_FN pack_avx2

// Unpacking, the inverse.
SN_T static void unpack_avx2(ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t j0, ptrdiff_t j1, const float *packed, float *Wt) {
    move_panels_avx2(nIn, nOut, j0, j1, packed, Wt, 0);
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
