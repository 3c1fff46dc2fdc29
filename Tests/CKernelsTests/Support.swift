import CCPU
import CKernels
import Foundation

/// A fixed-seed generator (SplitMix64) so every failure reproduces.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform(_ lo: Float, _ hi: Float) -> Float {
        lo + (hi - lo) * Float(next() >> 40) / Float(1 << 24)
    }
    mutating func floats(_ n: Int, _ lo: Float, _ hi: Float) -> [Float] {
        (0..<max(n, 0)).map { _ in uniform(lo, hi) }
    }
}

/// Runs body with denormals flushed, as the trainer's workers do.
func flushingDenormals<T>(_ body: () throws -> T) rethrows -> T {
    let saved = shardnet_cpu_flush_denormals()
    defer { shardnet_cpu_restore_fp(saved) }
    return try body()
}

func isa(_ code: Int) -> Int32 { Int32(code) }

/// Kernel tables this machine has, other than scalar.
var vectorISAs: [(name: String, table: UnsafePointer<sn_kernels>)] {
    [SN_ISA_AVX2, SN_ISA_AVX512, SN_ISA_NEON].compactMap { code in
        sn_kernels_for(isa(code)).map { (String(cString: sn_isa_name(isa(code))), $0) }
    }
}

var scalarTable: UnsafePointer<sn_kernels> { sn_kernels_for(isa(SN_ISA_SCALAR))! }

func bits(_ x: [Float]) -> [UInt32] { x.map(\.bitPattern) }

/// Index and values of the first differing element, for failure messages.
func firstDifference(_ a: [Float], _ b: [Float]) -> String {
    if a.count != b.count { return "counts \(a.count) vs \(b.count)" }
    guard let i = a.indices.first(where: { a[$0].bitPattern != b[$0].bitPattern }) else { return a.count == b.count ? "none" : "counts differ" }
    return "at \(i): \(a[i]) vs \(b[i])"
}

/// A layer problem with random weights, inputs, deltas and activations.
struct Problem {
    let rows, nIn, nOut, ldIn, ldOut: Int
    var weights, bias, input, delta, activation: [Float]

    init(rows: Int, nIn: Int, nOut: Int, act: Int32, seed: UInt64, padIn: Int = 3, padOut: Int = 2) {
        self.rows = rows; self.nIn = nIn; self.nOut = nOut
        ldIn = nIn + padIn; ldOut = nOut + padOut
        var g = SplitMix(seed: seed)
        let scale = 1 / Float(nIn).squareRoot()
        weights = g.floats(nOut * nIn, -2 * scale, 2 * scale)
        bias = g.floats(nOut, -1, 1)
        input = g.floats(rows * ldIn, -1, 1)
        delta = g.floats(rows * ldOut, -0.5, 0.5)
        activation = g.floats(rows * ldIn, act == Int32(SN_ACT_TANH) ? -1 : 0, 1)
    }

    func packed(_ k: UnsafePointer<sn_kernels>) -> [Float] {
        var p = [Float](repeating: .nan, count: sn_packed_size(nIn, nOut))
        k.pointee.pack(nIn, nOut, 0, nOut, weights, &p)
        return p
    }

    /// Output pre-filled with a sentinel so that writes outside [j0, j1) or beyond the width show.
    func forward(_ k: UnsafePointer<sn_kernels>, j0: Int, j1: Int, act: Int32) -> [Float] {
        let p = packed(scalarTable)
        var out = [Float](repeating: 7, count: rows * ldOut)
        k.pointee.forward(rows, nIn, j0, j1, input, ldIn, p, bias, &out, ldOut, act)
        return out
    }

    func backward(_ k: UnsafePointer<sn_kernels>, k0: Int, k1: Int, act: Int32) -> [Float] {
        var prev = [Float](repeating: 7, count: rows * ldIn)
        k.pointee.backward(rows, nIn, nOut, k0, k1, delta, ldOut, weights, activation, ldIn, &prev, ldIn, act)
        return prev
    }

    func gradient(_ k: UnsafePointer<sn_kernels>, j0: Int, j1: Int) -> (w: [Float], b: [Float]) {
        var w = [Float](repeating: 7, count: nOut * nIn), b = [Float](repeating: 7, count: nOut)
        k.pointee.gradient(rows, nIn, j0, j1, delta, ldOut, input, ldIn, &w, &b)
        return (w, b)
    }
}

let activations: [Int32] = [SN_ACT_SIGMOID, SN_ACT_TANH, SN_ACT_RELU, SN_ACT_IDENTITY].map(Int32.init)

/// Double-precision activation and derivative references.
func referenceActivation(_ z: Double, _ act: Int32) -> Double {
    switch Int(act) {
    case SN_ACT_SIGMOID: return 1 / (1 + exp(-z))
    case SN_ACT_TANH: return tanh(z)
    case SN_ACT_RELU: return z > 0 ? z : 0
    default: return z
    }
}

func referenceDerivative(_ a: Double, _ act: Int32) -> Double {
    switch Int(act) {
    case SN_ACT_SIGMOID: return a * (1 - a)
    case SN_ACT_TANH: return 1 - a * a
    case SN_ACT_RELU: return a > 0 ? 1 : 0
    default: return 1
    }
}

/// Unit roundoff of Float.
let u = Double(Float.ulpOfOne) / 2

/// Bitwise equality (NaN payloads and ±0 included), as a Bool so that a failure prints the
/// message with the first difference rather than both arrays.
func sameBits(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}
