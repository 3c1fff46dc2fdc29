import Foundation
import Testing

/// `shardnet bench --step-cost` measures what it is asked: the network, batch size, thread
/// counts, shard count and schedules given, not only Nielsen's setup.
@Suite(.serialized, .tags(.cli)) struct BenchCommandTests {
    @Test func stepCostMeasuresTheGivenNetwork() throws {
        let result = try Tool.run([
            "bench", "--step-cost", "--network", "20-8-3", "--batch-sizes", "4,6", "--threads", "1", "--schedules", "shards",
            "--repetitions", "1", "--seconds-per-point", "0.2",
        ])
        #expect(result.status == 0, "\(result.all)")
        let rows = result.stdout.split(separator: "\n").filter { $0.hasPrefix("| 20-8-3 ") }
        #expect(rows.count == 2, "one row per batch size: \(result.stdout)")
        #expect(rows.first?.hasPrefix("| 20-8-3 | 4 | 1 | 1 | shards |") == true, "\(result.stdout)")
        #expect(rows.last?.hasPrefix("| 20-8-3 | 6 | 1 | 1 | shards |") == true, "\(result.stdout)")
        #expect(!result.stdout.contains("784-30-10"), "the default network is not measured when --network is given")
    }

    /// --shards 2 runs one thread on the two-thread arithmetic (S = 2 on both rows), the like-
    /// for-like comparison; without it S = T.
    @Test func stepCostHonoursShards() throws {
        let fixed = try Tool.run([
            "bench", "--step-cost", "--network", "20-8-3", "--batch-sizes", "8", "--threads", "1,2", "--shards", "2",
            "--schedules", "units", "--repetitions", "1", "--seconds-per-point", "0.2",
        ])
        #expect(fixed.status == 0, "\(fixed.all)")
        let rows = fixed.stdout.split(separator: "\n").filter { $0.hasPrefix("| 20-8-3 ") }
        #expect(rows.count == 2, "\(fixed.stdout)")
        #expect(rows.first?.hasPrefix("| 20-8-3 | 8 | 1 | 2 | units |") == true, "\(fixed.stdout)")
        #expect(rows.last?.hasPrefix("| 20-8-3 | 8 | 2 | 2 | units |") == true, "\(fixed.stdout)")
        // The side-by-side speed-up is against the first thread count's point: 1 for itself.
        #expect(rows.first?.hasSuffix("| 1.00× |") == true, "\(fixed.stdout)")
        #expect(rows.last?.hasSuffix("× |") == true, "\(fixed.stdout)")
        let matching = try Tool.run([
            "bench", "--step-cost", "--network", "20-8-3", "--batch-sizes", "8", "--threads", "1,2", "--schedules", "units",
            "--repetitions", "1", "--seconds-per-point", "0.2",
        ])
        #expect(matching.stdout.contains("| 20-8-3 | 8 | 1 | 1 | units |"), "S = T without --shards: \(matching.stdout)")
    }
}
