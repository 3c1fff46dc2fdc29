import Foundation
import HDF5
import ShardNet
import ShardNetTestSupport

/// Shared helpers: the built `shardnet`, python with keras/tensorboard, MNIST-5k test images.
enum Interop {
    static var root: URL { Repository.root }
    static func script(_ name: String) -> String { root.appendingPathComponent("scripts/\(name)").path }

    /// The executable under test (`BuiltTool.shardnet`).
    static var executable: String { BuiltTool.shardnet.path }

    typealias Result = Subprocess.Result

    /// Runs `executable args…` with this process's environment plus `environment`, and waits.
    @discardableResult
    static func run(_ executable: String, _ args: [String], environment: [String: String] = [:]) throws -> Result {
        try Subprocess.run(
            URL(fileURLWithPath: executable), args,
            environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new })
    }

    static func tool(_ args: [String]) throws -> Result { try run(executable, args) }

    static func python(_ args: [String]) throws -> Result {
        try run("/usr/bin/env", ["python3"] + args, environment: ["KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"])
    }

    static func pythonHas(_ modules: String) -> Bool {
        (try? python(["-c", "import \(modules)"]).status) == 0
    }

    static let hasKeras = pythonHas("keras, jax, h5py, numpy")
    static let hasNumpy = pythonHas("numpy, h5py")
    static let hasTensorBoard = pythonHas("tensorboard")

    /// A fresh temporary folder (each test removes it with `remove` when it ends).
    static func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("shardnet-interop-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Removes a folder made by `folder()` and everything in it (a test's `defer`).
    static func remove(_ folder: URL) {
        try? FileManager.default.removeItem(at: folder)
    }

    /// The embedded MNIST-5k (4,000 train / 1,000 test).
    static func mnist() throws -> DataSetFile {
        try DataSetFile.load(from: root.appendingPathComponent("Sources/ShardNetTool/Resources/mnist-5k.h5").path)
    }

    /// The first `count` test images of MNIST-5k, row-major (count × 784).
    static func testImages(_ count: Int = 100) throws -> [Float] {
        let test = try mnist().test!
        return Array(test.images[0..<(count * test.features)])
    }

    static func writeImages(_ images: [Float], count: Int, to path: String) throws {
        let f = try File(path, mode: .create)
        try f.createDataset("images", shape: [count, images.count / count], data: images)
        try f.close()
    }

    static func readOutputs(_ path: String) throws -> [Double] {
        try File(path, mode: .read).dataset("outputs").read(as: Double.self)
    }

    /// A 784-30-10 network trained for 2 epochs on MNIST-5k (realistic, non-trivial weights).
    static func trainedNetwork(cost: Cost = .quadratic) throws -> Network {
        let data = try mnist()
        let trainer = try Trainer(
            sizes: [784, 30, 10], cost: cost,
            options: TrainingOptions(eta: 3.0, miniBatchSize: 10, shards: 2, threads: 2, seed: 1))
        try trainer.train(on: data.train, evaluatingOn: nil, epochs: 2, onEpoch: { _ in })
        return trainer.network
    }

    /// ShardNet's outputs for `images` (float32 forward pass).
    static func outputs(_ network: Network, _ images: [Float], count: Int) -> [Double] {
        Evaluator(layout: network.layout, threads: 1).outputs(network, images: images, count: count).map(Double.init)
    }

    static func maxDifference(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
        return zip(a, b).map { abs($0 - $1) }.max() ?? 0
    }
}
