import ShardNet

/// Small deterministic data sets for the engine tests.
enum Fixtures {
    /// `count` samples of `features` values in [0, 1], labelled by which of `classes` random
    /// prototypes they were drawn around (prototype + noise, clamped). Learnable, not trivial.
    static func clusters(count: Int, features: Int, classes: Int, noise: Double = 0.15, seed: UInt64) -> DataSet {
        var g = Xoshiro256StarStar(seed: seed)
        let prototypes = (0..<classes).map { _ in (0..<features).map { _ in g.uniform() } }
        var images: [Float] = [], labels: [Int32] = []
        for i in 0..<count {
            let c = i % classes
            labels.append(Int32(c))
            for k in 0..<features { images.append(Float(min(1, max(0, prototypes[c][k] + noise * g.gaussian())))) }
        }
        return try! DataSet(images: images, labels: labels, features: features, classes: classes)
    }

    /// A random network of the given sizes.
    static func network(_ sizes: [Int], cost: Cost = .quadratic, seed: UInt64 = 7) -> Network {
        var g = Xoshiro256StarStar(seed: seed)
        return try! Network(sizes: sizes, cost: cost, initialization: .gaussian, generator: &g)
    }
}
