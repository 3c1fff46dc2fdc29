import Foundation
import HDF5
import ShardNetTestSupport
import Testing

@testable import ShardNet

/// Checkpoint format version 3 (chapter 3): the network's functions, the optimiser's state
/// and the velocity survive a save and load bit for bit; version-2 files still load as the
/// sigmoid, plain-SGD runs they are and train on; and a malformed version-3 file is refused
/// with the file and the object named.
@Suite("Checkpoints, version 3", .tags(.io))
struct CheckpointV3Tests {
    /// A tanh/softmax network.
    static func network(_ sizes: [Int] = [5, 4, 3], activation: Activation = .tanh, output: OutputLayer = .softmax) throws -> Network {
        var g = Xoshiro256StarStar(seed: 8)
        return try Network(
            sizes: sizes, cost: output.defaultCost, activation: activation, outputLayer: output, initialization: .scaled, generator: &g)
    }

    /// A training state with every version-3 field away from its default.
    static func training(epochs: Int = 3) -> TrainingState {
        var state = IO.training(epochs: epochs)
        for i in state.history.indices {
            state.history[i].testCost = 0.5 + Double(i)  // finite, so TrainingState's == applies
            state.history[i].trainingCorrect = 40 + i
            state.history[i].trainingTotal = 50
            state.history[i].validationCorrect = 8 + i
            state.history[i].validationTotal = 12
            state.history[i].validationCost = 0.25 / Double(i + 1)
            state.history[i].eta = 0.3 / Double(1 << i)
        }
        state.initialEta = 0.6
        state.l1 = 0.125
        state.momentum = 0.9
        state.nesterov = true
        state.dropout = 0.35
        state.etaSchedule = .plateau(epochs: 4)
        state.earlyStop = 7
        state.bestValidationCorrect = 10
        state.bestEpoch = 2
        state.epochsWithoutImprovement = 1
        state.epochsSinceEtaChange = 1
        state.epochStepsDone = 3
        state.epochCostSum = 1.75
        return state
    }

    static func velocity(count: Int) -> [Float] { (0..<count).map { Float($0 % 7) * 0.01 - 0.03 } }

    // Property: save → load returns every version-3 field bit for bit: the activation and
    // output layer (every combination), the cost, L1, momentum, Nesterov, dropout, η₀, the
    // schedule, early stopping, the validation watch (best accuracy, its epoch, both
    // counters), the new history columns and the velocity.
    @Test(arguments: Activation.allCases, OutputLayer.allCases)
    func roundTripsEveryField(activation: Activation, output: OutputLayer) throws {
        let folder = try IOTempFolder()
        let path = folder.file("c.h5")
        let network = try Self.network(activation: activation, output: output)
        let training = Self.training()
        let velocity = Self.velocity(count: network.parameterCount)
        try Checkpoint(network: network, training: training, velocity: velocity).save(to: path)
        let back = try Checkpoint.load(from: path)
        #expect(back.network.isBitwiseEqual(to: network))
        #expect(back.network.activation == activation && back.network.outputLayer == output && back.network.cost == output.defaultCost)
        #expect(back.training == training)
        #expect(back.training.map { IO.same($0, training) } == true)
        #expect(back.velocity.map { Compare.bitDifference($0, velocity) } == .some(nil))

        // What the file holds, by name (docs/file-formats.md).
        let f = try File(path)
        #expect(try f.attrs.int64("version") == 3)
        #expect(try f.attrs.string("activation") == activation.rawValue && f.attrs.string("output_layer") == output.rawValue)
        #expect(try f.group("layers/0").attrs.string("activation") == activation.rawValue)
        #expect(try f.group("layers/1").attrs.string("activation") == output.rawValue)
        let t = try f.group("training").attrs
        #expect(try t.double("momentum") == Double(Float(0.9)) && t.int64("nesterov") == 1 && t.string("eta_schedule") == "plateau:4")
        #expect(try t.int64("early_stop") == 7 && t.int64("best_validation_correct") == 10 && t.double("initial_eta") == Double(Float(0.6)))
        let v = try f.dataset("training/velocity")
        #expect(v.shape == [network.parameterCount] && v.elementType == .float32)
        #expect(try f.dataset("training/history/validation_correct").read(as: Int64.self) == [8, 9, 10])
        #expect(try f.dataset("training/history/eta").read(as: Double.self) == [0.3, 0.15, 0.075])
    }

