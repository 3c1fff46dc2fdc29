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

    private static let sigmoid = Int32(SN_ACT_SIGMOID)

    /// out[r][j] = σ(b[j] + Σₖ in[r][k]·w[j][k]) for j in j0 ..< j1 (j0 a multiple of 16); each
    /// element one fused-multiply-add chain over k in order.
    @inline(__always)
    func forward(
        rows: Int, nIn: Int, j0: Int, j1: Int, input: UnsafePointer<Float>, ldIn: Int,
        packed: UnsafePointer<Float>, biases: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, ldOut: Int
    ) {
        table.pointee.forward(rows, nIn, j0, j1, input, ldIn, packed, biases, output, ldOut, Self.sigmoid)
    }

    /// prev[r][k] = (Σⱼ δ[r][j]·w[j][k]) · a(1 − a) for k in k0 ..< k1.
    @inline(__always)
    func backward(
        rows: Int, nIn: Int, nOut: Int, k0: Int, k1: Int, delta: UnsafePointer<Float>, ldDelta: Int,
        weights: UnsafePointer<Float>, activation: UnsafePointer<Float>, ldA: Int,
        previous: UnsafeMutablePointer<Float>, ldPrevious: Int
    ) {
        table.pointee.backward(
            rows, nIn, nOut, k0, k1, delta, ldDelta, weights, activation, ldA, previous, ldPrevious,
            Self.sigmoid)
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

    /// θ[i] ← decay·θ[i] − rate·(g₀[i] + g₁[i] + …) for i in offset ..< offset + count, the
    /// gradients summed in the order given; each product rounded on its own (no fused
    /// multiply-add), so every instruction set gives the bits of the plain scalar formula.
    @inline(__always)
    func update(
        count: Int, parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<UnsafePointer<Float>?>,
        gradientCount: Int, offset: Int, rate: Float, decay: Float
    ) {
        var u = sn_update(rate: rate, decay: decay, l2: 0, l1: 0, mu: 0, nesterov: 0)
        table.pointee.update(count, parameters, nil, gradients, gradientCount, offset, &u)
    }

    /// Writes the panels of units j0 ..< j1 (j0 a multiple of 16) of w (nOut, nIn) into `packed`.
    @inline(__always)
    func pack(nIn: Int, nOut: Int, j0: Int, j1: Int, weights: UnsafePointer<Float>, packed: UnsafeMutablePointer<Float>) {
        table.pointee.pack(nIn, nOut, j0, j1, weights, packed)
    }
}
