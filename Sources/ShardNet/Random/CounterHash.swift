/// A counter-based generator: a pure function from a key and counters to 64 random bits, so a
/// value depends only on what it is for — never on which thread or shard asks, or in what
/// order. Each counter is absorbed with SplitMix64's finaliser (Steele, Lea & Flood 2014):
///
///     h₀ = mix(key ⊕ 0x9E3779B97F4A7C15),  hᵢ₊₁ = mix(hᵢ ⊕ counterᵢ)
///
/// Used for dropout masks (`Dropout`).
enum CounterHash {
    /// SplitMix64's output function: a bijection of UInt64 with full avalanche.
    @inline(__always)
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 64 bits for (key, a, b, c).
    @inline(__always)
    static func bits(key: UInt64, _ a: UInt64, _ b: UInt64, _ c: UInt64) -> UInt64 {
        mix(mix(mix(mix(key ^ 0x9E37_79B9_7F4A_7C15) ^ a) ^ b) ^ c)
    }

    /// A uniform Float in [0, 1) with 24 random bits, for (key, a, b, c).
    @inline(__always)
    static func uniform(key: UInt64, _ a: UInt64, _ b: UInt64, _ c: UInt64) -> Float {
        Float(bits(key: key, a, b, c) >> 40) * 0x1p-24
    }
}
