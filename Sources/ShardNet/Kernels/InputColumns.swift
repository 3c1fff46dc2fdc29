/// The inputs of a layer that are not ±0 in some row of a batch (`NativeKernels.nonzeroColumns`),
/// which the native forward and packed update may restrict themselves to: a term x·w with
/// x = ±0 leaves a multiply-add chain as it is, so skipping it changes no bit for finite
/// weights. A batch of ten MNIST digits has about half its 784 pixel columns 0 in every image.
///
///     list  (count) Int32  ascending input indices
struct InputColumns {
    let list: UnsafePointer<Int32>
    let count: Int

    /// Whether a list of `count` of a layer's `n` inputs is worth running the column kernels
    /// for: at most three quarters of them. Layer 0 of 784-30-10 at m = 10 with the list's
    /// cost, dense / skipping: 1.6–1.7× with 49% of the columns nonzero (a batch of ten MNIST
    /// digits), 1.1–1.2× with 75%, 1.0× with 89% (Fashion-MNIST), 0.84–0.96× with all
    /// (`scripts/column-skip`, AVX-512 and AVX2, two runs). Whichever kernels run, the bits
    /// are the same.
    @inline(__always)
    static func pays(count: Int, of n: Int) -> Bool { 4 * count <= 3 * n }
}
