import Foundation
import HDF5
import ShardNetTestSupport
import Testing

@testable import ShardNet

@Suite("scripts/check_checkpoint.py", .tags(.io))
struct CheckCheckpointScriptIOTests {
    /// scripts/check_checkpoint.py, found from this source file's location.
    static let script = Repository.root.appendingPathComponent("scripts/check_checkpoint.py").path

    /// a = σ(W a + b) layer by layer in Double from the Float parameters and pixels.
    static func feedforward(_ network: Network, _ x: [Float]) -> [Double] {
        var a = x.map(Double.init)
        for l in 0..<network.layerCount {
            let w = network.weights(layer: l), b = network.biases(layer: l)
            let rows = network.sizes[l + 1], cols = network.sizes[l]
            a = (0..<rows).map { j in
                var z = Double(b[j])
                for k in 0..<cols { z += Double(w[j * cols + k]) * a[k] }
                return 1 / (1 + Foundation.exp(-z))
            }
        }
        return a
    }

    // Property: an independent numpy forward pass over the saved checkpoint reproduces the
    // outputs ShardNet computes from the same parameters (layout, order and dtype are what the
    // docs say), and the script does fail when the outputs are off.
    @Test(.enabled(if: IO.pythonHasH5py, "needs python3 with h5py and numpy"))
    func numpyAgreesWithSwift() throws {
        let folder = try IOTempFolder()
        let count = 120, features = 12
        let raw = IO.mnistLike(count: count, classes: 10, seed: 3)
        let split = DataSetFile.ByteSplit(images: raw.images, labels: raw.labels, features: features)
        try DataSetFile.write(train: split, test: split, classes: 10, source: "script test", to: folder.file("data.h5"))
        let network = try IO.network([features, 7, 10], seed: 5)
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
        #expect(bad == 1, "\(badOutput)")
        #expect(badOutput.contains("mismatch: sample 5 output 7"), "\(badOutput)")
    }
}
