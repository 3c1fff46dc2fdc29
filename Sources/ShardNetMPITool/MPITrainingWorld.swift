import Foundation
import ShardNet
import ShardNetCLI
import ShardNetMPI

/// `TrainDriver`'s world under `shardnet-mpi`: one rank of `MPIWorld`, one group per rank. Its
/// trainer exchanges with the other ranks; before training the ranks check that they agree;
/// each epoch's log line adds the seconds and bytes sent per step and the rank count.
final class MPITrainingWorld: TrainingWorld {
    let world: MPIWorld
    let showsProgress: Bool
    /// `world.bytesSent` when the current epoch started.
    private var bytesAtEpochStart = 0

    /// Rank 0 draws the progress bar when its output and mpirun's are terminals (mpirun gives
    /// every rank a pseudo-terminal, so the rank's own output says nothing); every rank takes
    /// rank 0's answer, since the bar's interval cuts the epoch into runs of steps.
    init(_ world: MPIWorld) {
        self.world = world
        let mine: UInt64 = Console.isTerminal && Self.parentOutputIsTerminal() ? 1 : 0
        showsProgress = world.allGather([mine])[0][0] == 1
    }

    var rank: Int { world.rank }
    var size: Int { world.size }
    var stopsOnSignal: Bool { false }
    var groups: Int? { world.size }
    var defaultShards: Int { 1 }
    var groupsWord: String { "ranks" }

    static let needsData = "shardnet-mpi train needs --data FILE.h5, which every rank reads (the embedded MNIST-5k ships with shardnet only)"

    /// Why `arguments` cannot run across these ranks, or nil.
    func refusal(_ arguments: TrainArguments) -> String? {
        let execution = arguments.execution
        if let groups = execution.groups, groups != size {
            return
                "--groups \(groups) contradicts the \(size) rank\(size == 1 ? "" : "s") of this job: under shardnet-mpi each rank is one group; drop --groups (or give --groups \(size))"
        }
        if arguments.dataOptions.data == nil { return Self.needsData }
        if execution.threads == "auto" {
            return
                "--threads auto measures one process's threads, not a rank's; under shardnet-mpi give --threads N or leave it out (default: the cores mpirun lets the rank use)"
        }
        if let schedule = execution.schedule, schedule != StepSchedule.shards.rawValue {
            return
                "--step-schedule \(schedule): ranks exchange whole-shard sums, so shardnet-mpi runs the shards schedule; drop the flag or give --step-schedule shards"
        }
        return nil
    }

    func defaultDataPath() throws -> String { throw ValidationErrorMessage(Self.needsData) }

    func describeGroups(_ n: Int) -> String { "\(n) ranks" }

    func regroupingNote(checkpoint: String, saved: Int, groups: Int) -> String {
        "Note: \(checkpoint) was trained with \(saved) groups (ranks); the grouping changes to \(groups) ranks from here on, so the run is no longer bitwise that of \(saved) ranks"
    }

    /// --threads, or the cores this rank may run on (at most the active cores over the ranks on
    /// this host), with a warning when the threads exceed the cores mpirun bound the rank to.
    func execution(_ options: ExecutionOptions, network: Network, data: DataSet, batch: Int, shards: Int) throws -> (
        threads: Int, schedule: StepSchedule
    ) {
        let localRanks = Int(ProcessInfo.processInfo.environment["OMPI_COMM_WORLD_LOCAL_SIZE"] ?? "") ?? 1
        // mpirun binds each rank to one core by default (np ≤ 2: --bind-to core): threads beyond
        // the cores a rank may run on share them and only slow the step down.
        let allowed = Self.allowedCores()
        let threads = options.threadCount ?? max(1, min(allowed ?? Int.max, TrainingOptions.activeCores / max(1, localRanks)))
        if let allowed, threads > allowed {
            FileHandle.standardError.write(
                Data(
                    "shardnet-mpi: rank \(world.rank): \(threads) threads but mpirun bound this rank to \(allowed) core\(allowed == 1 ? "" : "s"); the threads will share \(allowed == 1 ? "it" : "them") — run mpirun with --bind-to none (or --map-by slot:PE=\(threads))\n"
                        .utf8))
        }
        return (threads, .shards)
    }

    func threadsNote(_ options: ExecutionOptions) -> String { " per rank" }

    func makeTrainer(
        network: Network, state: TrainingState, threads: Int, kernels: KernelChoice, schedule: StepSchedule, velocity: [Float]?
    ) throws -> Trainer {
        try Trainer.rank(of: world, network: network, state: state, threads: threads, kernels: kernels, velocity: velocity)
    }

    /// One collective check: digests of the training, test and validation data, the initial
    /// parameters and the options on every rank, compared with rank 0's; a rank that differs
    /// stops the job, named with its file.
    func beforeTraining(_ trainer: Trainer, data: TrainingData, epochs: Int) throws {
        var training = Digest(), test = Digest(), validation = Digest(), parameters = Digest(), options = Digest()
        training.add(data.train.images)
        training.add(data.train.labels)
        test.add(data.test.images)
        test.add(data.test.labels)
        if let split = data.validation {
            validation.add(split.images)
            validation.add(split.labels)
        }
        let network = trainer.network
        network.storage.base.withMemoryRebound(to: UInt8.self, capacity: network.layout.count * 4) {
            parameters.add(UnsafeRawBufferPointer(start: $0, count: network.layout.count * 4))
        }
        let state = trainer.state
        options.add(
            "\(network.sizes) \(network.cost) \(network.activation) \(network.outputLayer) \(state.eta) \(state.initialEta) \(state.lambda) \(state.l1) \(state.momentum) \(state.nesterov) \(state.dropout) \(state.etaSchedule) \(String(describing: state.earlyStop)) \(state.miniBatchSize) \(state.shards) \(state.groups) \(state.seed) \(state.generatorState) \(state.epochsCompleted) \(state.epochStepsDone) \(String(describing: state.shuffleWindow)) \(data.count) \(data.stream != nil) \(epochs)"
        )
        let mine = [training.value, test.value, validation.value, parameters.value, options.value]
        let all = world.allGather(mine)
        let what = [
            "training data (/train of \(data.path))", "test data (/test of \(data.path))", "validation data (of \(data.path))",
            "initial parameters", "options",
        ]
        for r in 1..<world.size {
            for k in mine.indices where all[r][k] != all[0][k] {
                let message =
                    "rank \(r) has different \(what[k]) from rank 0 (digest \(String(all[r][k], radix: 16)) vs \(String(all[0][k], radix: 16)))"
                if world.rank == 0 { world.abort(message) }
                world.barrier()  // rank 0 aborts the job
            }
        }
        bytesAtEpochStart = world.bytesSent
    }

    func epochFields(_ record: EpochRecord, stepsPerEpoch: Int, trainer: Trainer) -> [(String, String)] {
        let bytesPerStep = Double(world.bytesSent - bytesAtEpochStart) / Double(stepsPerEpoch)
        bytesAtEpochStart = world.bytesSent
        return [
            ("secondsPerStep", Format.json(record.seconds / Double(stepsPerEpoch))), ("bytesSentPerStep", Format.json(bytesPerStep)),
            ("ranks", "\(world.size)"),
        ]
    }

    func afterTraining() { world.barrier() }

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

    /// Whether the parent process's standard output (mpirun's, or orted's on another host) is a
    /// terminal (Linux: /proc/<ppid>/fd/1); false when unknown.
    static func parentOutputIsTerminal() -> Bool {
        guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(getppid())/fd/1") else { return false }
        return target.hasPrefix("/dev/pts/") || target.hasPrefix("/dev/tty")
    }
}
