import ArgumentParser
import Foundation
import ShardNet

/// The body of `train`, shared by `shardnet train` and `shardnet-mpi train`: loads the data,
/// checks the flags (and a resumed checkpoint), builds the trainer through `world`, then trains
/// with per-epoch lines, a progress bar, the JSONL log, TensorBoard scalars, checkpoints
/// (atomic) and --keep-best. Only the world's leader prints, logs and writes files.
public struct TrainDriver {
    /// The parsed options.
    public let arguments: TrainArguments
    /// Where this process trains.
    public let world: any TrainingWorld

    public init(_ arguments: TrainArguments, world: any TrainingWorld) {
        self.arguments = arguments
        self.world = world
    }

    var model: ModelOptions { arguments.model }
    var optimiser: OptimiserOptions { arguments.optimiser }
    var dataOptions: DataOptions { arguments.dataOptions }
    var streamOptions: StreamOptions { arguments.streamOptions }
    var execution: ExecutionOptions { arguments.execution }
    var runOptions: RunOptions { arguments.runOptions }
    var output: String { arguments.output }
    var epochs: Int { arguments.epochs }
    var quiet: Bool { arguments.quiet }

    /// Trains as the arguments say. Throws `ExitCode(128 + signal)` after a clean stop by a signal.
    public func run() throws {
        if world.stopsOnSignal { StopSignal.install() }
        BLAS.useSingleThread()
        let leader = world.isLeader
        // Everything that can fail cheaply is checked before any training starts.
        if leader { try OutputCheck.checkWritable(checkpoint: output) }
        let logWriter = try runOptions.log.flatMap { leader ? try JSONLWriter(path: $0, append: runOptions.resume != nil) : nil }

        let dataPath = try dataOptions.data ?? world.defaultDataPath()
        let data = try TrainingData.open(path: dataPath, dataOptions, streamOptions, notes: leader)
        let (train, test, stream, validation) = (data.train, data.test, data.stream, data.validation)
        if runOptions.keepBest != nil && validation == nil {
            throw ValidationErrorMessage(
                "--keep-best keeps the model with the best validation accuracy; give --validation N (or a dataset with /validation)")
        }
        if leader, let keepBest = runOptions.keepBest { try OutputCheck.checkWritable(checkpoint: keepBest) }

        let trainer = try makeTrainer(data: train, dataPath: dataPath)
        try streamOptions.prepare(trainer, stream: stream, resumed: runOptions.resume != nil)
        try trainer.checkCompatible(train, name: "\(dataPath) /train")
        try trainer.checkCompatible(test, name: "\(dataPath) /test")
        if let validation { try trainer.checkCompatible(validation, name: "\(dataPath) validation split") }
        if validation == nil && (trainer.state.etaSchedule != .constant || trainer.state.earlyStop != nil) {
            throw ValidationErrorMessage(
                "\(trainer.state.etaSchedule != .constant ? "--schedule \(trainer.state.etaSchedule)" : "--early-stop") watches the validation accuracy; give --validation N (or a dataset with /validation)"
            )
        }
        try world.beforeTraining(trainer, data: data, epochs: epochs)

        let state = trainer.state
        if leader && !quiet {
            let from = state.epochsCompleted > 0 ? ", resuming after epoch \(state.epochsCompleted)" : ""
            Console.line(
                "Training \(trainer.network.sizes.map(String.init).joined(separator: "-")) on \(Format.grouped(data.count)) samples (\(dataPath))\(from)"
                    + (validation.map { ", validating on \(Format.grouped($0.count))" } ?? ""))
            let net = trainer.network
            if net.activation != .sigmoid || net.outputLayer != .sigmoid || state.momentum > 0 || state.l1 > 0 || state.dropout > 0
                || state.etaSchedule != .constant || state.earlyStop != nil
            {
                var parts = [
                    "\(net.activation.rawValue) hidden layers", "\(net.outputLayer.rawValue) output", "init \(state.initialization.rawValue)",
                ]
                if state.momentum > 0 { parts.append("momentum \(state.momentum)\(state.nesterov ? " (Nesterov)" : "")") }
                if state.l1 > 0 { parts.append("l1 \(state.l1)") }
                if state.dropout > 0 { parts.append("dropout \(state.dropout)") }
                if state.etaSchedule != .constant { parts.append("eta schedule \(state.etaSchedule) from \(state.initialEta)") }
                if let n = state.earlyStop { parts.append("early stop after \(n) epochs") }
                Console.line("  " + parts.joined(separator: ", "))
            }
            Console.line(
                "  cost \(trainer.network.cost.rawValue), eta \(state.eta), lambda \(state.lambda), batch \(state.miniBatchSize), shards \(state.shards)\(state.groups > 1 ? " × \(state.groups) \(world.groupsWord)" : ""), threads \(trainer.threads)\(world.threadsNote(execution)), step schedule \(trainer.schedule.rawValue), seed \(state.seed)"
            )
            Console.line("  kernels \(SystemReport.kernelLine(trainer.kernels))")
            if let line = StreamOptions.describe(stream, window: trainer.state.shuffleWindow) { Console.line(line) }
        }
        if state.epochsCompleted >= epochs {
            if leader {
                Console.line("Nothing to do: \(runOptions.resume ?? output) has \(state.epochsCompleted) epochs, --epochs is \(epochs).")
            }
            return
        }

        let board = try runOptions.tensorboard.flatMap {
            leader ? try TensorBoardLog(directory: $0, network: trainer.network, threads: trainer.threads) : nil
        }
        let started = Date()
        var bar: ProgressBar?
        let interval = runOptions.checkpointEvery
        let stepsPerEpoch = (data.count + state.miniBatchSize - 1) / state.miniBatchSize
        func globalStep(_ s: TrainingState) -> Int { s.epochsCompleted * stepsPerEpoch + s.epochStepsDone }
        var lastSaved = state, lastSaveTime = Date()
        func save(_ s: TrainingState) throws {
            guard leader else { return }
            try Checkpoint(network: trainer.network, training: s, velocity: trainer.velocity).save(to: output)
            lastSaved = s
            lastSaveTime = Date()
        }
        /// Whether the step or time interval since the last save has passed.
        func due(_ s: TrainingState) -> Bool {
            switch interval {
            case .epochs: return false
            case .steps(let n): return globalStep(s) - globalStep(lastSaved) >= n
            case .seconds(let t): return Date().timeIntervalSince(lastSaveTime) >= t
            }
        }
        var stepsPerRun = Trainer.defaultStepsPerRun
        if case .steps(let n) = interval { stepsPerRun = min(stepsPerRun, n) }
        let outcome: Trainer.Outcome
        do {
            outcome = try trainer.train(
                on: train, streaming: stream, validatingOn: validation, evaluatingOn: test, epochs: epochs,
                monitorTraining: runOptions.monitorTraining || validation != nil,
                // The same on every rank: it splits the epoch into runs of steps.
                progressInterval: world.showsProgress && !quiet ? max(state.miniBatchSize, 2_000) : 0,
                progress: { done, total in
                    guard leader else { return }
                    if bar == nil { bar = ProgressBar(epoch: trainer.state.epochsCompleted + 1, epochs: epochs, total: total) }
                    Console.progress(bar!.render(done: done))
                },
                stepsPerRun: stepsPerRun,
                shouldStop: { world.stopsOnSignal && StopSignal.requested != nil },
                afterRun: { s in
                    if StopSignal.requested == nil && due(s) { try save(s) }
                },
                onImprovement: { _ in
                    if leader, let keepBest = runOptions.keepBest {
                        try Checkpoint(network: trainer.network, training: trainer.state, velocity: trainer.velocity).save(to: keepBest)
                    }
                },
                onEpoch: { record in
                    let fields = world.epochFields(record, stepsPerEpoch: stepsPerEpoch, trainer: trainer)
                    bar = nil
                    if leader && !quiet { Console.line(Self.describe(record, epochs: epochs)) }
                    try logWriter?.write(
                        record, epochs: epochs, threads: trainer.threads, shards: trainer.state.shards,
                        groups: trainer.state.groups, kernels: trainer.kernels, schedule: trainer.schedule, extra: fields)
                    try board?.log(record, network: trainer.network, train: train, epochs: epochs)
                    let everyEpochs: Bool
                    if case .epochs(let n) = interval { everyEpochs = record.epoch % n == 0 } else { everyEpochs = false }
                    if everyEpochs || record.epoch == epochs || due(trainer.state) || StopSignal.requested != nil {
                        try save(trainer.state)
                    }
                })
        } catch let error as ShardNetError {
            Console.clearProgress()
            if case .diverged = error {
                let kept =
                    lastSaved.epochsCompleted > 0 || lastSaved.isMidEpoch
                    ? "\(output) still holds the last good checkpoint (\(Self.position(lastSaved, stepsPerEpoch: stepsPerEpoch)))"
                    : "no checkpoint was written"
                throw ValidationErrorMessage("\(error.description); \(kept)")
            }
            throw error
        }
        world.afterTraining()
        if outcome == .stopped, let signal = StopSignal.requested {
            Console.clearProgress()
            let s = trainer.state
            if s != lastSaved { try save(s) }
            let line =
                "Stopped by \(StopSignal.name(signal)) \(Self.position(s, stepsPerEpoch: stepsPerEpoch)); checkpoint saved to \(output). Resume with: \(Self.resumeCommand(output: output))"
            FileHandle.standardError.write(Data((line + "\n").utf8))
            throw ExitCode(128 + signal)
        }
        if case .finishedEarly(let reason) = outcome {
            if trainer.state != lastSaved { try save(trainer.state) }
            if leader { Console.line("Stopped early after epoch \(trainer.state.epochsCompleted): \(reason).") }
        }
        guard leader else { return }
        let last = trainer.state.history.last!
        let total = Date().timeIntervalSince(started)
        if let keepBest = runOptions.keepBest, let best = trainer.state.bestValidationCorrect, last.validationTotal > 0 {
            Console.line(
                "Best validation accuracy \(Format.percent(Double(best) / Double(last.validationTotal))) at epoch \(trainer.state.bestEpoch); saved to \(keepBest)"
            )
        }
        Console.line(
            "Done: \(trainer.state.epochsCompleted) epochs in \(Format.duration(total)); test accuracy \(Format.percent(last.testAccuracy)) (\(Format.grouped(last.testCorrect))/\(Format.grouped(last.testTotal))); model saved to \(output)"
        )
    }

