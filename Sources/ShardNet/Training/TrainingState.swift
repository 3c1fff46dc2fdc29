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
    /// How the network was initialised ("gaussian" | "scaled" | "he").
    public var initialization: Initialization
    /// One record per finished epoch.
    public var history: [EpochRecord]
    /// L1 λ₁ (0: none).
    public var l1: Float = 0
    /// Momentum μ (0: plain SGD). With μ > 0 the trainer's velocity is part of the state a
    /// checkpoint keeps (`/training/velocity`).
    public var momentum: Float = 0
    /// Nesterov's form of momentum.
    public var nesterov = false
    /// Dropout probability of hidden units (0: none).
    public var dropout: Float = 0
    /// η at the start of the run (η₀): the plateau schedule stops at η₀/128. `eta` is the
    /// current rate.
    public var initialEta: Float
    /// How η changes.
    public var etaSchedule: EtaSchedule = .constant
    /// Epochs without a better validation accuracy after which training stops (nil: never).
    public var earlyStop: Int?
    /// The best validation accuracy so far, as correct predictions (nil: none measured yet),
    /// and the epoch that reached it.
    public var bestValidationCorrect: Int?
    public var bestEpoch = 0
    /// Epochs in a row without a better validation accuracy (for early stopping).
    public var epochsWithoutImprovement = 0
    /// Epochs since η was last halved (or the best accuracy), for the plateau schedule.
    public var epochsSinceEtaChange = 0
    /// The epoch order's shuffle window in samples (`EpochOrder`); nil: the whole split.
    public var shuffleWindow: Int? = nil

    public init(
        epochsCompleted: Int, seed: UInt64, generatorState: [UInt64], eta: Float, lambda: Float,
        miniBatchSize: Int, shards: Int, initialization: Initialization, history: [EpochRecord],
        epochStepsDone: Int = 0, epochCostSum: Double = 0, groups: Int = 1, initialEta: Float? = nil
    ) {
        self.initialEta = initialEta ?? eta
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
