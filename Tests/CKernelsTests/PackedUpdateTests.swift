import CKernels
import Testing

/// sgd_packed (equation 5 and the plain update on weights kept in packed panels) must give the
/// bits of the separate kernels it replaces — gradient on the first shard with rows,
/// gradient_add on the next ones, update, pack — on every ISA; unpack must invert pack.
@Suite struct PackedUpdateTests {
    /// (nIn, nOut, shard cuts): 5-row shards of Nielsen's layer; a panel and a partial one with
    /// an empty shard; the most rows the kernel takes; fewer inputs than a tile; one row; no
    /// rows at all (g = 0: only the decay acts); 13 inputs, a tile and 6 (AVX-512's 7-input tiles
    /// of one panel); 16 inputs over two full panels, three tiles and 1 (its 5-input tiles of two
    /// panels; 784, 37 and 13 leave 4, 2 and 3, and 100 and 37 units end on a lone panel); two
    /// equal shards over two panels (AVX-512 runs their rows together: 784 → 30 in 5 + 5 rows,
    /// 784 → 100 in 64 + 64, and 37 → 32 in 6 + 6, a remainder of 2 after its tiles).
    static let cases: [(nIn: Int, nOut: Int, cuts: [Int])] = [
        (784, 30, [0, 5, 10]), (100, 37, [0, 3, 3, 7, 12]), (30, 10, [0, 100, 256]), (5, 33, [0, 1]),
        (37, 16, [0, 2, 4, 6, 9]), (784, 100, [0, 64, 128]), (30, 20, [0, 0, 0]), (13, 16, [0, 4, 9]),
        (16, 32, [0, 3, 7]), (37, 32, [0, 6, 12]),
    ]

    static let rules: [sn_update] = [
        sn_update(rate: 0.3, decay: 1, l2: 0, l1: 0, mu: 0, nesterov: 0),
        sn_update(rate: 0.03, decay: 0.9995, l2: 0, l1: 0, mu: 0, nesterov: 0),
        sn_update(rate: 0.05, decay: 0.999, l2: 0, l1: 1e-4, mu: 0, nesterov: 0),
    ]

    @Test func sgdPackedIsGradientUpdatePack() {
        flushingDenormals {
            for (name, k) in [(name: "scalar", table: scalarTable)] + vectorISAs {
                for (ci, c) in Self.cases.enumerated() {
                    let rows = c.cuts.last!
                    let p = Problem(rows: rows, nIn: c.nIn, nOut: c.nOut, act: 0, seed: UInt64(40 + ci))
                    let bias0 = p.bias
                    var bounds = c.cuts
                    for (ri, rule) in Self.rules.enumerated() {
                        for (j0, j1) in [(0, c.nOut), (min(16, c.nOut), c.nOut)] where j1 > j0 {
                            // The separate kernels (scalar reference), over units j0 ..< j1.
                            var nablaW = [Float](repeating: 0, count: c.nOut * c.nIn), nablaB = [Float](repeating: 0, count: c.nOut)
                            var first = true
                            for s in 0..<(c.cuts.count - 1) where c.cuts[s + 1] > c.cuts[s] {
                                let r0 = c.cuts[s], n = c.cuts[s + 1] - r0
                                let delta = Array(p.delta[(r0 * p.ldOut)...]), input = Array(p.input[(r0 * p.ldIn)...])
                                let f = (first ? scalarTable.pointee.gradient : scalarTable.pointee.gradient_add)!
                                f(n, c.nIn, j0, j1, delta, p.ldOut, input, p.ldIn, &nablaW, &nablaB)
                                first = false
                            }
                            var weights = p.weights, expectedB = bias0
                            var w = rule, b = sn_update(rate: rule.rate, decay: 1, l2: 0, l1: 0, mu: 0, nesterov: 0)
                            withPointers([nablaW]) { scalarTable.pointee.update((j1 - j0) * c.nIn, &weights, nil, $0, 1, j0 * c.nIn, &w) }
                            withPointers([nablaB]) { scalarTable.pointee.update(j1 - j0, &expectedB, nil, $0, 1, j0, &b) }
                            var expected = p.packed(scalarTable)
                            scalarTable.pointee.pack(c.nIn, c.nOut, j0, j1, weights, &expected)

                            var packed = p.packed(scalarTable), biases = bias0
                            k.pointee.sgd_packed(
                                c.nIn, j0, j1, &bounds, c.cuts.count - 1, p.delta, p.ldOut, p.input, p.ldIn, &packed, &biases, &w, &b)
                            let sameW = sameBits(packed, expected), sameB = sameBits(biases, expectedB)
                            #expect(
                                sameW,
                                "\(name) packed weights \(c.nIn)>\(c.nOut) cuts \(c.cuts) rule \(ri) j \(j0)..<\(j1): \(firstDifference(packed, expected))"
                            )
                            #expect(
                                sameB,
                                "\(name) biases \(c.nIn)>\(c.nOut) cuts \(c.cuts) rule \(ri) j \(j0)..<\(j1): \(firstDifference(biases, expectedB))")
                        }
                    }
                }
            }
        }
    }

    /// The update moves the weights (a kernel that skipped it would pass the comparison above
    /// only if the separate kernels were broken too): here the packed panels must change.
    @Test func sgdPackedChangesTheWeights() {
        let p = Problem(rows: 10, nIn: 784, nOut: 30, act: 0, seed: 5)
        var bounds = [0, 5, 10], packed = p.packed(scalarTable), biases = p.bias
        var w = Self.rules[0], b = Self.rules[0]
        sn_kernels_for(sn_isa_best())!.pointee.sgd_packed(784, 0, 30, &bounds, 2, p.delta, p.ldOut, p.input, p.ldIn, &packed, &biases, &w, &b)
        let before = p.packed(scalarTable)
        let changed = zip(packed, before).filter { $0.bitPattern != $1.bitPattern }.count
        #expect(changed > 784 * 30 / 2, "only \(changed) weights changed")
        #expect(biases != p.bias)
    }

    /// unpack(pack(W)) == W on every ISA, over all units and from the second panel on (rows
    /// outside the range untouched).
    @Test func unpackInvertsPack() {
        for (nIn, nOut) in [(7, 3), (30, 10), (784, 30), (5, 33), (100, 100), (17, 16)] {
            let p = Problem(rows: 1, nIn: nIn, nOut: nOut, act: 0, seed: 11)
            let packed = p.packed(scalarTable)
            for (name, k) in [(name: "scalar", table: scalarTable)] + vectorISAs {
                for (j0, j1) in [(0, nOut), (16, nOut)] where j1 > j0 {
                    var weights = [Float](repeating: 7, count: nOut * nIn)
                    k.pointee.unpack(nIn, nOut, j0, j1, packed, &weights)
                    var expected = [Float](repeating: 7, count: nOut * nIn)
                    for i in (j0 * nIn)..<(j1 * nIn) { expected[i] = p.weights[i] }
                    let same = sameBits(weights, expected)
                    #expect(same, "\(name) unpack \(nIn)>\(nOut) j \(j0)..<\(j1): \(firstDifference(weights, expected))")
                }
            }
        }
    }
}
