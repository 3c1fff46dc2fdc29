import Foundation
import ShardNet

/// `shardnet train`: one process, whose --groups (default 1) emulate ranks; SIGINT/SIGTERM stop
/// it cleanly, and --threads auto / --step-schedule auto are measured.
public final class LocalWorld: TrainingWorld {
    private let embeddedData: () throws -> String

    /// `embeddedData`: the dataset when --data is absent.
    public init(embeddedData: @escaping () throws -> String) { self.embeddedData = embeddedData }

    public var rank: Int { 0 }
    public var size: Int { 1 }
    public var stopsOnSignal: Bool { true }
    public var showsProgress: Bool { Console.isTerminal }
    public var groups: Int? { nil }
    public var defaultShards: Int { TrainingOptions.activeCores }
    public var groupsWord: String { "groups" }

    public func defaultDataPath() throws -> String { try embeddedData() }

    public func describeGroups(_ n: Int) -> String { "--groups \(n)" }

    public func regroupingNote(checkpoint: String, saved: Int, groups: Int) -> String {
        "Note: \(checkpoint) was trained with \(saved) groups; the grouping changes to \(groups) from here on, so the run is no longer bitwise that of \(saved) groups (nor of shardnet-mpi on \(saved) ranks)"
    }

    /// The choices --threads auto (or --step-schedule auto) measured at the start, fastest
    /// first; `beforeTraining` hands them to the trainer, which keeps measuring among them.
    private var measured: [(choice: ExecutionChoice, secondsPerStep: Double)] = []
    /// Whether the trainer kept more than one choice (`Trainer.adapt(among:)`).
    private var adapts = false

    public func execution(_ options: ExecutionOptions, network: Network, data: DataSet, batch: Int, shards: Int) throws -> (
        threads: Int, schedule: StepSchedule
    ) {
        measured = try options.measured(network: network, data: data, batch: batch, shards: shards)
        return (measured[0].choice.threads, measured[0].choice.schedule)
    }

    public func threadsNote(_ options: ExecutionOptions) -> String {
        let auto = options.threadCount == nil ? "auto" : nil
        let note = [auto, adapts ? "re-measured as it trains" : nil].compactMap { $0 }.joined(separator: ", ")
        return note.isEmpty ? "" : " (\(note))"
    }

    public func makeTrainer(
        network: Network, state: TrainingState, threads: Int, kernels: KernelChoice, schedule: StepSchedule, velocity: [Float]?
    ) throws -> Trainer {
        try Trainer(network: network, state: state, threads: threads, kernels: kernels, schedule: schedule, velocity: velocity)
    }

    public func beforeTraining(_ trainer: Trainer, data: TrainingData, epochs: Int) throws {
        if measured.count > 1 {
            try trainer.adapt(among: measured.map(\.choice), secondsPerStep: measured.map(\.secondsPerStep))
            adapts = trainer.choices.count > 1
        }
    }

    public func epochFields(_ record: EpochRecord, stepsPerEpoch: Int, trainer: Trainer) -> [(String, String)] { [] }

    public func afterTraining() {}
}
