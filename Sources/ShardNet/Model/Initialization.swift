/// How a new network's weights and biases are drawn.
public enum Initialization: String, Sendable, CaseIterable, Codable {
    /// network.py: every weight and bias ~ N(0, 1).
    case gaussian
    /// network2.py's default: weights ~ N(0, 1/n_in), biases ~ N(0, 1).
    case scaled
    /// He et al. (2015), for ReLU layers: weights ~ N(0, 2/n_in), biases 0.
    case he

    /// The standard deviation of layer weights with `fanIn` inputs.
    func weightScale(fanIn: Int) -> Double {
        switch self {
        case .gaussian: return 1
        case .scaled: return 1 / Double(fanIn).squareRoot()
        case .he: return (2 / Double(fanIn)).squareRoot()
        }
    }

    /// Whether biases are drawn from N(0, 1) (the book's choice) or set to 0 (He).
    var drawsBiases: Bool { self != .he }
}
