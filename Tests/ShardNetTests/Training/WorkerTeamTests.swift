import ShardNetTestSupport
import Testing

@testable import ShardNet

/// The worker team on its own, without any arithmetic: every item runs exactly once per
/// phase, the phases run in order, and nothing depends on how many threads Dispatch really
/// runs. These are the guarantees ShardedSGD's bitwise determinism rests on.
@Suite(.tags(.concurrency)) struct WorkerTeamTests {
    /// What one `run` did, recorded by the work items themselves. Cell (step, item) is written
    /// only by the thread that claimed that item in that step, so an item run twice shows up as
    /// a count of 2 (two claimers at the same moment also as a data race under the thread
    /// sanitizer); every read of another item's cell relies on the team's phase barrier alone.
    final class Record {
        let steps: Int, shards: Int, slices: Int, threads: Int
        /// Runs of (step, shard), then of (step, slice).
        let shardRuns: UnsafeMutablePointer<Int>, sliceRuns: UnsafeMutablePointer<Int>
        /// Per (step, item): how many items of the phase before were not finished when it started.
        let shardEarly: UnsafeMutablePointer<Int>, sliceEarly: UnsafeMutablePointer<Int>
        /// Per (step, item): the busy work's result, stored so that the work is not optimised away.
        let shardSink: UnsafeMutablePointer<Int>, sliceSink: UnsafeMutablePointer<Int>

        init(steps: Int, shards: Int, slices: Int, threads: Int) {
            (self.steps, self.shards, self.slices, self.threads) = (steps, shards, slices, threads)
            shardRuns = .allocate(capacity: steps * shards)
            sliceRuns = .allocate(capacity: steps * slices)
            shardEarly = .allocate(capacity: steps * shards)
            sliceEarly = .allocate(capacity: steps * slices)
            shardSink = .allocate(capacity: steps * shards)
            sliceSink = .allocate(capacity: steps * slices)
            for p in [shardRuns, shardEarly, shardSink] { p.initialize(repeating: 0, count: steps * shards) }
            for p in [sliceRuns, sliceEarly, sliceSink] { p.initialize(repeating: 0, count: steps * slices) }
        }

        deinit {
            for p in [shardRuns, sliceRuns, shardEarly, sliceEarly, shardSink, sliceSink] { p.deallocate() }
        }

        /// A little work whose length varies by item, so that items finish out of order and a
        /// missing barrier has a window to show.
        static func busy(_ seed: Int) -> Int {
            var x = seed &* 0x9E37_79B9 | 1
            for _ in 0..<(4_000 + (seed % 7) * 2_000) { x = x &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407 }
            return x
        }

        /// Runs the team once for all the steps, recording what each item saw.
        func run(on team: WorkerTeam) {
            let timing = ScalarSlots(count: threads * 3)
            let (steps, shards, slices) = (self.steps, self.shards, self.slices)
            let (shardRuns, sliceRuns, shardEarly, sliceEarly) = (self.shardRuns, self.sliceRuns, self.shardEarly, self.sliceEarly)
            let (shardSink, sliceSink) = (self.shardSink, self.sliceSink)
            _ = team.run(
                steps: steps, shards: shards, slices: slices, timing: timing,
                shardWork: { step, shard in
                    // Phase 2·step: every slice of step − 1 must be finished.
                    if step > 0 {
                        var missing = 0
                        for i in 0..<slices where sliceRuns[(step - 1) * slices + i] != 1 { missing += 1 }
                        shardEarly[step * shards + shard] += missing
                    }
                    shardSink[step * shards + shard] = Self.busy(step &* 31 &+ shard)
                    shardRuns[step * shards + shard] += 1
                },
                sliceWork: { step, slice in
                    // Phase 2·step + 1: every shard of the same step must be finished.
                    var missing = 0
                    for s in 0..<shards where shardRuns[step * shards + s] != 1 { missing += 1 }
                    sliceEarly[step * slices + slice] += missing
                    sliceSink[step * slices + slice] = Self.busy(step &* 17 &+ slice &+ 3)
                    sliceRuns[step * slices + slice] += 1
                })
        }

        /// Problems found, as lines (empty when the run was correct).
        func problems() -> [String] {
            var lines: [String] = []
            for t in 0..<steps {
                for s in 0..<shards where shardRuns[t * shards + s] != 1 {
                    lines.append("step \(t) shard \(s) ran \(shardRuns[t * shards + s]) times")
                }
                for i in 0..<slices where sliceRuns[t * slices + i] != 1 {
                    lines.append("step \(t) slice \(i) ran \(sliceRuns[t * slices + i]) times")
                }
                for s in 0..<shards where shardEarly[t * shards + s] != 0 {
                    lines.append("step \(t) shard \(s) started before \(shardEarly[t * shards + s]) slices of step \(t - 1) were done")
                }
                for i in 0..<slices where sliceEarly[t * slices + i] != 0 {
                    lines.append("step \(t) slice \(i) started before \(sliceEarly[t * slices + i]) shards of step \(t) were done")
                }
            }
            return lines
        }
    }

    /// Runs `steps` steps on a fresh team and returns what went wrong (at most 5 lines).
    static func check(threads: Int, shards: Int, slices: Int, steps: Int, spinLimit: Int = 4_000) -> [String] {
        let team = WorkerTeam(threads: threads, items: shards + slices, spinLimit: spinLimit)
        let record = Record(steps: steps, shards: shards, slices: slices, threads: threads)
        record.run(on: team)
        return Array(record.problems().prefix(5))
    }

    // Property: over many steps, every shard and every slice runs exactly once per step, no
    // slice of step t starts before every shard of step t is done, and no shard of step t + 1
    // starts before every slice of step t is done — for team sizes below, at and above the
    // item counts. A double claim, a lost item or a barrier that lets a phase start early fails.
    @Test(arguments: [(2, 2, 2), (2, 5, 2), (3, 4, 3), (4, 7, 4), (8, 3, 8), (1, 3, 1)])
    func everyItemOncePerPhaseInOrder(threads: Int, shards: Int, slices: Int) {
        let problems = Self.check(threads: threads, shards: shards, slices: slices, steps: 2_000)
        #expect(problems.isEmpty, "\(threads) threads, \(shards) shards, \(slices) slices: \(problems)")
    }

    // Property: fewer items than threads (1 shard and 1 slice for 6 threads; 2 and 1 for 4)
    // still runs each item once per phase, in order; idle threads neither run nor block anything.
    @Test func fewerItemsThanThreads() {
        for (threads, shards, slices) in [(6, 1, 1), (4, 2, 1), (5, 1, 3)] {
            let problems = Self.check(threads: threads, shards: shards, slices: slices, steps: 1_000)
            #expect(problems.isEmpty, "\(threads) threads, \(shards) shards, \(slices) slices: \(problems)")
        }
    }

    // Property: 64 threads on a 2-core machine (Dispatch runs far fewer at once, and threads
    // start late) neither deadlock nor run an item twice or out of phase. A small spin limit
    // makes waiting threads yield their core early, as they do on a loaded machine.
    @Test(.timeLimit(.minutes(1)))
    func threadsFarAboveCores() {
        for spinLimit in [0, 50] {
            let problems = Self.check(threads: 64, shards: 16, slices: 64, steps: 100, spinLimit: spinLimit)
            #expect(problems.isEmpty, "64 threads, spin limit \(spinLimit): \(problems)")
        }
    }

    // Property: the same team runs several `run`s in a row (the trainer calls it once per run of
    // steps) with every item once per phase each time: the claim words are reset correctly.
    @Test func teamIsReusableAcrossRuns() {
        let team = WorkerTeam(threads: 3, items: 4 + 3)
        for steps in [1, 7, 300, 2] {
            let record = Record(steps: steps, shards: 4, slices: 3, threads: 3)
            record.run(on: team)
            #expect(record.problems().isEmpty, "run of \(steps) steps: \(record.problems().prefix(5))")
        }
    }

    // Property: forEach runs every item exactly once, passing a worker index below the thread
    // count — for fewer items than threads, none, one, and many more items than threads.
    @Test(arguments: [(1, 10), (2, 1_000), (4, 3), (8, 0), (8, 1), (64, 5_000)])
    func forEachCoversEveryItemOnce(threads: Int, items: Int) {
        let team = WorkerTeam(threads: threads)
        let runs = UnsafeMutablePointer<Int>.allocate(capacity: max(items, 1))
        let badWorker = UnsafeMutablePointer<Int>.allocate(capacity: max(items, 1))
        defer { runs.deallocate(); badWorker.deallocate() }
        runs.initialize(repeating: 0, count: max(items, 1))
        badWorker.initialize(repeating: 0, count: max(items, 1))
        team.forEach(items: items) { worker, item in
            // Cell `item` is written only by the thread that took the item.
            runs[item] += 1
            if worker < 0 || worker >= threads { badWorker[item] += 1 }
        }
        let wrong = (0..<items).filter { runs[$0] != 1 }
        #expect(wrong.isEmpty, "items not run exactly once: \(wrong.prefix(10).map { "\($0): \(runs[$0])" })")
        #expect((0..<items).allSatisfy { badWorker[$0] == 0 }, "a worker index outside 0..<\(threads)")
    }
}
