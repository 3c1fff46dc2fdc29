import ShardNet

/// Random data of a given shape, for timing: pixels uniform in [0, 1) (float32) or over the 256
/// byte values (uint8), labels uniform over the classes. The engine's arithmetic per step does
/// not depend on the values; what its gather reads and converts depends on `pixels`.
public enum SyntheticData {
    /// `count` samples of `features` pixels and `classes` classes, drawn from `seed`, the pixels
    /// stored as `pixels` says.
    public static func make(
        count: Int, features: Int, classes: Int, seed: UInt64 = 42, pixels: SyntheticPixels = .float32
    ) throws -> DataSet {
        guard count >= 1 else { throw ShardNetError.invalidArgument("synthetic data: count must be at least 1, got \(count)") }
        var generator = Xoshiro256StarStar(seed: seed)
        // The pixels first, then the labels, from one stream (float32 data is as it always was).
        var images: [Float] = [], bytes: [UInt8] = []
        switch pixels {
        case .float32: images = (0..<count * features).map { _ in Float(generator.next() >> 40) * 0x1.0p-24 }
        case .uint8: bytes = (0..<count * features).map { _ in UInt8(truncatingIfNeeded: generator.next() >> 56) }
        }
        let labels = (0..<count).map { _ in Int32(generator.uniformInt(below: UInt64(classes))) }
        return try pixels == .float32
            ? DataSet(images: images, labels: labels, features: features, classes: classes, name: "synthetic data")
            : DataSet(bytes: bytes, labels: labels, features: features, classes: classes, name: "synthetic data")
    }
}
