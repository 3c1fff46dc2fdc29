import ArgumentParser
import ShardNet

/// How long a run goes, where it saves and what it reports.
public struct RunOptions: ParsableArguments {
    public init() {}

    @Option(help: "Total epochs to train (a resumed run continues up to this number).")
    public var epochs: Int = TrainingOptions.defaultEpochs

    @Option(help: ArgumentHelp("Where to save the model checkpoint.", valueName: "file.h5"))
    public var output: String = "model.h5"

    @Option(help: ArgumentHelp("Continue training from this checkpoint's saved state.", valueName: "file.h5"))
    public var resume: String?

    @Option(
        name: .customLong("checkpoint-every"),
        help: ArgumentHelp(
            "Save the checkpoint every N epochs (N), every N mini-batch steps (Nsteps) or every N seconds, minutes or hours (Ns, Nm, Nh), and always at the end. Step and time intervals save mid-epoch; a resume continues exactly there.",
            valueName: "N|Nsteps|Ns|Nm|Nh"))
    public var checkpointEvery: CheckpointInterval = .epochs(1)

    @Option(help: ArgumentHelp("Append one JSON object per epoch to this file.", valueName: "file.jsonl"))
    public var log: String?

    @Option(
        help: ArgumentHelp("Write TensorBoard scalars (cost, accuracy, samples/s, ETA) per epoch to an event file in this folder.", valueName: "dir"))
    public var tensorboard: String?

    @Option(
        name: .customLong("keep-best"),
        help: ArgumentHelp("Save the model with the best validation accuracy so far to this file (atomically).", valueName: "file.h5"))
    public var keepBest: String?

    @Flag(name: .customLong("monitor-training"), help: "Also measure the training split's accuracy after every epoch (on with --validation).")
    public var monitorTraining = false

    @Flag(help: "Print only the final summary.")
    public var quiet = false

    public func validate() throws {
        guard TrainingOptions.limits.epochs.contains(epochs) else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        guard !output.isEmpty else { throw ValidationError("--output must name a file, e.g. model.h5") }
        if let keepBest {
            guard !keepBest.isEmpty else { throw ValidationError("--keep-best must name a file, e.g. best.h5") }
            guard keepBest != output else { throw ValidationError("--keep-best must differ from --output (\(output))") }
        }
    }
}
