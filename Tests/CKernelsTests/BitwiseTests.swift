import CKernels
import Testing

/// Every vector ISA must give exactly the scalar reference's bits: trained weights must not
/// depend on the machine a run happens on.
@Suite struct BitwiseTests {
    /// Rows 200 and 400 cross the kernels' 192-row cache chunks; 512 and 300 units (with 24 rows
    /// or more) run backward in unit slabs, 300 with a partial last slab; 512 inputs (a
    /// power-of-two row stride) run the gradient from a copied input slab, 400 rows past its size.
    /// One panel (20→16; 784→30 from unit 16) runs forward in 12-row blocks on AVX-512 (`FWD_RB1`):
    /// 11, 12, 13 and 25 rows are a block short, exact, one over and two blocks plus one. Two
    /// panels (784→30) run in 10-row blocks (`FWD_RB2`: 10, 11 and 21 rows), three in 8-row
    /// blocks; 100 and 300 units end in two groups of two panels (3 + 2 + 2), 512 in one.
    static let shapes: [(nIn: Int, nOut: Int, rows: [Int])] = [
        (784, 30, [0, 1, 3, 5, 10, 11, 21, 64, 128]), (30, 10, [1, 3, 5, 10, 64, 128]), (7, 3, [0, 1, 3, 5, 10]),
        (100, 100, [1, 5, 64, 128]), (33, 17, [1, 3, 7, 13]), (512, 512, [5, 64, 128, 400]), (64, 16, [200, 400]), (1, 40, [2, 11]),
        (40, 300, [23, 24, 200]), (20, 16, [11, 12, 13, 25]),
    ]

    /// Runs `body(isa name, its table, shape, rows, seed)` for every vector ISA, shape and row
    /// count (and `extraRows`), with denormals flushed; the seed is `seedBase · shape index +
    /// rows`, so each case draws its own problem.
    static func forEachCase(
        seedBase: Int, extraRows: [Int] = [],
        _ body: (String, UnsafePointer<sn_kernels>, (nIn: Int, nOut: Int), Int, UInt64) -> Void
    ) {
        flushingDenormals {
            for (name, k) in vectorISAs {
                for (i, shape) in shapes.enumerated() {
                    for rows in shape.rows + extraRows {
                        body(name, k, (shape.nIn, shape.nOut), rows, UInt64(seedBase * i + rows))
                    }
                }
            }
        }
    }

    /// forward over all units and a sub-range starting at a panel boundary, every activation,
    /// ld > width: equal bits, sentinels outside the range untouched.
    @Test func forwardMatchesScalar() {
        #expect(!vectorISAs.isEmpty, "no vector ISA on this machine: nothing compared")
        Self.forEachCase(seedBase: 100) { name, k, shape, rows, seed in
            for act in activations {
                let p = Problem(rows: rows, nIn: shape.nIn, nOut: shape.nOut, act: act, seed: seed)
                var ranges = [(0, shape.nOut)]
                if shape.nOut > 16 { ranges.append((16, shape.nOut - 1)) }
                if shape.nOut > 33 { ranges.append((32, 33)) }
                for (j0, j1) in ranges {
                    let a = p.forward(k, j0: j0, j1: j1, act: act), b = p.forward(scalarTable, j0: j0, j1: j1, act: act)
                    let same = sameBits(a, b)
                    #expect(same, "\(name) forward \(shape.nIn)>\(shape.nOut) rows \(rows) act \(act) j \(j0)..<\(j1): \(firstDifference(a, b))")
                }
            }
        }
    }

    /// backward over all inputs and a sub-range not aligned to a vector, every activation.
    @Test func backwardMatchesScalar() {
        Self.forEachCase(seedBase: 200) { name, k, shape, rows, seed in
            for act in activations {
                let p = Problem(rows: rows, nIn: shape.nIn, nOut: shape.nOut, act: act, seed: seed)
                for (k0, k1) in [(0, shape.nIn), (shape.nIn / 3, shape.nIn - shape.nIn / 5)] {
                    let a = p.backward(k, k0: k0, k1: k1, act: act), b = p.backward(scalarTable, k0: k0, k1: k1, act: act)
                    let same = sameBits(a, b)
                    #expect(same, "\(name) backward \(shape.nIn)>\(shape.nOut) rows \(rows) act \(act) k \(k0)..<\(k1): \(firstDifference(a, b))")
                }
            }
        }
    }

