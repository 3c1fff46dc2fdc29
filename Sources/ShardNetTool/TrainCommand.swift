import ArgumentParser
import Foundation
import ShardNet

/// `shardnet train`: SGD epochs with progress, per-epoch lines, JSONL log and checkpoints.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a network with sharded mini-batch SGD.",
        discussion: """
            Defaults are Nielsen's chapter-1 run (each option shows its own). Without --data, trains on
            the embedded 5,000 MNIST digits.
            Shards fix the arithmetic: the same --seed and --shards give bitwise-identical weights for any
            --threads. The model (with its training state) is saved to --output after every
            --checkpoint-every epochs (or steps, or minutes: 500steps, 10m), atomically.
            SIGINT (Ctrl-C) or SIGTERM stops after the current steps: the checkpoint records the
            position inside the epoch, the command that resumes is printed, and the exit status is
            130 (SIGINT) or 143 (SIGTERM); --resume continues bitwise as if never stopped. A second
            signal exits at once, leaving the last saved checkpoint as it was.

            Examples:
              shardnet train
              shardnet train --data fashion.h5 --epochs 30 --output fashion-model.h5
              shardnet train --data fashion.h5 --cost cross-entropy --init scaled --eta 0.5 --lambda 5
              shardnet train --data fashion.h5 --layers 784,256,128,10 --activation relu --output-layer softmax \\
                  --momentum 0.9 --eta 0.05 --batch-size 32 --dropout 0.2 --validation 10000 --early-stop 10
              shardnet train --resume model.h5 --epochs 40
            """)

    @OptionGroup(title: "Model") var model: ModelOptions
    @OptionGroup(title: "Optimiser") var optimiser: OptimiserOptions
    @OptionGroup(title: "Data") var dataOptions: DataOptions
    @OptionGroup(title: "Streaming") var streamOptions: StreamOptions
    @OptionGroup(title: "Execution") var execution: ExecutionOptions
    @OptionGroup(title: "Run") var runOptions: RunOptions

    var output: String { runOptions.output }
    var epochs: Int { runOptions.epochs }
    var quiet: Bool { runOptions.quiet }

    func run() throws {
        StopSignal.install()
        BLAS.useSingleThread()
        // Everything that can fail cheaply is checked before any training starts.
        try OutputCheck.checkWritable(checkpoint: output)
        let logWriter = try runOptions.log.map { try JSONLWriter(path: $0, append: runOptions.resume != nil) }

        let data = try TrainingData.open(dataOptions, streamOptions)
        let (dataPath, train, test, stream, validation) = (data.path, data.train, data.test, data.stream, data.validation)
        if runOptions.keepBest != nil && validation == nil {
            throw ValidationErrorMessage(
                "--keep-best keeps the model with the best validation accuracy; give --validation N (or a dataset with /validation)")
        }
        if let keepBest = runOptions.keepBest { try OutputCheck.checkWritable(checkpoint: keepBest) }

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

        let state = trainer.state
        if !quiet {
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
                "  cost \(trainer.network.cost.rawValue), eta \(state.eta), lambda \(state.lambda), batch \(state.miniBatchSize), shards \(state.shards)\(state.groups > 1 ? " × \(state.groups) groups" : ""), threads \(trainer.threads)\(execution.threadCount == nil ? " (auto)" : ""), step schedule \(trainer.schedule.rawValue), seed \(state.seed)"
            )
            Console.line("  kernels \(SystemReport.kernelLine(trainer.kernels))")
            if let line = StreamOptions.describe(stream, window: trainer.state.shuffleWindow) { Console.line(line) }
        }
        if state.epochsCompleted >= epochs {
            Console.line("Nothing to do: \(runOptions.resume ?? output) has \(state.epochsCompleted) epochs, --epochs is \(epochs).")
            return
        }

        let board = try runOptions.tensorboard.map { try TensorBoardLog(directory: $0, network: trainer.network, threads: trainer.threads) }
        let started = Date()
        var bar: ProgressBar?
        let interval = runOptions.checkpointEvery
        let stepsPerEpoch = (data.count + state.miniBatchSize - 1) / state.miniBatchSize
        func globalStep(_ s: TrainingState) -> Int { s.epochsCompleted * stepsPerEpoch + s.epochStepsDone }
        var lastSaved = state, lastSaveTime = Date()
        func save(_ s: TrainingState) throws {
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
                progressInterval: Console.isTerminal && !quiet ? max(state.miniBatchSize, 2_000) : 0,
                progress: { done, total in
                    if bar == nil { bar = ProgressBar(epoch: trainer.state.epochsCompleted + 1, epochs: epochs, total: total) }
                    Console.progress(bar!.render(done: done))
                },
                stepsPerRun: stepsPerRun,
                shouldStop: { StopSignal.requested != nil },
                afterRun: { s in
                    if StopSignal.requested == nil && due(s) { try save(s) }
                },
                onImprovement: { _ in
                    if let keepBest = runOptions.keepBest {
                        try Checkpoint(network: trainer.network, training: trainer.state, velocity: trainer.velocity).save(to: keepBest)
                    }
                },
                onEpoch: { record in
                    bar = nil
                    if !quiet { Console.line(Self.describe(record, epochs: epochs)) }
                    try logWriter?.write(
                        record, epochs: epochs, threads: trainer.threads, shards: trainer.state.shards,
                        groups: trainer.state.groups, kernels: trainer.kernels, schedule: trainer.schedule)
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
            Console.line("Stopped early after epoch \(trainer.state.epochsCompleted): \(reason).")
        }
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
    static func position(_ s: TrainingState, stepsPerEpoch: Int) -> String {
        s.isMidEpoch
            ? "in epoch \(s.epochsCompleted + 1) after step \(s.epochStepsDone)/\(stepsPerEpoch)"
            : "after epoch \(s.epochsCompleted)"
    }

    /// This process's own command line with `--resume <output>` in place of any --resume: the
    /// same flags agree with the checkpoint, so it continues the run exactly.
    static func resumeCommand(output: String) -> String {
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
    static func shellQuoted(_ word: String) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=,:+@%")
        if !word.isEmpty && word.allSatisfy(plain.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The per-epoch line.
    static func describe(_ r: EpochRecord, epochs: Int) -> String {
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
    func makeTrainer(data: DataSet, dataPath: String) throws -> Trainer {
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
            if let groups = execution.groups, groups != saved.groups {
                guard groups * saved.shards <= TrainingOptions.limits.shards.upperBound else {
                    throw ValidationErrorMessage(
                        "--groups \(groups) × \(saved.shards) shards exceeds \(TrainingOptions.limits.shards.upperBound) shards")
                }
                FileHandle.standardError.write(
                    Data(
                        "Note: \(resume) was trained with \(saved.groups) groups; the grouping changes to \(groups) from here on, so the run is no longer bitwise that of \(saved.groups) groups (nor of shardnet-mpi on \(saved.groups) ranks)\n"
                            .utf8))
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
                shards: execution.shards ?? TrainingOptions.activeCores,
                seed: execution.seed ?? defaults.seed,
                initialization: model.resolvedInitialization, groups: execution.groups ?? 1)
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
        let (threads, schedule) = try execution.resolved(
            network: network, data: data, batch: state.miniBatchSize, shards: state.shards * state.groups)
        return try Trainer(
            network: network, state: state, threads: threads, kernels: execution.kernels.kernels,
            schedule: state.dropout > 0 ? .shards : schedule, velocity: velocity)
    }

}
