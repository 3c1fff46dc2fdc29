import Foundation
import HDF5
import ShardNetTestSupport
import Testing

@testable import ShardNet

/// scripts/check_checkpoint.py: its numpy forward pass over a saved checkpoint applies the
/// hidden activation and the output layer the file names (sigmoid, tanh, ReLU, softmax), so it
/// reproduces ShardNet's outputs for the book's network and every chapter-3 one, and it
/// refuses a file whose per-layer attribute contradicts the root.
@Suite("scripts/check_checkpoint.py", .tags(.io))
struct CheckCheckpointScriptTests {
    /// scripts/check_checkpoint.py, found from this source file's location.
    static let script = Repository.root.appendingPathComponent("scripts/check_checkpoint.py").path

    /// The network's outputs in Double: f(W a + b) per layer, the output layer's function last.
    static func feedforward(_ network: Network, _ x: [Float]) -> [Double] {
        var a = x.map(Double.init)
        for l in 0..<network.layerCount {
            let w = network.weights(layer: l), b = network.biases(layer: l)
            let rows = network.sizes[l + 1], cols = network.sizes[l]
            let z = (0..<rows).map { j in
                var z = Double(b[j])
                for k in 0..<cols { z += Double(w[j * cols + k]) * a[k] }
                return z
            }
            if l < network.layerCount - 1 {
                switch network.activation {
                case .sigmoid: a = z.map { 1 / (1 + Foundation.exp(-$0)) }
                case .tanh: a = z.map { Foundation.tanh($0) }
                case .relu: a = z.map { max(0, $0) }
                }
            } else if network.outputLayer == .softmax {
                let e = z.map { Foundation.exp($0 - z.max()!) }
                a = e.map { $0 / e.reduce(0, +) }
            } else {
                a = z.map { 1 / (1 + Foundation.exp(-$0)) }
            }
        }
        return a
    }

    // Property: for sigmoid, tanh and ReLU hidden layers with sigmoid or softmax outputs, an
    // independent numpy forward pass over the saved checkpoint (with a training state) reproduces
    // the outputs ShardNet's parameters give — layout, order and dtype are what the docs say —
    // on the script's default first 100 test samples, and the script fails on an output moved
    // by 1e-3, naming it.
    @Test(
        .enabled(if: Subprocess.pythonHasH5py, "needs python3 with h5py and numpy"),
        arguments: [
            (Activation.sigmoid, OutputLayer.sigmoid), (.tanh, .sigmoid), (.relu, .softmax), (.sigmoid, .softmax), (.tanh, .softmax),
        ])
    func numpyAgreesWithSwift(activation: Activation, output: OutputLayer) throws {
        let folder = try IOTempFolder()
        let count = 120, features = 12
        let raw = IO.mnistLike(count: count, classes: 10, seed: 3)
        let split = DataSetFile.ByteSplit(images: raw.images, labels: raw.labels, features: features)
        try DataSetFile.write(train: split, test: split, classes: 10, source: "script test", to: folder.file("data.h5"))
        var g = Xoshiro256StarStar(seed: 5)
        let network = try Network(
            sizes: [features, 7, 6, 10], cost: output.defaultCost, activation: activation, outputLayer: output,
            initialization: activation.suggestedInitialization, generator: &g)
        try Checkpoint(network: network, training: IO.training(epochs: 1)).save(to: folder.file("net.h5"))

        let test = try #require(try DataSetFile.load(from: folder.file("data.h5")).test)
        let n = min(100, test.count)
        var outputs: [Double] = []
        for i in 0..<n { outputs += Self.feedforward(network, Array(test.images[i * features..<(i + 1) * features])) }
        func writeExpected(_ values: [Double], _ name: String) throws {
            let f = try File(folder.file(name), mode: .create)
            try f.createDataset("outputs", shape: [n, 10], data: values)
            try f.close()
        }
        try writeExpected(outputs, "expected.h5")
        let (ok, okOutput) = try IO.run(
            "/usr/bin/env", ["python3", Self.script, folder.file("net.h5"), folder.file("data.h5"), folder.file("expected.h5")])
        #expect(ok == 0, "\(okOutput)")
        #expect(okOutput.contains("OK: 100 samples x 10 outputs"), "\(okOutput)")

        var off = outputs
        off[57] += 1e-3
        try writeExpected(off, "off.h5")
        let (bad, badOutput) = try IO.run(
            "/usr/bin/env", ["python3", Self.script, folder.file("net.h5"), folder.file("data.h5"), folder.file("off.h5")])
        #expect(bad == 1 && badOutput.contains("mismatch: sample 5 output 7"), "\(badOutput)")
    }

    // Property: a version-3 file whose layer attribute contradicts the root's functions is
    // malformed for the script too (exit 2, the layer named), not silently computed one way.
    @Test(.enabled(if: Subprocess.pythonHasH5py, "needs python3 with h5py and numpy"))
    func refusesContradictoryLayerAttribute() throws {
        let folder = try IOTempFolder()
        let raw = IO.mnistLike(count: 4, classes: 10, seed: 3)
        let split = DataSetFile.ByteSplit(images: raw.images, labels: raw.labels, features: 12)
        try DataSetFile.write(train: split, test: split, classes: 10, source: "script test", to: folder.file("data.h5"))
        var g = Xoshiro256StarStar(seed: 5)
        let network = try Network(
            sizes: [12, 5, 10], cost: .logLikelihood, activation: .tanh, outputLayer: .softmax, initialization: .scaled, generator: &g)
        try Checkpoint(network: network, training: nil).save(to: folder.file("net.h5"))
        do {
            let f = try File(folder.file("net.h5"), mode: .readWrite)
            try f.group("layers/0").attrs.set("activation", .string("relu"))
            try f.close()
        }
        let f = try File(folder.file("expected.h5"), mode: .create)
        try f.createDataset("outputs", shape: [4, 10], data: [Double](repeating: 0.1, count: 40))
        try f.close()
        let (status, output) = try IO.run(
            "/usr/bin/env", ["python3", Self.script, folder.file("net.h5"), folder.file("data.h5"), folder.file("expected.h5")])
        #expect(status == 2 && output.contains("/layers/0: attribute 'activation' is 'relu'"), "\(output)")
    }
}
