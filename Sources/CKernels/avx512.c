#pragma STDC FP_CONTRACT OFF
// AVX-512F kernels (16 lanes: one zmm per panel). Compiled for x86-64 only; the functions
// carry target("avx512f,avx2,fma") so no global flags are needed.
#include "common.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define SN_T __attribute__((target("avx512f,avx2,fma")))
#ifndef SN_NAME
#define SN_NAME(x) x##_avx512
#endif
#define SN_ISA_NAME "avx512"
#define SN_ISA_CODE SN_ISA_AVX512
#define V __m512
#define W 16
#define VLD(p) _mm512_loadu_ps(p)
#define VST(p, v) _mm512_storeu_ps((p), (v))
// The first n < 16 lanes (the rest 0 on loading, untouched on storing).
#define VLD_N(p, n) _mm512_maskz_loadu_ps((__mmask16)((1u << (n)) - 1u), (p))
#define VST_N(p, v, n) _mm512_mask_storeu_ps((p), (__mmask16)((1u << (n)) - 1u), (v))
#define VSET(x) _mm512_set1_ps(x)
#define VZERO() _mm512_setzero_ps()
#define VADD(a, b) _mm512_add_ps((a), (b))
#define VSUB(a, b) _mm512_sub_ps((a), (b))
#define VMUL(a, b) _mm512_mul_ps((a), (b))
#define VDIV(a, b) _mm512_div_ps((a), (b))
#define VLD_U8(p) _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(p))))
#define VFMA(a, b, c) _mm512_fmadd_ps((a), (b), (c))
#define VSEL_LT(x, y, a, b) _mm512_mask_blend_ps(_mm512_cmp_ps_mask((x), (y), _CMP_LT_OQ), (b), (a))
#define VSIGN_MASK _mm512_set1_epi32((int)0x80000000u)
#define VNEG(x) _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), VSIGN_MASK))
#define VABS(x) _mm512_castsi512_ps(_mm512_andnot_si512(VSIGN_MASK, _mm512_castps_si512(x)))
#define VCOPYSIGN(m, s) _mm512_castsi512_ps(_mm512_or_si512(_mm512_andnot_si512(VSIGN_MASK, _mm512_castps_si512(m)), \
                                                            _mm512_and_si512(VSIGN_MASK, _mm512_castps_si512(s))))
#define VEXP_SCALE(y) _mm512_castsi512_ps(_mm512_slli_epi32( \
    _mm512_add_epi32(_mm512_sub_epi32(_mm512_castps_si512(y), _mm512_set1_epi32(SN_MAGIC_BITS)), _mm512_set1_epi32(127)), 23))

