/// All thread counts of one network and mini-batch size, with the Amdahl fit of their speedups.
public struct ScalingSeries: Sendable, Equatable, Codable {
    public let sizes: [Int]
    public let miniBatchSize: Int
    /// Points in ascending thread order.
    public let points: [ScalingPoint]
    /// Thread count the speedups are relative to (1 when the sweep includes it).
    public let baselineThreads: Int
    /// Amdahl serial fraction f fitted to the points with 1 < T ≤ cores; nil if there are none.
    public let serialFraction: Double?

    public init(sizes: [Int], miniBatchSize: Int, points: [ScalingPoint], baselineThreads: Int, serialFraction: Double?) {
        self.sizes = sizes
        self.miniBatchSize = miniBatchSize
        self.points = points
        self.baselineThreads = baselineThreads
        self.serialFraction = serialFraction
    }

    /// "784-30-10 b10".
    public var name: String { "\(sizes.map(String.init).joined(separator: "-")) b\(miniBatchSize)" }
}
