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
static inline const char *shardnet_blas_core(void) { return "Accelerate"; }
#else
#include <cblas.h>
/// Make BLAS single-threaded so that ShardNet's data-parallel workers own the cores.
static inline void shardnet_blas_set_num_threads(int n) { openblas_set_num_threads(n); }
static inline const char *shardnet_blas_name(void) { return openblas_get_config(); }
/// The CPU kernel OpenBLAS picked at load time (e.g. "Cooperlake", "Prescott").
static inline const char *shardnet_blas_core(void) { return openblas_get_corename(); }
#endif

#endif