    // Property: the "none" values round-trip as none: no early stopping (stored 0), no best
    // validation accuracy yet (stored −1), no momentum (then no velocity dataset at all).
    @Test func roundTripsAbsentValues() throws {
        let folder = try IOTempFolder()
        let path = folder.file("c.h5")
        let network = try Self.network(activation: .relu)
        var training = Self.training()
        training.earlyStop = nil
        training.bestValidationCorrect = nil
        training.bestEpoch = 0
        training.momentum = 0
        training.nesterov = false
        training.etaSchedule = .constant
        try Checkpoint(network: network, training: training).save(to: path)
        let back = try Checkpoint.load(from: path)
        #expect(back.training == training && back.velocity == nil)
        #expect(try File(path).group("training").contains("velocity") == false)
        #expect(try File(path).group("training").attrs.int64("best_validation_correct") == -1)
    }

    // Property: a training state equals itself and its loaded copy when its records hold the
    // NaNs that mean "not measured" (no validation split: validation cost; no test split: test
    // cost; older files: η) — `==` compares the real fields bit for bit, so a resumed run can
    // be checked with `==` whether or not it validates.
    @Test func statesWithUnmeasuredValuesEqualThemselves() throws {
        let folder = try IOTempFolder()
        let training = IO.training(epochs: 2)  // test cost NaN in epoch 1; validation cost and η NaN throughout
        #expect(training.history.allSatisfy { $0.validationCost.isNaN && $0.eta.isNaN } && training.history[0].testCost.isNaN)
        #expect(training == training)
        try Checkpoint(network: try Self.network(), training: training).save(to: folder.file("c.h5"))
        #expect(try Checkpoint.load(from: folder.file("c.h5")).training == training)
        var other = training
        other.history[1].validationCost = 0.5
        #expect(other != training)
    }

    // Property: with momentum and no velocity given (a run that has not stepped yet), the
    // file keeps a zero velocity, which loads as zeros.
    @Test func momentumWithoutVelocityStoresZeros() throws {
        let folder = try IOTempFolder()
        let network = try Self.network()
        try Checkpoint(network: network, training: Self.training()).save(to: folder.file("c.h5"))
        let back = try Checkpoint.load(from: folder.file("c.h5"))
        #expect(back.velocity == [Float](repeating: 0, count: network.parameterCount))
    }

    /// Writes a version-2 checkpoint by hand, as ShardNet 2 wrote them: root attributes format,
    /// version 2, sizes, cost, activation "sigmoid" (no output_layer, no per-layer attribute),
    /// /training with the version-2 attributes only and the seven version-2 history columns.
    static func writeVersion2(_ path: String, network: Network, state: TrainingState) throws {
        let f = try File(path, mode: .create)
        try f.attrs.set("format", .string("shardnet-checkpoint"))
        try f.attrs.set("version", .int64(2))
        try f.attrs.set("sizes", .int64Array(network.sizes.map { Int64($0) }))
        try f.attrs.set("cost", .string(network.cost.rawValue))
        try f.attrs.set("activation", .string("sigmoid"))
        for l in 0..<network.layerCount {
            try f.createDataset("layers/\(l)/weights", shape: [network.sizes[l + 1], network.sizes[l]], data: network.weights(layer: l))
            try f.createDataset("layers/\(l)/biases", shape: [network.sizes[l + 1]], data: network.biases(layer: l))
        }
        do {  // the group must be released before the file closes
            let t = try f.createGroup("training")
            try t.attrs.set("epochs_completed", .int64(Int64(state.epochsCompleted)))
            try t.attrs.set("seed", .int64(Int64(bitPattern: state.seed)))
            try t.attrs.set("generator_state", .int64Array(state.generatorState.map { Int64(bitPattern: $0) }))
            try t.attrs.set("eta", .double(Double(state.eta)))
            try t.attrs.set("lambda", .double(Double(state.lambda)))
            try t.attrs.set("mini_batch_size", .int64(Int64(state.miniBatchSize)))
            try t.attrs.set("shards", .int64(Int64(state.shards)))
            try t.attrs.set("initialization", .string(state.initialization.rawValue))
            try t.attrs.set("epoch_steps_done", .int64(Int64(state.epochStepsDone)))
            try t.attrs.set("epoch_cost_sum", .double(state.epochCostSum))
            let h = state.history
            try t.createDataset("history/epoch", shape: [h.count], data: h.map { Int64($0.epoch) })
            try t.createDataset("history/training_cost", shape: [h.count], data: h.map(\.trainingCost))
            try t.createDataset("history/test_correct", shape: [h.count], data: h.map { Int64($0.testCorrect) })
            try t.createDataset("history/test_total", shape: [h.count], data: h.map { Int64($0.testTotal) })
            try t.createDataset("history/test_cost", shape: [h.count], data: h.map(\.testCost))
            try t.createDataset("history/seconds", shape: [h.count], data: h.map(\.seconds))
            try t.createDataset("history/samples_per_second", shape: [h.count], data: h.map(\.samplesPerSecond))
        }
        try f.close()
    }

