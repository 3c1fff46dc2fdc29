import Foundation
import HDF5
import ShardNetTestSupport
import Testing

@testable import ShardNet

@Suite("Checkpoints", .tags(.io))
struct CheckpointIOTests {
    // Property: save → load returns the network (sizes, cost, every parameter) and the training
    // state (generator words, η, λ, history including a NaN test cost) bit for bit.
    @Test(arguments: [(Cost.quadratic, 3), (Cost.crossEntropy, 0)])
    func roundTripsBitForBit(cost: Cost, epochs: Int) throws {
        let folder = try IOTempFolder()
        let path = folder.file("c.h5")
        let network = try IO.network([5, 4, 3], cost: cost)
        let training = IO.training(epochs: epochs)
        try Checkpoint(network: network, training: training).save(to: path)
        let back = try Checkpoint.load(from: path)
        #expect(back.network.isBitwiseEqual(to: network))
        #expect(back.network.cost == cost)
        #expect(IO.same(back.training, training))
        #expect(back.training?.generatorState.count == 5)
        #expect(try H5FileKind.detect(path: path) == .checkpoint)
        #expect(folder.contents() == ["c.h5"], "no temp files left")
    }

    // Property: a checkpoint without training state loads with training == nil.
    @Test func roundTripsWithoutTraining() throws {
        let folder = try IOTempFolder()
        let network = try IO.network([2, 1])
        try Checkpoint(network: network, training: nil).save(to: folder.file("n.h5"))
        let back = try Checkpoint.load(from: folder.file("n.h5"))
        #expect(back.training == nil && back.network.isBitwiseEqual(to: network))
    }

    // Property: the stored layout is the documented one (names, dtypes, shapes, attributes).
    @Test func storesTheDocumentedLayout() throws {
        let folder = try IOTempFolder()
        let path = folder.file("c.h5")
        let network = try IO.network([5, 4, 3])
        try Checkpoint(network: network, training: IO.training(epochs: 2)).save(to: path)
        let f = try File(path)
        let a = f.attrs
        #expect(try a.string("format") == "shardnet-checkpoint" && a.int64("version") == 3)
        #expect(try a.int64Array("sizes") == [5, 4, 3] && a.string("cost") == "quadratic" && a.string("activation") == "sigmoid")
        #expect(try a.string("output_layer") == "sigmoid" && f.group("layers/1").attrs.string("activation") == "sigmoid")
        let w1 = try f.dataset("layers/1/weights")
        #expect(w1.shape == [3, 4] && w1.elementType == .float32)
        #expect(try w1.read(as: Float.self) == network.weights(layer: 1))
        #expect(try f.dataset("layers/0/biases").read(as: Float.self) == network.biases(layer: 0))
        #expect(try f.group("training").attrs.int64("epochs_completed") == 2)
        #expect(try f.dataset("training/history/epoch").read(as: Int64.self) == [1, 2])
        #expect(try f.dataset("training/history/test_correct").elementType == .int64)
    }

    /// Saves a valid checkpoint, lets `edit` damage it (file open read-write), returns load's error.
    private func rejection(_ edit: (File) throws -> Void) throws -> String {
        let folder = try IOTempFolder()
        let path = folder.file("bad.h5")
        try Checkpoint(network: try IO.network([3, 2, 2]), training: IO.training(epochs: 2)).save(to: path)
        do {
            let f = try File(path, mode: .readWrite)
            try edit(f)
            try f.close()
        }
        return IO.failure { try Checkpoint.load(from: path) }.replacingOccurrences(of: folder.path, with: "")
    }

