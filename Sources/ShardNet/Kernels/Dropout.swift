/// Inverted dropout on the hidden layers (chapter 3; Srivastava et al. 2014): during training
/// each hidden unit's activation is kept with probability 1 − p and scaled by 1/(1 − p), or
/// set to 0; evaluation uses the network as it is. Backpropagation multiplies δ of a hidden
/// layer by the same factor, which the forward pass keeps (each mask is drawn once per step).
///
/// The mask of unit j of hidden layer l (1-based: the output of weight layer l − 1) for the
/// sample at position i of epoch e's shuffled order is drawn from a counter-based generator,
///
///     u = CounterHash.uniform(key: seed, e, i, l·2³² + j),   kept ⇔ u ≥ p,
///
/// so it depends on (seed, epoch, position, layer, unit) only — never on the shard or thread
/// that computes it — and the weights stay bitwise the same for any thread count.
struct Dropout: Sendable {
    /// p, the probability of dropping a unit (0 < p < 1).
    let probability: Float
    /// 1/(1 − p).
    let scale: Float
    /// The run's seed.
    let key: UInt64
    /// The epoch (1-based).
    let epoch: Int

    init(probability: Float, seed: UInt64, epoch: Int) {
        self.probability = probability
        scale = 1 / (1 - probability)
        key = seed
        self.epoch = epoch
    }

    /// 0 (dropped) or 1/(1 − p) (kept): the mask of `unit` of hidden layer `layer` for the sample
    /// at `position` in the epoch's order.
    @inline(__always)
    func factor(position: Int, layer: Int, unit: Int) -> Float {
        let u = CounterHash.uniform(key: key, UInt64(epoch), UInt64(position), UInt64(layer) << 32 | UInt64(unit))
        return u >= probability ? scale : 0
    }

    /// Draws a hidden layer's masks and applies them: factors[r][j] = factor, and the masked
    /// copy of the activations dropped[r][j] = a[r][j]·factor.
    /// - activations, factors, dropped: (rows, width), row-major; row r is the sample at
    ///   `firstPosition + r`.
    @inline(__always)
    func apply(
        rows: Int, width: Int, layer: Int, firstPosition: Int, activations: UnsafePointer<Float>,
        factors: UnsafeMutablePointer<Float>, dropped: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            for j in 0..<width {
                let f = factor(position: firstPosition + r, layer: layer, unit: j)
                factors[r * width + j] = f
                dropped[r * width + j] = activations[r * width + j] * f
            }
        }
    }

    /// δ of a hidden layer times the masks `apply` drew for it: delta[k] *= factors[k].
    /// - factors, delta: `count` values (rows × width, row-major).
    @inline(__always)
    static func mask(count: Int, factors: UnsafePointer<Float>, delta: UnsafeMutablePointer<Float>) {
        for k in 0..<count { delta[k] = delta[k] * factors[k] }
    }
}

/// Dropout for one shard's rows: the run's `Dropout` and the epoch position of the shard's
/// first sample.
struct ShardDropout: Sendable {
    let dropout: Dropout
    let firstPosition: Int
}
