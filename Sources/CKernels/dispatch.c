#pragma STDC FP_CONTRACT OFF
// CPU feature detection, the per-ISA kernel tables, and the CPU helpers (spin hint,
// denormal flushing) that the trainer's workers use.
#include "common.h"
#include <stdio.h>
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>

typedef struct { int avx2, fma, avx512f, ymmOS, zmmOS; } sn_x86;

static unsigned long long sn_xgetbv0(void) {
    unsigned int lo, hi;
    __asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

static sn_x86 sn_x86_probe(void) {
    sn_x86 f = {0, 0, 0, 0, 0};
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return f;
    int osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    f.fma = (c >> 12) & 1;
    if (osxsave && avx) {
        unsigned long long xcr0 = sn_xgetbv0();
        f.ymmOS = (xcr0 & 0x6) == 0x6;          // XMM | YMM state
        f.zmmOS = (xcr0 & 0xE6) == 0xE6;        // + opmask, ZMM_Hi256, Hi16_ZMM
    }
    if (__get_cpuid_max(0, 0) >= 7) {
        __cpuid_count(7, 0, a, b, c, d);
        f.avx2 = (b >> 5) & 1;
        f.avx512f = (b >> 16) & 1;
    }
    return f;
}
#endif

int sn_isa_supported(int isa) {
    switch (isa) {
    case SN_ISA_SCALAR: return 1;
#if defined(__x86_64__)
    case SN_ISA_AVX2: { sn_x86 f = sn_x86_probe(); return f.avx2 && f.fma && f.ymmOS; }
    case SN_ISA_AVX512: { sn_x86 f = sn_x86_probe(); return f.avx512f && f.avx2 && f.fma && f.ymmOS && f.zmmOS; }
#endif
#if defined(__aarch64__)
    case SN_ISA_NEON: return 1;
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

static ptrdiff_t sn_copy_out(char *buffer, size_t size, const char *s) {
    size_t n = strlen(s);
    if (size == 0 || buffer == NULL) return (ptrdiff_t)n;
    size_t m = n < size - 1 ? n : size - 1;
    memcpy(buffer, s, m);
    buffer[m] = 0;
    return (ptrdiff_t)m;
}

ptrdiff_t sn_cpu_brand(char *buffer, size_t size) {
    char brand[49] = "unknown";
#if defined(__x86_64__)
    unsigned int regs[12];
    if (__get_cpuid_max(0x80000000u, 0) >= 0x80000004u) {
        for (unsigned int i = 0; i < 3; i++)
            __get_cpuid(0x80000002u + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
        memcpy(brand, regs, 48);
        brand[48] = 0;
        // Trim the padding spaces some CPUs put around the brand.
        char *s = brand;
        while (*s == ' ') s++;
        size_t n = strlen(s);
        while (n > 0 && s[n - 1] == ' ') s[--n] = 0;
        return sn_copy_out(buffer, size, s);
    }
#elif defined(__aarch64__)
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (f) {
        char line[256];
        while (fgets(line, sizeof line, f)) {
            if (strncmp(line, "model name", 10) == 0 || strncmp(line, "CPU part", 8) == 0) {
                char *c = strchr(line, ':');
                if (c) {
                    c++;
                    while (*c == ' ' || *c == '\t') c++;
                    size_t n = strlen(c);
                    while (n > 0 && (c[n - 1] == '\n' || c[n - 1] == ' ')) c[--n] = 0;
                    snprintf(brand, sizeof brand, "%s", c);
                    break;
                }
            }
        }
        fclose(f);
    }
#endif
    return sn_copy_out(buffer, size, brand);
}

ptrdiff_t sn_cpu_features(char *buffer, size_t size) {
    char list[64] = "";
#if defined(__x86_64__)
    sn_x86 f = sn_x86_probe();
    if (f.avx512f && f.zmmOS) strcat(list, "avx512f ");
    if (f.avx2 && f.ymmOS) strcat(list, "avx2 ");
    if (f.fma && f.ymmOS) strcat(list, "fma ");
#elif defined(__aarch64__)
    strcat(list, "neon ");
#endif
    size_t n = strlen(list);
    if (n > 0) list[n - 1] = 0;
    return sn_copy_out(buffer, size, list);
}

void sn_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

unsigned long sn_fp_flush_denormals(void) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned int csr, set;
    __asm__ __volatile__("stmxcsr %0" : "=m"(csr));
    set = csr | 0x8040u;
    __asm__ __volatile__("ldmxcsr %0" : : "m"(set));
    return csr;
#elif defined(__aarch64__)
    unsigned long fpcr, set;
    __asm__ __volatile__("mrs %0, fpcr" : "=r"(fpcr));
    set = fpcr | (1ul << 24);
    __asm__ __volatile__("msr fpcr, %0" : : "r"(set));
    return fpcr;
#else
    return 0;
#endif
}

void sn_fp_restore(unsigned long saved) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned int csr = (unsigned int)saved;
    __asm__ __volatile__("ldmxcsr %0" : : "m"(csr));
#elif defined(__aarch64__)
    __asm__ __volatile__("msr fpcr, %0" : : "r"(saved));
#else
    (void)saved;
#endif
}
