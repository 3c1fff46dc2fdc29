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
    /// Correct predictions on the training split after the epoch, and its size (0 and 0 when
    /// the run does not monitor the training accuracy).
    public var trainingCorrect = 0
    public var trainingTotal = 0
    /// Correct predictions, size and mean cost of the validation split (0, 0, NaN without one).
    public var validationCorrect = 0
    public var validationTotal = 0
    public var validationCost = Double.nan
    /// η used during the epoch.
    public var eta = Double.nan

    public init(
        epoch: Int, trainingCost: Double, testCorrect: Int, testTotal: Int, testCost: Double, seconds: Double, samplesPerSecond: Double,
        trainingCorrect: Int = 0, trainingTotal: Int = 0, validationCorrect: Int = 0, validationTotal: Int = 0,
        validationCost: Double = .nan, eta: Double = .nan
    ) {
        self.trainingCorrect = trainingCorrect
        self.trainingTotal = trainingTotal
        self.validationCorrect = validationCorrect
        self.validationTotal = validationTotal
        self.validationCost = validationCost
        self.eta = eta
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
    /// validationCorrect / validationTotal, or 0 without a validation split.
    public var validationAccuracy: Double { validationTotal > 0 ? Double(validationCorrect) / Double(validationTotal) : 0 }
    /// trainingCorrect / trainingTotal, or 0 when not monitored.
    public var trainingAccuracy: Double { trainingTotal > 0 ? Double(trainingCorrect) / Double(trainingTotal) : 0 }

    /// Bitwise equality, any NaN equal to any NaN (HDF5 and JSON need not keep a NaN's payload).
    private static func sameBits(_ x: Double, _ y: Double) -> Bool { x.bitPattern == y.bitPattern || (x.isNaN && y.isNaN) }

    /// Equality of everything but the timings: what an exactly resumed run must reproduce.
    public func hasSameResults(as other: EpochRecord) -> Bool {
        epoch == other.epoch && trainingCost.bitPattern == other.trainingCost.bitPattern
            && testCorrect == other.testCorrect && testTotal == other.testTotal
            && Self.sameBits(testCost, other.testCost)
            && trainingCorrect == other.trainingCorrect && trainingTotal == other.trainingTotal
            && validationCorrect == other.validationCorrect && validationTotal == other.validationTotal
            && Self.sameBits(validationCost, other.validationCost) && Self.sameBits(eta, other.eta)
    }

    /// Every field equal, the real ones bit for bit. NaN means "not measured" here (no test or
    /// validation split), so a record — and a `TrainingState` holding it — must still equal
    /// itself; the synthesised `==` made every record of a run without validation unequal to itself.
    public static func == (a: EpochRecord, b: EpochRecord) -> Bool {
        a.hasSameResults(as: b) && a.seconds.bitPattern == b.seconds.bitPattern
            && a.samplesPerSecond.bitPattern == b.samplesPerSecond.bitPattern
    }
}
