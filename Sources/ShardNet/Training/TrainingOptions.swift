import Foundation

/// Hyper-parameters and execution settings of a training run. Defaults are Nielsen's
/// chapter-1 run: mini-batch 10, η = 3.0, no regularisation, N(0, 1) initialisation.
public struct TrainingOptions: Sendable, Equatable {
    /// Learning rate η.
    public var eta: Float = 3.0
    /// L2 regularisation λ: w ← (1 − ηλ/n)·w − (η/m)·Σ∇w (0: none).
    public var lambda: Float = 0
    /// Mini-batch size m.
    public var miniBatchSize: Int = 10
    /// Shards per mini-batch, S. Fixes the arithmetic: the same seed and S give bitwise
    /// identical weights for any thread count. nil: one per thread.
    public var shards: Int?
    /// Threads that run the shards. nil: the number of active cores.
    public var threads: Int?
    /// Seed of the generator that draws the initial weights and every epoch's shuffle.
    public var seed: UInt64 = 1
    /// Weight initialisation for a fresh network.
    public var initialization: Initialization = .gaussian

    public init(eta: Float = 3.0, lambda: Float = 0, miniBatchSize: Int = 10, shards: Int? = nil,
                threads: Int? = nil, seed: UInt64 = 1, initialization: Initialization = .gaussian) {
        self.eta = eta
        self.lambda = lambda
        self.miniBatchSize = miniBatchSize
        self.shards = shards
        self.threads = threads
        self.seed = seed
        self.initialization = initialization
    }

    /// The number of cores the process may use now.
    public static var activeCores: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Threads after applying the default.
    public var resolvedThreads: Int { threads ?? Self.activeCores }
    /// Shards after applying the default.
    public var resolvedShards: Int { shards ?? resolvedThreads }

    /// Checks every value; the message names the option and how to fix it.
    public func validate() throws {
        guard eta.isFinite && eta > 0 else { throw ShardNetError.invalidArgument("eta must be a positive number, got \(eta)") }
        guard lambda.isFinite && lambda >= 0 else { throw ShardNetError.invalidArgument("lambda must be zero or positive, got \(lambda)") }
        guard miniBatchSize >= 1 else { throw ShardNetError.invalidArgument("mini-batch size must be at least 1, got \(miniBatchSize)") }
        if let shards, shards < 1 || shards > 4096 { throw ShardNetError.invalidArgument("shards must be between 1 and 4096, got \(shards)") }
        if let threads, threads < 1 || threads > 1024 { throw ShardNetError.invalidArgument("threads must be between 1 and 1024, got \(threads)") }
    }
}