    // Property: NaN weights are rejected, naming the layer and the position.
    @Test func rejectsNaNWeights() throws {
        let message = try rejection { f in
            let w = try f.dataset("layers/1/weights")
            var values: [Float] = try w.read()
            values[3] = .nan
            try w.write(values)
        }
        #expect(
            message == "/bad.h5: /layers/1/weights: layer 1 weights value at (1, 1) is nan; parameters must be finite (the run diverged?)",
            "\(message)")
    }

    // Property: sizes that disagree with a matrix shape are rejected, naming both.
    @Test func rejectsSizesThatDisagreeWithShapes() throws {
        let message = try rejection { try $0.attrs.set("sizes", .int64Array([3, 4, 2])) }
        #expect(message == "/bad.h5: /layers/0/weights: has shape [2, 3] but sizes [3, 4, 2] needs [4, 3]", "\(message)")
        let extra = try rejection { try $0.attrs.set("sizes", .int64Array([3, 2])) }
        #expect(extra.contains("/layers/1: unexpected: sizes [3, 2] has 1 weight layers"), "\(extra)")
        let missing = try rejection { try $0.attrs.set("sizes", .int64Array([3, 2, 2, 2])) }
        #expect(missing.contains("/layers/2: missing"), "\(missing)")
    }

    // Property: a file from a newer ShardNet is refused with the version it has and the one this build reads.
    @Test func rejectsFutureVersion() throws {
        let message = try rejection { try $0.attrs.set("version", .int64(4)) }
        #expect(message == "/bad.h5: /: written by a newer ShardNet (version 4); this build reads version 3")
    }

    // Property: the mid-epoch position (version 2) survives save → load bit for bit.
    @Test func roundTripsMidEpochPosition() throws {
        let folder = try IOTempFolder()
        let path = folder.file("mid.h5")
        var training = IO.training(epochs: 2)
        training.epochStepsDone = 137
        training.epochCostSum = 0.1 + 1 / 3
        try Checkpoint(network: try IO.network([3, 2]), training: training).save(to: path)
        let back = try Checkpoint.load(from: path).training
        #expect(IO.same(back, training))
        #expect(back?.epochStepsDone == 137 && back?.epochCostSum.bitPattern == training.epochCostSum.bitPattern)
        #expect(try File(path).group("training").attrs.int64("epoch_steps_done") == 137)
    }

    // Property: a version-1 file (no mid-epoch attributes) still loads, at an epoch boundary;
    // a version-2 file without them is incomplete and refused.
    @Test func loadsVersionOneFiles() throws {
        let folder = try IOTempFolder()
        let path = folder.file("v1.h5")
        let training = IO.training(epochs: 2)
        try Checkpoint(network: try IO.network([3, 2]), training: training).save(to: path)
        do {
            let f = try File(path, mode: .readWrite)
            try f.attrs.set("version", .int64(1))
            try f.group("training").attrs.delete("epoch_steps_done")
            try f.group("training").attrs.delete("epoch_cost_sum")
            try f.close()
        }
        let back = try Checkpoint.load(from: path).training
        #expect(IO.same(back, training) && back?.epochStepsDone == 0 && back?.epochCostSum == 0)
        let missing = try rejection { try $0.group("training").attrs.delete("epoch_steps_done") }
        #expect(missing == "/bad.h5: /training: missing attribute 'epoch_steps_done'", "\(missing)")
        let old = try rejection { try $0.attrs.set("version", .int64(0)) }
        #expect(old.contains("attribute 'version' is 0; this build reads versions 1…3"), "\(old)")
    }

    // Property: other header faults are named: format, cost, activation, missing attributes.
    @Test func rejectsBadHeaders() throws {
        #expect(try rejection { try $0.attrs.set("format", .string("keras")) }.contains("attribute 'format' is 'keras'"))
        #expect(try rejection { try $0.attrs.set("cost", .string("hinge")) }.contains("cost 'hinge' is unknown"))
        #expect(try rejection { try $0.attrs.set("activation", .string("swish")) }.contains("activation 'swish' is unknown"))
        let mismatch = try rejection { try $0.attrs.set("activation", .string("relu")) }
        #expect(
            mismatch.contains("/layers/0: attribute 'activation' is 'sigmoid' but the root's activation and output_layer make it 'relu'"),
            "\(mismatch)")
        let contradiction = try rejection { try $0.attrs.set("output_layer", .string("softmax")) }
        #expect(contradiction.contains("attribute 'cost': a softmax output layer is trained with the log-likelihood cost"), "\(contradiction)")
        #expect(try rejection { try $0.attrs.delete("sizes") }.contains("missing attribute 'sizes'"))
        #expect(try rejection { try $0.attrs.set("sizes", .string("3,2,2")) }.contains("attribute 'sizes' is a string"))
    }

    // Property: the training group must agree with itself (history lengths = epochs_completed,
    // epochs 1…n, valid generator state).
    @Test func rejectsInconsistentTrainingState() throws {
        let long = try rejection { try $0.group("training").attrs.set("epochs_completed", .int64(3)) }
        #expect(long.contains("/training/history/epoch: has shape [2]; expected (3)"), "\(long)")
        let epochs = try rejection { try $0.dataset("training/history/epoch").write([Int64(1), 3]) }
        #expect(epochs.contains("entry 1 is 3; epochs must run 1, 2, …, 2"), "\(epochs)")
        let state = try rejection { try $0.group("training").attrs.set("generator_state", .int64Array([0, 0, 0, 0])) }
        #expect(state.contains("'generator_state'"), "\(state)")
        let eta = try rejection { try $0.group("training").attrs.set("eta", .double(.nan)) }
        #expect(eta.contains("attribute 'eta' is nan"), "\(eta)")
        let initialization = try rejection { try $0.group("training").attrs.set("initialization", .string("xavier")) }
        #expect(initialization.contains("initialization 'xavier' is unknown"))
        let steps = try rejection { try $0.group("training").attrs.set("epoch_steps_done", .int64(-1)) }
        #expect(steps.contains("attribute 'epoch_steps_done' is -1"), "\(steps)")
        let sum = try rejection { try $0.group("training").attrs.set("epoch_cost_sum", .double(.infinity)) }
        #expect(sum.contains("attribute 'epoch_cost_sum' is inf"), "\(sum)")
    }

    // Property: weights must be float32 (a float64 matrix of the right shape is refused).
    @Test func rejectsWrongWeightType() throws {
        let folder = try IOTempFolder()
        let path = folder.file("f64.h5")
        try IO.handMade(path, classes: nil) { f in
            let a = f.attrs
            try a.set("format", .string("shardnet-checkpoint"))
            try a.set("version", .int64(1))
            try a.set("sizes", .int64Array([2, 1]))
            try a.set("cost", .string("quadratic"))
            try a.set("activation", .string("sigmoid"))
            try f.createDataset("layers/0/weights", shape: [1, 2], data: [0.5, 0.25])
            try f.createDataset("layers/0/biases", shape: [1], data: [Float(0)])
        }
        let message = IO.failure { try Checkpoint.load(from: path) }
        #expect(message == "\(path): /layers/0/weights: has dtype float64; checkpoints store float32", "\(message)")
    }

    // Property: a dataset passed as a checkpoint says what it is and how to pass it.
    @Test func rejectsDatasetAsCheckpoint() throws {
        let folder = try IOTempFolder()
        let split = DataSetFile.ByteSplit(images: [1, 2], labels: [0], features: 2)
        try DataSetFile.write(train: split, test: nil, classes: 1, source: "", to: folder.file("d.h5"))
        #expect(
            IO.failure { try Checkpoint.load(from: folder.file("d.h5")) }
                == "\(folder.file("d.h5")): /: is a dataset, not a checkpoint")
    }

    // Property: missing, non-HDF5 and truncated checkpoints are clean errors.
    @Test func rejectsMissingAndCorruptFiles() throws {
        let folder = try IOTempFolder()
        #expect(IO.failure { try Checkpoint.load(from: folder.file("none.h5")) } == "\(folder.file("none.h5")): no such file")
        try "text".write(toFile: folder.file("t.h5"), atomically: false, encoding: .utf8)
        #expect(IO.failure { try Checkpoint.load(from: folder.file("t.h5")) }.contains("not an HDF5 file"))
        #expect(IO.failure { try H5FileKind.detect(path: folder.file("t.h5")) }.contains("not an HDF5 file"))
        try Checkpoint(network: try IO.network([30, 20, 10]), training: IO.training(epochs: 4)).save(to: folder.file("c.h5"))
        let bytes = try IO.read(folder.file("c.h5"))
        for cut in [200, bytes.count / 3, bytes.count - 8] {
            try IO.write(Array(bytes.prefix(cut)), to: folder.file("cut.h5"))
            let message = IO.failure { try Checkpoint.load(from: folder.file("cut.h5")) }
            #expect(message.hasPrefix(folder.file("cut.h5") + ": ") && message != "no error", "\(message)")
        }
    }

    // Property: kind detection tells datasets, checkpoints and other HDF5 files apart.
    @Test func detectsKinds() throws {
        let folder = try IOTempFolder()
        try IO.handMade(folder.file("other.h5")) { try $0.createGroup("stuff") }
        #expect(IO.failure { try H5FileKind.detect(path: folder.file("other.h5")) }.contains("neither a ShardNet dataset"))
        #expect(IO.failure { try H5FileKind.detect(path: folder.file("none.h5")) }.contains("no such file"))
    }
}
