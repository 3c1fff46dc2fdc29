import ShardNetTestSupport
import Testing

@testable import ShardNet

/// Chapter 3's update rules and layer functions against numpy: two SGD steps of the tiny
/// network of `ReferenceStepTests` (samples 0–4, n = 5, m = 3: a full step, then the partial
/// step), computed per sample in float64 as network2.py would by scripts/reference_sgd_step.py.
/// `expected` is that script's "chapter 3" block, pasted as printed (run
/// `python3 scripts/reference_sgd_step.py` and paste the block under its heading over the
/// entries of `expected`). Two steps, so the momentum's velocity from the first step moves the
/// second. ShardNet computes in float32 with its own exp/tanh approximations (relative error
/// ~1e-7); they agree within 2e-6 (as the chapter-2 steps do), measured ≤ 1.2e-7.
@Suite(.tags(.numerics, .concurrency)) struct Chapter3ReferenceStepTests {
    /// A case of the script: the network's functions and the optimiser.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        var activation = Activation.sigmoid
        var output = OutputLayer.sigmoid
        var cost = Cost.crossEntropy
        var lambda: Float = 0.1
        var l1: Float = 0
        var momentum: Float = 0
        var nesterov = false
        /// Whether weights 0 and 11 of layer 0 start at exactly 0 (the L1 cases: sgn 0 = 0, met by
        /// both the vector body and the scalar tail of the update kernel).
        var zeroWeights = false
        var testDescription: String { name }
    }

    /// The script's network [3, 4, 2] (W, B), samples (X) and labels (Y), as in `ReferenceStepTests`.
    static let weights: [[Float]] = [
        [0.1, -0.2, 0.3, 0.4, 0.5, -0.6, -0.7, 0.8, 0.9, 0.05, -0.15, 0.25],
        [0.3, -0.1, 0.2, 0.4, -0.5, 0.6, -0.2, 0.1],
    ]
    static let biases: [[Float]] = [[0.1, -0.1, 0.2, 0.0], [0.05, -0.05]]
    static let images: [Float] = [0.0, 0.5, 1.0, 0.9, 0.1, 0.3, 0.2, 0.8, 0.6, 0.7, 0.4, 0.05, 0.3, 0.95, 0.45]
    static let labels: [Int32] = [0, 1, 1, 0, 1]

    static let cases = [
        Case(name: "momentum", momentum: 0.9),
        Case(name: "nesterov", momentum: 0.9, nesterov: true),
        Case(name: "l1", l1: 0.2, zeroWeights: true),
        Case(name: "momentum-l1", lambda: 0, l1: 0.2, momentum: 0.5, zeroWeights: true),
        Case(name: "softmax", output: .softmax, cost: .logLikelihood),
        Case(name: "tanh", activation: .tanh, cost: .quadratic),
        Case(name: "relu", activation: .relu, output: .softmax, cost: .logLikelihood),
        Case(name: "relu-nesterov", activation: .relu, output: .softmax, cost: .logLikelihood, momentum: 0.9, nesterov: true),
    ]

    /// scripts/reference_sgd_step.py's chapter-3 block.
    static let expected: [String: [Float]] = [
        "momentum": [
            0.068313978, -0.223689244, 0.277395606, 0.409076656, 0.513666521, -0.569030488,
            -0.694132802, 0.766385185, 0.866335706, 0.032701347, -0.160235089, 0.233946117,
            0.057157598, -0.065927211, 0.179494947, -0.025418759, 0.133588972, -0.262049208,
            -0.000276798, 0.239131681, -0.398175227, 0.681435369, -0.085953972, 0.179714361,
            -0.246426087, 0.116470991,
        ],
        "nesterov": [
            0.059675213, -0.228528108, 0.267562291, 0.396535806, 0.518567406, -0.548868728,
            -0.688779306, 0.750701106, 0.849299747, 0.024189751, -0.160593185, 0.228079487,
            0.046857739, -0.064653885, 0.171814462, -0.035014705, 0.095106757, -0.290581382,
            -0.059249277, 0.201054769, -0.382828373, 0.676235147, -0.059625149, 0.184065591,
            -0.310145814, 0.129554711,
        ],
        "l1": [
            0.008803864, -0.175948100, 0.243615776, 0.357926206, 0.470229966, -0.537008616,
            -0.652352007, 0.738014876, 0.837548549, 0.001667842, -0.116625198, 0.014332100,
            0.078247167, -0.083371896, 0.190112006, -0.013801898, 0.171764537, -0.145306007,
            0.038415715, 0.276973081, -0.411159565, 0.592144440, -0.092328353, 0.093675578,
            -0.109739776, 0.026911574,
        ],
        "momentum-l1": [
            -0.001354524, -0.174989151, 0.237683600, 0.364229634, 0.474259378, -0.537627434,
            -0.660992413, 0.741541422, 0.843817260, -0.012068578, -0.112149802, 0.012730378,
            0.066562047, -0.073842644, 0.184165362, -0.019838257, 0.128958824, -0.179638666,
            -0.008869174, 0.238147871, -0.385232433, 0.624940901, -0.061048900, 0.110532656,
            -0.182513392, 0.076508840,
        ],
        "softmax": [
            0.085278702, -0.218136478, 0.278373687, 0.398689498, 0.513956835, -0.570460980,
            -0.693021396, 0.777319079, 0.875932952, 0.042533053, -0.154040842, 0.240247646,
            0.072124298, -0.076614118, 0.188059744, -0.011210802, 0.222362928, -0.167972304,
            0.091491200, 0.324070002, -0.418382928, 0.658022304, -0.091491200, 0.165979998,
            -0.084225122, 0.084225122,
        ],
        "tanh": [
            0.090095818, -0.220801948, 0.278542643, 0.400637748, 0.512584800, -0.573203476,
            -0.686907310, 0.782522872, 0.877652324, 0.045016266, -0.156716629, 0.239608595,
            0.076008770, -0.075821354, 0.197855501, -0.009806099, 0.290656985, -0.104961876,
            0.167171894, 0.391645954, -0.486350567, 0.592745310, -0.166416708, 0.098849279,
            0.018170603, -0.020225277,
        ],
        "relu": [
            0.013592056, -0.256289195, 0.254451960, 0.406759230, 0.584647766, -0.493369133,
            -0.674055356, 0.748400384, 0.863261812, 0.017348271, -0.169615948, 0.230183235,
            -0.028120721, 0.003228151, 0.187645874, -0.048045270, 0.267848351, -0.070705867,
            0.015098059, 0.385696215, -0.463868351, 0.560755867, -0.015098059, 0.104353785,
            -0.054143918, 0.054143918,
        ],
        "relu-nesterov": [
            -0.132579093, -0.353633816, 0.179381611, 0.427384195, 0.652391023, -0.362414036,
            -0.696893819, 0.676067987, 0.827868620, -0.037788897, -0.204182256, 0.198478992,
            -0.247207153, 0.127203315, 0.111091236, -0.130202683, 0.215564047, 0.042636725,
            -0.137903977, 0.364570413, -0.406416247, 0.434493775, 0.137903977, 0.112560087,
            -0.165378773, 0.165378773,
        ],
    ]

    // Property: two steps of each chapter-3 case (momentum, Nesterov, L1 with sgn 0 = 0, L1
    // under momentum, softmax + log-likelihood, tanh and ReLU hidden layers) equal numpy's
    // float64 steps, on every kernel path this CPU runs and for 1, 2 and 3 shards (with 3
    // shards one shard of the partial batch is empty). The largest difference is printed.
    @Test(arguments: Chapter3ReferenceStepTests.cases)
    func twoStepsMatchNumpy(_ c: Case) throws {
        var weights = Self.weights
        if c.zeroWeights { (weights[0][0], weights[0][11]) = (0, 0) }
        let network = try Network(
            sizes: [3, 4, 2], cost: c.cost, activation: c.activation, outputLayer: c.output, weights: weights,
            biases: Self.biases)
        let data = try DataSet(images: Self.images, labels: Self.labels, features: 3, classes: 2)
        let want = try #require(Self.expected[c.name])
        let order = (0..<5).map { Int32($0) }
        var largest: Float = 0
        for kernels in KernelSet.available {
            for shards in [1, 2, 3] {
                let sgd = ShardedSGD(
                    layout: network.layout, cost: c.cost, activation: c.activation, outputLayer: c.output, miniBatchSize: 3,
                    shards: shards, threads: 2, kernels: try KernelSet(kernels))
                let parameters = network.storage.copy()
                let velocity = c.momentum > 0 ? AlignedBuffer(count: network.parameterCount) : nil
                var cost = 0.0
                order.withUnsafeBufferPointer { order in
                    sgd.run(
                        steps: 0..<2, order: order, data: data, parameters: parameters,
                        settings: StepSettings(
                            eta: 0.5, lambda: c.lambda, l1: c.l1, momentum: c.momentum, nesterov: c.nesterov, velocity: velocity),
                        costSum: &cost)
                }
                let got = parameters.array(0..<parameters.count)
                #expect(got.count == want.count)
                for i in want.indices {
                    let difference = abs(got[i] - want[i])
                    largest = max(largest, difference)
                    if difference >= 2e-6 {
                        Issue.record("\(c.name), \(kernels.rawValue), \(shards) shards, parameter \(i): \(got[i]) vs numpy \(want[i])")
                    }
                }
            }
        }
        print(
            "chapter-3 reference step '\(c.name)': largest |ShardNet − numpy| \(largest) over \(KernelSet.available.map(\.rawValue)) × 1, 2, 3 shards"
        )
    }
}
