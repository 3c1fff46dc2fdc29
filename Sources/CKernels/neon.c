#pragma STDC FP_CONTRACT OFF
// AArch64 Advanced SIMD kernels (4 lanes: four q registers per panel).
#include "common.h"

#if defined(__aarch64__)
#include <arm_neon.h>
#include <string.h>

#define SN_T
#ifndef SN_NAME
#define SN_NAME(x) x##_neon
#endif
#define SN_ISA_NAME "neon"
#define SN_ISA_CODE SN_ISA_NEON
#define V float32x4_t
#define W 4
#define VLD(p) vld1q_f32(p)
#define VST(p, v) vst1q_f32((p), (v))
#define VSET(x) vdupq_n_f32(x)
#define VZERO() vdupq_n_f32(0.0f)
#define VADD(a, b) vaddq_f32((a), (b))
#define VSUB(a, b) vsubq_f32((a), (b))
#define VMUL(a, b) vmulq_f32((a), (b))
#define VDIV(a, b) vdivq_f32((a), (b))
static inline uint32_t sn_load_u32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
#define VLD_U8(p) vcvtq_f32_u32(vmovl_u16(vget_low_u16(vmovl_u8(vreinterpret_u8_u32(vdup_n_u32(sn_load_u32(p)))))))
#define VFMA(a, b, c) vfmaq_f32((c), (a), (b))
#define VSEL_LT(x, y, a, b) vbslq_f32(vcltq_f32((x), (y)), (a), (b))
#define VNEG(x) vnegq_f32(x)
#define VABS(x) vabsq_f32(x)
#define VCOPYSIGN(m, s) vbslq_f32(vdupq_n_u32(0x80000000u), (s), vabsq_f32(m))
#define VEXP_SCALE(y) vreinterpretq_f32_s32(vshlq_n_s32( \
    vaddq_s32(vsubq_s32(vreinterpretq_s32_f32(y), vdupq_n_s32(SN_MAGIC_BITS)), vdupq_n_s32(127)), 23))

#define FWD_RB 6
#define FWD_PB 1
#define BWD_RB 4
#define BWD_KB 4
#define GRD_JB 4
#define GRD_KB 4
#define GUP_KB 3

#include "simd_impl.h"
#endif
