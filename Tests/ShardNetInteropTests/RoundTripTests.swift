import Foundation
import HDF5
import ShardNet
import Testing

@testable import ShardNetInterop

/// Round trips against the real tools: Keras 3 (JAX backend) and a numpy network2 loader.
/// Each prints its largest difference. Skipped, with the reason, when python lacks the packages.
@Suite(.serialized) struct RoundTripTests {
    static let count = 100
    static let tolerance = 1e-5

    /// Exports a checkpoint with `shardnet export` and returns (network, exported path): the
    /// trained sigmoid network, or (`chapter3`) a ReLU network with a softmax output.
    func exported(_ format: String, _ name: String, in folder: URL, chapter3: Bool = false) throws -> (Network, String) {
        var generator = Xoshiro256StarStar(seed: 5)
        let network =
            chapter3
            ? try Network(
                sizes: [784, 30, 10], cost: .logLikelihood, activation: .relu, outputLayer: .softmax, initialization: .he,
                generator: &generator)
            : try Interop.trainedNetwork()
        let model = folder.appendingPathComponent("model.h5").path
        try Checkpoint(network: network, training: nil).save(to: model)
        let out = folder.appendingPathComponent(name).path
        let r = try Interop.tool(["export", model, "--format", format, "--output", out])
        #expect(r.status == 0, "\(r.all)")
        return (network, out)
    }

    // Property: a ShardNet model exported as Keras 3's .keras (and as legacy Keras HDF5) loads in
    // Keras and predicts what ShardNet predicts on 100 MNIST-5k test images, within 1e-5 — the
    // book's sigmoid network and a ReLU network with a softmax output.
    @Test(
        .enabled(if: Interop.hasKeras, "needs python3 with keras, jax, h5py (pip install keras jax h5py)"),
        arguments: [("keras", "exported.keras", false), ("keras-h5", "exported.h5", false), ("keras", "relu-softmax.keras", true)])
    func kerasLoadsExport(format: String, file: String, chapter3: Bool) throws {
        let folder = try Interop.folder()
        defer { Interop.remove(folder) }
        let (network, path) = try exported(format, file, in: folder, chapter3: chapter3)
        let images = try Interop.testImages(Self.count)
        let inputs = folder.appendingPathComponent("inputs.h5").path, outputs = folder.appendingPathComponent("outputs.h5").path
        try Interop.writeImages(images, count: Self.count, to: inputs)
        let r = try Interop.python([Interop.script("keras_interop.py"), "predict", path, inputs, outputs])
        try #require(r.status == 0, "\(r.all)")
        let diff = Interop.maxDifference(try Interop.readOutputs(outputs), Interop.outputs(network, images, count: Self.count))
        print("round trip shardnet export --format \(format) -> keras.saving.load_model: max |Δ| = \(diff) over \(Self.count)×10 outputs")
        #expect(diff <= Self.tolerance)
    }

    // Property: a model built and saved by Keras (sigmoid Dense layers in both file formats; ReLU
    // with a softmax output; tanh with sigmoid), imported with `shardnet import`, predicts what
    // Keras predicted, within 1e-5.
    @Test(
        .enabled(if: Interop.hasKeras, "needs python3 with keras, jax, h5py (pip install keras jax h5py)"),
        arguments: [("built.keras", "sigmoid"), ("built.h5", "sigmoid"), ("relu-softmax.keras", "relu/softmax"), ("tanh.h5", "tanh/sigmoid")])
    func kerasModelImports(file: String, activation: String) throws {
        let folder = try Interop.folder()
        defer { Interop.remove(folder) }
        let images = try Interop.testImages(Self.count)
        let inputs = folder.appendingPathComponent("inputs.h5").path, expected = folder.appendingPathComponent("expected.h5").path
        try Interop.writeImages(images, count: Self.count, to: inputs)
        let model = folder.appendingPathComponent(file).path
        let b = try Interop.python([Interop.script("keras_interop.py"), "build", model, "784,30,10", activation, inputs, expected])
        try #require(b.status == 0, "\(b.all)")
        let out = folder.appendingPathComponent("imported.h5").path
        let r = try Interop.tool(["import", model, "--output", out])
        try #require(r.status == 0, "\(r.all)")
        let network = try Checkpoint.load(from: out).network
        #expect(network.sizes == [784, 30, 10])
        let diff = Interop.maxDifference(try Interop.readOutputs(expected), Interop.outputs(network, images, count: Self.count))
        print("round trip keras model.save(\(file)) -> shardnet import: max |Δ| = \(diff) over \(Self.count)×10 outputs")
        #expect(diff <= Self.tolerance)
    }