    // Property: a version-2 file (written as version 2 wrote it) loads as a sigmoid network
    // with sigmoid outputs and a plain-SGD state (no L1, momentum, dropout, schedule or early
    // stop; η₀ = η; no velocity), its history intact; training continues from it, and the
    // continued run is the one a version-3 checkpoint of the same state gives.
    @Test func loadsVersion2AndTrainsOn() throws {
        let folder = try IOTempFolder()
        let data = Fixtures.clusters(count: 40, features: 5, classes: 3, seed: 4)
        let options = TrainingOptions(eta: 0.5, lambda: 0.2, miniBatchSize: 6, shards: 2, threads: 1, seed: 12, initialization: .scaled)
        let trainer = try Trainer(sizes: [5, 4, 3], cost: .crossEntropy, options: options)
        try trainer.train(on: data, evaluatingOn: data, epochs: 2)
        try Self.writeVersion2(folder.file("v2.h5"), network: trainer.network, state: trainer.state)

        let back = try Checkpoint.load(from: folder.file("v2.h5"))
        let state = try #require(back.training)
        #expect(back.network.isBitwiseEqual(to: trainer.network))
        #expect(back.network.activation == .sigmoid && back.network.outputLayer == .sigmoid && back.network.cost == .crossEntropy)
        #expect(state.l1 == 0 && state.momentum == 0 && !state.nesterov && state.dropout == 0)
        #expect(state.etaSchedule == .constant && state.earlyStop == nil && state.bestValidationCorrect == nil)
        #expect(state.initialEta == state.eta && back.velocity == nil)
        #expect(IO.same(state, trainer.state))
        #expect(state.history.allSatisfy { $0.validationTotal == 0 && $0.trainingTotal == 0 && $0.validationCost.isNaN && $0.eta.isNaN })

        let resumed = try Trainer(network: back.network, state: state, threads: 2)
        #expect(try resumed.train(on: data, evaluatingOn: data, epochs: 4) == .completed)
        try trainer.train(on: data, evaluatingOn: data, epochs: 4)
        #expect(resumed.network.isBitwiseEqual(to: trainer.network), "a run resumed from version 2 differs from the straight run")
    }

    /// Saves a valid version-3 checkpoint (tanh/softmax, momentum with a velocity unless
    /// `momentum` is false), lets `edit` damage it, returns load's error with the folder removed.
    static func rejection(momentum: Bool = true, _ edit: (File) throws -> Void) throws -> String {
        let folder = try IOTempFolder()
        let path = folder.file("bad.h5")
        let network = try Self.network()
        var training = Self.training()
        if !momentum { (training.momentum, training.nesterov) = (0, false) }
        try Checkpoint(network: network, training: training, velocity: momentum ? Self.velocity(count: network.parameterCount) : nil)
            .save(to: path)
        do {
            let f = try File(path, mode: .readWrite)
            try edit(f)
            try f.close()
        }
        return IO.failure { try Checkpoint.load(from: path) }.replacingOccurrences(of: folder.path, with: "")
    }

