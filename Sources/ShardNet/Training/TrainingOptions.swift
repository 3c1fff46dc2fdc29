import Foundation

/// Hyper-parameters and execution settings of a training run, with their defaults and limits
/// stated once, here: the CLI's help, its validation and the checkpoint reader all read them.
/// Defaults are Nielsen's chapter-1 run: [784, 30, 10], 30 epochs, mini-batch 10, η = 3.0,
/// quadratic cost, no regularisation, N(0, 1) initialisation.
public struct TrainingOptions: Sendable, Equatable {
    /// Learning rate η.
    public var eta: Float = 3.0
    /// L2 regularisation λ: w ← (1 − ηλ/n)·w − (η/m)·Σ∇w (0: none).
    public var lambda: Float = 0
    /// L1 regularisation λ₁: w ← w − (ηλ₁/n)·sgn w − (η/m)·Σ∇w (0: none; chapter 3).
    public var l1: Float = 0
    /// Momentum μ in [0, 1): v ← μv − (η/m)·Σ∇w, w ← w + v (0: plain SGD; chapter 3).
    public var momentum: Float = 0
    /// Nesterov's momentum (needs μ > 0): w ← w + μv − (η/m)·Σ∇w with the new v.
    public var nesterov = false
    /// Dropout probability p in [0, 1) of each hidden unit during training (0: none).
    public var dropout: Float = 0
    /// How η changes over the run (chapter 3's halving on a validation plateau, or constant).
    public var etaSchedule: EtaSchedule = .constant
    /// Stop after this many epochs without a better validation accuracy (nil: never).
    public var earlyStop: Int?
    /// Mini-batch size m.
    public var miniBatchSize: Int = 10
    /// Shards per mini-batch, S. Fixes the arithmetic: the same seed and S give bitwise
    /// identical weights for any thread count. nil: one per thread.
    public var shards: Int?
    /// Groups (emulated ranks) per mini-batch, R: the batch is cut into R × S shards; each
    /// group's S shards are summed in shard order, then the R group sums in group order — the
    /// arithmetic of R MPI ranks of S shards each (`shardnet-mpi`). 1: one sum of S shards.
    public var groups: Int = 1
    /// Threads that run the shards. nil: the number of active cores.
    public var threads: Int?
    /// Seed of the generator that draws the initial weights and every epoch's shuffle.
    public var seed: UInt64 = 1
    /// Weight initialisation for a fresh network.
    public var initialization: Initialization = .gaussian
    /// The kernels that run the arithmetic: native ones give the same weights on every CPU.
    public var kernels: KernelChoice = .auto
    /// How a step is cut into work items (speed only: the weights are the same either way with
    /// native kernels). nil: `.shards`, or whatever `shardnet train --threads auto` measures fastest.
    public var schedule: StepSchedule?

    public init(
        eta: Float = 3.0, lambda: Float = 0, miniBatchSize: Int = 10, shards: Int? = nil,
        threads: Int? = nil, seed: UInt64 = 1, initialization: Initialization = .gaussian,
        kernels: KernelChoice = .auto, groups: Int = 1
    ) {
        self.groups = groups
        self.eta = eta
        self.lambda = lambda
        self.miniBatchSize = miniBatchSize
        self.shards = shards
        self.threads = threads
        self.seed = seed
        self.initialization = initialization
        self.kernels = kernels
    }

    /// Nielsen's chapter-1 settings.
    public static let defaults = TrainingOptions()
    /// Layer sizes of a new network when none are given: MNIST's 784 inputs, 30 hidden, 10 classes.
    public static let defaultSizes = [784, 30, 10]
    /// Epochs of a run when none are given.
    public static let defaultEpochs = 30
    /// Cost of a new network when none is given.
    public static let defaultCost = Cost.quadratic

    /// The ranges every setting must lie in.
    public struct Limits: Sendable {
        /// Shards per mini-batch (each shard owns a gradient buffer of the network's size).
        public let shards = 1...4096
        /// Groups (ranks) per mini-batch; groups × shards must also lie in `shards`.
        public let groups = 1...4096
        /// Worker threads.
        public let threads = 1...1024
        /// Mini-batch size m, and epochs.
        public let miniBatchSize = 1...(1 << 31)
        public let epochs = 1...(1 << 31)
        /// Units in one layer.
        public let layerSize = 1...(1 << 24)
        /// Weights and biases of a whole network.
        public let parameters = 1...(1 << 31)
    }
    /// The limits.
    public static let limits = Limits()

    /// The number of cores the process may use now.
    public static var activeCores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Threads after applying the default.
    public var resolvedThreads: Int { threads ?? Self.activeCores }
    /// Shards after applying the default.
    public var resolvedShards: Int { shards ?? resolvedThreads }

    /// Checks every value; the message names the setting and its valid range.
    public func validate() throws {
        let limits = Self.limits
        guard eta.isFinite && eta > 0 else { throw ShardNetError.invalidArgument("eta must be a positive number, got \(eta)") }
        guard lambda.isFinite && lambda >= 0 else { throw ShardNetError.invalidArgument("lambda must be zero or positive, got \(lambda)") }
        guard l1.isFinite && l1 >= 0 else { throw ShardNetError.invalidArgument("l1 must be zero or positive, got \(l1)") }
        guard momentum.isFinite && momentum >= 0 && momentum < 1 else {
            throw ShardNetError.invalidArgument("momentum must be in [0, 1), e.g. 0.9, got \(momentum)")
        }
        guard !nesterov || momentum > 0 else {
            throw ShardNetError.invalidArgument("nesterov needs a momentum above 0, e.g. --momentum 0.9")
        }
        guard dropout.isFinite && dropout >= 0 && dropout < 1 else {
            throw ShardNetError.invalidArgument("dropout must be a probability in [0, 1), e.g. 0.2, got \(dropout)")
        }
        if case .plateau(let n) = etaSchedule, n < 1 {
            throw ShardNetError.invalidArgument("the plateau schedule needs at least 1 epoch, got plateau:\(n)")
        }
        if let earlyStop, earlyStop < 1 {
            throw ShardNetError.invalidArgument("early-stop must be at least 1 epoch, got \(earlyStop)")
        }
        guard limits.miniBatchSize.contains(miniBatchSize) else {
            throw ShardNetError.invalidArgument("mini-batch size must be at least 1, got \(miniBatchSize)")
        }
        if let shards, !limits.shards.contains(shards) {
            throw ShardNetError.invalidArgument("shards must be between \(limits.shards.lowerBound) and \(limits.shards.upperBound), got \(shards)")
        }
        guard limits.groups.contains(groups), limits.shards.contains(groups * resolvedShards) else {
            throw ShardNetError.invalidArgument(
                "groups must be at least 1 and groups × shards at most \(limits.shards.upperBound), got \(groups) × \(resolvedShards)")
        }
        if let threads, !limits.threads.contains(threads) {
            throw ShardNetError.invalidArgument(
                "threads must be between \(limits.threads.lowerBound) and \(limits.threads.upperBound), got \(threads)")
        }
    }
}
