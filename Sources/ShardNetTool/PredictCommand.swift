import ArgumentParser
import Foundation
import ShardNet
import ShardNetCLI

/// `shardnet predict`: the predicted class and output activations of chosen samples.
struct PredictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "predict",
        abstract: "Print the predicted class and the output activations for chosen samples.",
        discussion: """
            Examples:
              shardnet predict --model model.h5 --index 0 1 2
              shardnet predict --model fashion-model.h5 --data fashion.h5 --split test --index 42
            """)

    @OptionGroup var input: ModelOnData
    @OptionGroup var kernels: KernelOptions

    @Option(
        name: .customLong("index"), parsing: .upToNextOption,
        help: ArgumentHelp("Sample indices: --index 0 1 2 or --index 0 --index 1. Default: 0.", valueName: "i"))
    var indices: [Int] = []

    func validate() throws {
        if let bad = indices.first(where: { $0 < 0 }) { throw ValidationError("--index must be zero or positive, got \(bad)") }
    }

    func run() throws {
        BLAS.useSingleThread()
        let (network, set, path) = try input.load()
        let chosen = indices.isEmpty ? [0] : indices
        if let bad = chosen.first(where: { $0 >= set.count }) {
            throw ValidationErrorMessage("--index \(bad) is out of range: \(path) /\(input.split) has \(set.count) samples (0…\(set.count - 1))")
        }
        let f = set.features
        var images: [Float] = []
        images.reserveCapacity(chosen.count * f)
        let all = set.images  // one conversion (uint8 storage builds the floats on each access)
        for i in chosen { images += all[(i * f)..<((i + 1) * f)] }
        let width = network.sizes.last!
        let outputs = try Evaluator(layout: network.layout, threads: 1, kernels: kernels.kernels).outputs(
            network, images: images, count: chosen.count)
        for (k, i) in chosen.enumerated() {
            let row = Array(outputs[(k * width)..<((k + 1) * width)])
            let predicted = row.indices.max(by: { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) })!
            let label = Int(set.labels[i])
            let mark = predicted == label ? "correct" : "wrong"
            print(
                "sample \(i): predicted \(predicted), label \(label) (\(mark)); outputs [\(row.map { String(format: "%.4f", $0) }.joined(separator: ", "))]"
            )
        }
    }
}
