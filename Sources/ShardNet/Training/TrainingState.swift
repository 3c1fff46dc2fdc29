/// Everything a resumed run needs to continue exactly as if it had never stopped; saved in a
/// checkpoint's `/training` group.
public struct TrainingState: Sendable, Equatable {
    /// Epochs finished so far.
    public var epochsCompleted: Int
    /// The seed the run started from.
    public var seed: UInt64
    /// The generator's state after the last finished epoch (`Xoshiro256StarStar.words`).
    public var generatorState: [UInt64]
    /// Learning rate η.
    public var eta: Float
    /// L2 regularisation λ (0: none).
    public var lambda: Float
    /// Mini-batch size m.
    public var miniBatchSize: Int
    /// Shard count S: fixes the arithmetic, so a resume must use the same S.
    public var shards: Int
    /// Group count R (emulated or MPI ranks, each summing S shards): fixes the arithmetic with
    /// S, so a resume must use the same R. 1 for checkpoints that do not record it.
    public var groups: Int
    /// How the network was initialised ("gaussian" | "scaled").
    public var initialization: Initialization
    /// One record per finished epoch.
    public var history: [EpochRecord]

    public init(
        epochsCompleted: Int, seed: UInt64, generatorState: [UInt64], eta: Float, lambda: Float,
        miniBatchSize: Int, shards: Int, initialization: Initialization, history: [EpochRecord], groups: Int = 1
    ) {
        self.groups = groups
        self.epochsCompleted = epochsCompleted
        self.seed = seed
        self.generatorState = generatorState
        self.eta = eta
        self.lambda = lambda
        self.miniBatchSize = miniBatchSize
        self.shards = shards
        self.initialization = initialization
        self.history = history
    }
}
