/// Before BLAS runs a network's step, its three products are checked against the native
/// kernels on that network's shapes (a few rows, fixed pseudo-random values; well under a
/// millisecond): OpenBLAS's tracker has a history of wrong results from new kernels, and a
/// BLAS that computes wrong answers is refused with a clear error instead of training garbage.
enum BLASSelfCheck {
    /// Largest |BLAS − native| allowed, relative to the largest magnitude of the product:
    /// float32 sums of a few thousand terms in different orders differ by far less.
    static let tolerance: Float = 1e-3

    /// The largest |candidate − reference| when it exceeds `tolerance` × the reference's
    /// largest magnitude (or is not finite); nil when the two agree.
    static func disagreement(reference: [Float], candidate: [Float]) -> Float? {
        let scale = max(reference.map(abs).max() ?? 0, 1e-6)
        let worst = zip(reference, candidate).map { abs($0 - $1) }.map { $0.isNaN ? .infinity : $0 }.max() ?? 0
        return worst.isFinite && worst <= tolerance * scale && reference.count == candidate.count ? nil : worst
    }

    /// Throws `ShardNetError.invalidArgument` naming the BLAS, its core and the product that
    /// disagrees.
    static func run(layout: ParameterLayout, rows requested: Int) throws {
        let native = KernelSet.best, blas = try KernelSet(.blas)
        let rows = max(1, min(requested, 8))
        var generator = Xoshiro256StarStar(seed: 0x5eed)
        for l in 0..<layout.layerCount {
            let nIn = layout.sizes[l], nOut = layout.sizes[l + 1]
            func values(_ n: Int, _ scale: Float) -> [Float] { (0..<n).map { _ in Float(generator.uniform() - 0.5) * scale } }
            let input = values(rows * nIn, 2), weights = values(nOut * nIn, 0.2), biases = values(nOut, 0.2)
            let delta = values(rows * nOut, 2), activation = values(rows * nIn, 0.9).map { $0 + 0.5 }
            let packedLayout = ParameterLayout(sizes: [nIn, nOut])
            let packed = PackedWeights(layout: packedLayout)
            let layoutView = LayoutView(packedLayout)
            var parameters = weights + biases
            for (name, compute) in [("forward (a·wᵀ)", 0), ("gradient (δᵀ·a)", 1), ("backward (δ·w)", 2)] {
                var results: [[Float]] = []
                for kernels in [native, blas] {
                    let count = compute == 0 ? rows * nOut : compute == 1 ? nOut * nIn + nOut : rows * nIn
                    var out = [Float](repeating: 0, count: count)
                    parameters.withUnsafeMutableBufferPointer { p in
                        kernels.packAll(layout: layoutView, parameters: p.baseAddress!, packed: packed)
                        out.withUnsafeMutableBufferPointer { o in
                            let o = o.baseAddress!, w = p.baseAddress!, b = p.baseAddress! + nOut * nIn
                            switch compute {
                            case 0:
                                kernels.forward(
                                    rows: rows, nIn: nIn, j0: 0, j1: nOut, input: input, ldIn: nIn, weights: w,
                                    packed: packed.layer(0), biases: b, output: o, ldOut: nOut, function: .sigmoid)
                            case 1:
                                kernels.gradients(
                                    rows: rows, nIn: nIn, j0: 0, j1: nOut, delta: delta, ldDelta: nOut,
                                    input: input, ldIn: nIn, nablaW: o, nablaB: o + nOut * nIn)
                            default:
                                kernels.backpropagate(
                                    rows: rows, nIn: nIn, nOut: nOut, k0: 0, k1: nIn, delta: delta,
                                    ldDelta: nOut, weights: w, activation: activation, ldA: nIn,
                                    previousDelta: o, ldPrevious: nIn, function: .sigmoid)
                            }
                        }
                    }
                    results.append(out)
                }
                if let worst = disagreement(reference: results[0], candidate: results[1]) {
                    throw ShardNetError.invalidArgument(
                        "BLAS self-check failed: \(BLAS.name) (core \(BLAS.core)) computes the \(name) product of layer \(l) (\(nIn) → \(nOut), \(rows) rows) "
                            + "wrong, off by \(worst) against ShardNet's own kernels; use --kernels auto, or another BLAS core (OPENBLAS_CORETYPE)")
                }
            }
        }
    }
}
