import Foundation
import ShardNet
import ShardNetTestSupport

/// Runs the built `shardnet` executable, as a user would.
enum Tool {
    /// The repository root (the folder above this file that holds Package.swift).
    static var root: URL { Repository.root }

    /// The executable under test (`BuiltTool.shardnet`).
    static var executable: URL { BuiltTool.shardnet }

    typealias Result = Subprocess.Result

    /// Runs `shardnet args…` (or `program args…`) in `directory`, with `environment` (nil:
    /// this process's), and waits.
    @discardableResult
    static func run(
        _ args: [String], in directory: URL? = nil, program: URL? = nil, environment: [String: String]? = nil
    ) throws -> Result {
        try Subprocess.run(program ?? executable, args, in: directory, environment: environment)
    }

    /// A fresh temporary folder.
    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("shardnet-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The MNIST-5k IDX files kept in the repository.
    static var mnistFolder: String { root.appendingPathComponent("data/mnist-5k").path }

    /// A small dataset (first `train`/`test` MNIST-5k samples) written to `folder`.
    static func smallDataset(in folder: URL, train: Int = 400, test: Int = 200, withTest: Bool = true) throws -> String {
        let trainImages = try IDXFile.read(from: mnistFolder + "/train-images-idx3-ubyte.gz")
        let trainLabels = try IDXFile.read(from: mnistFolder + "/train-labels-idx1-ubyte.gz")
        let testImages = try IDXFile.read(from: mnistFolder + "/t10k-images-idx3-ubyte.gz")
        let testLabels = try IDXFile.read(from: mnistFolder + "/t10k-labels-idx1-ubyte.gz")
        let path = folder.appendingPathComponent(withTest ? "small.h5" : "no-test.h5").path
        try DataSetFile.write(
            train: .init(images: Array(trainImages.bytes[0..<(train * 784)]), labels: Array(trainLabels.bytes[0..<train]), features: 784),
            test: withTest ? .init(images: Array(testImages.bytes[0..<(test * 784)]), labels: Array(testLabels.bytes[0..<test]), features: 784) : nil,
            classes: 10, source: "first samples of MNIST-5k", to: path)
        return path
    }
}
