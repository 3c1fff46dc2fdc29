/// The output layer aᴸ = f(zᴸ): sigmoid units (chapters 1–3, with the quadratic or the
/// cross-entropy cost) or a softmax, aᴸⱼ = e^{zᴸⱼ} / Σₖ e^{zᴸₖ} (chapter 3, with the
/// log-likelihood cost C = −ln aᴸ_y, whose output error is δᴸ = aᴸ − y).
public enum OutputLayer: String, Sendable, CaseIterable, Codable {
    case sigmoid
    case softmax

    /// The cost this output layer pairs with when none is given.
    public var defaultCost: Cost { self == .softmax ? .logLikelihood : .quadratic }

    /// Whether `cost` may be used with this output layer: log-likelihood needs a softmax (its
    /// outputs are a distribution), and a softmax is trained with log-likelihood only.
    public func accepts(_ cost: Cost) -> Bool { (self == .softmax) == (cost == .logLikelihood) }
}
