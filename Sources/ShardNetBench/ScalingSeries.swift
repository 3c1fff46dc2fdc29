import ShardNet

/// All thread counts of one network and mini-batch size, with the Amdahl fit of their speedups.
package struct ScalingSeries: Sendable, Equatable, Codable {
    package let sizes: [Int]
    package let miniBatchSize: Int
    /// Points in ascending thread order.
    package let points: [ScalingPoint]
    /// Thread count the speedups are relative to (1 when the sweep includes it).
    package let baselineThreads: Int
    /// Amdahl serial fraction f fitted to the points with 1 < T ≤ cores; nil if there are none.
    package let serialFraction: Double?
    /// The kernels that ran ("avx512", "blas", …).
    package let kernels: String

    package init(
        sizes: [Int], miniBatchSize: Int, points: [ScalingPoint], baselineThreads: Int, serialFraction: Double?,
        kernels: String
    ) {
        self.kernels = kernels
        self.sizes = sizes
        self.miniBatchSize = miniBatchSize
        self.points = points
        self.baselineThreads = baselineThreads
        self.serialFraction = serialFraction
    }

    /// "784-30-10 b10 avx512".
    package var name: String { "\(sizes.map(String.init).joined(separator: "-")) b\(miniBatchSize) \(kernels)" }
}
