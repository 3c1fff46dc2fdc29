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
#define VSET(x) _mm512_set1_ps(x)
#define VZERO() _mm512_setzero_ps()
#define VADD(a, b) _mm512_add_ps((a), (b))
#define VSUB(a, b) _mm512_sub_ps((a), (b))
#define VMUL(a, b) _mm512_mul_ps((a), (b))
#define VDIV(a, b) _mm512_div_ps((a), (b))
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
#ifndef FWD_RB
#define FWD_RB 6
#endif
#ifndef FWD_PB
#define FWD_PB 2
#endif
#ifndef BWD_RB
#define BWD_RB 6
#endif
#ifndef BWD_KB
#define BWD_KB 4
#endif
#ifndef GRD_JB
#define GRD_JB 4
#endif
#ifndef GRD_KB
#define GRD_KB 4
#endif

#include "simd_impl.h"
#endif
