import Foundation
import ShardNetTestSupport
import Testing

@testable import ShardNet

/// Chapter 3's functions and optimisers keep the engine's determinism promise: for a fixed
/// shard count the weights (and the velocity) are bitwise the same for any thread count and,
/// with the native kernels, for either step schedule — the unit schedule cuts a softmax
/// output layer into unit ranges, yet the softmax needs the whole row.
@Suite(.tags(.numerics, .concurrency)) struct Chapter3DeterminismTests {
    static let data = Fixtures.clusters(count: 90, features: 20, classes: 10, seed: 51)

    static func train(
        activation: Activation, output: OutputLayer, nesterov: Bool, threads: Int, schedule: StepSchedule
    ) throws -> Trainer {
        var options = TrainingOptions(eta: 0.1, lambda: 0.5, miniBatchSize: 10, shards: 3, threads: threads, seed: 6)
        options.initialization = activation.suggestedInitialization
        options.l1 = 0.2
        options.momentum = 0.7
        options.nesterov = nesterov
        options.schedule = schedule
        // 40 output units: more than one 16-unit panel, so the unit schedule splits the last layer.
        let trainer = try Trainer(
            sizes: [20, 33, 40], cost: output.defaultCost, activation: activation, outputLayer: output, options: options)
        try trainer.train(on: data, evaluatingOn: data, epochs: 2)
        return trainer
    }

    // Property: tanh/ReLU hidden layers with sigmoid or softmax outputs, momentum or
    // Nesterov, L1 and L2: 1, 2 or 4 threads and the shard or unit schedule all give the same
    // weights, velocity and training cost, bit for bit.
    @Test(arguments: [(Activation.tanh, OutputLayer.sigmoid, false), (.relu, .softmax, true), (.sigmoid, .softmax, false)])
    func threadsAndSchedulesGiveTheSameBits(activation: Activation, output: OutputLayer, nesterov: Bool) throws {
        let reference = try Self.train(activation: activation, output: output, nesterov: nesterov, threads: 1, schedule: .shards)
        #expect(reference.network.isFinite)
        for (threads, schedule) in [(2, StepSchedule.shards), (4, .shards), (1, .units), (2, .units), (4, .units)] {
            let other = try Self.train(activation: activation, output: output, nesterov: nesterov, threads: threads, schedule: schedule)
            #expect(other.schedule == schedule)
            #expect(
                other.network.isBitwiseEqual(to: reference.network),
                "\(activation.rawValue)/\(output.rawValue): \(threads) threads, \(schedule.rawValue) schedule: weights differ")
            #expect(Compare.bitDifference(other.velocity!, reference.velocity!) == nil, "\(threads) threads, \(schedule.rawValue): velocity")
            #expect(zip(other.state.history, reference.state.history).allSatisfy { $0.hasSameResults(as: $1) })
        }
    }
}
