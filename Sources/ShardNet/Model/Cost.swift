/// The cost function C(a, y) for one sample, with y the one-hot target.
public enum Cost: String, Sendable, CaseIterable, Codable {
    /// C = ½‖a − y‖²,  ∇ₐC = a − y,  δᴸ = (a − y) ⊙ σ'(zᴸ).
    case quadratic
    /// C = −Σ [y ln a + (1 − y) ln(1 − a)],  δᴸ = a − y (σ' cancels; network2.py).
    case crossEntropy = "cross-entropy"
}