    /// Where a state stands: "after epoch 3" or "in epoch 4 after step 120/400".
    public static func position(_ s: TrainingState, stepsPerEpoch: Int) -> String {
        s.isMidEpoch
            ? "in epoch \(s.epochsCompleted + 1) after step \(s.epochStepsDone)/\(stepsPerEpoch)"
            : "after epoch \(s.epochsCompleted)"
    }

    /// This process's own command line with `--resume <output>` in place of any --resume: the
    /// same flags agree with the checkpoint, so it continues the run exactly.
    public static func resumeCommand(output: String) -> String {
        var args = Array(CommandLine.arguments.dropFirst())
        var i = 0
        while i < args.count {
            if args[i] == "--resume" {
                args.removeSubrange(i..<min(args.count, i + 2))
            } else if args[i].hasPrefix("--resume=") {
                args.remove(at: i)
            } else {
                i += 1
            }
        }
        let at = (args.firstIndex(of: "train") ?? -1) + 1
        args.insert(contentsOf: ["--resume", output], at: at)
        return ([CommandLine.arguments[0]] + args).map(shellQuoted).joined(separator: " ")
    }

    /// `word` as one shell word: unchanged when it is plain, else in single quotes.
    public static func shellQuoted(_ word: String) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,:+@%")
        if !word.isEmpty && word.allSatisfy(plain.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The per-epoch line.
    public static func describe(_ r: EpochRecord, epochs: Int) -> String {
        let width = String(epochs).count
        let epoch = String(repeating: " ", count: max(0, width - String(r.epoch).count)) + String(r.epoch)
        let training = r.trainingTotal > 0 ? "  train \(Format.percent(r.trainingAccuracy))" : ""
        let validation =
            r.validationTotal > 0 ? "  validation \(Format.percent(r.validationAccuracy)) cost \(Format.fixed(r.validationCost, 4))" : ""
        return
            "Epoch \(epoch)/\(epochs)  cost \(Format.fixed(r.trainingCost, 4))\(training)\(validation)  test \(Format.grouped(r.testCorrect))/\(Format.grouped(r.testTotal)) (\(Format.percent(r.testAccuracy))) cost \(Format.fixed(r.testCost, 4))  \(Format.grouped(Int(r.samplesPerSecond))) samples/s  \(Format.fixed(r.seconds, 2))s"
    }

    /// A fresh trainer from the flags, or one resumed from --resume (whose saved
    /// hyper-parameters win; flags that contradict them are errors).
    public func makeTrainer(data: DataSet, dataPath: String) throws -> Trainer {
        let network: Network, state: TrainingState
        var velocity: [Float]?
        if let resume = runOptions.resume {
            let checkpoint = try DataSource.checkpoint(resume, flag: "--resume")
            guard var saved = checkpoint.training else {
                throw ShardNetError.invalidFile(
                    path: resume, object: "/training",
                    reason: "the checkpoint has no training state, so it cannot be resumed; train a new model instead")
            }
            try model.conflicts(with: checkpoint, state: saved, from: resume)
            try optimiser.conflicts(with: saved, from: resume)
            try execution.conflicts(with: saved, from: resume)
            if let groups = world.groups ?? execution.groups, groups != saved.groups {
                guard groups * saved.shards <= TrainingOptions.limits.shards.upperBound else {
                    throw ValidationErrorMessage(
                        "\(world.describeGroups(groups)) × \(saved.shards) shards exceeds \(TrainingOptions.limits.shards.upperBound) shards")
                }
                if world.isLeader {
                    FileHandle.standardError.write(
                        Data((world.regroupingNote(checkpoint: resume, saved: saved.groups, groups: groups) + "\n").utf8))
                }
                saved.groups = groups
            }
            try streamOptions.conflicts(with: saved, from: resume)
            (network, state) = (checkpoint.network, saved)
            velocity = checkpoint.velocity
        } else {
            let sizes = model.sizes, layers = sizes.map(String.init).joined(separator: ",")
            guard sizes.first == data.features else {
                throw ValidationErrorMessage(
                    "--layers \(layers) starts with \(sizes[0]) inputs but \(dataPath) has \(data.features) features per sample; use --layers \(data.features),…"
                )
            }
            guard sizes.last == data.classes else {
                throw ValidationErrorMessage(
                    "--layers \(layers) ends with \(sizes.last!) outputs but \(dataPath) has \(data.classes) classes; use --layers …,\(data.classes)")
            }
            let defaults = TrainingOptions.defaults
            var options = TrainingOptions(
                eta: optimiser.eta ?? defaults.eta, lambda: optimiser.lambda ?? defaults.lambda,
                miniBatchSize: optimiser.batchSize ?? defaults.miniBatchSize,
                shards: execution.shards ?? world.defaultShards,
                seed: execution.seed ?? defaults.seed,
                initialization: model.resolvedInitialization, groups: world.groups ?? execution.groups ?? 1)
            optimiser.apply(to: &options)
            (network, state) = try Trainer.freshStart(
                sizes: sizes, cost: model.resolvedCost, activation: model.resolvedActivation, outputLayer: model.resolvedOutputLayer,
                options: options)
        }
        do {
            try Trainer.checkCompatible(data, name: "\(dataPath) /train", sizes: network.sizes)
        } catch let error as ShardNetError {
            throw ValidationErrorMessage("\(error); the model needs --layers \(data.features),…,\(data.classes)")
        }
        let (threads, schedule) = try world.execution(
            execution, network: network, data: data, batch: state.miniBatchSize, shards: state.shards * state.groups)
        return try world.makeTrainer(
            network: network, state: state, threads: threads, kernels: execution.kernels.kernels,
            schedule: state.dropout > 0 ? .shards : schedule, velocity: velocity)
    }

}