    /// scale_bytes: every ISA (and the load-time choice, sn_scale_bytes) gives Float(v) / 255 —
    /// the bits of one correctly rounded division — for all 256 byte values, at lengths off the
    /// vector width and from an unaligned start.
    @Test func scaleBytesIsOneDivision() {
        let bytes = (0..<777).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let expected = bytes.map { Float($0) / 255 }
        for (name, k) in [(name: "scalar", table: scalarTable)] + vectorISAs {
            for (start, n) in [(0, 777), (1, 256), (3, 13), (0, 7), (5, 0)] {
                var out = [Float](repeating: 7, count: n + 1)
                bytes.withUnsafeBufferPointer { k.pointee.scale_bytes!($0.baseAddress! + start, n, &out) }
                let same = sameBits(Array(out[0..<n]), Array(expected[start..<(start + n)])) && out[n] == 7
                #expect(same, "\(name) scale_bytes from \(start), \(n) bytes")
            }
        }
        var out = [Float](repeating: 7, count: 777)
        sn_scale_bytes(bytes, 777, &out)
        #expect(sameBits(out, expected), "sn_scale_bytes")
    }

    /// gradient_add: `gradient` on the first shard's rows and `gradient_add` on the next ones,
    /// into one buffer, gives the bits of each shard's gradient (scalar reference) summed
    /// elementwise in shard order — on every ISA, for shards of a few rows and of more rows than
    /// a cache chunk (192), over all units and a sub-range.
    @Test func gradientAddSumsShardsInOrder() {
        flushingDenormals {
            for (name, k) in [(name: "scalar", table: scalarTable)] + vectorISAs {
                for (nIn, nOut, cuts) in [(784, 30, [0, 5, 10]), (100, 37, [0, 3, 7, 12]), (30, 10, [0, 200, 450, 451])] {
                    let rows = cuts.last!
                    let p = Problem(rows: rows, nIn: nIn, nOut: nOut, act: 0, seed: UInt64(nIn + rows))
                    for (j0, j1) in [(0, nOut), (min(16, nOut), nOut)] {
                        var w = [Float](repeating: 7, count: nOut * nIn), b = [Float](repeating: 7, count: nOut)
                        var expectedW = w, expectedB = b
                        for s in 0..<(cuts.count - 1) {
                            let r0 = cuts[s], n = cuts[s + 1] - cuts[s]
                            let delta = Array(p.delta[(r0 * p.ldOut)...]), input = Array(p.input[(r0 * p.ldIn)...])
                            var sw = [Float](repeating: 0, count: nOut * nIn), sb = [Float](repeating: 0, count: nOut)
                            scalarTable.pointee.gradient(n, nIn, j0, j1, delta, p.ldOut, input, p.ldIn, &sw, &sb)
                            for j in j0..<j1 {
                                for i in 0..<nIn { expectedW[j * nIn + i] = s == 0 ? sw[j * nIn + i] : expectedW[j * nIn + i] + sw[j * nIn + i] }
                                expectedB[j] = s == 0 ? sb[j] : expectedB[j] + sb[j]
                            }
                            let f = (s == 0 ? k.pointee.gradient : k.pointee.gradient_add)!
                            f(n, nIn, j0, j1, delta, p.ldOut, input, p.ldIn, &w, &b)
                        }
                        let sameW = sameBits(w, expectedW), sameB = sameBits(b, expectedB)
                        #expect(sameW, "\(name) summed nablaW \(nIn)>\(nOut) cuts \(cuts) j \(j0)..<\(j1): \(firstDifference(w, expectedW))")
                        #expect(sameB, "\(name) summed nablaB \(nIn)>\(nOut) cuts \(cuts): \(firstDifference(b, expectedB))")
                    }
                }
            }
        }
    }

    /// gradient over all units and a sub-range; rows = 0 writes zeros.
    @Test func gradientMatchesScalar() {
        Self.forEachCase(seedBase: 300, extraRows: [0]) { name, k, shape, rows, seed in
            let p = Problem(rows: rows, nIn: shape.nIn, nOut: shape.nOut, act: 0, seed: seed)
            for (j0, j1) in [(0, shape.nOut), (shape.nOut / 2, shape.nOut)] {
                let a = p.gradient(k, j0: j0, j1: j1), b = p.gradient(scalarTable, j0: j0, j1: j1)
                let sameW = sameBits(a.w, b.w), sameB = sameBits(a.b, b.b)
                #expect(sameW, "\(name) nablaW \(shape.nIn)>\(shape.nOut) rows \(rows): \(firstDifference(a.w, b.w))")
                #expect(sameB, "\(name) nablaB \(shape.nIn)>\(shape.nOut) rows \(rows): \(firstDifference(a.b, b.b))")
                if rows == 0 {
                    let units = (j0 * shape.nIn)..<(j1 * shape.nIn)
                    #expect(a.w[units].allSatisfy { $0 == 0 } && a.b[j0..<j1].allSatisfy { $0 == 0 }, "\(name) rows 0 must write zeros")
                }
            }
        }
    }

