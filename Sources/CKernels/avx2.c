#pragma STDC FP_CONTRACT OFF
// AVX2 + FMA kernels (8 lanes: two ymm per panel). Compiled for x86-64 only; the functions
// carry target("avx2,fma") so no global flags are needed.
#include "common.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define SN_T __attribute__((target("avx2,fma")))
#define SN_NAME(x) x##_avx2
#define SN_ISA_NAME "avx2"
#define SN_ISA_CODE SN_ISA_AVX2
#define V __m256
#define W 8
#define VLD(p) _mm256_loadu_ps(p)
#define VST(p, v) _mm256_storeu_ps((p), (v))
#define VSET(x) _mm256_set1_ps(x)
#define VZERO() _mm256_setzero_ps()
#define VADD(a, b) _mm256_add_ps((a), (b))
#define VSUB(a, b) _mm256_sub_ps((a), (b))
#define VMUL(a, b) _mm256_mul_ps((a), (b))
#define VDIV(a, b) _mm256_div_ps((a), (b))
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

#include "simd_impl.h"
#endif
