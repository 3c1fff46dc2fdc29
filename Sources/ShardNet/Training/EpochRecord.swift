/// What one epoch of training measured; one line of the training history.
public struct EpochRecord: Sendable, Equatable, Codable {
    /// 1-based epoch number.
    public var epoch: Int
    /// Mean cost over the epoch's training samples, computed during the forward passes
    /// (the data term only; the L2 term ½(λ/n)Σw² is not included).
    public var trainingCost: Double
    /// Correct predictions on the evaluation split (0 when there is none).
    public var testCorrect: Int
    /// Samples in the evaluation split (0 when there is none).
    public var testTotal: Int
    /// Mean cost on the evaluation split (NaN when there is none).
    public var testCost: Double
    /// Wall-clock seconds of the epoch's training (evaluation excluded).
    public var seconds: Double
    /// Training samples per second.
    public var samplesPerSecond: Double

    public init(epoch: Int, trainingCost: Double, testCorrect: Int, testTotal: Int, testCost: Double, seconds: Double, samplesPerSecond: Double) {
        self.epoch = epoch
        self.trainingCost = trainingCost
        self.testCorrect = testCorrect
        self.testTotal = testTotal
        self.testCost = testCost
        self.seconds = seconds
        self.samplesPerSecond = samplesPerSecond
    }

    /// testCorrect / testTotal, or 0 when there is no evaluation split.
    public var testAccuracy: Double { testTotal > 0 ? Double(testCorrect) / Double(testTotal) : 0 }

    /// Equality of everything but the timings: what an exactly resumed run must reproduce.
    public func hasSameResults(as other: EpochRecord) -> Bool {
        epoch == other.epoch && trainingCost.bitPattern == other.trainingCost.bitPattern
            && testCorrect == other.testCorrect && testTotal == other.testTotal
            && (testCost.bitPattern == other.testCost.bitPattern)
    }
}