    /// pack: the layout is the documented one (checked element by element) and every ISA's
    /// table packs identically, also for a sub-range of panels.
    @Test func packLayout() {
        for (nIn, nOut) in [(7, 3), (30, 10), (784, 30), (5, 33), (100, 100)] {
            let p = Problem(rows: 1, nIn: nIn, nOut: nOut, act: 0, seed: 9)
            let packed = p.packed(scalarTable)
            #expect(packed.count == (nOut + 15) / 16 * nIn * 16)
            var ok = true
            for panel in 0..<(nOut + 15) / 16 {
                for k in 0..<nIn {
                    for u in 0..<16 {
                        let j = panel * 16 + u
                        let expected: Float = j < nOut ? p.weights[j * nIn + k] : 0
                        if packed[panel * nIn * 16 + k * 16 + u].bitPattern != expected.bitPattern { ok = false }
                    }
                }
            }
            #expect(ok, "pack layout \(nIn)>\(nOut)")
            for (name, k) in vectorISAs {
                let samePanels = sameBits(p.packed(k), packed)
                #expect(samePanels, "\(name) pack \(nIn)>\(nOut)")
                if nOut > 16 {
                    var part = [Float](repeating: 7, count: packed.count)
                    k.pointee.pack(nIn, nOut, 16, nOut, p.weights, &part)
                    let sameTail = sameBits(Array(part[(nIn * 16)...]), Array(packed[(nIn * 16)...])) && part[0] == 7
                    #expect(
                        sameTail,
                        "\(name) pack of panels 1... only")
                }
            }
        }
    }

    /// update: every rule, 1–3 shard gradients, offsets and counts off the vector width.
    @Test func updateMatchesScalar() {
        let rules: [sn_update] = [
            sn_update(rate: 0.01, decay: 1, l2: 0, l1: 0, mu: 0, nesterov: 0),
            sn_update(rate: 0.03, decay: 0.9995, l2: 0, l1: 0, mu: 0, nesterov: 0),
            sn_update(rate: 0.03, decay: 0.999, l2: 0, l1: 1e-4, mu: 0, nesterov: 0),
            sn_update(rate: 0.02, decay: 1, l2: 1e-3, l1: 0, mu: 0.9, nesterov: 0),
            sn_update(rate: 0.02, decay: 1, l2: 1e-3, l1: 2e-4, mu: 0.9, nesterov: 1),
        ]
        flushingDenormals {
            for (name, k) in vectorISAs {
                for (ri, rule) in rules.enumerated() {
                    for nGrads in 1...3 {
                        for (offset, count) in [(0, 64), (5, 100), (3, 7), (0, 0), (17, 1000)] {
                            var g = SplitMix(seed: UInt64(ri * 10 + nGrads))
                            let n = offset + count + 3
                            var p0 = g.floats(n, -1, 1); p0[offset] = 0
                            let v0 = g.floats(n, -0.1, 0.1)
                            let grads = (0..<nGrads).map { _ in g.floats(n, -1, 1) }
                            func run(_ t: UnsafePointer<sn_kernels>) -> ([Float], [Float]) {
                                var p = p0, v = v0
                                withPointers(grads) { ptrs in
                                    var r = rule
                                    t.pointee.update(count, &p, &v, ptrs, nGrads, offset, &r)
                                }
                                return (p, v)
                            }
                            let a = run(k), b = run(scalarTable)
                            let same = sameBits(a.0, b.0) && sameBits(a.1, b.1)
                            #expect(
                                same,
                                "\(name) update rule \(ri) grads \(nGrads) offset \(offset) count \(count): \(firstDifference(a.0, b.0))")
                        }
                    }
                }
            }
        }
    }

    /// The AVX2 table is exercised on this AVX-512 machine too (it has AVX2), not only the best ISA.
    @Test func avx2PathIsTestedOnAVX512Machines() {
        if sn_isa_supported(isa(SN_ISA_AVX512)) != 0 {
            #expect(sn_isa_supported(isa(SN_ISA_AVX2)) != 0)
            #expect(vectorISAs.map(\.name).contains("avx2"))
            #expect(vectorISAs.map(\.name).contains("avx512"))
            #expect(sn_isa_best() == isa(SN_ISA_AVX512))
        }
        for (name, k) in vectorISAs { #expect(String(cString: k.pointee.name) == name) }
    }
}

/// Calls body with an array of pointers to each array's storage.
func withPointers<R>(_ arrays: [[Float]], _ body: (UnsafePointer<UnsafePointer<Float>?>) -> R) -> R {
    var pointers: [UnsafePointer<Float>?] = []
    func recurse(_ i: Int) -> R {
        if i == arrays.count { return pointers.withUnsafeBufferPointer { body($0.baseAddress!) } }
        return arrays[i].withUnsafeBufferPointer { buf in
            pointers.append(buf.baseAddress!)
            return recurse(i + 1)
        }
    }
    return recurse(0)
}
