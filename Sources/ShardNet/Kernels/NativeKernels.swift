import CKernels

/// ShardNet's own kernels (the CKernels C target) for one instruction set: forward with bias
/// and σ fused, δ back with σ′ fused, ∇w/∇b, and weight packing. Every instruction set gives
/// bitwise the same result as the portable scalar reference (see docs/kernels.md). The only
/// file that imports CKernels.
package struct NativeKernels {
    /// The instruction sets with a kernel table.
    package enum ISA: Int, CaseIterable {
        case scalar = 0
        case avx2 = 1
        case avx512 = 2
        case neon = 3

        /// "scalar", "avx2", "avx512", "neon".
        package var name: String { String(cString: sn_isa_name(Int32(rawValue))) }
    }

    private let table: UnsafePointer<sn_kernels>
    package let isa: ISA

    /// The kernels for `isa`, or nil when this CPU (or build) cannot run them.
    package init?(isa: ISA) {
        guard let table = sn_kernels_for(Int32(isa.rawValue)) else { return nil }
        self.table = table
        self.isa = isa
    }

    /// The fastest instruction set this CPU runs.
    package static var best: ISA { ISA(rawValue: Int(sn_isa_best())) ?? .scalar }

    /// Floats of a layer's packed weights (panels of 16 units, `nIn` × 16 each).
    package static func packedCount(nIn: Int, nOut: Int) -> Int { sn_packed_size(nIn, nOut) }

    /// The kernels' code for a layer function.
    @inline(__always)
    private static func code(_ f: Nonlinearity) -> Int32 {
        switch f {
        case .sigmoid: return Int32(SN_ACT_SIGMOID)
        case .tanh: return Int32(SN_ACT_TANH)
        case .relu: return Int32(SN_ACT_RELU)
        case .identity: return Int32(SN_ACT_IDENTITY)
        }
    }

    /// dst[i] = Float(src[i]) / 255 for i < count (uint8 pixels to [0, 1]; one correctly rounded
    /// division each, so every instruction set gives `DataSet.scaled`'s bits), on the best
    /// instruction set, chosen once when the library loads.
    @inline(__always)
    static func scaleBytes(_ src: UnsafePointer<UInt8>, count: Int, into dst: UnsafeMutablePointer<Float>) {
        sn_scale_bytes(src, count, dst)
    }

    /// Asks the caches (into L2) for rows order[0 ..< rows] of a row-major matrix of `rowBytes`
    /// bytes per row at `base`, ahead of their use: a hint only, no value changes.
    @inline(__always)
    static func prefetchRows(_ base: UnsafeRawPointer, order: UnsafePointer<Int32>, rows: Int, rowBytes: Int) {
        sn_prefetch_rows(base, order, rows, rowBytes)
    }

    /// Row-wise softmax in place, x[r][j] ← e^{x[r][j] − maxₖ x[r][k]} / Σₖ …, the sum in order
    /// (one scalar implementation for every path: the same bits everywhere).
    /// - x: (rows, n), row stride ld.
    @inline(__always)
    static func softmax(rows: Int, n: Int, _ x: UnsafeMutablePointer<Float>, ld: Int) {
        sn_softmax_rows(rows, n, x, ld)
    }

    /// Equation 3 and the cost, for every path and the evaluator: δᴸ as `cost` defines it
    /// (quadratic ((a − y)·a)·(1 − a), cross-entropy and log-likelihood a − y), y one-hot at
    /// `labels[r]`; returns Σ over rows of C(a, y) in Double, row by row, unit by unit, each ln
    /// of max(p, `Float.leastNonzeroMagnitude`) (network2.py's np.nan_to_num).
    /// - output: (rows, nOut) activations aᴸ (a softmax's already applied); delta: (rows, nOut), overwritten.
    @inline(__always)
    static func outputError(
        cost: Cost, rows: Int, nOut: Int, output: UnsafePointer<Float>,
        labels: UnsafePointer<Int32>, delta: UnsafeMutablePointer<Float>
    ) -> Double {
        let kind: Int32
        switch cost {
        case .quadratic: kind = Int32(SN_COST_QUADRATIC)
        case .crossEntropy: kind = Int32(SN_COST_CROSS_ENTROPY)
        case .logLikelihood: kind = Int32(SN_COST_LOG_LIKELIHOOD)
        }
        return sn_output_error(kind, rows, nOut, output, nOut, labels, delta, nOut)
    }

    /// out[r][j] = f(b[j] + Σₖ in[r][k]·w[j][k]) for j in j0 ..< j1 (j0 a multiple of 16); each
    /// element one fused-multiply-add chain over k in order. With `columns` (`nonzeroColumns` of
    /// these rows, fewer than nIn) the chains skip the inputs that are ±0 in every row: the same
    /// bits for finite weights (a ±0 term leaves a chain as it is), fewer multiply-adds.
    @inline(__always)
    func forward(
        rows: Int, nIn: Int, j0: Int, j1: Int, input: UnsafePointer<Float>, ldIn: Int,
        packed: UnsafePointer<Float>, biases: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, ldOut: Int, function f: Nonlinearity, columns: InputColumns? = nil
    ) {
        if let columns, columns.count < nIn {
            table.pointee.forward_cols(
                rows, nIn, j0, j1, input, ldIn, packed, biases, output, ldOut, Self.code(f), columns.list, columns.count)
        } else {
            table.pointee.forward(rows, nIn, j0, j1, input, ldIn, packed, biases, output, ldOut, Self.code(f))
        }
    }

    /// The columns k < n of the (rows, n) matrix `input` (leading dimension ld) that are not ±0
    /// in every row, ascending, into `list` (room for n): what `forward` and `sgdPacked` may skip.
    @inline(__always)
    static func nonzeroColumns(rows: Int, n: Int, _ input: UnsafePointer<Float>, ld: Int, into list: UnsafeMutablePointer<Int32>) -> Int {
        sn_nonzero_columns(rows, n, input, ld, list)
    }

    /// prev[r][k] = (Σⱼ δ[r][j]·w[j][k]) · f′(a[r][k]) for k in k0 ..< k1.
    @inline(__always)
    func backward(
        rows: Int, nIn: Int, nOut: Int, k0: Int, k1: Int, delta: UnsafePointer<Float>, ldDelta: Int,
        weights: UnsafePointer<Float>, activation: UnsafePointer<Float>, ldA: Int,
        previous: UnsafeMutablePointer<Float>, ldPrevious: Int, function f: Nonlinearity
    ) {
        table.pointee.backward(
            rows, nIn, nOut, k0, k1, delta, ldDelta, weights, activation, ldA, previous, ldPrevious,
            Self.code(f))
    }

    /// ∇w[j][k] = Σᵣ δ[r][j]·in[r][k], ∇b[j] = Σᵣ δ[r][j] for j in j0 ..< j1 (overwritten).
    @inline(__always)
    func gradient(
        rows: Int, nIn: Int, j0: Int, j1: Int, delta: UnsafePointer<Float>, ldDelta: Int,
        input: UnsafePointer<Float>, ldIn: Int, nablaW: UnsafeMutablePointer<Float>,
        nablaB: UnsafeMutablePointer<Float>
    ) {
        table.pointee.gradient(rows, nIn, j0, j1, delta, ldDelta, input, ldIn, nablaW, nablaB)
    }

    /// ∇w[j][k] ← ∇w[j][k] + Σᵣ δ[r][j]·in[r][k], ∇b[j] ← ∇b[j] + Σᵣ δ[r][j] for j in j0 ..< j1:
    /// the sum over these rows computed as `gradient` does, then added — so `gradient` on the
    /// first shard and this on the next ones, into one buffer, gives the bits of the shards'
    /// gradients summed in shard order.
    @inline(__always)
    func gradientAdd(
        rows: Int, nIn: Int, j0: Int, j1: Int, delta: UnsafePointer<Float>, ldDelta: Int,
        input: UnsafePointer<Float>, ldIn: Int, nablaW: UnsafeMutablePointer<Float>,
        nablaB: UnsafeMutablePointer<Float>
    ) {
        table.pointee.gradient_add(rows, nIn, j0, j1, delta, ldDelta, input, ldIn, nablaW, nablaB)
    }

    /// The update of θ[i] for i in offset ..< offset + count with g = g₀[i] + g₁[i] + … (the
    /// gradients summed in the order given; `UpdateRule` gives the formula). Each product
    /// rounded on its own (no fused multiply-add), so every instruction set gives the bits of
    /// the plain scalar formula.
    /// - velocity: (parameter count) indexed like `parameters`; read and written with momentum only.
    @inline(__always)
    func update(
        count: Int, parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<UnsafePointer<Float>?>,
        gradientCount: Int, offset: Int, rule: UpdateRule, velocity: UnsafeMutablePointer<Float>?
    ) {
        var u = sn_update(
            rate: rule.rate, decay: rule.decay, l2: rule.l2, l1: rule.l1, mu: rule.mu, nesterov: rule.nesterov ? 1 : 0)
        table.pointee.update(count, parameters, velocity, gradients, gradientCount, offset, &u)
    }

    /// The most mini-batch rows `sgdPacked` takes.
    static let sgdPackedMaxRows = Int(SN_SGD_PACKED_MAX_ROWS)

    /// Equation 5 and the plain update (no momentum) in one pass over units j0 ..< j1 (j0 a
    /// multiple of 16) of a layer whose weights live in `packed` during a run: per shard with
    /// rows, gₛ[j][k] = Σᵣ δ[r][j]·in[r][k] (rows bounds[s] ..< bounds[s + 1]); g = (g₀ + g₁) + …
    /// in shard order; w ← decay·w − rate·g (− l1·sgn w) in the panels, and b likewise from
    /// Σᵣ δ[r][j]. The bits of `gradient`, `gradientAdd`, `update` and `pack` in turn, without
    /// the gradient buffer or a pass over the row-major weights.
    /// - bounds: (shards + 1) the shards' first rows, bounds[0] = 0, bounds[shards] ≤ `sgdPackedMaxRows`
    /// - delta: (rows, ldDelta) δ of the layer's outputs; input: (rows, ldIn) its inputs
    @inline(__always)
    func sgdPacked(
        nIn: Int, j0: Int, j1: Int, bounds: UnsafePointer<Int>, shards: Int, delta: UnsafePointer<Float>, ldDelta: Int,
        input: UnsafePointer<Float>, ldIn: Int, packed: UnsafeMutablePointer<Float>, biases: UnsafeMutablePointer<Float>,
        rules: UpdateRules, columns: InputColumns? = nil
    ) {
        precondition(rules.weights.mu == 0 && rules.biases.mu == 0, "sgdPacked runs the plain update")
        precondition(bounds[0] == 0 && bounds[shards] <= Self.sgdPackedMaxRows, "sgdPacked takes at most sgdPackedMaxRows rows")
        var w = sn_update(rate: rules.weights.rate, decay: rules.weights.decay, l2: 0, l1: rules.weights.l1, mu: 0, nesterov: 0)
        var b = sn_update(rate: rules.biases.rate, decay: rules.biases.decay, l2: 0, l1: rules.biases.l1, mu: 0, nesterov: 0)
        if let columns, columns.count < nIn {
            // Skips the weights of inputs that are ±0 in every row (their gradient is +0 and the
            // plain update leaves them as they are); with decay or L1 the kernel updates them all.
            table.pointee.sgd_packed_cols(
                nIn, j0, j1, bounds, shards, delta, ldDelta, input, ldIn, packed, biases, &w, &b, columns.list, columns.count)
        } else {
            table.pointee.sgd_packed(nIn, j0, j1, bounds, shards, delta, ldDelta, input, ldIn, packed, biases, &w, &b)
        }
    }

    /// Rows j0 ..< j1 (j0 a multiple of 16) of w (nOut, nIn) from its packed panels: the
    /// inverse of `pack`.
    @inline(__always)
    func unpack(nIn: Int, nOut: Int, j0: Int, j1: Int, packed: UnsafePointer<Float>, weights: UnsafeMutablePointer<Float>) {
        table.pointee.unpack(nIn, nOut, j0, j1, packed, weights)
    }

    /// Writes the panels of units j0 ..< j1 (j0 a multiple of 16) of w (nOut, nIn) into `packed`.
    @inline(__always)
    func pack(nIn: Int, nOut: Int, j0: Int, j1: Int, weights: UnsafePointer<Float>, packed: UnsafeMutablePointer<Float>) {
        table.pointee.pack(nIn, nOut, j0, j1, weights, packed)
    }
}
