/// The result of running a network over a labelled data set.
public struct Evaluation: Sendable, Equatable {
    /// Samples whose largest output is at their label.
    public var correct: Int
    /// Samples evaluated.
    public var total: Int
    /// Mean cost per sample, (1/n) Σ C(a, y).
    public var cost: Double

    /// correct / total (0 for an empty set).
    public var accuracy: Double { total > 0 ? Double(correct) / Double(total) : 0 }
}