    // Property: a real Keras model with an activation ShardNet cannot run where it stands (a
    // linear hidden layer; a ReLU output layer) is refused with one error line naming the file,
    // the layer and the activation; exit 1, no output.
    @Test(
        .enabled(if: Interop.hasKeras, "needs python3 with keras, jax, h5py (pip install keras jax h5py)"),
        arguments: [("linear.keras", "linear/sigmoid", "dense", "linear"), ("relu.h5", "relu", "dense_1", "relu")])
    func unsupportedKerasActivationRefused(file: String, activation: String, layer: String, refused: String) throws {
        let folder = try Interop.folder()
        defer { Interop.remove(folder) }
        let inputs = folder.appendingPathComponent("inputs.h5").path
        try Interop.writeImages(try Interop.testImages(2), count: 2, to: inputs)
        let model = folder.appendingPathComponent(file).path
        let b = try Interop.python([
            Interop.script("keras_interop.py"), "build", model, "784,16,10", activation, inputs,
            folder.appendingPathComponent("expected.h5").path,
        ])
        try #require(b.status == 0, "\(b.all)")
        let out = folder.appendingPathComponent("imported.h5").path
        let r = try Interop.tool(["import", model, "--output", out])
        #expect(r.status == 1)
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        #expect(r.stderr.contains("\(model): layer '\(layer)': activation '\(refused)' is not supported"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out))
        print("keras \(activation) model refused: \(r.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
    }

    // Property: the network2.py JSON that `shardnet export --format network2-json` writes loads in
    // a numpy implementation of network2.load and feeds forward to ShardNet's outputs (1e-5).
    @Test(.enabled(if: Interop.hasNumpy, "needs python3 with numpy and h5py"))
    func network2LoadsExport() throws {
        let folder = try Interop.folder()
        defer { Interop.remove(folder) }
        let (network, path) = try exported("network2-json", "model.json", in: folder)
        let images = try Interop.testImages(Self.count)
        let inputs = folder.appendingPathComponent("inputs.h5").path, outputs = folder.appendingPathComponent("outputs.h5").path
        try Interop.writeImages(images, count: Self.count, to: inputs)
        let r = try Interop.python([Interop.script("network2_json.py"), path, inputs, outputs])
        try #require(r.status == 0, "\(r.all)")
        let diff = Interop.maxDifference(try Interop.readOutputs(outputs), Interop.outputs(network, images, count: Self.count))
        print("round trip shardnet export --format network2-json -> scripts/network2_json.py: max |Δ| = \(diff) over \(Self.count)×10 outputs")
        #expect(diff <= Self.tolerance)
    }

    // Property: export then import is lossless: every format gives back the exact parameters
    // (bit for bit) and network2 JSON also the cost.
    @Test(arguments: [("keras", "m.keras"), ("keras-h5", "m.h5"), ("network2-json", "m.json")])
    func exportImportIsExact(format: String, file: String) throws {
        let folder = try Interop.folder()
        defer { Interop.remove(folder) }
        var generator = Xoshiro256StarStar(seed: 9)
        let network = try Network(sizes: [12, 7, 5, 3], cost: .crossEntropy, initialization: .gaussian, generator: &generator)
        let path = folder.appendingPathComponent(file).path
        try ModelExchange.export(network, to: path, format: ExchangeFormat(rawValue: format)!)
        let back = try ModelExchange.importNetwork(from: path, cost: .crossEntropy)
        #expect(back.sizes == network.sizes)
        #expect(back.isBitwiseEqual(to: network))
        if format == "network2-json" {
            #expect(try ModelExchange.importNetwork(from: path).cost == .crossEntropy)
        }
    }
}
