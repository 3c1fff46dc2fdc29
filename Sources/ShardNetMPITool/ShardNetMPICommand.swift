import ArgumentParser
import Foundation
import ShardNet
import ShardNetMPI

extension KernelChoice: ExpressibleByArgument {}
extension Cost: ExpressibleByArgument {}
extension Initialization: ExpressibleByArgument {}

@main
struct ShardNetMPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shardnet-mpi",
        abstract: "ShardNet across MPI ranks (Open MPI): data-parallel SGD, bitwise equal to `shardnet train --groups R`.",
        subcommands: [MPITrainCommand.self])
}

/// `shardnet-mpi train`: rank r of R runs shards r·S ..< (r+1)·S of every global mini-batch on
/// its threads; the ranks combine their local sums in rank order (see `GradientExchange`), so
/// the weights are those of `shardnet train --groups R --shards S`, bit for bit.
struct MPITrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train across the ranks of an MPI job (run under mpirun).",
        discussion: """
            Every rank loads --data itself and draws the same shuffle from --seed; rank 0 prints, logs and
            writes the checkpoint. The result equals `shardnet train --groups <ranks> --shards S`, bit for bit.

            Examples:
              mpirun -np 2 shardnet-mpi train --data mnist.h5 --shards 2 --output model.h5
              mpirun --hostfile hosts -np 4 shardnet-mpi train --data /shared/fashion.h5 --threads 8 --shards 8
            """)

    // Model
    @Option(help: "Layer sizes, input first. Default: 784,30,10.") var layers: String?
    @Option(help: "Cost: quadratic or cross-entropy. Default: quadratic.") var cost: Cost?
    @Option(help: "Weight initialisation: gaussian or scaled. Default: gaussian.") var `init`: Initialization?
    // Optimiser
    @Option(help: "Learning rate η. Default: 3.0.") var eta: Float?
    @Option(help: "L2 regularisation λ. Default: 0.") var lambda: Float?
    @Option(help: "Global mini-batch size m (over all ranks). Default: 10.") var batchSize: Int?
    // Data
    @Option(help: "HDF5 dataset (/train, /test), read by every rank.") var data: String
    @Option(help: "Train on the first N training samples only.") var limit: Int?
    // Execution
    @Option(help: "Worker threads per rank. Default: active cores / ranks on this host.") var threads: Int?
    @Option(help: "Shards per rank, S (fixes the arithmetic with the rank count). Default: 1.") var shards: Int?
    @Option(help: "Seed for the initial weights and every epoch's shuffle. Default: 1.") var seed: UInt64?
    @Option(help: "Kernels: auto, avx512, avx2, neon, scalar or blas. Default: auto.") var kernels: KernelChoice = .auto
    // Run
    @Option(help: "Epochs in total. Default: 30.") var epochs: Int = TrainingOptions.defaultEpochs
    @Option(help: "Checkpoint (rank 0 writes it).") var output: String = "model.h5"
    @Option(help: "Save every N epochs (and at the end). Default: 1.") var checkpointEvery: Int = 1
    @Option(
        help:
            "Continue from a checkpoint. With the rank count it was trained on (its groups) the run continues bitwise; with another, the grouping changes from there on (stderr says so)."
    ) var resume: String?
    @Option(help: "JSON Lines log, one record per epoch (rank 0).") var log: String?
    @Flag(help: "Only errors.") var quiet = false

    func run() throws {
        BLAS.useSingleThread()
        let world = MPIWorld()
        do {
            try train(world)
        } catch {
            world.abort("\(error)")
        }
        world.finalize()
    }

    func train(_ world: MPIWorld) throws {
        let rank0 = world.rank == 0
        let file = try DataSetFile.load(from: data)
        var train = file.train
        if let limit { train = train.prefix(limit) }
        let test = file.test

        let network: Network, state: TrainingState
        var velocity: [Float]?
        if let resume {
            let checkpoint = try Checkpoint.load(from: resume)
            guard var saved = checkpoint.training else { throw ShardNetError.invalidArgument("\(resume) has no training state to resume") }
            if saved.groups != world.size {
                guard world.size * saved.shards <= TrainingOptions.limits.shards.upperBound else {
                    throw ShardNetError.invalidArgument(
                        "\(world.size) ranks × \(saved.shards) shards exceeds \(TrainingOptions.limits.shards.upperBound) shards")
                }
                if rank0 {
                    FileHandle.standardError.write(
                        Data(
                            "Note: \(resume) was trained with \(saved.groups) groups (ranks); the grouping changes to \(world.size) ranks from here on, so the run is no longer bitwise that of \(saved.groups) ranks\n"
                                .utf8))
                }
                saved.groups = world.size
            }
            velocity = checkpoint.velocity
            // A flag that contradicts the checkpoint is an error, as in `shardnet train --resume`.
            let given: [(String, String?, String)] = [
                ("--shards", shards.map { "\($0)" }, "\(saved.shards)"),
                ("--layers", layers, checkpoint.network.sizes.map(String.init).joined(separator: ",")),
                ("--cost", cost?.rawValue, checkpoint.network.cost.rawValue),
                ("--init", self.`init`?.rawValue, saved.initialization.rawValue),
                ("--eta", eta.map { "\($0)" }, "\(saved.eta)"), ("--lambda", lambda.map { "\($0)" }, "\(saved.lambda)"),
                ("--batch-size", batchSize.map { "\($0)" }, "\(saved.miniBatchSize)"), ("--seed", seed.map { "\($0)" }, "\(saved.seed)"),
            ]
            for (flag, value, savedValue) in given where value != nil && value != savedValue {
                throw ShardNetError.invalidArgument(
                    "\(flag) \(value!) contradicts the checkpoint \(resume), which was trained with \(savedValue); drop the flag to resume exactly")
            }
            (network, state) = (checkpoint.network, saved)
        } else {
            let sizes =
                try layers.map { text in
                    try text.split(separator: ",").map { part -> Int in
                        guard let n = Int(part.trimmingCharacters(in: .whitespaces)), n > 0 else {
                            throw ShardNetError.invalidArgument("--layers: '\(part)' is not a positive size")
                        }
                        return n
                    }
                } ?? TrainingOptions.defaultSizes
            let d = TrainingOptions.defaults
            let options = TrainingOptions(
                eta: eta ?? d.eta, lambda: lambda ?? d.lambda, miniBatchSize: batchSize ?? d.miniBatchSize, shards: shards ?? 1,
                seed: seed ?? d.seed, initialization: self.`init` ?? d.initialization, groups: world.size)
            (network, state) = try Trainer.freshStart(sizes: sizes, cost: cost ?? TrainingOptions.defaultCost, options: options)
        }
        try Trainer.checkCompatible(train, name: "\(data) /train", sizes: network.sizes)

        // One collective check: the same data, initial parameters and options on every rank.
        try agree(world, train: train, test: test, network: network, state: state)

        let localRanks = Int(ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"] ?? "") ?? 1
        // mpirun binds each rank to one core by default (np ≤ 2: --bind-to core): threads beyond
        // the cores a rank may run on share them and only slow the step down.
        let allowed = Self.allowedCores()
        let threadCount = threads ?? max(1, min(allowed ?? Int.max, TrainingOptions.activeCores / max(1, localRanks)))
        if let allowed, threadCount > allowed {
            FileHandle.standardError.write(
                Data(
                    "shardnet-mpi: rank \(world.rank): \(threadCount) threads but mpirun bound this rank to \(allowed) core\(allowed == 1 ? "" : "s"); the threads will share \(allowed == 1 ? "it" : "them") — run mpirun with --bind-to none (or --map-by slot:PE=\(threadCount))\n"
                        .utf8))
        }
        let trainer = try Trainer.rank(of: world, network: network, state: state, threads: threadCount, kernels: kernels, velocity: velocity)
        if rank0 && !quiet {
            print(
                "Training \(network.sizes.map(String.init).joined(separator: "-")) on \(train.count) samples (\(data)) across \(world.size) ranks × \(state.shards) shards, \(trainer.threads) threads per rank, kernels \(trainer.kernels), seed \(state.seed)"
            )
        }
        let logHandle: FileHandle? = try (rank0 ? log : nil).map { path in
            if !FileManager.default.fileExists(atPath: path) || resume == nil { _ = FileManager.default.createFile(atPath: path, contents: nil) }
            guard let h = FileHandle(forWritingAtPath: path) else { throw ShardNetError.invalidArgument("cannot write the log \(path)") }
            h.seekToEndOfFile()
            return h
        }
        let started = Date()
        let stepsPerEpoch = (train.count + state.miniBatchSize - 1) / state.miniBatchSize
        var bytesAtEpochStart = world.bytesSent
        try trainer.train(
            on: train, evaluatingOn: test, epochs: epochs,
            onEpoch: { (r: EpochRecord) in
                let bytesPerStep = Double(world.bytesSent - bytesAtEpochStart) / Double(stepsPerEpoch)
                bytesAtEpochStart = world.bytesSent
                guard rank0 else { return }
                if !quiet {
                    print(
                        String(
                            format: "Epoch %d/%d  cost %.4f  test %d/%d (%.2f%%)  %.0f samples/s  %.2fs", r.epoch, epochs, r.trainingCost,
                            r.testCorrect, r.testTotal, 100 * r.testAccuracy, r.samplesPerSecond, r.seconds))
                    fflush(nil)
                }
                logHandle?.write(
                    Data(
                        "{\"epoch\": \(r.epoch), \"epochs\": \(epochs), \"trainingCost\": \(json(r.trainingCost)), \"testCorrect\": \(r.testCorrect), \"testTotal\": \(r.testTotal), \"testCost\": \(json(r.testCost)), \"seconds\": \(json(r.seconds)), \"samplesPerSecond\": \(json(r.samplesPerSecond)), \"secondsPerStep\": \(json(r.seconds / Double(stepsPerEpoch))), \"bytesSentPerStep\": \(json(bytesPerStep)), \"ranks\": \(world.size), \"shards\": \(state.shards), \"threads\": \(trainer.threads), \"kernels\": \"\(trainer.kernels)\"}\n"
                            .utf8))
                if r.epoch % max(1, checkpointEvery) == 0 || r.epoch == epochs {
                    try Checkpoint(network: trainer.network, training: trainer.state, velocity: trainer.velocity).save(to: output)
                }
            })
        try logHandle?.close()
        world.barrier()
        if rank0 && !quiet, let last = trainer.state.history.last {
            print(
                String(
                    format: "Done: %d epochs in %.2fs; test accuracy %.2f%% (%d/%d); model saved to %@", trainer.state.epochsCompleted,
                    Date().timeIntervalSince(started), 100 * last.testAccuracy, last.testCorrect, last.testTotal, output))
        }
    }

    private func json(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }

    /// The cores this process may run on (Linux: `Cpus_allowed_list` of /proc/self/status, which
    /// mpirun's binding narrows), or nil when unknown.
    static func allowedCores() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return nil }
        var count = 0
        for part in line.dropFirst("Cpus_allowed_list:".count).trimmingCharacters(in: .whitespaces).split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0) }
            guard let first = bounds.first else { return nil }
            count += (bounds.count == 2 ? bounds[1] : first) - first + 1
        }
        return count > 0 ? count : nil
    }

    /// Digests of the training data, the test data, the initial parameters and the options on
    /// every rank, compared with rank 0's; a rank that differs stops the job, named with its file.
    private func agree(_ world: MPIWorld, train: DataSet, test: DataSet?, network: Network, state: TrainingState) throws {
        var trainDigest = Digest(), testDigest = Digest(), parameters = Digest(), options = Digest()
        trainDigest.add(train.images)
        trainDigest.add(train.labels)
        if let test {
            testDigest.add(test.images)
            testDigest.add(test.labels)
        }
        network.storage.base.withMemoryRebound(to: UInt8.self, capacity: network.layout.count * 4) {
            parameters.add(UnsafeRawBufferPointer(start: $0, count: network.layout.count * 4))
        }
        options.add(
            "\(network.sizes) \(network.cost) \(network.activation) \(network.outputLayer) \(state.eta) \(state.lambda) \(state.l1) \(state.momentum) \(state.nesterov) \(state.dropout) \(state.miniBatchSize) \(state.shards) \(state.groups) \(state.seed) \(state.generatorState) \(state.epochsCompleted) \(epochs)"
        )
        let mine = [trainDigest.value, testDigest.value, parameters.value, options.value]
        let all = world.allGather(mine)
        let what = ["training data (/train of \(data))", "test data (/test of \(data))", "initial parameters", "options"]
        for r in 1..<world.size {
            for k in mine.indices where all[r][k] != all[0][k] {
                let message =
                    "rank \(r) has different \(what[k]) from rank 0 (digest \(String(all[r][k], radix: 16)) vs \(String(all[0][k], radix: 16)))"
                if world.rank == 0 { world.abort(message) }
                world.barrier()  // rank 0 aborts the job
            }
        }
    }
}
