import Foundation

/// The five equations of backpropagation as small kernels over explicit row-major buffers.
/// A shard of `rows` samples is processed at once: activations are (rows, size) matrices,
/// one sample per row (the book uses column vectors; this is its transpose).
enum Layers {
    /// σ(z) = 1 / (1 + e^(−z)).
    @inline(__always)
    static func sigmoid(_ z: Float) -> Float { 1 / (1 + Foundation.exp(-z)) }

    /// Equation 2, feedforward: aˡ = σ(aˡ⁻¹ · wˡᵀ + bˡ).
    /// - input:   (rows, nIn)
    /// - weights: (nOut, nIn)
    /// - biases:  (nOut)
    /// - output:  (rows, nOut), overwritten with the activations (z is not kept: σ'(z) = a(1 − a)).
    @inline(__always)
    static func feedforward(rows: Int, nIn: Int, nOut: Int,
                            input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                            biases: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        BLAS.gemmNT(m: rows, n: nOut, k: nIn, input, lda: nIn, weights, ldb: nIn, beta: 0, output, ldc: nOut)
        for r in 0..<rows {
            let row = output + r * nOut
            for j in 0..<nOut { row[j] = sigmoid(row[j] + biases[j]) }
        }
    }

    /// Equation 3, output error, and the cost of each sample, summed: δᴸ and C as the cost
    /// defines them (`Cost.delta`, `Cost.value`), y one-hot at `labels[r]`.
    /// - output: (rows, nOut) activations aᴸ; delta: (rows, nOut) — overwritten.
    /// - returns Σ over rows of C(a, y) in Double, summed row by row, unit by unit.
    @inline(__always)
    static func outputError(cost: Cost, rows: Int, nOut: Int, output: UnsafePointer<Float>,
                            labels: UnsafePointer<Int32>, delta: UnsafeMutablePointer<Float>) -> Double {
        var total = 0.0
        for r in 0..<rows {
            let a = output + r * nOut, d = delta + r * nOut
            let label = Int(labels[r])
            for j in 0..<nOut {
                let y: Float = j == label ? 1 : 0
                d[j] = cost.delta(a: a[j], y: y)
                total += cost.value(a: a[j], y: y)
            }
        }
        return total
    }

    /// Equation 5: ∂C/∂bˡ = Σ_rows δˡ, ∂C/∂wˡ = δˡᵀ · aˡ⁻¹ (summed over the shard's samples).
    /// - delta: (rows, nOut); input: (rows, nIn) = aˡ⁻¹
    /// - nablaW: (nOut, nIn), nablaB: (nOut) — overwritten.
    @inline(__always)
    static func gradients(rows: Int, nIn: Int, nOut: Int,
                          delta: UnsafePointer<Float>, input: UnsafePointer<Float>,
                          nablaW: UnsafeMutablePointer<Float>, nablaB: UnsafeMutablePointer<Float>) {
        for j in 0..<nOut { nablaB[j] = 0 }
        for r in 0..<rows {
            let d = delta + r * nOut
            for j in 0..<nOut { nablaB[j] += d[j] }
        }
        BLAS.gemmTN(m: nOut, n: nIn, k: rows, delta, lda: nOut, input, ldb: nIn, beta: 0, nablaW, ldc: nIn)
    }

    /// Equation 4: δˡ⁻¹ = (δˡ · wˡ) ⊙ σ'(zˡ⁻¹), with σ'(z) = a(1 − a).
    /// - delta: (rows, nOut); weights: (nOut, nIn); activation: (rows, nIn) = aˡ⁻¹
    /// - previousDelta: (rows, nIn) — overwritten.
    @inline(__always)
    static func backpropagate(rows: Int, nIn: Int, nOut: Int,
                              delta: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                              activation: UnsafePointer<Float>, previousDelta: UnsafeMutablePointer<Float>) {
        BLAS.gemmNN(m: rows, n: nIn, k: nOut, delta, lda: nOut, weights, ldb: nIn, beta: 0, previousDelta, ldc: nIn)
        let n = rows * nIn
        for i in 0..<n {
            let a = activation[i]
            previousDelta[i] *= a * (1 - a)
        }
    }

    /// Index of the largest value in row (first on ties) — the predicted class.
    @inline(__always)
    static func argmax(_ row: UnsafePointer<Float>, count: Int) -> Int {
        var best = 0
        for j in 1..<max(count, 1) where row[j] > row[best] { best = j }
        return best
    }
}
