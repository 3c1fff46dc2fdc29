import Foundation
import ShardNetTestSupport
import Testing

@testable import ShardNet

/// A run stopped between steps (`shouldStop`), saved, loaded and resumed ends bitwise where an
/// uninterrupted run ends: the mid-epoch position (steps done, cost so far, the generator state
/// the epoch's shuffle came from) is all the state the trainer has.
@Suite(.tags(.numerics)) struct StopResumeTests {
    /// 203 samples, batch 4: 51 steps per epoch (the last one partial), 3 shards.
    static let data = Fixtures.clusters(count: 203, features: 12, classes: 4, seed: 21)
    static let options = TrainingOptions(eta: 0.5, lambda: 0.3, miniBatchSize: 4, shards: 3, threads: 2, seed: 9)
    static let epochs = 3

    static func straight() throws -> Trainer {
        let trainer = try Trainer(sizes: [12, 9, 4], cost: .crossEntropy, options: options)
        #expect(try trainer.train(on: data, evaluatingOn: data, epochs: epochs) == .completed)
        return trainer
    }

    // Property: stopping after any number of steps (mid-epoch, at a boundary, several times),
    // saving a checkpoint, loading it into a fresh trainer and training on gives the same
    // weights and history (training cost of the interrupted epoch included) bit for bit.
    // (0: stop at the next epoch boundary.)
    @Test(arguments: [[7], [51], [50, 3, 30], [1, 1, 0, 30, 0, 20]])
    func stopSaveLoadResumeEqualsStraightRun(stopsAfterSteps: [Int]) throws {
        let reference = try Self.straight()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stop-resume-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("c.h5").path

        var (network, state) = try Trainer.freshStart(sizes: [12, 9, 4], cost: .crossEntropy, options: Self.options)
        var stops = 0
        for after in stopsAfterSteps + [Int.max] {
            // A different thread count on every leg: the position, not the threads, carries the run.
            let trainer = try Trainer(network: network, state: state, threads: 1 + stops % 3)
            var steps = 0, epochEnded = false
            let outcome = try trainer.train(
                on: Self.data, evaluatingOn: Self.data, epochs: Self.epochs, stepsPerRun: 1,
                shouldStop: { after == 0 ? epochEnded : steps >= after },
                afterRun: { _ in steps += 1 }, onEpoch: { _ in epochEnded = true })
            if after == Int.max {
                #expect(outcome == .completed)
            } else {
                #expect(outcome == .stopped)
                stops += 1
            }
            try Checkpoint(network: trainer.network, training: trainer.state).save(to: path)
            let back = try Checkpoint.load(from: path)
            (network, state) = (back.network, back.training!)
            #expect(back.training == trainer.state)
        }
        #expect(stops == stopsAfterSteps.count)
        #expect(network.isBitwiseEqual(to: reference.network), "resumed weights differ from the straight run")
        #expect(state.history.count == reference.state.history.count)
        #expect(zip(state.history, reference.state.history).allSatisfy { $0.hasSameResults(as: $1) })
        #expect(state.generatorState == reference.state.generatorState && !state.isMidEpoch)
    }

    // Property: a stop request lands between runs: the state says exactly how many steps of
    // which epoch are done, and the partial cost sum is what those steps added.
    @Test func stopRecordsThePosition() throws {
        let trainer = try Trainer(sizes: [12, 9, 4], cost: .crossEntropy, options: Self.options)
        var runs = 0
        let outcome = try trainer.train(
            on: Self.data, evaluatingOn: nil, epochs: 2, stepsPerRun: 10,
            shouldStop: { runs == 7 },
            afterRun: { state in
                runs += 1
                #expect(state.epochStepsDone == (runs <= 5 ? 10 * runs : 10 * (runs - 5)))
            })
        #expect(outcome == .stopped)
        // Epoch 1: runs of 10,10,10,10,10,1 (51 steps; the last run ends the epoch, no afterRun); epoch 2: 10, 10.
        #expect(trainer.state.epochsCompleted == 1 && trainer.state.epochStepsDone == 20)
        #expect(trainer.state.epochCostSum > 0 && trainer.state.epochCostSum.isFinite)
    }

    // Property: a mid-epoch position that the data cannot have (data changed since the stop)
    // is refused, not silently trained on from the wrong place.
    @Test func refusesPositionBeyondTheData() throws {
        let (network, fresh) = try Trainer.freshStart(sizes: [12, 9, 4], cost: .crossEntropy, options: Self.options)
        var state = fresh
        state.epochStepsDone = 51
        state.epochCostSum = 1
        let trainer = try Trainer(network: network, state: state, threads: 1)
        #expect(throws: ShardNetError.self) { try trainer.train(on: Self.data, evaluatingOn: nil, epochs: 1) }
    }
}
