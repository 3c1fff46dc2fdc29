/// The cost function C(a, y) of one sample, with y the one-hot target, and the output error
/// δᴸ it implies — network2.py's cost classes. Both are computed by one kernel for every path
/// and the evaluator (`NativeKernels.outputError`, CKernels' `sn_output_error`).
public enum Cost: String, Sendable, CaseIterable, Codable {
    /// C = ½‖a − y‖²,  ∇ₐC = a − y,  δᴸ = (a − y) ⊙ σ'(zᴸ), computed as ((a − y)·a)·(1 − a).
    case quadratic
    /// C = −Σ [y ln a + (1 − y) ln(1 − a)],  δᴸ = a − y (σ' cancels; network2.py).
    case crossEntropy = "cross-entropy"
    /// C = −ln aᴸ_y with a softmax output layer (chapter 3),  δᴸ = a − y.
    case logLikelihood = "log-likelihood"
}
