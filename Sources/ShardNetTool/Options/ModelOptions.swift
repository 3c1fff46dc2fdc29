import ArgumentParser
import ShardNet

extension Cost: ExpressibleByArgument {}
extension Initialization: ExpressibleByArgument {}

/// The network a new run trains: its shape, cost and initialisation. Every option is optional
/// so that a resumed run can tell a flag the user gave from a default (see `conflicts`).
struct ModelOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Layer sizes, input first. Default: \(TrainingOptions.defaultSizes.map(String.init).joined(separator: ",")).",
            valueName: "sizes"))
    var layers: String?

    @Option(help: "Cost function: quadratic or cross-entropy. Default: \(TrainingOptions.defaultCost.rawValue).")
    var cost: Cost?

    @Option(
        name: .customLong("init"),
        help: "Initialisation: gaussian (N(0,1)) or scaled (N(0,1/n_in)). Default: \(TrainingOptions.defaults.initialization.rawValue).")
    var initialization: Initialization?

    /// Parsed --layers (validated), or the default sizes.
    var sizes: [Int] { layers.flatMap(Self.parseLayers) ?? TrainingOptions.defaultSizes }

    static func parseLayers(_ text: String) -> [Int]? {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count >= 2, parts.allSatisfy({ $0 != nil && $0! > 0 }) else { return nil }
        return parts.map { $0! }
    }

    func validate() throws {
        if let layers, Self.parseLayers(layers) == nil {
            throw ValidationError("--layers '\(layers)' is not a list of at least two positive sizes, e.g. 784,30,10")
        }
    }

    /// Flags that contradict a checkpoint being resumed.
    func conflicts(with checkpoint: Checkpoint, state: TrainingState, from path: String) throws {
        try Conflict.check("--layers", layers.flatMap(Self.parseLayers), checkpoint.network.sizes, path)
        try Conflict.check("--cost", cost, checkpoint.network.cost, path)
        try Conflict.check("--init", initialization, state.initialization, path)
    }
}
