import Foundation
import ShardNet
import ShardNetTestSupport
import Testing

/// Chapter 3 on every kernel path: the new activations, the softmax, momentum, L1 and dropout
/// keep ShardNet's guarantee — the native instruction sets give the same bits as the portable
/// scalar kernels, the thread count and the step schedule never change a bit, and the BLAS path
/// computes the same model within rounding.
@Suite(.tags(.concurrency, .numerics)) struct Chapter3KernelPathTests {
    static let data = Fixtures.clusters(count: 157, features: 20, classes: 5, seed: 41)

    /// A model and optimiser configuration of chapter 3.
    struct Setup: CustomStringConvertible, Sendable {
        let activation: Activation, outputLayer: OutputLayer, cost: Cost
        let momentum: Float, nesterov: Bool, l1: Float, lambda: Float, dropout: Float
        var description: String {
            "\(activation.rawValue)/\(outputLayer.rawValue)/\(cost.rawValue) μ=\(momentum)\(nesterov ? " Nesterov" : "") l1=\(l1) λ=\(lambda) p=\(dropout)"
        }
    }

    static let setups = [
        Setup(activation: .relu, outputLayer: .softmax, cost: .logLikelihood, momentum: 0.9, nesterov: false, l1: 0.01, lambda: 0.1, dropout: 0.2),
        Setup(activation: .tanh, outputLayer: .sigmoid, cost: .crossEntropy, momentum: 0.5, nesterov: true, l1: 0, lambda: 0.2, dropout: 0),
        Setup(activation: .sigmoid, outputLayer: .softmax, cost: .logLikelihood, momentum: 0, nesterov: false, l1: 0.02, lambda: 0, dropout: 0.3),
        Setup(activation: .relu, outputLayer: .sigmoid, cost: .quadratic, momentum: 0.9, nesterov: true, l1: 0, lambda: 0, dropout: 0),
    ]

    static func train(
        _ s: Setup, kernels: KernelChoice, threads: Int, schedule: StepSchedule = .shards, on training: DataSet = data, epochs: Int = 2
    ) throws -> Trainer {
        var options = TrainingOptions(eta: 0.05, lambda: s.lambda, miniBatchSize: 9, shards: 3, threads: threads, seed: 5)
        options.initialization = s.activation.suggestedInitialization
        options.momentum = s.momentum
        options.nesterov = s.nesterov
        options.l1 = s.l1
        options.dropout = s.dropout
        let (network, state) = try Trainer.freshStart(
            sizes: [20, 33, 17, 5], cost: s.cost, activation: s.activation, outputLayer: s.outputLayer, options: options)
        let trainer = try Trainer(network: network, state: state, threads: threads, kernels: kernels, schedule: schedule)
        try trainer.train(on: training, evaluatingOn: data, epochs: epochs)
        return trainer
    }

    static func same(_ a: Trainer, _ b: Trainer) -> Bool {
        a.network.isBitwiseEqual(to: b.network) && a.velocity == b.velocity
            && zip(a.state.history, b.state.history).allSatisfy { $0.hasSameResults(as: $1) }
    }

    // Property: every native instruction set this CPU runs, on 1 or 2 threads and either step
    // schedule (the unit schedule where there is no dropout), gives the scalar kernels' bits.
    @Test(arguments: setups)
    func nativePathsAreBitwiseTheScalarKernels(setup: Setup) throws {
        let reference = try Self.train(setup, kernels: .scalar, threads: 1)
        #expect(reference.network.isFinite && reference.state.history.last!.testCorrect > 0)
        for choice in KernelSet.available where choice != .blas {
            for threads in [1, 2] {
                let other = try Self.train(setup, kernels: choice, threads: threads)
                #expect(Self.same(reference, other), "\(setup): \(choice.rawValue) on \(threads) threads differs from scalar")
                if setup.dropout == 0 {
                    let units = try Self.train(setup, kernels: choice, threads: threads, schedule: .units)
                    #expect(units.schedule == .units)
                    #expect(Self.same(reference, units), "\(setup): \(choice.rawValue) units schedule on \(threads) threads differs")
                }
            }
        }
    }

    // Property: the BLAS path trains the same model; its products round differently, so after
    // 5 steps (few enough that rounding cannot grow chaotically through ReLU kinks and momentum)
    // the weights agree within a small tolerance, not bit for bit.
    @Test(arguments: setups)
    func blasPathAgreesWithinRounding(setup: Setup) throws {
        let few = Self.data.prefix(45)
        let native = try Self.train(setup, kernels: .scalar, threads: 2, on: few, epochs: 1)
        let blas = try Self.train(setup, kernels: .blas, threads: 2, on: few, epochs: 1)
        let a = native.network.parameters, b = blas.network.parameters
        let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 0
        print("chapter 3 \(setup): BLAS vs native max relative difference after 5 steps \(worst)")
        #expect(worst < 1e-5, "\(setup): BLAS and native differ by \(worst)")
    }
}