// Register blocking (32 zmm registers); overridable for tuning experiments.
// Forward blocks of 8 rows x 3 panels (24 accumulators, 11 loads per 24 fmas) and gradient tiles
// of 6 units x 4 vectors (24 accumulators): 0.83-0.87 of the time of 6 x 2 and 4 x 4 at 784→100
// (64, 128 rows) and 784→512, gradient 0.84-0.99 at 784→100, 784→512 and 512→512, 0.95-0.98 at
// the small shapes (BASE=85d0db6 SHAPES=large scripts/kernel-ab avx512, Intel Xeon family 6
// model 207; docs/perf/intel-avx512/kernel-ab-large-fwd-grd-blocks-vs-85d0db6-1819.txt).
#ifndef FWD_RB
#define FWD_RB 8
#endif
#ifndef FWD_PB
#define FWD_PB 3
#endif
#ifndef FWD_RB1
#define FWD_RB1 12
#endif
// Two-panel blocks (784-30-10's layer 0 on one core) of 10 rows, Nielsen's whole batch:
// 0.89 of the time of 8 rows (scripts/kernel-ab avx512 -DFWD_RB2=8) and of 85d0db6's 6 x 2.
#ifndef FWD_RB2
#define FWD_RB2 10
#endif
#ifndef BWD_RB
#define BWD_RB 6
#endif
#ifndef BWD_KB
#define BWD_KB 4
#endif
#ifndef GRD_JB
#define GRD_JB 6
#endif
#ifndef GRD_KB
#define GRD_KB 4
#endif
// 7 inputs per sgd_packed tile: 13-15% faster than 8 at 5, 8 and 10 rows per shard (784→16 and
// 784→30, interleaved A/B of two builds, Intel Xeon family 6 model 207).
#ifndef GUP_KB
#define GUP_KB 7
#endif
// sgd_packed two panels at a time, 5 inputs per tile (20 accumulators, 7 loads per 10 fmas):
// 1.03-1.12x over one panel at a time at 784→30 with 5 + 5, 10 and 8 + 8 rows (scripts/kernel-ab
// avx512 -DGUP2_KB=0, Intel Xeon family 6 model 207); 4 and 6 inputs ran 0.85-0.95x. With the
// plain update's 1·p dropped, 1.05-1.07x at 784→30 and 1.06x at one panel against 0af81f9
// (docs/perf/intel-avx512/kernel-ab-sgd-two-panels-vs-0af81f9-1554.txt).
#ifndef GUP2_KB
#define GUP2_KB 5
#endif
// Two equal shards (m = 10 in 5 + 5 rows) run their rows together in the two-panel tiles: 20
// chains in flight instead of 10, 0.93-0.95 of the time at 784→30 in 5 + 5 rows and 0.94-0.97
// in 8 + 8 (BASE=f5ddb26 scripts/kernel-ab avx512, five runs, Intel Xeon family 6 model 207;
// docs/perf/intel-avx512/kernel-ab-sgd-paired-shards-vs-f5ddb26-0814.txt). One-panel tiles (a
// core's share on two threads) ran 1.01-1.05x slower paired, AVX2's two-panel tiles (16
// registers) 1.26-1.36x: they keep the shard loop.
#ifndef GUP2_PAIRED
#define GUP2_PAIRED 1
#endif

// Packing is pure data movement (no arithmetic, so every ISA's result is the same bits): a
// 16-unit panel is written a 16 x 16 tile at a time, transposed in registers, so each store
// fills a whole cache line of the panel; the last inputs and a panel's missing units are masked.
SN_T static void transpose16(__m512 r[16]) {
    __m512 t[16], u[16], v[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) {
        __m512d a = _mm512_castps_pd(t[4 * i]), b = _mm512_castps_pd(t[4 * i + 2]);
        __m512d c = _mm512_castps_pd(t[4 * i + 1]), d = _mm512_castps_pd(t[4 * i + 3]);
        u[4 * i] = _mm512_castpd_ps(_mm512_unpacklo_pd(a, b));
        u[4 * i + 1] = _mm512_castpd_ps(_mm512_unpackhi_pd(a, b));
        u[4 * i + 2] = _mm512_castpd_ps(_mm512_unpacklo_pd(c, d));
        u[4 * i + 3] = _mm512_castpd_ps(_mm512_unpackhi_pd(c, d));
    }
    for (int h = 0; h < 2; h++)
        for (int i = 0; i < 4; i++) {
            v[8 * h + i] = _mm512_shuffle_f32x4(u[8 * h + i], u[8 * h + 4 + i], 0x88);
            v[8 * h + 4 + i] = _mm512_shuffle_f32x4(u[8 * h + i], u[8 * h + 4 + i], 0xdd);
        }
    for (int i = 0; i < 8; i++) {
        r[i] = _mm512_shuffle_f32x4(v[i], v[8 + i], 0x88);
        r[8 + i] = _mm512_shuffle_f32x4(v[i], v[8 + i], 0xdd);
    }
}

// One tile between a panel's rows of W (`units` of them, nIn apart, from input k) and the
// panel (16 floats per input, from input k): n <= 16 inputs, transposed in registers, read from
// `from` and written to `to`. Packing (toPanel = 1) reads the rows and writes the panel, zeros
// for the missing units; unpacking reads the panel and writes only the panel's units and inputs
// back to the rows. Full tiles pass n = 16, whose masks fold to plain loads and stores; the
// loops' constant bounds (16) keep r[] in registers.
SN_T __attribute__((always_inline)) static inline void move_tile_avx512(const float *from, float *to, ptrdiff_t nIn, ptrdiff_t units, int n, int toPanel) {
    const __mmask16 m = (__mmask16)(n == 16 ? 0xFFFFu : (1u << n) - 1u);
    __m512 r[16];
    if (toPanel) {
        for (int u = 0; u < 16; u++) r[u] = u < units ? _mm512_maskz_loadu_ps(m, from + u * nIn) : _mm512_setzero_ps();
        transpose16(r);
        for (int kk = 0; kk < 16 && kk < n; kk++) _mm512_storeu_ps(to + kk * SN_PANEL, r[kk]);
    } else {
        for (int kk = 0; kk < 16; kk++) r[kk] = kk < n ? _mm512_loadu_ps(from + kk * SN_PANEL) : _mm512_setzero_ps();
        transpose16(r);
        for (int u = 0; u < 16 && u < units; u++) _mm512_mask_storeu_ps(to + u * nIn, m, r[u]);
    }
}

