import Foundation
import ShardNetTestSupport
import Testing

@testable import ShardNet

/// Chapter 3's layer functions and costs: backprop's gradient must equal the derivative of the
/// cost, measured by central finite differences on an independent float64 forward pass written
/// here (tanh, ReLU, softmax, log-likelihood, and inverted dropout with the documented masks).
/// A wrong f′ (tanh's 1 − a², ReLU's step), a wrong δᴸ for the softmax, a mask applied to the
/// wrong layer, unit or sample, or a mask left off δ all give O(1) errors.
@Suite(.tags(.numerics)) struct Chapter3GradientCheckTests {
    /// An output layer and the cost it is trained with.
    struct Head: Sendable, CustomTestStringConvertible {
        let output: OutputLayer
        let cost: Cost
        var testDescription: String { "\(output.rawValue)+\(cost.rawValue)" }
    }

    static let heads = [
        Head(output: .sigmoid, cost: .quadratic), Head(output: .sigmoid, cost: .crossEntropy),
        Head(output: .softmax, cost: .logLikelihood),
    ]

    /// The kernel paths the brief names: the best native instruction set and BLAS.
    static let kernelPaths: [KernelChoice] = [.auto, .blas]

    /// Reference cost Σ C(a, y) over the samples `indices` (sample at position i of `indices`
    /// masked by `mask(i, hidden layer, unit)` when given), in Double. `smallestHiddenZ` is the
    /// smallest |z| of a hidden unit seen (ReLU's kink must be far from every z).
    static func referenceCost(
        _ p: [Double], sizes: [Int], activation: Activation, head: Head, data: DataSet, indices: [Int],
        mask: ((Int, Int, Int) -> Double)? = nil, smallestHiddenZ: inout Double
    ) -> Double {
        let layout = ParameterLayout(sizes: sizes)
        var total = 0.0
        for (position, s) in indices.enumerated() {
            var a = (0..<sizes[0]).map { Double(data.images[s * sizes[0] + $0]) }
            for l in 0..<layout.layerCount {
                let w0 = layout.weightOffsets[l], b0 = layout.biasOffsets[l]
                let z = (0..<sizes[l + 1]).map { j in
                    var z = p[b0 + j]
                    for k in 0..<sizes[l] { z += p[w0 + j * sizes[l] + k] * a[k] }
                    return z
                }
                if l < layout.layerCount - 1 {
                    smallestHiddenZ = min(smallestHiddenZ, z.map(abs).min()!)
                    a = z.enumerated().map { j, z in
                        let f: Double
                        switch activation {
                        case .sigmoid: f = 1 / (1 + exp(-z))
                        case .tanh: f = tanh(z)
                        case .relu: f = max(0, z)
                        }
                        return f * (mask?(position, l + 1, j) ?? 1)
                    }
                } else if head.output == .softmax {
                    let top = z.max()!
                    let e = z.map { exp($0 - top) }
                    let sum = e.reduce(0, +)
                    a = e.map { $0 / sum }
                } else {
                    a = z.map { 1 / (1 + exp(-$0)) }
                }
            }
            for j in 0..<a.count {
                let y = j == Int(data.labels[s]) ? 1.0 : 0.0
                switch head.cost {
                case .quadratic: total += 0.5 * (a[j] - y) * (a[j] - y)
                case .crossEntropy: total += -(y * log(a[j]) + (1 - y) * log(1 - a[j]))
                case .logLikelihood: total += -y * log(a[j])
                }
            }
        }
        return total
    }

    /// The largest relative error of the engine's gradient against central differences of the
    /// reference cost, and checks the costs agree. |gᵢ − numericᵢ| / max(10⁻³, |numericᵢ| + |gᵢ|).
    static func worstError(
        network: Network, activation: Activation, head: Head, data: DataSet, indices: [Int], kernels: KernelChoice,
        dropout: Float = 0, seed: UInt64 = 0, epoch: Int = 1, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> Double {
        let sizes = network.sizes
        let (engineCost, gradient) = try Backpropagation.gradient(
            of: network, on: data, indices: indices, kernels: kernels, dropout: dropout, seed: seed, epoch: epoch)
        let mask: ((Int, Int, Int) -> Double)? =
            dropout > 0
            ? { position, layer, unit in
                Double(DocumentedDropout.factor(p: dropout, seed: seed, epoch: epoch, position: position, layer: layer, unit: unit))
            } : nil
        let p = network.parameters.map(Double.init)
        var smallest = Double.infinity
        let reference = referenceCost(
            p, sizes: sizes, activation: activation, head: head, data: data, indices: indices, mask: mask, smallestHiddenZ: &smallest)
        #expect(
            abs(engineCost - reference) < 1e-5 * max(1, abs(reference)), "cost \(engineCost) vs reference \(reference)",
            sourceLocation: sourceLocation)
        // A perturbation moves z by at most h·|a| ≲ 10⁻⁵: ReLU's kink must lie farther away.
        if activation == .relu {
            #expect(smallest > 1e-3, "fixture has a hidden z of \(smallest), too close to ReLU's kink", sourceLocation: sourceLocation)
        }
        let h = 1e-5
        var worst = 0.0, ignored = Double.infinity
        for i in 0..<p.count {
            var plus = p, minus = p
            plus[i] += h
            minus[i] -= h
            let up = referenceCost(
                plus, sizes: sizes, activation: activation, head: head, data: data, indices: indices, mask: mask, smallestHiddenZ: &ignored)
            let down = referenceCost(
                minus, sizes: sizes, activation: activation, head: head, data: data, indices: indices, mask: mask, smallestHiddenZ: &ignored)
            let numeric = (up - down) / (2 * h)
            worst = max(worst, abs(Double(gradient[i]) - numeric) / max(1e-3, abs(numeric) + abs(Double(gradient[i]))))
        }
        return worst
    }

    /// A seeded network of `sizes`, weights halved so no sigmoid/tanh unit saturates.
    static func network(_ sizes: [Int], activation: Activation, head: Head, seed: UInt64) throws -> Network {
        var g = Xoshiro256StarStar(seed: seed)
        var network = try Network(
            sizes: sizes, cost: head.cost, activation: activation, outputLayer: head.output, initialization: .gaussian, generator: &g)
        network.setParameters(network.parameters.map { $0 * 0.5 })
        return network
    }

    // Property: for every hidden activation × output layer/cost pair, on the native kernels
    // and on BLAS, the engine's gradient is the derivative of the cost its forward pass
    // computes (max relative error printed per combination).
    @Test(arguments: Activation.allCases, Chapter3GradientCheckTests.heads)
    func gradientMatchesFiniteDifferences(activation: Activation, head: Head) throws {
        let sizes = [6, 5, 4, 3]  // three weight layers (two hidden), every matrix non-square
        let data = Fixtures.clusters(count: 7, features: 6, classes: 3, seed: 11)
        let network = try Self.network(sizes, activation: activation, head: head, seed: 12)
        for kernels in Self.kernelPaths {
            let worst = try Self.worstError(
                network: network, activation: activation, head: head, data: data, indices: Array(0..<7), kernels: kernels)
            print(
                "chapter-3 gradient check (\(activation.rawValue), \(head.testDescription), \(kernels.rawValue)): max relative error \(worst) over \(network.parameterCount) parameters"
            )
            // Float32 kernels against a float64 reference: ~1e-6 when right; a wrong formula gives O(1).
            #expect(worst < 1e-3, "\(activation.rawValue), \(head.testDescription), \(kernels.rawValue): max relative error \(worst)")
        }
    }

    // Property: with dropout, backprop differentiates the masked network: the same masks
    // (seed, epoch, and the sample's position in the given order — not its index in the data)
    // scale the activations forward and δ backward, and the hidden units dropped get no
    // gradient through them. The samples are given out of order so position ≠ index.
    @Test(arguments: Activation.allCases)
    func gradientWithDropoutMatchesFiniteDifferences(activation: Activation) throws {
        let sizes = [6, 8, 7, 3]
        let head = Head(output: .softmax, cost: .logLikelihood)
        let data = Fixtures.clusters(count: 7, features: 6, classes: 3, seed: 11)
        let network = try Self.network(sizes, activation: activation, head: head, seed: 13)
        let indices = [4, 0, 6, 2, 5, 1]
        let (p, seed, epoch): (Float, UInt64, Int) = (0.3, 0x5EED, 3)
        // The masks must matter: some units of these samples are dropped, others kept.
        let factors = indices.indices.flatMap { i in
            (1...2).flatMap { l in (0..<sizes[l]).map { DocumentedDropout.factor(p: p, seed: seed, epoch: epoch, position: i, layer: l, unit: $0) } }
        }
        #expect(factors.contains(0) && factors.contains(1 / (1 - p)))
        let plain = try Backpropagation.gradient(of: network, on: data, indices: indices).gradient
        for kernels in Self.kernelPaths {
            let masked = try Backpropagation.gradient(
                of: network, on: data, indices: indices, kernels: kernels, dropout: p, seed: seed, epoch: epoch
            ).gradient
            #expect(Compare.bitDifference(masked, plain) != nil, "dropout changed nothing")
            let worst = try Self.worstError(
                network: network, activation: activation, head: head, data: data, indices: indices, kernels: kernels,
                dropout: p, seed: seed, epoch: epoch)
            print(
                "chapter-3 gradient check with dropout \(p) (\(activation.rawValue), \(head.testDescription), \(kernels.rawValue)): max relative error \(worst) over \(network.parameterCount) parameters"
            )
            #expect(worst < 1e-3, "dropout, \(activation.rawValue), \(kernels.rawValue): max relative error \(worst)")
        }
    }
}
