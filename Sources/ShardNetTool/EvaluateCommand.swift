import ArgumentParser
import Foundation
import ShardNet
import ShardNetCLI

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

    @OptionGroup var input: ModelOnData
    @OptionGroup var kernels: KernelOptions

    @Option(help: ArgumentHelp("Threads. Default: active cores.", valueName: "n"))
    var threads: Int?

    @Flag(help: "Print one JSON object: accuracy, correct, total, cost.")
    var json = false

    func validate() throws {
        let limit = TrainingOptions.limits.threads
        if let threads, !limit.contains(threads) {
            throw ValidationError("--threads must be between \(limit.lowerBound) and \(limit.upperBound), got \(threads)")
        }
    }

    func run() throws {
        BLAS.useSingleThread()
        let (network, set, path) = try input.load()
        let evaluator = try Evaluator(
            layout: network.layout, threads: threads ?? TrainingOptions.activeCores,
            kernels: kernels.kernels)
        let e = evaluator.evaluate(network, on: set)
        if json {
            print("{\"accuracy\": \(Format.json(e.accuracy)), \"correct\": \(e.correct), \"total\": \(e.total), \"cost\": \(Format.json(e.cost))}")
        } else {
            print(
                "\(input.model) on \(path) /\(input.split): accuracy \(Format.percent(e.accuracy)) (\(Format.grouped(e.correct))/\(Format.grouped(e.total))), mean cost \(Format.fixed(e.cost, 4))"
            )
        }
    }
}
