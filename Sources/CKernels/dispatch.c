#pragma STDC FP_CONTRACT OFF
// The per-ISA kernel tables, chosen from the CPU's features (CCPU: cpuid + the OS's
// register support).
#include "common.h"
#include <stdio.h>
#include <string.h>

#include "shardnet_cpu.h"

int sn_isa_supported(int isa) {
    unsigned features = shardnet_cpu_features();
    switch (isa) {
    case SN_ISA_SCALAR: return 1;
#if defined(__x86_64__)
    case SN_ISA_AVX2: return (features & SHARDNET_CPU_AVX2_FMA) != 0;
    case SN_ISA_AVX512: return (features & SHARDNET_CPU_AVX512F) != 0;
#endif
#if defined(__aarch64__)
    case SN_ISA_NEON: return (features & SHARDNET_CPU_NEON) != 0;
#endif
    default: return 0;
    }
}

int sn_isa_best(void) {
    if (sn_isa_supported(SN_ISA_AVX512)) return SN_ISA_AVX512;
    if (sn_isa_supported(SN_ISA_AVX2)) return SN_ISA_AVX2;
    if (sn_isa_supported(SN_ISA_NEON)) return SN_ISA_NEON;
    return SN_ISA_SCALAR;
}

const char *sn_isa_name(int isa) {
    switch (isa) {
    case SN_ISA_SCALAR: return "scalar";
    case SN_ISA_AVX2: return "avx2";
    case SN_ISA_AVX512: return "avx512";
    case SN_ISA_NEON: return "neon";
    default: return "unknown";
    }
}

const sn_kernels *sn_kernels_for(int isa) {
    if (!sn_isa_supported(isa)) return NULL;
    switch (isa) {
    case SN_ISA_SCALAR: return &sn_kernels_scalar;
#if defined(__x86_64__)
    case SN_ISA_AVX2: return &sn_kernels_avx2;
    case SN_ISA_AVX512: return &sn_kernels_avx512;
#endif
#if defined(__aarch64__)
    case SN_ISA_NEON: return &sn_kernels_neon;
#endif
    default: return NULL;
    }
}

// The pixel scaler and the column lister of the best ISA, chosen once when the library loads
// (every table computes the same bits and lists, so the choice is only speed).
static void (*sn_scale_bytes_best)(const uint8_t *, ptrdiff_t, float *);
static ptrdiff_t (*sn_nonzero_columns_best)(ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t, int32_t *);

__attribute__((constructor)) static void sn_choose_best_helpers(void) {
    const sn_kernels *best = sn_kernels_for(sn_isa_best());
    sn_scale_bytes_best = best->scale_bytes;
    sn_nonzero_columns_best = best->nonzero_columns;
}

void sn_scale_bytes(const uint8_t *src, ptrdiff_t n, float *dst) { sn_scale_bytes_best(src, n, dst); }

ptrdiff_t sn_nonzero_columns(ptrdiff_t rows, ptrdiff_t n, const float *in, ptrdiff_t ld, int32_t *cols) {
    return sn_nonzero_columns_best(rows, n, in, ld, cols);
}
