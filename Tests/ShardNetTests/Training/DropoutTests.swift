import Foundation
import ShardNetTestSupport
import Testing

@testable import ShardNet

/// The dropout mask as Sources/ShardNet/Kernels/Dropout.swift documents it, written out again
/// here from the formula (SplitMix64's finaliser absorbing key, epoch, position, layer·2³² + unit;
/// the top 24 bits as a uniform u; kept ⇔ u ≥ p), independently of `CounterHash`.
enum DocumentedDropout {
    static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 0 (dropped) or 1/(1 − p) (kept) for unit `unit` of hidden layer `layer` (1-based) of the
    /// sample at `position` in epoch `epoch`'s order.
    static func factor(p: Float, seed: UInt64, epoch: Int, position: Int, layer: Int, unit: Int) -> Float {
        var h = mix(seed ^ 0x9E37_79B9_7F4A_7C15)
        h = mix(h ^ UInt64(epoch))
        h = mix(h ^ UInt64(position))
        h = mix(h ^ (UInt64(layer) << 32 | UInt64(unit)))
        let u = Float(h >> 40) * 0x1p-24
        return u >= p ? 1 / (1 - p) : 0
    }
}

/// Inverted dropout's masks depend on (seed, epoch, position in the epoch, layer, unit) only:
/// never on the shard, the thread or the kernels that compute them. So training with dropout
/// is bitwise the same for any thread count, and the same up to summation order for any shard
/// count; and the masks keep a fraction 1 − p of the units.
@Suite(.tags(.numerics, .concurrency)) struct DropoutTests {
    // Property: `Dropout.factor` is the documented pure function of (seed, epoch, position,
    // layer, unit), so whichever shard or thread evaluates it gets the same mask.
    @Test func factorIsTheDocumentedCounterHash() {
        var checked = 0
        for seed: UInt64 in [0, 1, 0xDEAD_BEEF_0000_0001, .max] {
            for epoch in [1, 2, 30] {
                let dropout = Dropout(probability: 0.35, seed: seed, epoch: epoch)
                for position in [0, 1, 9, 10, 11, 49_999] {
                    for layer in [1, 2, 5] {
                        for unit in [0, 1, 15, 16, 783] {
                            let want = DocumentedDropout.factor(p: 0.35, seed: seed, epoch: epoch, position: position, layer: layer, unit: unit)
                            let got = dropout.factor(position: position, layer: layer, unit: unit)
                            if got.bitPattern != want.bitPattern {
                                Issue.record("seed \(seed) epoch \(epoch) position \(position) layer \(layer) unit \(unit): \(got) vs \(want)")
                            }
                            checked += 1
                        }
                    }
                }
            }
        }
        #expect(checked == 4 * 3 * 6 * 3 * 5)
    }

    // Property: each unit is kept with probability 1 − p (scaled by exactly 1/(1 − p)), and the
    // masks of different epochs, positions and layers are independent draws.
    @Test(arguments: [Float(0.1), 0.5, 0.8])
    func keptFractionIsOneMinusP(p: Float) {
        let draws = 200_000
        let a = Dropout(probability: p, seed: 42, epoch: 1), b = Dropout(probability: p, seed: 42, epoch: 2)
        var kept = 0, agree = 0, other = 0
        for i in 0..<draws {
            let (position, layer, unit) = (i / 100, 1 + i % 2, i % 50)
            let f = a.factor(position: position, layer: layer, unit: unit)
            if f != 0 && f != 1 / (1 - p) { other += 1 }
            if f != 0 { kept += 1 }
            if (f != 0) == (b.factor(position: position, layer: layer, unit: unit) != 0) { agree += 1 }
        }
        #expect(other == 0, "\(other) factors neither 0 nor 1/(1 − p)")
        let q = Double(1 - p), n = Double(draws)
        let fraction = Double(kept) / n
        // Five standard deviations of a binomial proportion: ~1e-5 false alarms for a fixed seed, and the seed is fixed.
        #expect(abs(fraction - q) < 5 * (q * (1 - q) / n).squareRoot(), "kept \(fraction), want \(q)")
        // Independent masks agree with probability q² + (1 − q)².
        let both = q * q + (1 - q) * (1 - q)
        #expect(abs(Double(agree) / n - both) < 5 * (both * (1 - both) / n).squareRoot(), "epochs 1 and 2 agree on \(Double(agree) / n)")
    }

    static let data = Fixtures.clusters(count: 24, features: 10, classes: 4, seed: 31)

    // Property: one mini-batch step with dropout, cut into 1, 2, 3 or 4 shards, on every
    // kernel path, equals θ − (η/m)·∇ with ∇ from `Backpropagation.gradient` over the same
    // samples in the same order: each shard draws the masks of its rows' positions in the
    // epoch, not of its local row numbers.
    @Test func oneStepWithDropoutDoesNotDependOnShards() throws {
        var g = Xoshiro256StarStar(seed: 5)
        let network = try Network(
            sizes: [10, 12, 9, 4], cost: .logLikelihood, activation: .relu, outputLayer: .softmax, initialization: .he, generator: &g)
        let data = Self.data
        let order = (0..<data.count).reversed().map { Int32($0) }  // position i holds sample n − 1 − i
        let (eta, p, seed, epoch): (Float, Float, UInt64, Int) = (0.5, 0.4, 77, 4)
        for kernels in KernelSet.available {
            let gradient = try Backpropagation.gradient(
                of: network, on: data, indices: order.map { Int($0) }, kernels: kernels, dropout: p, seed: seed, epoch: epoch
            ).gradient
            let want = zip(network.parameters, gradient).map { $0 - (eta / Float(data.count)) * $1 }
            for (shards, threads) in [(1, 1), (2, 2), (3, 1), (4, 2)] {
                let sgd = ShardedSGD(
                    layout: network.layout, cost: network.cost, activation: .relu, outputLayer: .softmax, miniBatchSize: data.count,
                    shards: shards, threads: threads, kernels: try KernelSet(kernels), dropout: true)
                let parameters = network.storage.copy()
                var cost = 0.0
                order.withUnsafeBufferPointer { order in
                    sgd.run(
                        steps: 0..<1, order: order, data: data, parameters: parameters,
                        settings: StepSettings(eta: eta, dropout: p, seed: seed, epoch: epoch), costSum: &cost)
                }
                let got = parameters.array(0..<parameters.count)
                let worst = zip(got, want).map { abs($0 - $1) }.max()!
                #expect(worst < 1e-5, "\(kernels.rawValue), \(shards) shards: max |difference| \(worst)")
            }
        }
    }

    static func train(shards: Int, threads: Int, kernels: KernelChoice = .auto) throws -> Trainer {
        var options = TrainingOptions(eta: 0.3, miniBatchSize: 8, shards: shards, threads: threads, seed: 3, kernels: kernels)
        options.dropout = 0.25
        options.momentum = 0.5
        let trainer = try Trainer(sizes: [10, 12, 4], cost: .crossEntropy, activation: .tanh, outputLayer: .sigmoid, options: options)
        try trainer.train(on: data, evaluatingOn: data, epochs: 3)
        return trainer
    }

    // Property: training with dropout gives bitwise the same weights for 1, 2 or 3 threads
    // (fixed shard count), and the same weights up to float rounding of the summation order
    // for 1, 2 or 4 shards (the masks do not move with the shard boundaries; a mask keyed by
    // the row within a shard would change the weights by O(η)).
    @Test func trainingWithDropoutIsThreadAndShardIndependent() throws {
        let one = try Self.train(shards: 1, threads: 1)
        for shards in [1, 2, 4] {
            let reference = try Self.train(shards: shards, threads: 1)
            for threads in [2, 3] {
                let other = try Self.train(shards: shards, threads: threads)
                #expect(other.network.isBitwiseEqual(to: reference.network), "\(shards) shards: \(threads) threads differ from 1")
            }
            let worst = zip(reference.network.parameters, one.network.parameters).map { abs($0 - $1) }.max()!
            print("dropout training, \(shards) shards vs 1: max |weight difference| \(worst)")
            #expect(worst < 1e-4, "\(shards) shards vs 1: max |weight difference| \(worst)")
        }
    }
}
