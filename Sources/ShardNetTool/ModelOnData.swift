import ArgumentParser
import ShardNet
import ShardNetCLI

/// The options `evaluate` and `predict` share: a model, a dataset and one of its splits.
struct ModelOnData: ParsableArguments {
    @Option(help: ArgumentHelp("The model checkpoint.", valueName: "file.h5"))
    var model: String

    @Option(help: ArgumentHelp("Dataset file. Default: the embedded MNIST-5k.", valueName: "file.h5"))
    var data: String?

    @Option(help: "Split to use: train, test or validation.")
    var split: String = "test"

    func validate() throws {
        guard ["train", "test", "validation"].contains(split) else {
            throw ValidationError("--split must be train, test or validation, got '\(split)'")
        }
    }

    /// Loads the model and the split, and checks that they fit each other.
    func load() throws -> (network: Network, set: DataSet, dataPath: String) {
        let network = try DataSource.checkpoint(model, flag: "--model").network
        let (path, file) = try DataSource.load(data)
        let set = try DataSource.split(file, split, path: path)
        guard network.sizes[0] == set.features, set.classes <= network.sizes.last! else {
            throw ValidationErrorMessage(
                "\(model) (\(network.sizes.map(String.init).joined(separator: "-"))) does not fit \(path): \(set.features) features and \(set.classes) classes per sample"
            )
        }
        return (network, set, path)
    }
}
