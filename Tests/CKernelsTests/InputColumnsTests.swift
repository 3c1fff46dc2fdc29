import CKernels
import Testing

/// forward_cols and sgd_packed_cols run their chains over a list of input columns only. Their
/// contract, on every ISA and the scalar reference: with a list L, forward_cols gives the bits
/// of the dense forward on the inputs with every column outside L zeroed, and so does
/// sgd_packed_cols under a plain update (decay 1, no L1) — the list is honoured, and dropping
/// ±0 terms changes no bit; with decay or L1 it ignores the list (every weight changes) and
/// gives dense sgd_packed's bits. sn_nonzero_columns lists exactly the columns that hold a value
/// other than ±0 in some row, which is what makes the zeroing the identity in training.
@Suite struct InputColumnsTests {
    /// The kept columns of an nIn-wide input: none of the first 3, one in three after that, all
    /// of the last 2 but one, and (when `empty`) none at all.
    static func list(nIn: Int, empty: Bool) -> [Int32] {
        empty ? [] : (0..<nIn).filter { $0 >= 3 && ($0 % 3 != 0 || $0 == nIn - 2) && $0 != nIn - 1 }.map(Int32.init)
    }

    /// `p.input` with every column outside `kept` set to +0 in even rows and −0 in odd ones.
    static func zeroed(_ p: Problem, keeping kept: [Int32]) -> [Float] {
        let keep = Set(kept.map(Int.init))
        var x = p.input
        for r in 0..<p.rows {
            for k in 0..<p.nIn where !keep.contains(k) { x[r * p.ldIn + k] = r % 2 == 0 ? 0 : -0.0 }
        }
        return x
    }

    @Test func forwardColsIsDenseForwardOnZeroedInputs() {
        flushingDenormals {
            for (name, k) in [(name: "scalar", table: scalarTable)] + vectorISAs {
                for (i, shape) in BitwiseTests.shapes.enumerated() {
                    for rows in shape.rows where rows > 0 {
                        for act in activations {
                            var p = Problem(rows: rows, nIn: shape.nIn, nOut: shape.nOut, act: act, seed: UInt64(700 * i + rows))
                            let cols = Self.list(nIn: shape.nIn, empty: rows == 3)
                            let input = p.input
                            p.input = Self.zeroed(p, keeping: cols)
                            let packed = p.packed(scalarTable)
                            for (j0, j1) in [(0, shape.nOut), (16, shape.nOut)] where j1 > j0 {
                                let expected = p.forward(scalarTable, j0: j0, j1: j1, act: act)
                                var out = [Float](repeating: 7, count: rows * p.ldOut)
                                k.pointee.forward_cols(rows, p.nIn, j0, j1, input, p.ldIn, packed, p.bias, &out, p.ldOut, act, cols, cols.count)
                                let same = sameBits(out, expected)
                                #expect(
                                    same,
                                    "\(name) forward_cols \(shape.nIn)>\(shape.nOut) rows \(rows) act \(act) j \(j0)..<\(j1) \(cols.count) columns: \(firstDifference(out, expected))"
                                )
                            }
                        }
                    }
                }
            }
        }
    }

    @Test func sgdPackedColsIsDenseSgdPackedOnZeroedInputs() {
        flushingDenormals {
            for (name, k) in [(name: "scalar", table: scalarTable)] + vectorISAs {
                for (ci, c) in PackedUpdateTests.cases.enumerated() {
                    var p = Problem(rows: c.cuts.last!, nIn: c.nIn, nOut: c.nOut, act: 0, seed: UInt64(90 + ci))
                    let cols = Self.list(nIn: c.nIn, empty: ci == 3)
                    let input = p.input, zeroedInput = Self.zeroed(p, keeping: cols)
                    var bounds = c.cuts
                    for (ri, rule) in PackedUpdateTests.rules.enumerated() {
                        let plain = rule.decay == 1 && rule.l1 == 0
                        // Plain: the dense kernel on the zeroed inputs; else the list is ignored.
                        p.input = plain ? zeroedInput : input
                        for (j0, j1) in [(0, c.nOut), (min(16, c.nOut), c.nOut)] where j1 > j0 {
                            var w = rule, b = sn_update(rate: rule.rate, decay: 1, l2: 0, l1: 0, mu: 0, nesterov: 0)
                            var expected = p.packed(scalarTable), expectedB = p.bias
                            scalarTable.pointee.sgd_packed(
                                c.nIn, j0, j1, &bounds, c.cuts.count - 1, p.delta, p.ldOut, p.input, p.ldIn, &expected, &expectedB, &w, &b)
                            var packed = p.packed(scalarTable), biases = p.bias
                            k.pointee.sgd_packed_cols(
                                c.nIn, j0, j1, &bounds, c.cuts.count - 1, p.delta, p.ldOut, input, p.ldIn, &packed, &biases, &w, &b,
                                cols, cols.count)
                            let sameW = sameBits(packed, expected), sameB = sameBits(biases, expectedB)
                            let what = "\(name) sgd_packed_cols \(c.nIn)>\(c.nOut) cuts \(c.cuts) rule \(ri) j \(j0)..<\(j1) \(cols.count) columns"
                            #expect(sameW, "\(what): \(firstDifference(packed, expected))")
                            #expect(sameB, "\(what) biases: \(firstDifference(biases, expectedB))")
                        }
                    }
                }
            }
        }
    }

    /// The list of a matrix whose columns are nonzero in no row, in one row only (each row in
    /// turn), −0 throughout, NaN in one row, or random: exactly the columns with a value other
    /// than ±0 in some row, ascending, from every table's lister and the load-time choice;
    /// widths off the vector lengths (7, 30, 100) leave remainders to the portable loop.
    @Test func nonzeroColumnsListsExactly() {
        for (rows, n, ld) in [(10, 784, 784), (5, 30, 33), (1, 7, 7), (0, 12, 12), (13, 100, 101)] {
            var g = SplitMix(seed: UInt64(rows * 1000 + n))
            var x = [Float](repeating: 0, count: max(rows, 1) * ld)
            for r in 0..<rows {
                for k in 0..<n {
                    switch k % 5 {
                    case 0: x[r * ld + k] = 0
                    case 1: x[r * ld + k] = r == (k / 5) % rows ? g.uniform(0.1, 1) : 0
                    case 2: x[r * ld + k] = -0.0
                    case 3: x[r * ld + k] = r == rows - 1 && k % 2 == 1 ? .nan : 0
                    default: x[r * ld + k] = g.uniform(-1, 1)
                    }
                }
                for k in n..<ld { x[r * ld + k] = 1 }  // beyond the width: never listed
            }
            let expected = (0..<n).filter { k in (0..<rows).contains { x[$0 * ld + k] != 0 || x[$0 * ld + k].isNaN } }.map(Int32.init)
            #expect(rows == 0 ? expected.isEmpty : !expected.isEmpty && expected.count < n)
            let listers =
                [(name: "sn_nonzero_columns", f: sn_nonzero_columns)]
                + ([(name: "scalar", table: scalarTable)] + vectorISAs).map { ($0.name, $0.table.pointee.nonzero_columns!) }
            for (name, f) in listers {
                var cols = [Int32](repeating: -1, count: n)
                let count = f(rows, n, x, ld, &cols)
                #expect(Array(cols[0..<count]) == expected, "\(name) rows \(rows) n \(n) ld \(ld)")
            }
        }
    }
}
