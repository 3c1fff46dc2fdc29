import ArgumentParser
import ShardNet

/// How the arithmetic is cut and who runs it: shards fix the arithmetic (and with the seed,
/// the result); threads only execute it.
struct ExecutionOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Worker threads, or auto (the fastest of 1 … active cores, measured). Default: auto.",
                               valueName: "n|auto"))
    var threads: String?

    @Option(help: "Shards per mini-batch (fixes the arithmetic). Default: the number of active cores.")
    var shards: Int?

    @Option(help: "Seed for the initial weights and every epoch's shuffle. Default: \(TrainingOptions.defaults.seed).")
    var seed: UInt64?

    @OptionGroup var kernels: KernelOptions

    /// Parsed --threads: nil for auto.
    var threadCount: Int? { threads.flatMap { $0 == "auto" ? nil : Int($0) } }

    func validate() throws {
        let limits = TrainingOptions.limits
        if let threads, threads != "auto" {
            guard let n = Int(threads), limits.threads.contains(n) else {
                throw ValidationError("--threads must be auto or a number from \(limits.threads.lowerBound) to \(limits.threads.upperBound), got '\(threads)'")
            }
        }
        if let shards, !limits.shards.contains(shards) {
            throw ValidationError("--shards must be between \(limits.shards.lowerBound) and \(limits.shards.upperBound), got \(shards)")
        }
    }

    /// Flags that contradict a checkpoint being resumed (threads may change freely).
    func conflicts(with state: TrainingState, from path: String) throws {
        try Conflict.check("--shards", shards, state.shards, path)
        try Conflict.check("--seed", seed, state.seed, path)
    }

    /// threads = auto: the fastest of 1 … active cores for this network, data and shard count.
    func resolvedThreads(network: Network, data: DataSet, batch: Int, shards: Int) throws -> Int {
        if let threadCount { return threadCount }
        let cores = TrainingOptions.activeCores
        guard cores > 1 else { return 1 }
        return ThreadCalibration.fastestThreadCount(network: network, data: data, miniBatchSize: batch, shards: shards,
                                                    kernels: try kernels.set(), candidates: Array(1...cores))
    }
}

/// A flag given on a resumed run that disagrees with the checkpoint.
enum Conflict {
    static func check<T: Equatable>(_ flag: String, _ given: T?, _ saved: T, _ path: String) throws {
        if let given, given != saved {
            throw ValidationErrorMessage("\(flag) \(given) contradicts the checkpoint \(path), which was trained with \(saved); drop the flag to resume exactly")
        }
    }
}
