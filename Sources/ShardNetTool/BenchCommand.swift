import ArgumentParser
import ShardNet

/// `shardnet bench`: the scaling sweep (see Benchmarks/ and scripts/bench).
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure training throughput and scaling across thread counts.")

    func run() throws {
        throw ValidationErrorMessage("not wired yet")
    }
}
