import Foundation
import ShardNet
import ShardNetTestSupport
import Testing

/// Backprop's gradient must equal the derivative of the cost, measured by central finite
/// differences on an independent float64 forward pass written here (not the engine's).
/// A transposed matrix, a wrong σ', a wrong δᴸ or an off-by-one layer all break it.
@Suite(.tags(.numerics)) struct GradientCheckTests {
    /// Reference cost Σ C(a, y) over the samples, in Double, from the network's parameters.
    static func referenceCost(_ p: [Double], sizes: [Int], cost: Cost, data: DataSet) -> Double {
        let layout = ParameterLayout(sizes: sizes)
        var total = 0.0
        for s in 0..<data.count {
            var a = (0..<sizes[0]).map { Double(data.images[s * sizes[0] + $0]) }
            for l in 0..<layout.layerCount {
                let w0 = layout.weightOffsets[l], b0 = layout.biasOffsets[l]
                a = (0..<sizes[l + 1]).map { j in
                    var z = p[b0 + j]
                    for k in 0..<sizes[l] { z += p[w0 + j * sizes[l] + k] * a[k] }
                    return 1 / (1 + exp(-z))
                }
            }
            for j in 0..<a.count {
                let y = j == Int(data.labels[s]) ? 1.0 : 0.0
                switch cost {
                case .quadratic: total += 0.5 * (a[j] - y) * (a[j] - y)
                case .crossEntropy: total += -(y * log(a[j]) + (1 - y) * log(1 - a[j]))
                case .logLikelihood: preconditionFailure("this reference computes sigmoid outputs only")
                }
            }
        }
        return total
    }

    /// Every cost on every kernel path this CPU runs (native instruction sets and BLAS).
    @Test(arguments: [Cost.quadratic, Cost.crossEntropy], KernelSet.available)
    func gradientMatchesFiniteDifferences(cost: Cost, kernels: KernelChoice) throws {
        let sizes = [6, 5, 4, 3]  // three weight layers, every matrix non-square
        let data = Fixtures.clusters(count: 7, features: 6, classes: 3, seed: 11)
        var network = Fixtures.network(sizes, cost: cost, seed: 12)
        // Shrink the weights so no unit saturates: the check is then sensitive everywhere.
        network.setParameters(network.parameters.map { $0 * 0.5 })
        let (engineCost, gradient) = try Backpropagation.gradient(of: network, on: data, kernels: kernels)
        let p = network.parameters.map(Double.init)
        let reference = Self.referenceCost(p, sizes: sizes, cost: cost, data: data)
        #expect(abs(engineCost - reference) < 1e-5 * max(1, abs(reference)), "cost \(engineCost) vs reference \(reference)")

        let h = 1e-5
        var worst = 0.0
        for i in 0..<p.count {
            var plus = p, minus = p
            plus[i] += h
            minus[i] -= h
            let numeric =
                (Self.referenceCost(plus, sizes: sizes, cost: cost, data: data)
                    - Self.referenceCost(minus, sizes: sizes, cost: cost, data: data)) / (2 * h)
            let error = abs(Double(gradient[i]) - numeric) / max(1e-3, abs(numeric) + abs(Double(gradient[i])))
            worst = max(worst, error)
        }
        // Float32 kernels against a float64 reference: relative error ~1e-6 when right;
        // any of the bugs above gives O(1).
        print("gradient check (\(cost.rawValue), \(kernels.rawValue)): max relative error \(worst) over \(p.count) parameters")
        #expect(worst < 1e-3, "max relative error \(worst)")
    }
}
