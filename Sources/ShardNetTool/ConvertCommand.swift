import ArgumentParser
import Foundation
import ShardNet
import ShardNetCLI

/// `shardnet convert`: MNIST-format IDX files to ShardNet's HDF5 dataset layout.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert MNIST-format IDX files (.gz or raw) into an HDF5 dataset.",
        discussion: """
            The folder must hold train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
            t10k-labels-idx1-ubyte (each optionally .gz). Or name the four files explicitly.

            Examples:
              shardnet convert /usr/share/datasets/fashion-mnist --output fashion.h5
              shardnet convert --train-images a.gz --train-labels b.gz --test-images c.gz --test-labels d.gz --output out.h5
            """)

    @Argument(help: ArgumentHelp("Folder with the four MNIST IDX files.", valueName: "idx-dir"))
    var folder: String?

    @Option(name: .customLong("train-images"), help: ArgumentHelp("Training images (idx3).", valueName: "file"))
    var trainImages: String?
    @Option(name: .customLong("train-labels"), help: ArgumentHelp("Training labels (idx1).", valueName: "file"))
    var trainLabels: String?
    @Option(name: .customLong("test-images"), help: ArgumentHelp("Test images (idx3).", valueName: "file"))
    var testImages: String?
    @Option(name: .customLong("test-labels"), help: ArgumentHelp("Test labels (idx1).", valueName: "file"))
    var testLabels: String?

    @Option(help: ArgumentHelp("The HDF5 dataset to write.", valueName: "file.h5"))
    var output: String

    var explicitFiles: [String?] { [trainImages, trainLabels, testImages, testLabels] }

    func validate() throws {
        let given = explicitFiles.compactMap { $0 }.count
        if folder != nil && given > 0 { throw ValidationError("give either an IDX folder or the four --train-/--test- files, not both") }
        if folder == nil && given != 4 {
            throw ValidationError(
                given == 0
                    ? "name the IDX folder, e.g. shardnet convert /usr/share/datasets/fashion-mnist --output fashion.h5"
                    : "give all four of --train-images, --train-labels, --test-images, --test-labels")
        }
    }

    func run() throws {
        let inputs =
            try folder.map { try IDXConverter.Inputs(folder: $0) }
            ?? IDXConverter.Inputs(trainImages: trainImages!, trainLabels: trainLabels!, testImages: testImages!, testLabels: testLabels!)
        // Replace only an earlier dataset, never a model or an unrelated file.
        if FileManager.default.fileExists(atPath: output) {
            let kind: H5FileKind
            do { kind = try H5FileKind.detect(path: output) } catch {
                throw ShardNetError.io(
                    path: output,
                    reason: "exists and is not a ShardNet dataset; refusing to overwrite it (choose another --output or remove the file)")
            }
            guard kind == .dataset else {
                throw ShardNetError.io(
                    path: output, reason: "exists and is a checkpoint; refusing to overwrite a model with a dataset (choose another --output)")
            }
        }
        let summary = try IDXConverter.convert(inputs, to: output)
        print(
            "Wrote \(output): train \(Format.grouped(summary.trainCount)) and test \(Format.grouped(summary.testCount)) samples of \(summary.features) features, \(summary.classes) classes"
        )
    }
}
