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
        var labels = [Int32](repeating: 0, count: count)
        switch pixels {
        case .float32:
            var images = [Float](repeating: 0, count: count * features)
            for i in images.indices { images[i] = Float(generator.next() >> 40) * 0x1.0p-24 }
            for i in labels.indices { labels[i] = Int32(generator.uniformInt(below: UInt64(classes))) }
            return try DataSet(images: images, labels: labels, features: features, classes: classes, name: "synthetic data")
        case .uint8:
            var bytes = [UInt8](repeating: 0, count: count * features)
            for i in bytes.indices { bytes[i] = UInt8(truncatingIfNeeded: generator.next() >> 56) }
            for i in labels.indices { labels[i] = Int32(generator.uniformInt(below: UInt64(classes))) }
            return try DataSet(bytes: bytes, labels: labels, features: features, classes: classes, name: "synthetic data")
        }
    }
}
