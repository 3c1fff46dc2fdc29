import CCPU
import CKernels
import Foundation
import Testing

/// The output error and cost of each kind on a tiny hand-computed example, and the update
/// rules against a hand-written double reference.
@Suite struct OutputAndUpdateTests {
    static let a: [Float] = [0.2, 0.7, 0.1, 0.5, 0.25, 0.75]
    static let labels: [Int32] = [1, 2]

    func run(_ kind: Int, _ out: inout [Float]) -> (cost: Double, delta: [Float]) {
        var delta = [Float](repeating: 9, count: 6)
        let c = sn_output_error(Int32(kind), 2, 3, &out, 3, Self.labels, &delta, 3)
        return (c, delta)
    }

    /// Quadratic: δ = ((a − y)·a)·(1 − a), cost ½Σ(a − y)².
    @Test func quadratic() {
        var out = Self.a
        let (c, d) = run(SN_COST_QUADRATIC, &out)
        let expected: [Double] = [0.032, -0.063, 0.009, 0.125, 0.046875, -0.046875]
        for i in 0..<6 { #expect(abs(Double(d[i]) - expected[i]) <= 1e-7, "δ[\(i)] = \(d[i])") }
        #expect(abs(c - 0.2575) <= 1e-7, "cost \(c)")
        #expect(out == Self.a, "activations untouched")
    }

    /// The quadratic δ is rounded as ((a − y)·a)·(1 − a), the order every trained model's bits
    /// rest on (`scripts/weights-digest`): bit for bit against that Float expression on 4,096
    /// activations, where (a − y)·(a·(1 − a)) differs in some.
    @Test func quadraticRoundingOrder() {
        var rng = SplitMix(seed: 7)
        let rows = 512, n = 8
        var a = [Float](repeating: 0, count: rows * n)
        for i in a.indices { a[i] = rng.uniform(0, 1) }
        let labels = (0..<rows).map { Int32($0 % n) }
        var delta = [Float](repeating: 9, count: rows * n)
        _ = sn_output_error(Int32(SN_COST_QUADRATIC), rows, n, a, n, labels, &delta, n)
        var otherOrder = 0
        for r in 0..<rows {
            for j in 0..<n {
                let x = a[r * n + j], y: Float = j == Int(labels[r]) ? 1 : 0
                let expected = ((x - y) * x) * (1 - x)
                #expect(delta[r * n + j].bitPattern == expected.bitPattern, "δ[\(r)][\(j)] = \(delta[r * n + j]) vs \(expected)")
                if ((x - y) * (x * (1 - x))).bitPattern != expected.bitPattern { otherOrder += 1 }
            }
        }
        #expect(otherOrder > 0, "the sample cannot tell the two orders apart")
    }

    /// A NaN activation gives a NaN cost (a diverged run says so), not the clamp's ln(FLT_TRUE_MIN).
    @Test func nanCostStaysNaN() {
        for kind in [SN_COST_QUADRATIC, SN_COST_CROSS_ENTROPY, SN_COST_LOG_LIKELIHOOD] {
            var delta: [Float] = [9, 9]
            let c = sn_output_error(Int32(kind), 1, 2, [Float.nan, 0.5], 2, [0], &delta, 2)
            #expect(c.isNaN, "kind \(kind): cost \(c)")
        }
    }

    /// Cross-entropy: δ = a − y, cost −Σ ln(y ? a : 1 − a); ln 0 clamped at ln(FLT_TRUE_MIN).
    @Test func crossEntropy() {
        var out = Self.a
        let (c, d) = run(SN_COST_CROSS_ENTROPY, &out)
        let expected: [Double] = [0.2, -0.3, 0.1, 0.5, 0.25, -0.25]
        for i in 0..<6 { #expect(abs(Double(d[i]) - expected[i]) <= 1e-7, "δ[\(i)] = \(d[i])") }
        let cost = -(log(0.8) + log(0.7) + log(0.9) + log(0.5) + log(0.75) + log(0.75))
        #expect(abs(c - cost) <= 1e-6, "cost \(c) vs \(cost)")

        var saturated: [Float] = [1, 0]
        var delta: [Float] = [9, 9]
        let s = sn_output_error(Int32(SN_COST_CROSS_ENTROPY), 1, 2, &saturated, 2, [1], &delta, 2)
        let clamp = -log(Double(Float.leastNonzeroMagnitude))
        #expect(abs(s - 2 * clamp) <= 1e-9, "saturated cost \(s), expected \(2 * clamp)")
        #expect(delta == [1, -1])
    }

    /// Log-likelihood after the softmax of z: δ = a − y; cost −ln a_label.
    @Test func logLikelihood() {
        var out: [Float] = [1, 2, 3, 0, 0, 0]
        var delta = [Float](repeating: 9, count: 6)
        sn_softmax_rows(2, 3, &out, 3)
        let c = sn_output_error(Int32(SN_COST_LOG_LIKELIHOOD), 2, 3, &out, 3, [0, 2], &delta, 3)
        let e = [exp(-2.0), exp(-1.0), 1.0], s = e.reduce(0, +)
        let soft = e.map { $0 / s } + [1.0 / 3, 1.0 / 3, 1.0 / 3]
        for i in 0..<6 { #expect(abs(Double(out[i]) - soft[i]) <= 3e-7, "a[\(i)] = \(out[i]) vs \(soft[i])") }
        let y: [Double] = [1, 0, 0, 0, 0, 1]
        for i in 0..<6 { #expect(abs(Double(delta[i]) - (soft[i] - y[i])) <= 3e-7, "δ[\(i)]") }
        let cost = -log(soft[0]) - log(1.0 / 3)
        #expect(abs(c - cost) <= 1e-6, "cost \(c) vs \(cost)")
        #expect(abs(cost - (2.40760596 + 1.09861229)) <= 1e-7)
    }

    /// Double reference of the documented update rules.
    static func reference(_ p: Double, _ v: Double, _ g: Double, _ r: sn_update) -> (p: Double, v: Double) {
        let sgn: Double = p > 0 ? 1 : (p < 0 ? -1 : 0)
        if r.mu == 0 { return (Double(r.decay) * p - Double(r.rate) * g - Double(r.l1) * sgn, v) }
        let q = Double(r.rate) * g + Double(r.l2) * p + Double(r.l1) * sgn
        let nv = Double(r.mu) * v - q
        return (r.nesterov != 0 ? p + Double(r.mu) * nv - q : p + nv, nv)
    }

    /// plain / decay / L1 / momentum (+L2) / Nesterov (+L1) on every table, against the double reference.
    @Test func updateRulesMatchDoubleReference() {
        let rules: [(String, sn_update)] = [
            ("plain", sn_update(rate: 0.05, decay: 1, l2: 0, l1: 0, mu: 0, nesterov: 0)),
            ("decay", sn_update(rate: 0.05, decay: 0.999, l2: 0, l1: 0, mu: 0, nesterov: 0)),
            ("L1", sn_update(rate: 0.05, decay: 1, l2: 0, l1: 1e-3, mu: 0, nesterov: 0)),
            ("momentum", sn_update(rate: 0.05, decay: 1, l2: 0, l1: 0, mu: 0.9, nesterov: 0)),
            ("momentum+L2", sn_update(rate: 0.05, decay: 1, l2: 1e-3, l1: 0, mu: 0.9, nesterov: 0)),
            ("Nesterov", sn_update(rate: 0.05, decay: 1, l2: 0, l1: 0, mu: 0.9, nesterov: 1)),
            ("Nesterov+L1", sn_update(rate: 0.05, decay: 1, l2: 0, l1: 1e-3, mu: 0.9, nesterov: 1)),
        ]
        var g = SplitMix(seed: 17)
        let n = 77
        var p0 = g.floats(n, -1, 1); p0[3] = 0
        let v0 = g.floats(n, -0.2, 0.2)
        let grads = [g.floats(n, -1, 1), g.floats(n, -1, 1)]
        for (name, rule) in rules {
            for (isaName, k) in [("scalar", scalarTable)] + vectorISAs {
                var p = p0, v = v0, r = rule
                withPointers(grads) { k.pointee.update(n, &p, &v, $0, 2, 0, &r) }
                for i in 0..<n {
                    let gs = Double(grads[0][i] + grads[1][i])
                    let (ep, ev) = Self.reference(Double(p0[i]), Double(v0[i]), gs, rule)
                    #expect(abs(Double(p[i]) - ep) <= 4e-7 * (abs(ep) + 0.1), "\(isaName) \(name) p[\(i)]")
                    if rule.mu != 0 {
                        #expect(abs(Double(v[i]) - ev) <= 4e-7 * (abs(ev) + 0.1), "\(isaName) \(name) v[\(i)]")
                    } else {
                        #expect(v[i] == v0[i], "\(isaName) \(name): velocity untouched when mu = 0")
                    }
                }
            }
        }
    }

    /// mu = 0 reproduces today's Swift reducer `decay * p - rate * (g0 + g1 + …)` bit for bit.
    @Test func plainUpdateBitExactWithSwiftReducer() {
        var g = SplitMix(seed: 23)
        let n = 1000
        let p0 = g.floats(n, -1, 1)
        for nGrads in 1...3 {
            let grads = (0..<nGrads).map { _ in g.floats(n, -0.5, 0.5) }
            let rate: Float = 0.3 / 10, decay: Float = 1 - 0.3 * (5.0 / 50000)
            var expected = p0
            for i in 0..<n {
                var s = grads[0][i]
                for j in 1..<nGrads { s += grads[j][i] }
                expected[i] = decay * p0[i] - rate * s
            }
            for (name, k) in [("scalar", scalarTable)] + vectorISAs {
                var p = p0, v = [Float](repeating: 0, count: n)
                var r = sn_update(rate: rate, decay: decay, l2: 0, l1: 0, mu: 0, nesterov: 0)
                withPointers(grads) { k.pointee.update(n, &p, &v, $0, nGrads, 0, &r) }
                let same = sameBits(p, expected)
                #expect(same, "\(name) grads \(nGrads): \(firstDifference(p, expected))")
            }
        }
    }
}

/// The CPU facts the dispatch relies on (CCPU) and the CPU helpers the workers use.
@Suite struct CPUTests {
    /// Brand and features are reported; the best ISA is supported and has a table; the ISAs
    /// the kernels report agree with CCPU's feature bits.
    @Test func identification() {
        var buf = [CChar](repeating: 0, count: 128)
        shardnet_cpu_brand(&buf, buf.count)
        let brand = buf.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        let features = shardnet_cpu_features()
        print("CPU: \(brand); features: \(features); best: \(String(cString: sn_isa_name(sn_isa_best())))")
        #expect(!brand.isEmpty)
        #expect(sn_isa_supported(sn_isa_best()) != 0 && sn_kernels_for(sn_isa_best()) != nil)
        #expect(sn_kernels_for(Int32(SN_ISA_SCALAR)) != nil && sn_kernels_for(99) == nil)
        #expect((features & SHARDNET_CPU_AVX2_FMA != 0) == (sn_isa_supported(Int32(SN_ISA_AVX2)) != 0))
        #expect((features & SHARDNET_CPU_AVX512F != 0) == (sn_isa_supported(Int32(SN_ISA_AVX512)) != 0))
        var tiny = [CChar](repeating: 0x41, count: 4)
        shardnet_cpu_brand(&tiny, 4)
        #expect(tiny[3] == 0, "truncated brand is NUL-terminated")
    }

    /// Flushing makes denormal results zero; restore brings gradual underflow back. The product
    /// is computed inside a kernel (an opaque C call) because the Swift optimizer may move plain
    /// float arithmetic across the calls that change the control word.
    @Test func denormalFlushAndRestore() {
        let w: [Float] = [0.5] + [Float](repeating: 0, count: 15), b: [Float] = [0]
        let x: [Float] = [Float.leastNormalMagnitude]
        func halve() -> Float {
            var out: [Float] = [7]
            scalarTable.pointee.forward(1, 1, 0, 1, x, 1, w, b, &out, 1, Int32(SN_ACT_IDENTITY))
            return out[0]
        }
        let saved = shardnet_cpu_flush_denormals()
        let flushed = halve()
        shardnet_cpu_restore_fp(saved)
        let gradual = halve()
        #expect(flushed == 0)
        #expect(gradual != 0 && gradual.isSubnormal)
        shardnet_cpu_relax()
    }
}
