import ShardNet

/// One measured point of a scaling sweep: a network and mini-batch size trained on T threads
/// with S shards.
package struct ScalingPoint: Sendable, Equatable, Codable {
    /// Layer sizes, input first.
    package let sizes: [Int]
    /// Mini-batch size m.
    package let miniBatchSize: Int
    /// Threads T.
    package let threads: Int
    /// Shards S.
    package let shards: Int
    /// Steps timed in each repetition (calibrated to the time budget).
    package let stepsPerRepetition: Int
    /// Training samples per second, over the repetitions (median, min, max).
    package let samplesPerSecond: SampleSummary
    /// Mean wall time of one step at the median rate, seconds.
    package let stepSeconds: Double
    /// Median samples/s over the median samples/s of the series' baseline (1 thread).
    package let speedup: Double
    /// Speedup / T.
    package let efficiency: Double
    /// Shares of the summed thread time (backprop + reduce + wait) over all timed repetitions.
    package let backpropShare: Double
    package let reduceShare: Double
    package let waitShare: Double
    /// Achieved GFLOP/s at the median rate: 6 × weights × samples/s (forward, ∇w and δ products).
    package let gflops: Double
    /// GFLOP/s as a share of the machine's GEMM ceiling at T threads (`MachineCeiling.ceiling(threads:)`);
    /// nil when the ceiling was not measured.
    package let ceilingShare: Double?

    package init(
        sizes: [Int], miniBatchSize: Int, threads: Int, shards: Int, stepsPerRepetition: Int,
        samplesPerSecond: SampleSummary, stepSeconds: Double, speedup: Double, efficiency: Double,
        backpropShare: Double, reduceShare: Double, waitShare: Double, gflops: Double, ceilingShare: Double?
    ) {
        self.sizes = sizes
        self.miniBatchSize = miniBatchSize
        self.threads = threads
        self.shards = shards
        self.stepsPerRepetition = stepsPerRepetition
        self.samplesPerSecond = samplesPerSecond
        self.stepSeconds = stepSeconds
        self.speedup = speedup
        self.efficiency = efficiency
        self.backpropShare = backpropShare
        self.reduceShare = reduceShare
        self.waitShare = waitShare
        self.gflops = gflops
        self.ceilingShare = ceilingShare
    }

    /// "784-30-10".
    package var networkName: String { sizes.map(String.init).joined(separator: "-") }
}
