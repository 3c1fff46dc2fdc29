import Foundation

/// Equations 2, 4 and 5 of backpropagation through BLAS (`--kernels blas`) as small kernels
/// over explicit row-major buffers; equation 3 is one kernel for every path
/// (`NativeKernels.outputError`). A shard of `rows` samples is processed at once: activations
/// are (rows, size) matrices, one sample per row (the book uses column vectors; this is its
/// transpose).
enum Layers {
    /// Equation 2, feedforward, for units j0 ..< j1: aˡ = f(aˡ⁻¹ · wˡᵀ + bˡ).
    /// - input:   (rows, nIn), row stride ldIn
    /// - weights: (nOut, nIn); biases: (nOut)
    /// - output:  (rows, nOut), row stride ldOut; columns j0 ..< j1 overwritten with the
    ///   activations (z is not kept: f′ is computed from a).
    @inline(__always)
    static func feedforward(
        rows: Int, nIn: Int, j0: Int, j1: Int, input: UnsafePointer<Float>, ldIn: Int,
        weights: UnsafePointer<Float>, biases: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, ldOut: Int, function f: Nonlinearity
    ) {
        guard rows > 0, j1 > j0 else { return }
        BLAS.gemmNT(
            m: rows, n: j1 - j0, k: nIn, input, lda: ldIn, weights + j0 * nIn, ldb: nIn, beta: 0,
            output + j0, ldc: ldOut)
        for r in 0..<rows {
            let row = output + r * ldOut
            for j in j0..<j1 { row[j] = f.apply(row[j] + biases[j]) }
        }
    }

    /// Equation 5 for units j0 ..< j1: ∂C/∂bˡ = Σ_rows δˡ, ∂C/∂wˡ = δˡᵀ · aˡ⁻¹ (summed over the
    /// shard's samples).
    /// - delta: (rows, nOut), row stride ldDelta; input: (rows, nIn) = aˡ⁻¹, row stride ldIn
    /// - nablaW: (nOut, nIn), nablaB: (nOut) — rows / entries j0 ..< j1 overwritten.
    @inline(__always)
    static func gradients(
        rows: Int, nIn: Int, j0: Int, j1: Int, delta: UnsafePointer<Float>, ldDelta: Int,
        input: UnsafePointer<Float>, ldIn: Int,
        nablaW: UnsafeMutablePointer<Float>, nablaB: UnsafeMutablePointer<Float>
    ) {
        for j in j0..<j1 { nablaB[j] = 0 }
        for r in 0..<rows {
            let d = delta + r * ldDelta
            for j in j0..<j1 { nablaB[j] += d[j] }
        }
        guard j1 > j0 else { return }
        guard rows > 0 else { (nablaW + j0 * nIn).update(repeating: 0, count: (j1 - j0) * nIn); return }
        BLAS.gemmTN(
            m: j1 - j0, n: nIn, k: rows, delta + j0, lda: ldDelta, input, ldb: ldIn, beta: 0,
            nablaW + j0 * nIn, ldc: nIn)
    }

    /// Equation 4 for units k0 ..< k1 of the earlier layer: δˡ⁻¹ = (δˡ · wˡ) ⊙ f′(zˡ⁻¹), with
    /// f′ computed from a (`Nonlinearity.derivative`).
    /// - delta: (rows, nOut), row stride ldDelta; weights: (nOut, nIn)
    /// - activation: (rows, nIn) = aˡ⁻¹, row stride ldA
    /// - previousDelta: (rows, nIn), row stride ldPrevious — columns k0 ..< k1 overwritten.
    @inline(__always)
    static func backpropagate(
        rows: Int, nIn: Int, nOut: Int, k0: Int, k1: Int,
        delta: UnsafePointer<Float>, ldDelta: Int, weights: UnsafePointer<Float>,
        activation: UnsafePointer<Float>, ldA: Int,
        previousDelta: UnsafeMutablePointer<Float>, ldPrevious: Int, function f: Nonlinearity
    ) {
        guard rows > 0, k1 > k0 else { return }
        BLAS.gemmNN(
            m: rows, n: k1 - k0, k: nOut, delta, lda: ldDelta, weights + k0, ldb: nIn, beta: 0,
            previousDelta + k0, ldc: ldPrevious)
        for r in 0..<rows {
            let d = previousDelta + r * ldPrevious, a = activation + r * ldA
            for k in k0..<k1 { d[k] *= f.derivative(a[k]) }
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
