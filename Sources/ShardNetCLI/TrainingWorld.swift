import ShardNet

/// Where `train` runs: this process alone (`LocalWorld`, `shardnet train`), or one rank of an MPI
/// job (`shardnet-mpi train`). `TrainDriver` asks it for what differs between the two; the
/// leader (rank 0) alone prints, logs and writes files.
public protocol TrainingWorld: AnyObject {
    /// This process's rank, 0 ..< size.
    var rank: Int { get }
    /// The processes training together.
    var size: Int { get }
    /// Whether SIGINT and SIGTERM stop the run cleanly (`StopSignal`) instead of ending it.
    var stopsOnSignal: Bool { get }
    /// Whether the leader may draw the progress bar (its output is a terminal).
    var showsProgress: Bool { get }
    /// The run's groups: nil when --groups decides (one process), else the rank count.
    var groups: Int? { get }
    /// Shards per group of a new run without --shards.
    var defaultShards: Int { get }
    /// What the header calls the groups ("groups", "ranks").
    var groupsWord: String { get }

    /// The dataset when --data is absent.
    func defaultDataPath() throws -> String
    /// `n` groups as a message names them ("--groups 3", "3 ranks").
    func describeGroups(_ n: Int) -> String
    /// The line printed when a resumed run's grouping changes from `saved` to `groups`.
    func regroupingNote(checkpoint: String, saved: Int, groups: Int) -> String
    /// The threads and step schedule from --threads and --step-schedule, for this network,
    /// data, mini-batch and total shard count.
    func execution(_ options: ExecutionOptions, network: Network, data: DataSet, batch: Int, shards: Int) throws -> (
        threads: Int, schedule: StepSchedule
    )
    /// The header's note after the thread count (" (auto)", " per rank").
    func threadsNote(_ options: ExecutionOptions) -> String
    /// This process's trainer.
    func makeTrainer(
        network: Network, state: TrainingState, threads: Int, kernels: KernelChoice, schedule: StepSchedule, velocity: [Float]?
    ) throws -> Trainer
    /// Called on every process once every check has passed, before training (MPI: the ranks'
    /// agreement on data, parameters and options).
    func beforeTraining(_ trainer: Trainer, data: TrainingData, epochs: Int) throws
    /// Called on every process after each epoch: fields (name, JSON value) the leader adds to
    /// the epoch's log line.
    func epochFields(_ record: EpochRecord, stepsPerEpoch: Int, trainer: Trainer) -> [(String, String)]
    /// Called on every process when training has ended, before the summary.
    func afterTraining()
}

extension TrainingWorld {
    /// Rank 0: the process that prints, logs and writes the checkpoints.
    public var isLeader: Bool { rank == 0 }
}