    // Property: malformed version-3 attributes are refused, the message naming the file, the
    // object and the fault: an unknown activation or output layer, a cost that contradicts the
    // output layer, a layer whose function disagrees with the root, a missing optimiser
    // attribute, Nesterov without momentum, a bad schedule or dropout, and a missing,
    // misshapen, mistyped or non-finite velocity with momentum.
    @Test func rejectsMalformedVersion3() throws {
        func expect(_ message: String, _ want: String, sourceLocation: SourceLocation = #_sourceLocation) {
            #expect(message.hasPrefix("/bad.h5: "), "file not named: \(message)", sourceLocation: sourceLocation)
            #expect(message.contains(want), "\(message)", sourceLocation: sourceLocation)
        }
        expect(try Self.rejection { try $0.attrs.set("activation", .string("swish")) }, "/bad.h5: /: activation 'swish' is unknown")
        expect(try Self.rejection { try $0.attrs.set("output_layer", .string("maxout")) }, "/bad.h5: /: output_layer 'maxout' is unknown")
        expect(try Self.rejection { try $0.attrs.delete("output_layer") }, "/bad.h5: /: missing attribute 'output_layer'")
        // softmax with a sigmoid-output cost, and log-likelihood with sigmoid outputs.
        expect(try Self.rejection { try $0.attrs.set("cost", .string("quadratic")) }, "/bad.h5: /: attribute 'cost'")
        let contradiction = try Self.rejection {
            try $0.attrs.set("output_layer", .string("sigmoid"))
            try $0.group("layers/1").attrs.set("activation", .string("sigmoid"))
        }
        expect(contradiction, "/bad.h5: /: attribute 'cost'")
        #expect(contradiction.contains("log-likelihood"), "\(contradiction)")
        expect(
            try Self.rejection { try $0.group("layers/0").attrs.set("activation", .string("relu")) },
            "/bad.h5: /layers/0: attribute 'activation' is 'relu' but the root's activation and output_layer make it 'tanh'")
        expect(try Self.rejection { try $0.group("layers/1").attrs.delete("activation") }, "/bad.h5: /layers/1: missing attribute 'activation'")
        expect(try Self.rejection { try $0.group("training").attrs.delete("momentum") }, "/bad.h5: /training: missing attribute 'momentum'")
        expect(
            try Self.rejection { try $0.group("training").attrs.set("momentum", .double(1)) }, "/bad.h5: /training: attribute 'momentum' is 1.0")
        expect(
            try Self.rejection(momentum: false) { try $0.group("training").attrs.set("nesterov", .int64(1)) },
            "/bad.h5: /training: attribute 'nesterov' is set but momentum is 0")
        expect(
            try Self.rejection { try $0.group("training").attrs.set("dropout", .double(1)) }, "/bad.h5: /training: attribute 'dropout' is 1.0")
        expect(
            try Self.rejection { try $0.group("training").attrs.set("eta_schedule", .string("plateau:0")) },
            "/bad.h5: /training: attribute 'eta_schedule' is 'plateau:0'")
        // Momentum without a velocity: a file saved without momentum, then given one.
        expect(
            try Self.rejection(momentum: false) { try $0.group("training").attrs.set("momentum", .double(0.9)) },
            "/bad.h5: /training/velocity: missing")
        // A velocity of the wrong shape, dtype or values.
        let count = try Self.network().parameterCount
        expect(
            try Self.rejection(momentum: false) { f in
                try f.group("training").attrs.set("momentum", .double(0.9))
                try f.createDataset("training/velocity", shape: [count - 1], data: [Float](repeating: 0, count: count - 1))
            }, "/bad.h5: /training/velocity: has shape [\(count - 1)]; expected (\(count))")
        expect(
            try Self.rejection(momentum: false) { f in
                try f.group("training").attrs.set("momentum", .double(0.9))
                try f.createDataset("training/velocity", shape: [1, count], data: [Float](repeating: 0, count: count))
            }, "/bad.h5: /training/velocity: has shape [1, \(count)]")
        expect(
            try Self.rejection(momentum: false) { f in
                try f.group("training").attrs.set("momentum", .double(0.9))
                try f.createDataset("training/velocity", shape: [count], data: [Double](repeating: 0, count: count))
            }, "/bad.h5: /training/velocity: has dtype")
        expect(
            try Self.rejection(momentum: false) { f in
                try f.group("training").attrs.set("momentum", .double(0.9))
                var v = [Float](repeating: 0, count: count)
                v[5] = .nan
                try f.createDataset("training/velocity", shape: [count], data: v)
            }, "/bad.h5: /training/velocity: value 5 is nan")
    }

    // Property: a version-2 file cannot smuggle in chapter-3 functions: only sigmoid is valid
    // there, and a log-likelihood cost (which needs a softmax) is refused.
    @Test func version2IsSigmoidOnly() throws {
        let tanh = try Self.rejection { try $0.attrs.set("version", .int64(2)) }
        #expect(tanh.contains("/bad.h5: /: activation 'tanh' is not valid in a version-2 checkpoint (sigmoid only)"), "\(tanh)")
        let folder = try IOTempFolder()
        var g = Xoshiro256StarStar(seed: 3)
        let sigmoid = try Network(sizes: [3, 2], cost: .quadratic, initialization: .scaled, generator: &g)
        try Self.writeVersion2(folder.file("v2.h5"), network: sigmoid, state: IO.training(epochs: 1))
        do {
            let f = try File(folder.file("v2.h5"), mode: .readWrite)
            try f.attrs.set("cost", .string("log-likelihood"))
            try f.close()
        }
        let message = IO.failure { try Checkpoint.load(from: folder.file("v2.h5")) }
        #expect(message.contains("v2.h5: /: attribute 'cost'") && message.contains("softmax"), "\(message)")
    }
}
