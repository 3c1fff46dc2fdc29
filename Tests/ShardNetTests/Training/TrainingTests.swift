import ShardNet
import ShardNetTestSupport
import Testing

/// The trainer learns, evaluates consistently, and guards against divergence.
@Suite(.tags(.numerics, .concurrency)) struct TrainingTests {
    /// A 3-class cluster problem goes from chance (~33%) to ≥ 95% test accuracy in 5 epochs.
    @Test func learnsSyntheticProblem() throws {
        let train = Fixtures.clusters(count: 600, features: 20, classes: 3, noise: 0.25, seed: 1)
        let test = Fixtures.clusters(count: 300, features: 20, classes: 3, noise: 0.25, seed: 1)
        let trainer = try Trainer(sizes: [20, 10, 3], options: TrainingOptions(eta: 3.0, miniBatchSize: 10, threads: 2, seed: 3))
        let before = try trainer.evaluate(test)
        var costs: [Double] = []
        try trainer.train(on: train, evaluatingOn: test, epochs: 5, onEpoch: { costs.append($0.trainingCost) })
        let after = try trainer.evaluate(test)
        #expect(after.accuracy >= 0.95, "accuracy \(after.accuracy) (before \(before.accuracy))")
        #expect(costs.last! < costs.first!)
        #expect(trainer.state.history.last!.testCorrect == after.correct)
    }

    /// Evaluation is the same for any thread count and matches a plain serial count.
    @Test func evaluationMatchesSerialReference() throws {
        let data = Fixtures.clusters(count: 1000, features: 8, classes: 4, seed: 2)
        let network = Fixtures.network([8, 6, 4], seed: 8)
        let outputs = Evaluator(layout: network.layout, threads: 1, chunkRows: 7).outputs(network, images: data.images, count: data.count)
        var correct = 0
        for s in 0..<data.count {
            let row = Array(outputs[(s * 4)..<(s * 4 + 4)])
            if row.firstIndex(of: row.max()!)! == Int(data.labels[s]) { correct += 1 }
        }
        for threads in [1, 2, 5] {
            let e = Evaluator(layout: network.layout, threads: threads, chunkRows: 64).evaluate(network, on: data)
            #expect(e.correct == correct && e.total == 1000)
        }
        let e1 = Evaluator(layout: network.layout, threads: 1).evaluate(network, on: data)
        let e3 = Evaluator(layout: network.layout, threads: 3).evaluate(network, on: data)
        #expect(e1.cost.bitPattern == e3.cost.bitPattern)
    }

    /// η = 3e38 makes the weights overflow to ±∞ and then NaN: training stops with `diverged`, naming the epoch,
    /// and the trainer keeps the last good parameters and state.
    @Test func divergenceIsCaught() throws {
        let data = Fixtures.clusters(count: 200, features: 10, classes: 2, seed: 4)
        let trainer = try Trainer(sizes: [10, 8, 2], cost: .crossEntropy, options: TrainingOptions(eta: 3e38, miniBatchSize: 5, seed: 1))
        let initial = trainer.network
        #expect(throws: ShardNetError.self) { try trainer.train(on: data, evaluatingOn: nil, epochs: 3) }
        do {
            try trainer.train(on: data, evaluatingOn: nil, epochs: 3)
        } catch let ShardNetError.diverged(epoch, reason) {
            #expect(epoch == 1)
            #expect(reason.contains("eta"))
        }
        #expect(trainer.network.isFinite)
        #expect(trainer.network.isBitwiseEqual(to: initial))
        #expect(trainer.state.epochsCompleted == 0)
    }

    /// Bad options and mismatched data give clear errors, not traps.
    @Test func rejectsBadInput() throws {
        #expect(throws: ShardNetError.self) { try Trainer(sizes: [4, 2], options: TrainingOptions(eta: 0)) }
        #expect(throws: ShardNetError.self) { try Trainer(sizes: [4, 2], options: TrainingOptions(miniBatchSize: 0)) }
        #expect(throws: ShardNetError.self) { try Trainer(sizes: [4], options: TrainingOptions()) }
        #expect(throws: ShardNetError.self) { try Trainer(sizes: [4, 0, 2], options: TrainingOptions()) }
        let trainer = try Trainer(sizes: [5, 3, 2], options: TrainingOptions())
        let data = Fixtures.clusters(count: 10, features: 4, classes: 2, seed: 1)
        #expect(throws: ShardNetError.self) { try trainer.train(on: data, evaluatingOn: nil, epochs: 1) }
        #expect(throws: ShardNetError.self) { try DataSet(images: [0, .nan], labels: [0], features: 2, classes: 2) }
        #expect(throws: ShardNetError.self) { try DataSet(images: [0, 1], labels: [2], features: 2, classes: 2) }
    }
}
