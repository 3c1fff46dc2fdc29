import CBLAS

/// The BLAS calls ShardNet makes, over explicit row-major buffers. This is the only file that
/// imports the CBLAS shim (OpenBLAS's cblas on Linux, Accelerate on Apple platforms).
///
/// Each training worker calls BLAS from its own thread with BLAS itself single-threaded
/// (`BLAS.useSingleThread()`), so ShardNet's shards, not BLAS's threads, own the cores.
package enum BLAS {
    /// Makes BLAS single-threaded. Called once before training and benchmarks.
    package static func useSingleThread() { shardnet_blas_set_num_threads(1) }

    /// Lets BLAS use `n` threads (only for measuring BLAS's own ceiling).
    package static func setThreads(_ n: Int) { shardnet_blas_set_num_threads(Int32(n)) }

    /// BLAS build description (e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH ... Haswell").
    package static var name: String { String(cString: shardnet_blas_name()) }

    /// The CPU kernel the BLAS picked (OpenBLAS's core name, e.g. "Cooperlake"; "Accelerate").
    package static var core: String { String(cString: shardnet_blas_core()) }

    /// C(m×n) = A(m×k) · B(n×k)ᵀ + β·C — every row of A against every row of B.
    @inline(__always)
    static func gemmNT(
        m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int
    ) { sgemm(CblasNoTrans, CblasTrans, m, n, k, a, lda, b, ldb, beta, c, ldc) }

    /// C(m×n) = A(k×m)ᵀ · B(k×n) + β·C — a sum of k outer products.
    @inline(__always)
    static func gemmTN(
        m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int
    ) { sgemm(CblasTrans, CblasNoTrans, m, n, k, a, lda, b, ldb, beta, c, ldc) }

    /// C(m×n) = A(m×k) · B(k×n) + β·C.
    @inline(__always)
    static func gemmNN(
        m: Int, n: Int, k: Int, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
        beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int
    ) { sgemm(CblasNoTrans, CblasNoTrans, m, n, k, a, lda, b, ldb, beta, c, ldc) }

    /// C(m×n) = op(A) · op(B) + β·C, row-major, α = 1: the one cblas_sgemm call the three above make.
    @inline(__always)
    private static func sgemm(
        _ transA: CBLAS_TRANSPOSE, _ transB: CBLAS_TRANSPOSE, _ m: Int, _ n: Int, _ k: Int,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA, transB, Int32(m), Int32(n), Int32(k), 1, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// A single-precision GEMM of n×n matrices, for measuring the machine's ceiling:
    /// returns nothing, costs 2n³ flops.
    package static func benchmarkGEMM(n: Int, a: AlignedBuffer, b: AlignedBuffer, c: AlignedBuffer) {
        precondition(a.count >= n * n && b.count >= n * n && c.count >= n * n)
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(n), Int32(n), Int32(n),
            1, a.base, Int32(n), b.base, Int32(n), 0, c.base, Int32(n))
    }
}
