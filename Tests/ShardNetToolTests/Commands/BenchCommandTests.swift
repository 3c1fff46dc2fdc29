import Foundation
import Testing

/// `shardnet bench --step-cost` measures what it is asked: the network, batch size, thread
/// counts and schedules given, not only Nielsen's setup.
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
}
