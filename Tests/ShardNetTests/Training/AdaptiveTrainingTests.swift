import ShardNet
import ShardNetTestSupport
import Testing

@testable import ShardNet

/// `Trainer.adapt(among:)`, `--threads auto` measuring while it trains: the steps run in
/// slices on several engines (thread counts and schedules), which must never change a bit.
@Suite(.tags(.concurrency)) struct AdaptiveTrainingTests {
    static let data = Fixtures.clusters(count: 400, features: 12, classes: 4, seed: 8)

    static func trainer(threads: Int, schedule: StepSchedule, momentum: Float) throws -> Trainer {
        var options = TrainingOptions(eta: 0.5, lambda: 0.1, miniBatchSize: 10, shards: 2, threads: threads, seed: 4)
        options.momentum = momentum
        options.schedule = schedule
        return try Trainer(sizes: [12, 9, 4], cost: .crossEntropy, options: options)
    }

    /// A policy that switches every slice: the leader and a probe in turn, 8 steps each (the
    /// shortest slice), so an epoch of 40 steps runs on every engine several times.
    static func switchingPolicy(_ count: Int, _ times: [Double]) -> ChoicePolicy {
        ChoicePolicy(count: count, secondsPerStep: times, leaderSeconds: 0, probeSeconds: 0, probeEvery: 1, switchRatio: 0)
    }

    /// Property: switching engines between slices — 1 or 2 threads, the shard or the unit
    /// schedule, momentum's velocity carried across — trains bitwise the weights and epoch
    /// costs of one engine running every step; and every engine did run some of them.
    @Test(arguments: [Float(0), 0.9])
    func switchingEnginesChangesNoBit(momentum: Float) throws {
        let reference = try Self.trainer(threads: 1, schedule: .shards, momentum: momentum)
        try reference.train(on: Self.data, evaluatingOn: Self.data, epochs: 3)

        let adaptive = try Self.trainer(threads: 2, schedule: .units, momentum: momentum)
        let others = [
            ExecutionChoice(threads: 1, schedule: .shards), ExecutionChoice(threads: 2, schedule: .shards),
            ExecutionChoice(threads: 1, schedule: .units),
        ]
        try adaptive.adapt(among: others, secondsPerStep: nil, makePolicy: Self.switchingPolicy)
        #expect(adaptive.choices.count == 4)
        try adaptive.train(on: Self.data, evaluatingOn: Self.data, epochs: 3)

        #expect(adaptive.chooser.stepsRun.allSatisfy { $0 > 0 }, "every engine ran steps: \(adaptive.chooser.stepsRun)")
        #expect(adaptive.network.isBitwiseEqual(to: reference.network), "switching engines changed the weights")
        #expect(zip(adaptive.state.history, reference.state.history).allSatisfy { $0.hasSameResults(as: $1) })
        let sameVelocity = adaptive.velocity == reference.velocity
        #expect(sameVelocity, "switching engines changed momentum's velocity")
    }

    /// The choices kept: the trainer's own first, duplicates once; with dropout every choice
    /// runs the shard schedule, so only thread counts remain; BLAS cannot run the unit schedule.
    @Test func choicesKeptAndRefused() throws {
        let trainer = try Self.trainer(threads: 2, schedule: .units, momentum: 0)
        let choices = [
            ExecutionChoice(threads: 2, schedule: .units), ExecutionChoice(threads: 1, schedule: .units),
            ExecutionChoice(threads: 1, schedule: .units),
        ]
        try trainer.adapt(among: choices, secondsPerStep: [1e-5, 2e-5, 2e-5])
        #expect(trainer.choices == [ExecutionChoice(threads: 2, schedule: .units), ExecutionChoice(threads: 1, schedule: .units)])
        #expect(trainer.chooser.policy.secondsPerStep == [1e-5, 2e-5])

        var options = TrainingOptions(eta: 0.5, miniBatchSize: 10, shards: 2, threads: 1, seed: 4)
        options.dropout = 0.2
        let dropout = try Trainer(sizes: [12, 9, 4], options: options)
        try dropout.adapt(among: [ExecutionChoice(threads: 2, schedule: .units), ExecutionChoice(threads: 1, schedule: .units)])
        #expect(dropout.choices == [ExecutionChoice(threads: 1, schedule: .shards), ExecutionChoice(threads: 2, schedule: .shards)])

        options = TrainingOptions(eta: 0.5, miniBatchSize: 10, shards: 2, threads: 1, seed: 4)
        options.kernels = .blas
        let blas = try Trainer(sizes: [12, 9, 4], options: options)
        #expect(throws: ShardNetError.self) { try blas.adapt(among: [ExecutionChoice(threads: 2, schedule: .units)]) }
        #expect(throws: ShardNetError.self) { try trainer.adapt(among: [ExecutionChoice(threads: 0, schedule: .units)]) }
        #expect(throws: ShardNetError.self) { try trainer.adapt(among: choices, secondsPerStep: [1]) }
    }

    /// `threads` and `schedule` report the choice that ran most of the last epoch's steps:
    /// here a policy that keeps the second choice leading after its first probe.
    @Test func reportsTheChoiceThatRanMostOfTheEpoch() throws {
        let trainer = try Self.trainer(threads: 1, schedule: .shards, momentum: 0)
        try trainer.adapt(among: [ExecutionChoice(threads: 2, schedule: .units)], secondsPerStep: nil) { count, _ in
            // The second choice is "measured" far faster at the start: it leads from the first slice.
            ChoicePolicy(count: count, leader: 1, secondsPerStep: [1, 1e-9], leaderSeconds: 1, probeSeconds: 0, probeEvery: 1_000)
        }
        #expect(trainer.threads == 1 && trainer.schedule == .shards, "before the first epoch: the trainer's own choice")
        try trainer.train(on: Self.data, evaluatingOn: nil, epochs: 1)
        #expect(trainer.threads == 2 && trainer.schedule == .units)
    }
}
