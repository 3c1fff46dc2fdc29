import Testing
import ShardNet

/// One SGD step of a tiny network must match numpy's float64 network2.py step, computed by
/// scripts/reference_sgd_step.py (rerun it to regenerate the expected values below).
@Suite struct ReferenceStepTests {
    static let weights: [[Float]] = [[0.1, -0.2, 0.3, 0.4, 0.5, -0.6, -0.7, 0.8, 0.9, 0.05, -0.15, 0.25],
                                     [0.3, -0.1, 0.2, 0.4, -0.5, 0.6, -0.2, 0.1]]
    static let biases: [[Float]] = [[0.1, -0.1, 0.2, 0.0], [0.05, -0.05]]
    static let expected: [Cost: [Float]] = [
        .quadratic: [0.093442138, -0.199118669, 0.294213092, 0.397536347, 0.493694440, -0.589473359, -0.690709235, 0.785628488, 0.884311881, 0.047088547, -0.148739093, 0.245059691, 0.094294347, -0.095248805, 0.197068859, -0.002852782, 0.276235818, -0.118168673, 0.177472264, 0.375681422, -0.478398178, 0.605329804, -0.184395715, 0.110798538, 0.015239955, -0.025024574],
        .crossEntropy: [0.078286020, -0.206730564, 0.291840128, 0.410321271, 0.499850375, -0.587948213, -0.698137333, 0.782370440, 0.882177796, 0.040226578, -0.152827442, 0.242607120, 0.076657569, -0.080860700, 0.187912128, -0.012193576, 0.215843584, -0.182240135, 0.115746999, 0.318865588, -0.438869559, 0.651185789, -0.147994385, 0.147932760, -0.096734414, 0.049442206],
    ]

    @Test(arguments: [(Cost.quadratic, 1), (.quadratic, 2), (.crossEntropy, 1), (.crossEntropy, 3)])
    func oneStepMatchesNumpy(cost: Cost, shards: Int) throws {
        let network = try Network(sizes: [3, 4, 2], cost: cost, weights: Self.weights, biases: Self.biases)
        let data = try DataSet(images: [0.0, 0.5, 1.0, 0.9, 0.1, 0.3, 0.2, 0.8, 0.6], labels: [0, 1, 1], features: 3, classes: 2)
        let sgd = ShardedSGD(layout: network.layout, cost: cost, miniBatchSize: 3, shards: shards, threads: 2)
        let parameters = network.storage.copy()
        let order: [Int32] = [0, 1, 2]
        _ = order.withUnsafeBufferPointer {
            sgd.run(steps: 0..<1, order: $0, data: data, parameters: parameters, eta: 0.5, lambda: 0.1)
        }
        let got = parameters.array(0..<parameters.count)
        let want = Self.expected[cost]!
        #expect(got.count == want.count)
        for i in want.indices {
            #expect(abs(got[i] - want[i]) < 2e-6, "parameter \(i): \(got[i]) vs numpy \(want[i])")
        }
    }
}
