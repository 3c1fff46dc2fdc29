import Foundation
import ShardNetTestSupport
import Testing

@testable import ShardNet

/// Chapter 3's training state survives a stop, a checkpoint save and load, and a resume: the
/// momentum's velocity, the dropout masks (keyed by epoch and position, so a resumed epoch
/// redraws the same ones), L1, and the plateau schedule's watch of the validation accuracy
/// (best accuracy, epochs without improvement, the halved η). A resumed run ends bitwise
/// where a straight run ends.
@Suite(.tags(.numerics)) struct Chapter3StopResumeTests {
    /// 101 training samples, batch 4: 26 steps per epoch (the last one partial), 3 shards.
    static let data = Fixtures.clusters(count: 101, features: 8, classes: 3, seed: 41)
    /// A small validation split: its accuracy plateaus soon, so the schedule halves η.
    static let validation = Fixtures.clusters(count: 12, features: 8, classes: 3, noise: 0.4, seed: 42)
    static let sizes = [8, 7, 3]
    static let epochs = 5

    static func options(nesterov: Bool) -> TrainingOptions {
        var options = TrainingOptions(eta: 0.2, lambda: 0.1, miniBatchSize: 4, shards: 3, threads: 2, seed: 17, initialization: .he)
        options.l1 = 0.05
        options.momentum = 0.8
        options.nesterov = nesterov
        options.dropout = 0.2
        options.etaSchedule = .plateau(epochs: 1)
        return options
    }

    static func straight(nesterov: Bool) throws -> Trainer {
        let trainer = try Trainer(
            sizes: sizes, cost: .logLikelihood, activation: .relu, outputLayer: .softmax, options: options(nesterov: nesterov))
        let outcome = try trainer.train(on: data, validatingOn: validation, evaluatingOn: data, epochs: epochs, monitorTraining: true)
        #expect(outcome == .completed)
        return trainer
    }

    // Property: stopping after any number of steps (mid-epoch, at epoch boundaries, several
    // times), saving a checkpoint with the velocity, loading it into a fresh trainer (another
    // thread count) and training on gives the same weights, velocity, history (η column
    // included) and schedule state as an uninterrupted run, bit for bit, with momentum or
    // Nesterov, L1, dropout and the plateau schedule on a validation split.
    // (0: stop at the next epoch boundary.)
    @Test(arguments: [false, true], [[11], [26, 0, 3], [1, 40, 0, 25]])
    func stopSaveLoadResumeEqualsStraightRun(nesterov: Bool, stopsAfterSteps: [Int]) throws {
        let reference = try Self.straight(nesterov: nesterov)
        // The schedule must have acted for the test to protect its state: η was halved at least once.
        let etas = reference.state.history.map(\.eta)
        #expect(Set(etas).count > 1, "η never changed: \(etas)")
        #expect(reference.state.eta < reference.state.initialEta)

        let folder = try IOTempFolder()
        let path = folder.file("c.h5")
        var (network, state) = try Trainer.freshStart(
            sizes: Self.sizes, cost: .logLikelihood, activation: .relu, outputLayer: .softmax, options: Self.options(nesterov: nesterov))
        var velocity: [Float]? = nil
        var stops = 0
        for after in stopsAfterSteps + [Int.max] {
            let trainer = try Trainer(network: network, state: state, threads: 1 + stops % 3, velocity: velocity)
            var steps = 0, epochEnded = false
            let outcome = try trainer.train(
                on: Self.data, validatingOn: Self.validation, evaluatingOn: Self.data, epochs: Self.epochs, monitorTraining: true,
                stepsPerRun: 1, shouldStop: { after == 0 ? epochEnded : steps >= after },
                afterRun: { _ in steps += 1 }, onEpoch: { _ in epochEnded = true })
            if after == Int.max {
                #expect(outcome == .completed)
            } else {
                #expect(outcome == .stopped)
                stops += 1
            }
            try Checkpoint(network: trainer.network, training: trainer.state, velocity: trainer.velocity).save(to: path)
            let back = try Checkpoint.load(from: path)
            #expect(back.training == trainer.state)
            #expect(back.velocity.map { Compare.bitDifference($0, trainer.velocity!) } == .some(nil), "velocity changed in the file")
            (network, state, velocity) = (back.network, back.training!, back.velocity)
        }
        #expect(stops == stopsAfterSteps.count)
        #expect(network.isBitwiseEqual(to: reference.network), "resumed weights differ from the straight run")
        #expect(Compare.bitDifference(try #require(velocity), try #require(reference.velocity)) == nil, "velocity differs")
        #expect(state.history.count == reference.state.history.count)
        #expect(zip(state.history, reference.state.history).allSatisfy { $0.hasSameResults(as: $1) }, "history differs")
        var (a, b) = (state, reference.state)
        (a.history, b.history) = ([], [])
        #expect(a == b, "training state differs: \(a) vs \(b)")
    }

    // Property: a run with momentum resumed without its velocity (zeros) does not end where
    // the straight run ends — so the velocity really is part of the state the test above checks.
    @Test func resumingWithoutTheVelocityDiffers() throws {
        let reference = try Self.straight(nesterov: false)
        let (network, state) = try Trainer.freshStart(
            sizes: Self.sizes, cost: .logLikelihood, activation: .relu, outputLayer: .softmax, options: Self.options(nesterov: false))
        let first = try Trainer(network: network, state: state, threads: 2)
        var steps = 0
        try first.train(
            on: Self.data, validatingOn: Self.validation, evaluatingOn: Self.data, epochs: Self.epochs, monitorTraining: true,
            stepsPerRun: 1, shouldStop: { steps >= 30 }, afterRun: { _ in steps += 1 })
        let second = try Trainer(network: first.network, state: first.state, threads: 2)  // velocity lost
        try second.train(on: Self.data, validatingOn: Self.validation, evaluatingOn: Self.data, epochs: Self.epochs, monitorTraining: true)
        #expect(!second.network.isBitwiseEqual(to: reference.network))
    }
}
