import Foundation
import ShardNet
import ShardNetTestSupport
import Testing

/// `TrainingOptions.groups` (R): the batch cut into R × S shards, each group's S shards summed
/// in shard order, then the R group sums in group order — the arithmetic `shardnet-mpi` runs on
/// R ranks. R = 1 is the single sum of S shards of every other test in this target.
@Suite(.tags(.concurrency, .numerics)) struct GroupsTests {
    static let data = Fixtures.clusters(count: 203, features: 12, classes: 4, seed: 21)

    static func train(
        groups: Int?, shards: Int, threads: Int, batch: Int = 10, schedule: StepSchedule = .shards, epochs: Int = 3
    ) throws -> Trainer {
        var options = TrainingOptions(eta: 0.5, lambda: 0.5, miniBatchSize: batch, shards: shards, threads: threads, seed: 99)
        if let groups { options.groups = groups }
        let (network, state) = try Trainer.freshStart(sizes: [12, 9, 4], cost: .crossEntropy, options: options)
        let trainer = try Trainer(network: network, state: state, threads: threads, kernels: .auto, schedule: schedule)
        try trainer.train(on: data, evaluatingOn: data, epochs: epochs)
        return trainer
    }

    static func same(_ a: Trainer, _ b: Trainer) -> Bool {
        a.network.isBitwiseEqual(to: b.network) && zip(a.state.history, b.state.history).allSatisfy { $0.hasSameResults(as: $1) }
    }

    /// groups 1 is today's arithmetic: the same bits as options that never mention groups.
    @Test func oneGroupIsTheSingleSum() throws {
        for shards in [1, 2, 4] {
            let plain = try Self.train(groups: nil, shards: shards, threads: 2)
            let one = try Self.train(groups: 1, shards: shards, threads: 2)
            #expect(Self.same(plain, one), "\(shards) shards")
            #expect(one.state.groups == 1)
        }
    }

    /// With one shard per group the group sums are the shards themselves, so R groups of 1
    /// shard are R shards in one group (the rows are cut the same way): bit for bit.
    @Test func groupsOfOneShardAreShards() throws {
        for r in [2, 3, 5] {
            let groups = try Self.train(groups: r, shards: 1, threads: 2)
            let shards = try Self.train(groups: 1, shards: r, threads: 2)
            #expect(Self.same(groups, shards), "\(r) groups of 1 shard vs \(r) shards")
        }
    }

    /// Threads and the schedule execute the two-level sum; they never change it. Batch 10 in
    /// 3 × 2 or 4 × 3 shards: uneven shards, and empty shards in the partial last batch (3 rows).
    @Test func groupsAreBitwiseIdenticalAcrossThreadsAndSchedules() throws {
        for (r, s) in [(2, 2), (3, 2), (4, 3)] {
            let reference = try Self.train(groups: r, shards: s, threads: 1)
            #expect(reference.state.groups == r)
            for threads in [2, 3] {
                #expect(Self.same(try Self.train(groups: r, shards: s, threads: threads), reference), "R \(r) S \(s) threads \(threads)")
            }
            let units = try Self.train(groups: r, shards: s, threads: 2, schedule: .units)
            #expect(Self.same(units, reference), "R \(r) S \(s): units schedule")
        }
    }

    /// (R, S) is recorded in the checkpoint and a resumed run continues with it, bit for bit.
    @Test(.tags(.io)) func checkpointRecordsGroupsAndResumes() throws {
        let straight = try Self.train(groups: 3, shards: 2, threads: 2, epochs: 3)
        let half = try Self.train(groups: 3, shards: 2, threads: 2, epochs: 1)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("shardnet-groups-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("groups.h5").path
        try Checkpoint(network: half.network, training: half.state).save(to: path)
        let loaded = try Checkpoint.load(from: path)
        #expect(loaded.training?.groups == 3 && loaded.training?.shards == 2)
        let resumed = try Trainer(network: loaded.network, state: loaded.training!, threads: 1)
        try resumed.train(on: Self.data, evaluatingOn: Self.data, epochs: 3)
        #expect(Self.same(resumed, straight))
    }

    @Test func invalidGroupsAreRefused() {
        var options = TrainingOptions(shards: 2, threads: 1)
        options.groups = 0
        #expect(throws: ShardNetError.self) { try options.validate() }
        options.groups = 4096
        #expect(throws: ShardNetError.self) { try options.validate() }
    }
}
