// CPU identification for ShardNet: brand string and the vector features its kernels use.
#include "shardnet_cpu.h"
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static unsigned long long xgetbv0(void) {
    unsigned int lo, hi;
    __asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return ((unsigned long long)hi << 32) | lo;
}

void shardnet_cpu_brand(char *buffer, size_t size) {
    if (size == 0) return;
    unsigned int regs[12] = {0}, max = __get_cpuid_max(0x80000000u, NULL);
    if (max < 0x80000004u) { strncpy(buffer, "unknown", size - 1); buffer[size - 1] = 0; return; }
    for (unsigned int i = 0; i < 3; i++)
        __get_cpuid(0x80000002u + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
    char brand[49];
    memcpy(brand, regs, 48);
    brand[48] = 0;
    const char *start = brand;
    while (*start == ' ') start++;
    strncpy(buffer, start, size - 1);
    buffer[size - 1] = 0;
    for (size_t n = strlen(buffer); n > 0 && buffer[n - 1] == ' '; n--) buffer[n - 1] = 0;
}

int shardnet_cpu_signature(unsigned *family, unsigned *model) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    // CPUID.1:EAX, as Linux's /proc/cpuinfo shows it: the extended family is added only to
    // family 15, the extended model is the model's high nibble for families 6 and 15 and up.
    unsigned base = (a >> 8) & 0xf, ext = (a >> 20) & 0xff, low = (a >> 4) & 0xf, high = (a >> 16) & 0xf;
    *family = base == 0xf ? base + ext : base;
    *model = base >= 6 ? (high << 4) | low : low;
    return 1;
}

unsigned shardnet_cpu_features(void) {
    unsigned int a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!osxsave || !avx) return 0;
    unsigned long long xcr0 = xgetbv0();
    int ymm = (xcr0 & 0x6) == 0x6;            /* SSE and AVX state */
    int zmm = (xcr0 & 0xe6) == 0xe6;          /* + opmask, ZMM_Hi256, Hi16_ZMM */
    if (__get_cpuid_max(0, NULL) < 7) return 0;
    __cpuid_count(7, 0, a, b, c, d);
    int avx2 = (b >> 5) & 1, avx512f = (b >> 16) & 1;
    unsigned features = 0;
    if (ymm && avx2 && fma) features |= SHARDNET_CPU_AVX2_FMA;
    if (zmm && avx512f && (features & SHARDNET_CPU_AVX2_FMA)) features |= SHARDNET_CPU_AVX512F;
    return features;
}

#else
#include <stdio.h>

int shardnet_cpu_signature(unsigned *family, unsigned *model) {
    (void)family;
    (void)model;
    return 0;
}

void shardnet_cpu_brand(char *buffer, size_t size) {
    if (size == 0) return;
    strncpy(buffer, "unknown", size - 1);
    buffer[size - 1] = 0;
#if defined(__linux__)
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "model name", 10) != 0 && strncmp(line, "CPU part", 8) != 0) continue;
        char *c = strchr(line, ':');
        if (!c) continue;
        for (c++; *c == ' ' || *c == '\t'; c++) {}
        size_t n = strlen(c);
        while (n > 0 && (c[n - 1] == '\n' || c[n - 1] == ' ')) c[--n] = 0;
        strncpy(buffer, c, size - 1);
        buffer[size - 1] = 0;
        break;
    }
    fclose(f);
#endif
}

unsigned shardnet_cpu_features(void) {
#if defined(__aarch64__)
    return SHARDNET_CPU_NEON;
#else
    return 0;
#endif
}

#endif
