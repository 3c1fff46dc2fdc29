/// Inverted dropout on the hidden layers (chapter 3; Srivastava et al. 2014): during training
/// each hidden unit's activation is kept with probability 1 − p and scaled by 1/(1 − p), or
/// set to 0; evaluation uses the network as it is. Backpropagation multiplies δ of a hidden
/// layer by the same factor.
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

    /// The masked copy of a hidden layer's activations: dropped[r][j] = a[r][j]·factor.
    /// - activations, dropped: (rows, width), row-major; row r is the sample at `firstPosition + r`.
    @inline(__always)
    func apply(
        rows: Int, width: Int, layer: Int, firstPosition: Int, activations: UnsafePointer<Float>,
        dropped: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            for j in 0..<width {
                dropped[r * width + j] = activations[r * width + j] * factor(position: firstPosition + r, layer: layer, unit: j)
            }
        }
    }

    /// δ of a hidden layer times the same mask: delta[r][j] *= factor.
    /// - delta: (rows, width), row-major.
    @inline(__always)
    func mask(rows: Int, width: Int, layer: Int, firstPosition: Int, delta: UnsafeMutablePointer<Float>) {
        for r in 0..<rows {
            for j in 0..<width {
                delta[r * width + j] = delta[r * width + j] * factor(position: firstPosition + r, layer: layer, unit: j)
            }
        }
    }
}

/// Dropout for one shard's rows: the run's `Dropout` and the epoch position of the shard's
/// first sample.
struct ShardDropout: Sendable {
    let dropout: Dropout
    let firstPosition: Int
}
