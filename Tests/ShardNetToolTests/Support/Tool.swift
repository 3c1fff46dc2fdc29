import Foundation
import ShardNet
import ShardNetTestSupport

/// Runs the built `shardnet` executable, as a user would.
enum Tool {
    /// The repository root (the folder above this file that holds Package.swift).
    static var root: URL { Repository.root }

    /// The executable next to the test bundle (`swift build` puts both in the same folder),
    /// or $SHARDNET_BIN.
    static var executable: URL {
        if let path = ProcessInfo.processInfo.environment["SHARDNET_BIN"] { return URL(fileURLWithPath: path) }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var folder = bundle
        // On Linux argv[0] is .../release/ShardNetPackageTests.xctest; on macOS it is xctest inside Xcode.
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("shardnet")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return bundle.appendingPathComponent("shardnet")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        /// Both streams.
        var all: String { stdout + stderr }
    }

    /// Runs `shardnet args…` (or `program args…`) in `directory`, with `environment` (nil:
    /// this process's), and waits.
    @discardableResult
    static func run(
        _ args: [String], in directory: URL? = nil, program: URL? = nil, environment: [String: String]? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = program ?? executable
        process.arguments = args
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting so a full pipe cannot block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
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
