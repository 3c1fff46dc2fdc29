import Foundation

/// The cost function C(a, y) of one sample, with y the one-hot target, and the output error
/// δᴸ it implies — network2.py's cost classes, whose `fn` and `delta` become `value` and
/// `delta` here, one output unit at a time.
public enum Cost: String, Sendable, CaseIterable, Codable {
    /// C = ½‖a − y‖²,  ∇ₐC = a − y,  δᴸ = (a − y) ⊙ σ'(zᴸ).
    case quadratic
    /// C = −Σ [y ln a + (1 − y) ln(1 − a)],  δᴸ = a − y (σ' cancels; network2.py).
    case crossEntropy = "cross-entropy"
    /// C = −ln aᴸ_y with a softmax output layer (chapter 3),  δᴸ = a − y.
    case logLikelihood = "log-likelihood"

    /// This unit's share of C for output activation `a` and target `y` ∈ {0, 1}, in Double.
    /// Cross-entropy clamps ln 0 to ln(Float.leastNonzeroMagnitude), as network2.py uses
    /// np.nan_to_num for the same purpose.
    @inline(__always)
    func value(a: Float, y: Float) -> Double {
        switch self {
        case .quadratic:
            let diff = Double(a - y)
            return 0.5 * diff * diff
        case .crossEntropy:
            let p = Double(y == 1 ? a : 1 - a)
            return -Foundation.log(max(p, Double(Float.leastNonzeroMagnitude)))
        case .logLikelihood:
            guard y == 1 else { return 0 }
            return -Foundation.log(max(Double(a), Double(Float.leastNonzeroMagnitude)))
        }
    }

    /// Equation 3 for one unit: δᴸ = (a − y)·σ'(z) (quadratic) or a − y (cross-entropy with
    /// sigmoid outputs, log-likelihood with a softmax), with σ'(z) = a(1 − a).
    @inline(__always)
    func delta(a: Float, y: Float) -> Float {
        switch self {
        case .quadratic: return (a - y) * a * (1 - a)
        case .crossEntropy, .logLikelihood: return a - y
        }
    }
}
