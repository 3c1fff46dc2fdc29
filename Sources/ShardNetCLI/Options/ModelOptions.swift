import ArgumentParser
import ShardNet

extension Cost: ExpressibleByArgument {}
extension Initialization: ExpressibleByArgument {}
extension Activation: ExpressibleByArgument {}
extension OutputLayer: ExpressibleByArgument {}

/// The network a new run trains: its shape, functions, cost and initialisation. Every option is
/// optional so that a resumed run can tell a flag the user gave from a default (see `conflicts`).
public struct ModelOptions: ParsableArguments {
    public init() {}

    @Option(
        help: ArgumentHelp(
            "Layer sizes, input first. Default: \(TrainingOptions.defaultSizes.map(String.init).joined(separator: ",")).",
            valueName: "sizes"))
    public var layers: String?

    @Option(
        help: ArgumentHelp(
            "Hidden layers' activation: sigmoid, tanh or relu. Default: sigmoid.", valueName: "sigmoid|tanh|relu"))
    public var activation: Activation?

    @Option(
        name: .customLong("output-layer"),
        help: ArgumentHelp(
            "Output layer: sigmoid, or softmax (trained with the log-likelihood cost). Default: softmax with --cost log-likelihood, else sigmoid.",
            valueName: "sigmoid|softmax"))
    public var outputLayer: OutputLayer?

    @Option(
        help: ArgumentHelp(
            "Cost function: quadratic or cross-entropy (sigmoid output), log-likelihood (softmax output). Default: \(TrainingOptions.defaultCost.rawValue), or log-likelihood with --output-layer softmax.",
            valueName: "quadratic|cross-entropy|log-likelihood"))
    public var cost: Cost?

    @Option(
        name: .customLong("init"),
        help: ArgumentHelp(
            "Initialisation: gaussian (N(0,1)), scaled (N(0,1/n_in)) or he (N(0,2/n_in), biases 0). Default: \(TrainingOptions.defaults.initialization.rawValue) for sigmoid, scaled for tanh, he for relu.",
            valueName: "gaussian|scaled|he"))
    public var initialization: Initialization?

    /// The output layer: as given, or softmax when the cost is log-likelihood.
    public var resolvedOutputLayer: OutputLayer { outputLayer ?? (cost == .logLikelihood ? .softmax : .sigmoid) }
    /// The cost: as given, or the output layer's default.
    public var resolvedCost: Cost { cost ?? (resolvedOutputLayer == .softmax ? .logLikelihood : TrainingOptions.defaultCost) }
    /// The hidden activation.
    public var resolvedActivation: Activation { activation ?? .sigmoid }
    /// The initialisation: as given, or the book's N(0, 1) for sigmoid and what suits tanh/ReLU.
    public var resolvedInitialization: Initialization {
        initialization ?? (resolvedActivation == .sigmoid ? TrainingOptions.defaults.initialization : resolvedActivation.suggestedInitialization)
    }

    /// Parsed --layers (validated), or the default sizes.
    public var sizes: [Int] { layers.flatMap(Self.parseLayers) ?? TrainingOptions.defaultSizes }

    public static func parseLayers(_ text: String) -> [Int]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count >= 2, parts.allSatisfy({ $0 != nil && $0! > 0 }) else { return nil }
        return parts.map { $0! }
    }

    public func validate() throws {
        if let layers, Self.parseLayers(layers) == nil {
            throw ValidationError("--layers '\(layers)' is not a list of at least two positive sizes, e.g. 784,30,10")
        }
        if !resolvedOutputLayer.accepts(resolvedCost) {
            throw ValidationError(
                resolvedOutputLayer == .softmax
                    ? "--output-layer softmax is trained with --cost log-likelihood, not \(resolvedCost.rawValue)"
                    : "--cost log-likelihood needs --output-layer softmax, not sigmoid")
        }
    }

    /// Flags that contradict a checkpoint being resumed.
    public func conflicts(with checkpoint: Checkpoint, state: TrainingState, from path: String) throws {
        try Conflict.check("--layers", layers.flatMap(Self.parseLayers), checkpoint.network.sizes, path)
        try Conflict.check("--cost", cost, checkpoint.network.cost, path)
        try Conflict.check("--activation", activation, checkpoint.network.activation, path)
        try Conflict.check("--output-layer", outputLayer, checkpoint.network.outputLayer, path)
        try Conflict.check("--init", initialization, state.initialization, path)
    }
}
