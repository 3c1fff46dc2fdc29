/// Everything a resumed run needs to continue exactly as if it had never stopped; saved in a
/// checkpoint's `/training` group.
public struct TrainingState: Sendable, Equatable {
    /// True when the state is inside an epoch (`epochStepsDone` > 0), i.e. saved by a stop or a
    /// mid-epoch checkpoint.
    public var isMidEpoch: Bool { epochStepsDone > 0 }

    /// Epochs finished so far.
    public var epochsCompleted: Int
    /// The seed the run started from.
    public var seed: UInt64
    /// The generator's state after the last finished epoch (`Xoshiro256StarStar.words`): the
    /// state the next (or, mid-epoch, the current) epoch's shuffle is drawn from.
    public var generatorState: [UInt64]
    /// Mini-batch steps already done in the epoch after `epochsCompleted` (0: at an epoch
    /// boundary). A resumed run redraws that epoch's shuffle from `generatorState` and continues
    /// at this step, so it ends bitwise where an uninterrupted run would.
    public var epochStepsDone: Int
    /// The cost summed over the samples of those `epochStepsDone` steps, in step order (0 at an
    /// epoch boundary): the start of that epoch's training-cost sum.
    public var epochCostSum: Double
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
    /// The epoch order's shuffle window in samples (`EpochOrder`); nil: the whole split.
    public var shuffleWindow: Int? = nil

    public init(
        epochsCompleted: Int, seed: UInt64, generatorState: [UInt64], eta: Float, lambda: Float,
        miniBatchSize: Int, shards: Int, initialization: Initialization, history: [EpochRecord],
        epochStepsDone: Int = 0, epochCostSum: Double = 0, groups: Int = 1
    ) {
        self.epochStepsDone = epochStepsDone
        self.epochCostSum = epochCostSum
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
