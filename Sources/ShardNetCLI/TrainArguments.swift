import ArgumentParser

/// Every option of `train`, declared once for `shardnet train` and `shardnet-mpi train`.
public struct TrainArguments: ParsableArguments {
    public init() {}

    @OptionGroup(title: "Model") public var model: ModelOptions
    @OptionGroup(title: "Optimiser") public var optimiser: OptimiserOptions
    @OptionGroup(title: "Data") public var dataOptions: DataOptions
    @OptionGroup(title: "Streaming") public var streamOptions: StreamOptions
    @OptionGroup(title: "Execution") public var execution: ExecutionOptions
    @OptionGroup(title: "Run") public var runOptions: RunOptions

    public var output: String { runOptions.output }
    public var epochs: Int { runOptions.epochs }
    public var quiet: Bool { runOptions.quiet }
}
