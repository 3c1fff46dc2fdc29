/// The activation function of the hidden layers, aˡ = f(zˡ) (chapter 3), with the
/// derivative backpropagation's equation 4 uses, written in terms of a:
///
///     sigmoid  σ(z) = 1/(1 + e⁻ᶻ)                 f′ = a(1 − a)
///     tanh     tanh(z)                            f′ = 1 − a²
///     relu     max(0, z)                          f′ = 1 if a > 0, else 0
///
/// The output layer is chosen separately (`OutputLayer`).
public enum Activation: String, Sendable, CaseIterable, Codable {
    case sigmoid
    case tanh
    case relu

    /// The initialisation that suits this activation when none is asked for: N(0, 1/n_in)
    /// for sigmoid and tanh (network2.py), He's N(0, 2/n_in) for ReLU.
    public var suggestedInitialization: Initialization { self == .relu ? .he : .scaled }
}
