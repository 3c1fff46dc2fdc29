import Foundation

/// ShardNet's only source of randomness: xoshiro256** (Blackman & Vigna, 2018), seeded by
/// SplitMix64, so the same seed gives the same numbers on every machine and every Swift
/// version (the standard library's generators promise neither).
///
/// - `next()`: xoshiro256** 1.0, exactly as in the reference C code (prng.di.unimi.it).
/// - `init(seed:)`: the four state words are four successive SplitMix64 outputs of `seed`.
/// - `uniformInt(below:)`: Lemire's nearly-divisionless bounded integers (unbiased).
/// - `gaussian()`: Marsaglia's polar method in Double; the spare value is cached in the state.
///
/// The whole state (4 words + the cached Gaussian) is saved in checkpoints so that a resumed
/// run draws exactly the numbers an uninterrupted one would.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable, Equatable {
    /// The 256-bit generator state.
    public private(set) var state: (UInt64, UInt64, UInt64, UInt64)
    /// The polar method's second value, kept for the next call (nil when none).
    public private(set) var spareGaussian: Double?

    public init(seed: UInt64) {
        var s = seed
        func splitMix() -> UInt64 {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
        spareGaussian = nil
    }

    /// Restores a generator from its saved words: the four state words, then optionally the
    /// bit pattern of the spare Gaussian.
    public init?(words: [UInt64]) {
        guard words.count == 4 || words.count == 5 else { return nil }
        guard words[0] | words[1] | words[2] | words[3] != 0 else { return nil }
        state = (words[0], words[1], words[2], words[3])
        spareGaussian = words.count == 5 ? Double(bitPattern: words[4]) : nil
    }

    /// The state as words for saving: 4 state words, plus the spare Gaussian's bits if any.
    public var words: [UInt64] {
        var w = [state.0, state.1, state.2, state.3]
        if let spare = spareGaussian { w.append(spare.bitPattern) }
        return w
    }

    public static func == (a: Self, b: Self) -> Bool { a.words == b.words }

    @inline(__always)
    private static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = Self.rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = Self.rotl(state.3, 45)
        return result
    }

    /// A uniform integer in 0..<bound (Lemire 2019), the same on every platform.
    public mutating func uniformInt(below bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        var m = next().multipliedFullWidth(by: bound)
        if m.low < bound {
            let threshold = (0 &- bound) % bound
            while m.low < threshold { m = next().multipliedFullWidth(by: bound) }
        }
        return m.high
    }

    /// A uniform Double in [0, 1) with 53 random bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A standard normal N(0, 1) draw (Marsaglia polar method).
    public mutating func gaussian() -> Double {
        if let spare = spareGaussian { spareGaussian = nil; return spare }
        while true {
            let u = 2 * uniform() - 1, v = 2 * uniform() - 1
            let s = u * u + v * v
            if s > 0 && s < 1 {
                let factor = (-2 * Foundation.log(s) / s).squareRoot()
                spareGaussian = v * factor
                return u * factor
            }
        }
    }

    /// Fisher–Yates shuffle of `indices` in place, drawing from this generator.
    public mutating func shuffle(_ indices: inout [Int32]) {
        var i = indices.count - 1
        while i > 0 {
            let j = Int(uniformInt(below: UInt64(i + 1)))
            indices.swapAt(i, j)
            i -= 1
        }
    }
}
