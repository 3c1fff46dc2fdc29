import ArgumentParser
import Foundation
import ShardNet
import ShardNetCLI
import ShardNetInterop

extension ExchangeFormat: ExpressibleByArgument {}

/// `shardnet export`: a checkpoint as a Keras model or as network2.py's JSON.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a ShardNet model as a Keras model (.keras, legacy .h5) or network2.py JSON.",
        discussion: """
            Examples:
              shardnet export model.h5 --format keras --output model.keras
              shardnet export model.h5 --format keras-h5 --output model-keras.h5
              shardnet export model.h5 --format network2-json --output model.json
            In Python: keras.saving.load_model("model.keras"); network2.load("model.json").
            """)

    @Argument(help: ArgumentHelp("The ShardNet checkpoint to export.", valueName: "model.h5"))
    var model: String

    @Option(help: ArgumentHelp("keras (Keras 3 zip), keras-h5 (legacy Keras HDF5) or network2-json.", valueName: "format"))
    var format: ExchangeFormat

    @Option(help: ArgumentHelp("The file to write (an existing file is replaced only with --force).", valueName: "file"))
    var output: String

    @Flag(help: "Replace an existing output file.")
    var force = false

    func run() throws {
        let network = try DataSource.checkpoint(model, flag: "MODEL").network
        let outputPath = URL(fileURLWithPath: output).standardizedFileURL.path
        guard outputPath != URL(fileURLWithPath: model).standardizedFileURL.path else {
            throw ValidationErrorMessage("\(output): --output is the model being exported; choose another file")
        }
        if FileManager.default.fileExists(atPath: output), !force {
            throw ValidationErrorMessage("\(output): already exists; pass --force to replace it or choose another --output")
        }
        try ModelExchange.export(network, to: output, format: format)
        print(
            "Exported \(network.sizes.map(String.init).joined(separator: "-")) (\(network.cost.rawValue)) from \(model) to \(output) as \(format.rawValue)"
        )
    }
}
