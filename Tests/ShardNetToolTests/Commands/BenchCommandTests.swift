import Foundation
import ShardNet
import ShardNetBench
import ShardNetTestSupport
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

    /// --pixels uint8 stores the synthetic pixels as bytes, which each batch's gather converts to
    /// [0, 1] as it does for converted MNIST data: the sweep's header says which storage ran (and
    /// the core hand-off before and after the sweep), the
    /// step-cost table measures it, and a storage it does not know is one error line naming the flag.
    @Test func pixelsChoosesTheSyntheticStorage() throws {
        let dir = try Tool.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sweep = try Tool.run([
            "bench", "--network", "20-8-3", "--batch-sizes", "4", "--threads", "1", "--kernels", "auto", "--schedules", "shards",
            "--repetitions", "1", "--seconds-per-point", "0.2", "--pixels", "uint8", "--output", dir.path,
        ])
        #expect(sweep.status == 0, "\(sweep.all)")
        let header = try String(contentsOf: dir.appendingPathComponent("scaling.txt"), encoding: .utf8)
        #expect(header.contains("synthetic samples (uint8 pixels)"), "\(header)")
        if ProcessInfo.processInfo.activeProcessorCount >= 2 {
            // The placement the two-thread points ran under: the core hand-off before and after.
            #expect(header.contains("core hand-off (one way, first two CPUs, median of 5 probes): "), "\(header)")
        }
        let cost = try Tool.run([
            "bench", "--step-cost", "--network", "20-8-3", "--batch-sizes", "4", "--threads", "1", "--schedules", "units",
            "--repetitions", "1", "--seconds-per-point", "0.2", "--pixels", "uint8",
        ])
        #expect(cost.status == 0, "\(cost.all)")
        #expect(cost.stdout.contains("| 20-8-3 | 4 | 1 | 1 | units |"), "\(cost.stdout)")
        let bad = try Tool.run(["bench", "--step-cost", "--pixels", "float16"])
        #expect(bad.status != 0)
        #expect(bad.stdout.isEmpty, "no partial output: \(bad.stdout)")
        #expect(bad.stderr.contains("--pixels: 'float16' is not float32 or uint8"), "\(bad.stderr)")
    }

    /// The storage --pixels picks is the one the engine gathers from: uint8 data holds bytes
    /// (each pixel v read as v / 255, on the 256 values), float32 data floats in [0, 1), from the
    /// same seed and shape.
    @Test func syntheticPixelsAreStoredAsAsked() throws {
        let bytes = try SyntheticData.make(count: 50, features: 7, classes: 3, seed: 5, pixels: .uint8)
        let floats = try SyntheticData.make(count: 50, features: 7, classes: 3, seed: 5, pixels: .float32)
        guard case .uint8(let b) = bytes.storage else {
            Issue.record("--pixels uint8 made \(bytes.storage) data")
            return
        }
        guard case .float32(let f) = floats.storage else {
            Issue.record("--pixels float32 made \(floats.storage) data")
            return
        }
        #expect(b.count == 350 && f.count == 350)
        #expect(Set(b).count > 100, "bytes spread over the 256 values")
        #expect(f.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(bytes.labels.allSatisfy { (0..<3).contains($0) })
    }
}
