import ShardNet
import ShardNetTestSupport
import Testing

@testable import ShardNet

/// `StepCursor`, the timing harnesses' loop (`ThreadCalibration`, the bench's `TimedEngine`):
/// it runs exactly the steps asked for, wrapping at the epoch's end, and the length of its
/// calls never changes what they compute.
@Suite(.tags(.concurrency)) struct StepCursorTests {
    static let data = Fixtures.clusters(count: 53, features: 12, classes: 4, seed: 8)

    static func engineAndParameters() throws -> (ShardedSGD, AlignedBuffer) {
        var generator = Xoshiro256StarStar(seed: 4)
        let network = try Network(sizes: [12, 9, 4], cost: .quadratic, initialization: .gaussian, generator: &generator)
        let sgd = ShardedSGD(layout: network.layout, cost: .quadratic, miniBatchSize: 10, shards: 2, threads: 2)
        return (sgd, network.storage.copy())
    }

    /// 53 samples in batches of 10: 5 whole steps an epoch (the 3 left over never run). 12
    /// steps from the start in calls of at most 3 are steps 0…4, 0…4, 0, 1 — the same bits as
    /// those three plain runs — and leave the cursor at step 2.
    @Test func wrapsAtTheEpochsEndAndCallLengthChangesNoBit() throws {
        let order = (0..<Self.data.count).map { Int32($0) }
        let (sgd, byCursor) = try Self.engineAndParameters()
        let (plain, byRuns) = try Self.engineAndParameters()
        var cursor = StepCursor(samples: Self.data.count, miniBatchSize: 10)
        #expect(cursor.stepsPerEpoch == 5)
        order.withUnsafeBufferPointer { order in
            _ = cursor.run(12, runLength: 3, on: sgd, order: order, data: Self.data, parameters: byCursor, eta: 0.5, lambda: 0)
            for steps in [0..<5, 0..<5, 0..<2] {
                _ = plain.run(steps: steps, order: order, data: Self.data, parameters: byRuns, eta: 0.5, lambda: 0)
            }
        }
        #expect(cursor.step == 2)
        let same = (0..<byCursor.count).allSatisfy { byCursor.base[$0].bitPattern == byRuns.base[$0].bitPattern }
        #expect(same, "12 steps through the cursor must equal steps 0..<5, 0..<5, 0..<2")
        let before = byCursor.array(0..<byCursor.count)
        _ = order.withUnsafeBufferPointer {
            cursor.run(0, on: sgd, order: $0, data: Self.data, parameters: byCursor, eta: 0.5, lambda: 0)
        }
        #expect(byCursor.array(0..<byCursor.count) == before && cursor.step == 2, "0 steps run nothing")
    }
}
