import ArgumentParser
import ShardNet

/// Mini-batch SGD's hyper-parameters: η and its schedule, m, L2 and L1, momentum, dropout and
/// early stopping. Defaults and limits come from `TrainingOptions`.
public struct OptimiserOptions: ParsableArguments {
    public init() {}

    @Option(help: "Learning rate η. Default: \(TrainingOptions.defaults.eta).")
    public var eta: Float?

    @Option(help: "L2 regularisation λ. Default: \(TrainingOptions.defaults.lambda).")
    public var lambda: Float?

    @Option(name: .customLong("batch-size"), help: "Mini-batch size m. Default: \(TrainingOptions.defaults.miniBatchSize).")
    public var batchSize: Int?

    @Option(help: "L1 regularisation λ₁: w ← w − (ηλ₁/n)·sgn w − …. Default: 0.")
    public var l1: Float?

    @Option(help: "Momentum μ in [0, 1), e.g. 0.9: v ← μv − η∇C, w ← w + v. Default: 0 (plain SGD).")
    public var momentum: Float?

    @Flag(help: "Use Nesterov's momentum (needs --momentum).")
    public var nesterov = false

    @Option(help: "Dropout probability p of each hidden unit during training (inverted dropout), e.g. 0.2. Default: 0.")
    public var dropout: Float?

    @Option(
        help: ArgumentHelp(
            "η schedule: constant, or plateau:N — halve η after N epochs without a better validation accuracy, stop when η reaches η₀/128 (needs --validation). Default: constant.",
            valueName: "constant|plateau:N"))
    public var schedule: String?

    @Option(
        name: .customLong("early-stop"),
        help: ArgumentHelp("Stop after N epochs without a better validation accuracy (needs --validation).", valueName: "N"))
    public var earlyStop: Int?

    /// Parsed --schedule (validated).
    public var etaSchedule: EtaSchedule? { schedule.flatMap(EtaSchedule.init) }

    /// Applies the flags to `options` (defaults where a flag is absent).
    public func apply(to options: inout TrainingOptions) {
        options.l1 = l1 ?? 0
        options.momentum = momentum ?? 0
        options.nesterov = nesterov
        options.dropout = dropout ?? 0
        options.etaSchedule = etaSchedule ?? .constant
        options.earlyStop = earlyStop
    }

    public func validate() throws {
        if let l1, !(l1.isFinite && l1 >= 0) { throw ValidationError("--l1 must be zero or positive, got \(l1)") }
        if let momentum, !(momentum.isFinite && momentum >= 0 && momentum < 1) {
            throw ValidationError("--momentum must be in [0, 1), e.g. 0.9, got \(momentum)")
        }
        if nesterov && (momentum ?? 0) == 0 { throw ValidationError("--nesterov needs --momentum, e.g. --momentum 0.9 --nesterov") }
        if let dropout, !(dropout.isFinite && dropout >= 0 && dropout < 1) {
            throw ValidationError("--dropout must be a probability in [0, 1), e.g. 0.2, got \(dropout)")
        }
        if let schedule, EtaSchedule(schedule) == nil {
            throw ValidationError("--schedule must be constant or plateau:N with N ≥ 1 epochs, e.g. plateau:10; got '\(schedule)'")
        }
        if let earlyStop, earlyStop < 1 { throw ValidationError("--early-stop must be at least 1 epoch, got \(earlyStop)") }
        if let batchSize, !TrainingOptions.limits.miniBatchSize.contains(batchSize) {
            throw ValidationError("--batch-size must be at least 1, got \(batchSize)")
        }
        if let eta, !(eta.isFinite && eta > 0) { throw ValidationError("--eta must be a positive number, got \(eta)") }
        if let lambda, !(lambda.isFinite && lambda >= 0) { throw ValidationError("--lambda must be zero or positive, got \(lambda)") }
    }

    /// Flags that contradict a checkpoint being resumed.
    public func conflicts(with state: TrainingState, from path: String) throws {
        try Conflict.check("--batch-size", batchSize, state.miniBatchSize, path)
        try Conflict.check("--eta", eta, state.initialEta, path)
        try Conflict.check("--lambda", lambda, state.lambda, path)
        try Conflict.check("--l1", l1, state.l1, path)
        try Conflict.check("--momentum", momentum, state.momentum, path)
        try Conflict.check("--nesterov", nesterov ? true : nil, state.nesterov, path)
        try Conflict.check("--dropout", dropout, state.dropout, path)
        try Conflict.check("--schedule", etaSchedule, state.etaSchedule, path)
        try Conflict.check("--early-stop", earlyStop, state.earlyStop ?? 0, path)
    }
}