// The panels of units j0 ..< j1 (whole panels), tile by tile, from `from` to `to`: packing
// (toPanel = 1) reads W (nOut, nIn) and writes the panels; unpacking the reverse.
SN_T __attribute__((always_inline)) static inline void move_panels_avx512(ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t j0, ptrdiff_t j1, const float *from, float *to, int toPanel) {
    for (ptrdiff_t p = j0 / SN_PANEL; p * SN_PANEL < j1; p++) {
        ptrdiff_t units = nOut - p * SN_PANEL < SN_PANEL ? nOut - p * SN_PANEL : SN_PANEL;  // rows of W in this panel
        // Input k is at rows + k in W and at panel + k * SN_PANEL in the panels.
        ptrdiff_t rows = p * SN_PANEL * nIn, panel = p * nIn * SN_PANEL;
        ptrdiff_t fromAt = toPanel ? rows : panel, fromStride = toPanel ? 1 : SN_PANEL;
        ptrdiff_t toAt = toPanel ? panel : rows, toStride = toPanel ? SN_PANEL : 1;
        ptrdiff_t k = 0;
        for (; k + 16 <= nIn; k += 16)
            move_tile_avx512(from + fromAt + k * fromStride, to + toAt + k * toStride, nIn, units, 16, toPanel);
        if (k < nIn)
            move_tile_avx512(from + fromAt + k * fromStride, to + toAt + k * toStride, nIn, units, (int)(nIn - k), toPanel);
    }
}

SN_T static void pack_avx512(ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t j0, ptrdiff_t j1, const float *Wt, float *packed) {
    move_panels_avx512(nIn, nOut, j0, j1, Wt, packed, 1);
}
#define SN_PACK_FN pack_avx512

// Unpacking, the inverse.
SN_T static void unpack_avx512(ptrdiff_t nIn, ptrdiff_t nOut, ptrdiff_t j0, ptrdiff_t j1, const float *packed, float *Wt) {
    move_panels_avx512(nIn, nOut, j0, j1, packed, Wt, 0);
}
#define SN_UNPACK_FN unpack_avx512

// The nonzero columns 16 at a time: the rows' bits OR'ed (sign masked off, so ±0 count as 0),
// the kept column indices compressed in a register and stored whole — the 16-lane store stays
// inside cols, since count <= k and k + 16 <= n.
SN_T static ptrdiff_t nonzero_columns_avx512(ptrdiff_t rows, ptrdiff_t n, const float *in, ptrdiff_t ld, int32_t *cols) {
    const __m512i magnitude = _mm512_set1_epi32(0x7FFFFFFF), sixteen = _mm512_set1_epi32(16);
    __m512i index = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    ptrdiff_t count = 0, k = 0;
    for (; k + 16 <= n; k += 16) {
        __m512i bits = _mm512_setzero_si512();
        for (ptrdiff_t r = 0; r < rows; r++) bits = _mm512_or_si512(bits, _mm512_loadu_si512((const void *)(in + r * ld + k)));
        const __mmask16 keep = _mm512_test_epi32_mask(bits, magnitude);
        _mm512_storeu_si512((void *)(cols + count), _mm512_maskz_compress_epi32(keep, index));
        count += __builtin_popcount((unsigned)keep);
        index = _mm512_add_epi32(index, sixteen);
    }
    return sn_nonzero_columns_from(rows, n, k, count, in, ld, cols);
}
#define SN_NONZERO_FN nonzero_columns_avx512

#include "simd_impl.h"
#endif
