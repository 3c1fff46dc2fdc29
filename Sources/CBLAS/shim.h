// C shim for BLAS. Imported only by Sources/ShardNet/Kernels/BLAS.swift.
// Linux: OpenBLAS's cblas (Debian libopenblas-dev). Apple platforms: Accelerate.
#ifndef SHARDNET_CBLAS_SHIM_H
#define SHARDNET_CBLAS_SHIM_H

#if defined(__APPLE__)
#define ACCELERATE_NEW_LAPACK 1
#include <Accelerate/Accelerate.h>
/// Accelerate manages its own threads; nothing to pin.
static inline void shardnet_blas_set_num_threads(int n) { (void)n; }
static inline const char *shardnet_blas_name(void) { return "Accelerate"; }
#else
#include <cblas.h>
/// Make BLAS single-threaded so that ShardNet's data-parallel workers own the cores.
static inline void shardnet_blas_set_num_threads(int n) { openblas_set_num_threads(n); }
static inline const char *shardnet_blas_name(void) { return openblas_get_config(); }
#endif

/// A spin-wait hint for the CPU (PAUSE on x86, YIELD on Arm): lets a spinning worker
/// leave the core's resources to its sibling hyperthread while it waits at a barrier.
static inline void shardnet_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/// Flush denormals to zero on this thread (x86 MXCSR FTZ | DAZ; Arm FPCR.FZ) and return the
/// previous control word for `shardnet_restore_fp`. Saturated sigmoids make δ values that
/// underflow into denormals, which x86 processes very slowly.
static inline unsigned long shardnet_flush_denormals(void) {
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

/// Restores the floating-point control word saved by `shardnet_flush_denormals`.
static inline void shardnet_restore_fp(unsigned long saved) {
#if defined(__x86_64__) || defined(__i386__)
    unsigned int csr = (unsigned int)saved;
    __asm__ __volatile__("ldmxcsr %0" : : "m"(csr));
#elif defined(__aarch64__)
    __asm__ __volatile__("msr fpcr, %0" : : "r"(saved));
#else
    (void)saved;
#endif
}

#endif
