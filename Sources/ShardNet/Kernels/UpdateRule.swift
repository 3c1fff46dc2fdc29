/// The coefficients of one parameter update, θ from the summed gradient g (a trivial value):
///
///     plain SGD (mu = 0):  θ ← decay·θ − rate·g − l1·sgn θ
///     momentum:            v ← μ·v − (rate·g + l2·θ + l1·sgn θ),  θ ← θ + v
///     Nesterov:            v as above,                            θ ← θ + μ·v − (rate·g + l2·θ + l1·sgn θ)
///
/// with rate = η/m, decay = 1 − ηλ/n (L2 weight decay; 1 without), l2 = ηλ/n in momentum
/// form, l1 = ηλ₁/n (chapter 3's L1: w ← w − (ηλ₁/n)·sgn w − …, sgn 0 = 0). Biases are never
/// regularised. Each product is rounded on its own (see the native `update` kernel).
struct UpdateRule: Sendable {
    var rate: Float
    var decay: Float = 1
    var l2: Float = 0
    var l1: Float = 0
    var mu: Float = 0
    var nesterov = false
}

/// The rules of one step: weights (regularised) and biases, and the velocity with momentum.
struct UpdateRules: @unchecked Sendable {
    let weights: UpdateRule
    let biases: UpdateRule
    /// (parameter count) v, indexed like the parameters; nil without momentum.
    /// `@unchecked Sendable`: each step writes disjoint ranges of it, one per reducer item.
    let velocity: UnsafeMutablePointer<Float>?

    /// The rules for a step of `batch` samples with learning rate `eta` on a training split of
    /// `n` samples, with L2 `lambda`, L1 `l1`, momentum `mu` (0: plain SGD) and `nesterov`.
    init(
        eta: Float, batch: Int, n: Int, lambda: Float, l1: Float, mu: Float, nesterov: Bool,
        velocity: UnsafeMutablePointer<Float>?
    ) {
        let rate = eta / Float(batch)
        let l1Coefficient = l1 == 0 ? 0 : eta * (l1 / Float(n))
        if mu == 0 {
            weights = UpdateRule(rate: rate, decay: lambda == 0 ? 1 : 1 - eta * (lambda / Float(n)), l1: l1Coefficient)
            biases = UpdateRule(rate: rate)
            self.velocity = nil
        } else {
            weights = UpdateRule(
                rate: rate, l2: lambda == 0 ? 0 : eta * (lambda / Float(n)), l1: l1Coefficient, mu: mu, nesterov: nesterov)
            biases = UpdateRule(rate: rate, mu: mu, nesterov: nesterov)
            self.velocity = velocity
        }
    }
}
