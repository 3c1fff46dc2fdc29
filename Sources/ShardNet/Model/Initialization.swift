/// How a new network's weights and biases are drawn.
public enum Initialization: String, Sendable, CaseIterable, Codable {
    /// network.py: every weight and bias ~ N(0, 1).
    case gaussian
    /// network2.py's default: weights ~ N(0, 1/n_in), biases ~ N(0, 1).
    case scaled
}
