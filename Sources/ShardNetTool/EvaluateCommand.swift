import ArgumentParser
import Foundation
import ShardNet

/// `shardnet evaluate`: accuracy and mean cost of a saved model on a dataset split.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Print a model's accuracy and mean cost on a dataset split.",
        discussion: """
            Examples:
              shardnet evaluate --model model.h5
              shardnet evaluate --model fashion-model.h5 --data fashion.h5 --split test --json
            """)

    @Option(help: ArgumentHelp("The model checkpoint.", valueName: "file.h5"))
    var model: String

    @Option(help: ArgumentHelp("Dataset file. Default: the embedded MNIST-5k.", valueName: "file.h5"))
    var data: String?

    @Option(help: "Split to evaluate: train, test or validation.")
    var split: String = "test"

    @Option(help: ArgumentHelp("Threads. Default: active cores.", valueName: "n"))
    var threads: Int?

    @Flag(help: "Print one JSON object: accuracy, correct, total, cost.")
    var json = false

    func validate() throws {
        guard ["train", "test", "validation"].contains(split) else { throw ValidationError("--split must be train, test or validation, got '\(split)'") }
        if let threads, !(1...1024).contains(threads) { throw ValidationError("--threads must be between 1 and 1024, got \(threads)") }
    }

    func run() throws {
        BLAS.useSingleThread()
        let network = try SafeOpen.checkpoint(model).network
        let (path, file) = try DataSource.load(data)
        let set = try DataSource.split(file, split, path: path)
        try ModelFit.check(network, model: model, data: set, dataPath: path)
        let e = Evaluator(layout: network.layout, threads: threads ?? TrainingOptions.activeCores).evaluate(network, on: set)
        if json {
            print("{\"accuracy\": \(Format.json(e.accuracy)), \"correct\": \(e.correct), \"total\": \(e.total), \"cost\": \(Format.json(e.cost))}")
        } else {
            print("\(model) on \(path) /\(split): accuracy \(Format.percent(e.accuracy)) (\(Format.grouped(e.correct))/\(Format.grouped(e.total))), mean cost \(Format.fixed(e.cost, 4))")
        }
    }
}

/// Does a model fit a data set? One clear line when not.
enum ModelFit {
    static func check(_ network: Network, model: String, data: DataSet, dataPath: String) throws {
        guard network.sizes[0] == data.features, data.classes <= network.sizes.last! else {
            throw ValidationErrorMessage("\(model) (\(network.sizes.map(String.init).joined(separator: "-"))) does not fit \(dataPath): \(data.features) features and \(data.classes) classes per sample")
        }
    }
}
