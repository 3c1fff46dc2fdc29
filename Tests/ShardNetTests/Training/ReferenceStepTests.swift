import ShardNetTestSupport
import Testing

@testable import ShardNet

/// SGD steps of a tiny network must match numpy's float64 network2.py steps, computed by
/// scripts/reference_sgd_step.py. The constants below are that script's output, pasted:
/// `expected` is its "one step" block, `expectedTwoSteps` its "two steps" block. To regenerate
/// them, run `python3 scripts/reference_sgd_step.py` and paste each printed block, as printed
/// (it prints these dictionary entries), over the entries of the dictionary its heading names.
@Suite(.tags(.numerics, .concurrency)) struct ReferenceStepTests {
    static let weights: [[Float]] = [
        [0.1, -0.2, 0.3, 0.4, 0.5, -0.6, -0.7, 0.8, 0.9, 0.05, -0.15, 0.25],
        [0.3, -0.1, 0.2, 0.4, -0.5, 0.6, -0.2, 0.1],
    ]
    static let biases: [[Float]] = [[0.1, -0.1, 0.2, 0.0], [0.05, -0.05]]
    static let expected: [Cost: [Float]] = [
        .quadratic: [
            0.093442138, -0.199118669, 0.294213092, 0.397536347, 0.493694440, -0.589473359,
            -0.690709235, 0.785628488, 0.884311881, 0.047088547, -0.148739093, 0.245059691,
            0.094294347, -0.095248805, 0.197068859, -0.002852782, 0.276235818, -0.118168673,
            0.177472264, 0.375681422, -0.478398178, 0.605329804, -0.184395715, 0.110798538,
            0.015239955, -0.025024574,
        ],
        .crossEntropy: [
            0.078286020, -0.206730564, 0.291840128, 0.410321271, 0.499850375, -0.587948213,
            -0.698137333, 0.782370440, 0.882177796, 0.040226578, -0.152827442, 0.242607120,
            0.076657569, -0.080860700, 0.187912128, -0.012193576, 0.215843584, -0.182240135,
            0.115746999, 0.318865588, -0.438869559, 0.651185789, -0.147994385, 0.147932760,
            -0.096734414, 0.049442206,
        ],
    ]
    /// "two steps": samples 0–4, n = 5, m = 3 — a full step on 0–2, then the partial step on 3–4.
    static let expectedTwoSteps: [Cost: [Float]] = [
        .quadratic: [
            0.095154554, -0.202219249, 0.290691720, 0.394151464, 0.495403319, -0.585198610,
            -0.687295309, 0.781936819, 0.880520834, 0.047198920, -0.150069651, 0.243191798,
            0.093531142, -0.094861477, 0.197387401, -0.003940832, 0.269740236, -0.123259241,
            0.162450523, 0.368929860, -0.477304721, 0.602099996, -0.176456074, 0.110179353,
            0.003824682, -0.025328019,
        ],
        .crossEntropy: [
            0.087256559, -0.216431737, 0.282939490, 0.397387512, 0.510801184, -0.576277096,
            -0.691609202, 0.777451789, 0.876975689, 0.041197427, -0.156790392, 0.239099709,
            0.078165786, -0.083152581, 0.190374032, -0.014444541, 0.207529747, -0.187433087,
            0.074350902, 0.309752652, -0.450192624, 0.631768159, -0.131559025, 0.135974877,
            -0.114365114, 0.026973005,
        ],
    ]
    /// The five samples of the script (the first three are the one-step batch) and their labels.
    static let images: [Float] = [0.0, 0.5, 1.0, 0.9, 0.1, 0.3, 0.2, 0.8, 0.6, 0.7, 0.4, 0.05, 0.3, 0.95, 0.45]
    static let labels: [Int32] = [0, 1, 1, 0, 1]

    /// Runs `steps` steps of `sgd` over samples 0 ..< count in order; returns the parameters.
    static func run(_ sgd: ShardedSGD, network: Network, count: Int, steps: Int) throws -> [Float] {
        let data = try DataSet(images: Array(images[0..<(3 * count)]), labels: Array(labels[0..<count]), features: 3, classes: 2)
        let parameters = network.storage.copy()
        let order = (0..<count).map { Int32($0) }
        _ = order.withUnsafeBufferPointer {
            sgd.run(steps: 0..<steps, order: $0, data: data, parameters: parameters, eta: 0.5, lambda: 0.1)
        }
        return parameters.array(0..<parameters.count)
    }

    // Property: one step equals numpy's network2.py step on every kernel path this CPU runs
    // (each native instruction set and BLAS).
    @Test(arguments: [(Cost.quadratic, 1), (.quadratic, 2), (.crossEntropy, 1), (.crossEntropy, 3)])
    func oneStepMatchesNumpy(cost: Cost, shards: Int) throws {
        let network = try Network(sizes: [3, 4, 2], cost: cost, weights: Self.weights, biases: Self.biases)
        for kernels in KernelSet.available {
            let sgd = ShardedSGD(
                layout: network.layout, cost: cost, miniBatchSize: 3, shards: shards, threads: 2,
                kernels: try KernelSet(kernels))
            let got = try Self.run(sgd, network: network, count: 3, steps: 1)
            let want = Self.expected[cost]!
            #expect(got.count == want.count)
            for i in want.indices where abs(got[i] - want[i]) >= 2e-6 {
                Issue.record("\(kernels.rawValue) parameter \(i): \(got[i]) vs numpy \(want[i])")
            }
        }
    }

    // Property: the last, partial mini-batch of an epoch (m ∤ n) is averaged over its own size,
    // as network2.py does, and the L2 decay uses n = the data set's size. Five samples, m = 3:
    // a full step then a step on the remaining 2, against numpy. Averaging the partial batch
    // over m instead (rate η/3 rather than η/2) moves the parameters by up to 5e-3 (quadratic)
    // and 1.4e-2 (cross-entropy), far outside the 2e-6 tolerance. With 3 shards one shard of the
    // partial batch is empty.
    @Test(arguments: [(Cost.quadratic, 1), (.quadratic, 3), (.crossEntropy, 1), (.crossEntropy, 2), (.crossEntropy, 3)])
    func partialLastBatchMatchesNumpy(cost: Cost, shards: Int) throws {
        let network = try Network(sizes: [3, 4, 2], cost: cost, weights: Self.weights, biases: Self.biases)
        for kernels in KernelSet.available {
            let sgd = ShardedSGD(
                layout: network.layout, cost: cost, miniBatchSize: 3, shards: shards, threads: 2,
                kernels: try KernelSet(kernels))
            let got = try Self.run(sgd, network: network, count: 5, steps: 2)
            let want = Self.expectedTwoSteps[cost]!
            #expect(got.count == want.count)
            for i in want.indices where abs(got[i] - want[i]) >= 2e-6 {
                Issue.record("\(kernels.rawValue) parameter \(i): \(got[i]) vs numpy \(want[i])")
            }
        }
    }

    // Property: a mini-batch size at or above the data set's size is one step over all the
    // data, averaged over n: m = 7 and m = 100 on 5 samples give bitwise the same parameters as
    // m = 5 (any rate η/m with m > n, or a second step, would change them).
    @Test(arguments: [Cost.quadratic, .crossEntropy])
    func batchLargerThanDataEqualsWholeBatch(cost: Cost) throws {
        let network = try Network(sizes: [3, 4, 2], cost: cost, weights: Self.weights, biases: Self.biases)
        func step(m: Int, shards: Int, threads: Int) throws -> [Float] {
            let sgd = ShardedSGD(layout: network.layout, cost: cost, miniBatchSize: m, shards: shards, threads: threads)
            return try Self.run(sgd, network: network, count: 5, steps: 1)
        }
        for shards in [1, 2, 3] {
            let whole = try step(m: 5, shards: shards, threads: 1)
            for (m, threads) in [(7, 1), (7, 2), (100, 3)] {
                let other = try step(m: m, shards: shards, threads: threads)
                #expect(Compare.bitDifference(other, whole) == nil, "m = \(m), \(shards) shards, \(threads) threads vs m = 5")
            }
        }
    }
}
