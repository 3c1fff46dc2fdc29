// The processor, as ShardNet's threads and kernels see it: spin-wait hint, denormal
// flushing, and what the CPU is and can do. Imported only by Sources/ShardNet/CPU/CPU.swift.
#ifndef SHARDNET_CPU_H
#define SHARDNET_CPU_H

#include <stddef.h>

/// A spin-wait hint (PAUSE on x86, YIELD on Arm): lets a spinning worker leave the core's
/// resources to its sibling hyperthread while it waits at a barrier.
static inline void shardnet_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/// Flushes denormals to zero on this thread (x86 MXCSR FTZ | DAZ; Arm FPCR.FZ) and returns
/// the previous control word for `shardnet_cpu_restore_fp`. Saturated sigmoids make δ
/// values that underflow into denormals, which x86 processes very slowly.
static inline unsigned long shardnet_cpu_flush_denormals(void) {
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

/// Restores the floating-point control word saved by `shardnet_cpu_flush_denormals`.
static inline void shardnet_cpu_restore_fp(unsigned long saved) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned int csr = (unsigned int)saved;
    __asm__ __volatile__("ldmxcsr %0" : : "m"(csr));
#elif defined(__aarch64__)
    __asm__ __volatile__("msr fpcr, %0" : : "r"(saved));
#else
    (void)saved;
#endif
}

/// Writes the processor's brand string (e.g. "AMD EPYC 9R14 96-Core Processor"), NUL
/// terminated, into `buffer`; "unknown" where the CPU does not say.
void shardnet_cpu_brand(char *buffer, size_t size);

/// The x86 family and model numbers (CPUID leaf 1, combined as /proc/cpuinfo's "cpu family"
/// and "model", e.g. 6 and 207 for an Intel Xeon of the Emerald Rapids generation): returns 1
/// and sets both, or 0 where the CPU has no such numbers (arm64 and others).
int shardnet_cpu_signature(unsigned *family, unsigned *model);

/// Instruction-set features that ShardNet's kernels can use, as bits (SHARDNET_CPU_*), with
/// the operating system's support for the vector registers checked (XCR0 on x86).
unsigned shardnet_cpu_features(void);

/// The one-way hand-off of a cache line between two cores, in nanoseconds: two threads (on
/// Linux pinned to the first two CPUs the process may use) pass a counter back and forth
/// `rounds` (at least 8) times each, the last three quarters timed. -1 when there are fewer
/// than two CPUs, a thread cannot be made, or the probe took over 0.25 s (a loaded machine).
double shardnet_cpu_handoff_ns(long rounds);

#define SHARDNET_CPU_AVX2_FMA 1u   /* AVX2 and FMA3, YMM state enabled by the OS */
#define SHARDNET_CPU_AVX512F 2u    /* AVX-512 Foundation, ZMM and opmask state enabled */
#define SHARDNET_CPU_NEON 4u       /* AArch64 Advanced SIMD (always present on arm64) */

#endif
