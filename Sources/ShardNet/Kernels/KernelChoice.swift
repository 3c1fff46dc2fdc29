/// Which kernels run the step's arithmetic (`--kernels`).
///
/// The native kernels (ShardNet's own, one per instruction set) give bitwise the same trained
/// weights whichever of them runs, so a model is the same on every CPU. `blas` runs the
/// matrix products through the system's BLAS (OpenBLAS or Accelerate): the comparison
/// baseline, and the path for platforms without native kernels; its results depend on the
/// BLAS build and the kernel it picks for the CPU.
public enum KernelChoice: String, Sendable, CaseIterable, Codable {
    /// The fastest native instruction set this CPU runs.
    case auto
    case avx512, avx2, neon, scalar
    case blas
}
