import ShardNet

/// Median and spread of repeated measurements of one quantity.
package struct SampleSummary: Sendable, Equatable, Codable {
    package let median: Double
    package let min: Double
    package let max: Double
    /// The measurements, in the order taken.
    package let values: [Double]

    package init(_ values: [Double]) {
        precondition(!values.isEmpty, "SampleSummary: no values")
        self.values = values
        let sorted = values.sorted()
        let n = sorted.count
        median = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2
        min = sorted[0]
        max = sorted[n - 1]
    }

    /// (max − min) / median: the relative spread.
    package var relativeSpread: Double { median > 0 ? (max - min) / median : 0 }
}
