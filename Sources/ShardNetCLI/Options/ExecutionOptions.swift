import ArgumentParser
import ShardNet

/// How the arithmetic is cut and who runs it: shards fix the arithmetic (and with the seed,
/// the result); threads only execute it.
public struct ExecutionOptions: ParsableArguments {
    public init() {}

    @Option(
        help: ArgumentHelp(
            "Worker threads, or auto (the fastest of 1 … active cores, measured at the start and again while training). Default: auto (shardnet-mpi: the cores mpirun lets the rank use).",
            valueName: "n|auto"))
    public var threads: String?

    @Option(help: "Shards per mini-batch (fixes the arithmetic); per rank under shardnet-mpi. Default: the number of active cores (shardnet-mpi: 1).")
    public var shards: Int?

    @Option(
        help:
            "Groups (emulated MPI ranks): the batch is cut into groups × shards shards, each group's shards are summed, then the group sums in order — the arithmetic of shardnet-mpi on that many ranks. Default: 1 (shardnet-mpi: the rank count, the only value it takes)."
    )
    public var groups: Int?

    @Option(help: "Seed for the initial weights and every epoch's shuffle. Default: \(TrainingOptions.defaults.seed).")
    public var seed: UInt64?

    @OptionGroup var kernels: KernelOptions

    @Option(
        name: .customLong("step-schedule"),
        help: ArgumentHelp(
            "How a step is cut into work items: shards (data-parallel), units (each thread owns a range of every layer's units; native kernels, no dropout), or auto (measured with --threads auto). Changes speed, never the weights. Default: auto.",
            valueName: "shards|units|auto"))
    public var schedule: String?

    /// Parsed --threads: nil for auto.
    public var threadCount: Int? { threads.flatMap { $0 == "auto" ? nil : Int($0) } }

    public func validate() throws {
        let limits = TrainingOptions.limits
        if let threads, threads != "auto" {
            guard let n = Int(threads), limits.threads.contains(n) else {
                throw ValidationError(
                    "--threads must be auto or a number from \(limits.threads.lowerBound) to \(limits.threads.upperBound), got '\(threads)'")
            }
        }
        if let schedule, schedule != "auto" && StepSchedule(rawValue: schedule) == nil {
            throw ValidationError("--step-schedule must be shards, units or auto, got '\(schedule)'")
        }
        if fixedSchedule == .units && kernels.kernels == .blas {
            throw ValidationError("--step-schedule units needs the native kernels; drop --kernels blas or use --step-schedule shards")
        }
        if let shards, !limits.shards.contains(shards) {
            throw ValidationError("--shards must be between \(limits.shards.lowerBound) and \(limits.shards.upperBound), got \(shards)")
        }
        if let groups, !limits.groups.contains(groups) || !limits.shards.contains(groups * (shards ?? 1)) {
            throw ValidationError("--groups must be at least 1 with groups × shards at most \(limits.shards.upperBound), got \(groups)")
        }
    }

    /// Flags that contradict a checkpoint being resumed (threads may change freely; --groups may
    /// change the grouping, see `TrainDriver.makeTrainer`).
    public func conflicts(with state: TrainingState, from path: String) throws {
        try Conflict.check("--shards", shards, state.shards, path)
        try Conflict.check("--seed", seed, state.seed, path)
    }

    /// Parsed --step-schedule: nil for auto.
    public var fixedSchedule: StepSchedule? { schedule.flatMap(StepSchedule.init(rawValue:)) }

    /// The choices --threads and --step-schedule leave open, fastest first, each with its
    /// seconds per step as measured now for this network, data and shard count
    /// (`ThreadCalibration.measure`): 1 … active cores threads for auto, the given count
    /// otherwise, times the schedules the kernels run (the given one only, if any). Both given:
    /// that choice alone, not timed (∞).
    public func measured(network: Network, data: DataSet, batch: Int, shards: Int) throws -> [(
        choice: ExecutionChoice, secondsPerStep: Double
    )] {
        let kernels = try kernels.set()
        let cores = TrainingOptions.activeCores
        if threadCount == nil || fixedSchedule == nil {
            // Short: the trainer keeps measuring among these while it trains (`Trainer.adapt`).
            let all = ThreadCalibration.measure(
                network: network, data: data, miniBatchSize: batch, shards: shards,
                kernels: kernels, candidates: threadCount.map { [$0] } ?? Array(1...cores), secondsPerCandidate: 0.03)
            let kept = all.filter { fixedSchedule == nil || $0.choice.schedule == fixedSchedule }
            if !kept.isEmpty { return kept }
        }
        return [(ExecutionChoice(threads: threadCount ?? cores, schedule: fixedSchedule ?? .shards), .infinity)]
    }
}

/// A flag given on a resumed run that disagrees with the checkpoint.
public enum Conflict {
    public static func check<T: Equatable>(_ flag: String, _ given: T?, _ saved: T, _ path: String) throws {
        if let given, given != saved {
            throw ValidationErrorMessage(
                "\(flag) \(given) contradicts the checkpoint \(path), which was trained with \(saved); drop the flag to resume exactly")
        }
    }
}
