/// Median and spread of repeated measurements of one quantity.
public struct SampleSummary: Sendable, Equatable, Codable {
    public let median: Double
    public let min: Double
    public let max: Double
    /// The measurements, in the order taken.
    public let values: [Double]

    public init(_ values: [Double]) {
        precondition(!values.isEmpty, "SampleSummary: no values")
        self.values = values
        let sorted = values.sorted()
        let n = sorted.count
        median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        min = sorted[0]
        max = sorted[n - 1]
    }

    /// (max − min) / median: the relative spread.
    public var relativeSpread: Double { median > 0 ? (max - min) / median : 0 }
}
