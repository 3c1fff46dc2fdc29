import ArgumentParser
import Foundation
import ShardNet

extension Cost: ExpressibleByArgument {}
extension Initialization: ExpressibleByArgument {}

/// `shardnet train`: SGD epochs with progress, per-epoch lines, JSONL log and checkpoints.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a network with sharded mini-batch SGD.",
        discussion: """
            Defaults are Nielsen's: --layers 784,30,10 --epochs 30 --batch-size 10 --eta 3.0, quadratic cost,
            gaussian init. Without --data, trains on the embedded 5,000 MNIST digits.
            Shards fix the arithmetic: the same --seed and --shards give bitwise-identical weights for any
            --threads. The model (with its training state) is saved to --output after every
            --checkpoint-every epochs, atomically.

            Examples:
              shardnet train
              shardnet train --data fashion.h5 --epochs 30 --output fashion-model.h5
              shardnet train --data fashion.h5 --cost cross-entropy --init scaled --eta 0.5 --lambda 5
              shardnet train --resume model.h5 --epochs 40
            """)

    @Option(help: ArgumentHelp("Dataset file (HDF5) with /train and /test splits. Default: the embedded MNIST-5k.", valueName: "file.h5"))
    var data: String?

    @Option(help: ArgumentHelp("Layer sizes, input first. Default: 784,30,10.", valueName: "sizes"))
    var layers: String?

    @Option(help: "Total epochs to train (a resumed run continues up to this number).")
    var epochs: Int = 30

    @Option(name: .customLong("batch-size"), help: "Mini-batch size m. Default: 10.")
    var batchSize: Int?

    @Option(help: "Learning rate η. Default: 3.0.")
    var eta: Float?

    @Option(help: "L2 regularisation λ. Default: 0.")
    var lambda: Float?

    @Option(help: "Cost function: quadratic or cross-entropy. Default: quadratic.")
    var cost: Cost?

    @Option(name: .customLong("init"), help: "Initialisation: gaussian (N(0,1)) or scaled (N(0,1/n_in)). Default: gaussian.")
    var initialization: Initialization?

    @Option(help: ArgumentHelp("Worker threads, or auto (the fastest of 1 … active cores, measured). Default: auto.", valueName: "n|auto"))
    var threads: String?

    @Option(help: "Shards per mini-batch (fixes the arithmetic). Default: the number of active cores.")
    var shards: Int?

    @Option(help: "Seed for the initial weights and every epoch's shuffle. Default: 1.")
    var seed: UInt64?

    @Option(help: ArgumentHelp("Where to save the model checkpoint.", valueName: "file.h5"))
    var output: String = "model.h5"

    @Option(help: ArgumentHelp("Continue training from this checkpoint's saved state.", valueName: "file.h5"))
    var resume: String?

    @Option(name: .customLong("checkpoint-every"), help: "Save the checkpoint every N epochs (and always at the end).")
    var checkpointEvery: Int = 1

    @Option(help: ArgumentHelp("Append one JSON object per epoch to this file.", valueName: "file.jsonl"))
    var log: String?

    @Option(help: ArgumentHelp("Write TensorBoard scalars (cost, accuracy, samples/s, ETA) per epoch to an event file in this folder.", valueName: "dir"))
    var tensorboard: String?

    @Option(help: "Train on the first N training samples only.")
    var limit: Int?

    @Flag(help: "Print only the final summary.")
    var quiet = false

    /// Parsed --layers.
    var sizes: [Int]? { layers.map { Self.parseLayers($0) ?? [] } }

    static func parseLayers(_ text: String) -> [Int]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count >= 2, parts.allSatisfy({ $0 != nil && $0! > 0 }) else { return nil }
        return parts.map { $0! }
    }

    /// Parsed --threads: nil for auto.
    var threadCount: Int? { threads.flatMap { $0 == "auto" ? nil : Int($0) } }

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
        if let batchSize, batchSize < 1 { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
        if let eta, !(eta.isFinite && eta > 0) { throw ValidationError("--eta must be a positive number, got \(eta)") }
        if let lambda, !(lambda.isFinite && lambda >= 0) { throw ValidationError("--lambda must be zero or positive, got \(lambda)") }
        if let layers, Self.parseLayers(layers) == nil {
            throw ValidationError("--layers '\(layers)' is not a list of at least two positive sizes, e.g. 784,30,10")
        }
        if let threads, threads != "auto" {
            guard let n = Int(threads), (1...1024).contains(n) else { throw ValidationError("--threads must be auto or a number from 1 to 1024, got '\(threads)'") }
        }
        if let shards, !(1...4096).contains(shards) { throw ValidationError("--shards must be between 1 and 4096, got \(shards)") }
        guard checkpointEvery >= 1 else { throw ValidationError("--checkpoint-every must be at least 1, got \(checkpointEvery)") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        guard !output.isEmpty else { throw ValidationError("--output must name a file, e.g. model.h5") }
    }

    func run() throws {
        BLAS.useSingleThread()
        // Everything that can fail cheaply is checked before any training starts.
        try OutputCheck.checkWritable(checkpoint: output)
        let logWriter = try log.map { try JSONLWriter(path: $0, append: resume != nil) }

        let (dataPath, dataFile) = try DataSource.load(data)
        var train = dataFile.train
        let test = try DataSource.split(dataFile, "test", path: dataPath)
        if let limit { train = train.prefix(limit) }

        let trainer = try makeTrainer(data: train, dataPath: dataPath)
        try trainer.checkCompatible(train, name: "\(dataPath) /train")
        try trainer.checkCompatible(test, name: "\(dataPath) /test")

        let state = trainer.state
        if !quiet {
            let from = state.epochsCompleted > 0 ? ", resuming after epoch \(state.epochsCompleted)" : ""
            Console.line("Training \(trainer.network.sizes.map(String.init).joined(separator: "-")) on \(Format.grouped(train.count)) samples (\(dataPath))\(from)")
            Console.line("  cost \(trainer.network.cost.rawValue), eta \(state.eta), lambda \(state.lambda), batch \(state.miniBatchSize), shards \(state.shards), threads \(trainer.threads)\(threadCount == nil ? " (auto)" : ""), seed \(state.seed)")
        }
        if state.epochsCompleted >= epochs {
            Console.line("Nothing to do: \(resume ?? output) has \(state.epochsCompleted) epochs, --epochs is \(epochs).")
            return
        }

        let board = try tensorboard.map { try TensorBoardLog(directory: $0, network: trainer.network, threads: trainer.threads) }
        let started = Date()
        var bar: ProgressBar?
        var lastSaved = state.epochsCompleted
        do {
            try trainer.train(on: train, evaluatingOn: test, epochs: epochs,
                              progressInterval: Console.isTerminal && !quiet ? max(state.miniBatchSize, 2_000) : 0,
                              progress: { done, total in
                                  if bar == nil { bar = ProgressBar(epoch: trainer.state.epochsCompleted + 1, epochs: epochs, total: total) }
                                  Console.progress(bar!.render(done: done))
                              },
                              onEpoch: { record in
                                  bar = nil
                                  if !quiet { Console.line(Self.describe(record, epochs: epochs)) }
                                  try logWriter?.write(record, epochs: epochs, threads: trainer.threads, shards: trainer.state.shards)
                                  try board?.log(record, network: trainer.network, train: train, epochs: epochs)
                                  if record.epoch % checkpointEvery == 0 || record.epoch == epochs {
                                      try Checkpoint(network: trainer.network, training: trainer.state).save(to: output)
                                      lastSaved = record.epoch
                                  }
                              })
        } catch let error as ShardNetError {
            Console.clearProgress()
            if case .diverged = error {
                let kept = lastSaved > 0 ? "\(output) still holds the last good checkpoint (epoch \(lastSaved))" : "no checkpoint was written"
                throw ValidationErrorMessage("\(error.description); \(kept)")
            }
            throw error
        }
        let last = trainer.state.history.last!
        let total = Date().timeIntervalSince(started)
        Console.line("Done: \(trainer.state.epochsCompleted) epochs in \(Format.duration(total)); test accuracy \(Format.percent(last.testAccuracy)) (\(Format.grouped(last.testCorrect))/\(Format.grouped(last.testTotal))); model saved to \(output)")
    }

    /// The per-epoch line.
    static func describe(_ r: EpochRecord, epochs: Int) -> String {
        let width = String(epochs).count
        let epoch = String(repeating: " ", count: max(0, width - String(r.epoch).count)) + String(r.epoch)
        return "Epoch \(epoch)/\(epochs)  cost \(Format.fixed(r.trainingCost, 4))  test \(Format.grouped(r.testCorrect))/\(Format.grouped(r.testTotal)) (\(Format.percent(r.testAccuracy)))  \(Format.grouped(Int(r.samplesPerSecond))) samples/s  \(Format.fixed(r.seconds, 2))s"
    }

    /// A fresh trainer from the flags, or one resumed from --resume (whose saved
    /// hyper-parameters win; flags that contradict them are errors).
    func makeTrainer(data: DataSet, dataPath: String) throws -> Trainer {
        if let resume {
            let checkpoint = try SafeOpen.checkpoint(resume)
            guard let state = checkpoint.training else {
                throw ShardNetError.invalidFile(path: resume, object: "/training", reason: "the checkpoint has no training state, so it cannot be resumed; train a new model instead")
            }
            func conflict<T: Equatable>(_ flag: String, _ given: T?, _ saved: T) throws {
                if let given, given != saved {
                    throw ValidationErrorMessage("\(flag) \(given) contradicts the checkpoint \(resume), which was trained with \(saved); drop the flag to resume exactly")
                }
            }
            try conflict("--layers", sizes, checkpoint.network.sizes)
            try conflict("--batch-size", batchSize, state.miniBatchSize)
            try conflict("--eta", eta, state.eta)
            try conflict("--lambda", lambda, state.lambda)
            try conflict("--cost", cost, checkpoint.network.cost)
            try conflict("--shards", shards, state.shards)
            try conflict("--seed", seed, state.seed)
            try conflict("--init", initialization, state.initialization)
            let threads = try threadCount ?? pickThreads(network: checkpoint.network, data: data, batch: state.miniBatchSize, shards: state.shards)
            return try Trainer(network: checkpoint.network, state: state, threads: threads)
        }
        let sizes = self.sizes ?? [784, 30, 10]
        guard sizes.first == data.features else {
            throw ValidationErrorMessage("--layers \(sizes.map(String.init).joined(separator: ",")) starts with \(sizes[0]) inputs but \(dataPath) has \(data.features) features per sample; use --layers \(data.features),…")
        }
        guard sizes.last == data.classes else {
            throw ValidationErrorMessage("--layers \(sizes.map(String.init).joined(separator: ",")) ends with \(sizes.last!) outputs but \(dataPath) has \(data.classes) classes; use --layers …,\(data.classes)")
        }
        var options = TrainingOptions()
        options.eta = eta ?? 3.0
        options.lambda = lambda ?? 0
        options.miniBatchSize = batchSize ?? 10
        options.shards = shards ?? TrainingOptions.activeCores
        options.seed = seed ?? 1
        options.initialization = initialization ?? .gaussian
        try options.validate()
        var generator = Xoshiro256StarStar(seed: options.seed)
        let network = try Network(sizes: sizes, cost: cost ?? .quadratic, initialization: options.initialization, generator: &generator)
        options.threads = try threadCount ?? pickThreads(network: network, data: data, batch: options.miniBatchSize, shards: options.resolvedShards)
        return try Trainer(sizes: sizes, cost: cost ?? .quadratic, options: options)
    }

    /// threads = auto.
    func pickThreads(network: Network, data: DataSet, batch: Int, shards: Int) throws -> Int {
        let cores = TrainingOptions.activeCores
        guard cores > 1 else { return 1 }
        guard network.sizes.first == data.features, data.classes <= network.sizes.last! else {
            throw ValidationErrorMessage("the network \(network.sizes.map(String.init).joined(separator: "-")) does not fit data with \(data.features) features and \(data.classes) classes")
        }
        return ThreadCalibration.fastestThreadCount(network: network, data: data, miniBatchSize: batch, shards: shards,
                                                    candidates: Array(1...cores))
    }
}
