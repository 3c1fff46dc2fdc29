import ShardNet

/// Random data of a given shape, for timing: pixels uniform in [0, 1), labels uniform over
/// the classes. The engine's work per step does not depend on the values.
public enum SyntheticData {
    /// `count` samples of `features` pixels and `classes` classes, drawn from `seed`.
    public static func make(count: Int, features: Int, classes: Int, seed: UInt64 = 42) throws -> DataSet {
        guard count >= 1 else { throw ShardNetError.invalidArgument("synthetic data: count must be at least 1, got \(count)") }
        var generator = Xoshiro256StarStar(seed: seed)
        var images = [Float](repeating: 0, count: count * features)
        for i in images.indices { images[i] = Float(generator.next() >> 40) * 0x1.0p-24 }
        var labels = [Int32](repeating: 0, count: count)
        for i in labels.indices { labels[i] = Int32(generator.uniformInt(below: UInt64(classes))) }
        return try DataSet(images: images, labels: labels, features: features, classes: classes, name: "synthetic data")
    }
}
