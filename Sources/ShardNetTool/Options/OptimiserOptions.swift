import ArgumentParser
import ShardNet

/// Mini-batch SGD's hyper-parameters: η, λ and m. Defaults and limits come from
/// `TrainingOptions`.
struct OptimiserOptions: ParsableArguments {
    @Option(help: "Learning rate η. Default: \(TrainingOptions.defaults.eta).")
    var eta: Float?

    @Option(help: "L2 regularisation λ. Default: \(TrainingOptions.defaults.lambda).")
    var lambda: Float?

    @Option(name: .customLong("batch-size"), help: "Mini-batch size m. Default: \(TrainingOptions.defaults.miniBatchSize).")
    var batchSize: Int?

    func validate() throws {
        if let batchSize, !TrainingOptions.limits.miniBatchSize.contains(batchSize) {
            throw ValidationError("--batch-size must be at least 1, got \(batchSize)")
        }
        if let eta, !(eta.isFinite && eta > 0) { throw ValidationError("--eta must be a positive number, got \(eta)") }
        if let lambda, !(lambda.isFinite && lambda >= 0) { throw ValidationError("--lambda must be zero or positive, got \(lambda)") }
    }

    /// Flags that contradict a checkpoint being resumed.
    func conflicts(with state: TrainingState, from path: String) throws {
        try Conflict.check("--batch-size", batchSize, state.miniBatchSize, path)
        try Conflict.check("--eta", eta, state.eta, path)
        try Conflict.check("--lambda", lambda, state.lambda, path)
    }
}
