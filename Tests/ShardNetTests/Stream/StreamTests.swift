import Foundation
import HDF5
import ShardNetTestSupport
import Testing

@testable import ShardNet

/// Streaming the training split (`TrainingStream`, `Trainer.train(streaming:)`) changes memory,
/// never results: the epoch order (`EpochOrder`) is a deterministic permutation, a window that
/// covers the split is the in-memory shuffle, and a streamed run — stopped and resumed or
/// not — gives the in-memory run's weights and history bit for bit.
@Suite(.tags(.numerics, .io, .concurrency)) struct StreamTests {
    /// uint8 samples: 2,601 rows of 12 values in 4 classes (3 blocks of 1,024, the last partial),
    /// batch 4 (651 steps per epoch, the last partial), 3 shards, λ > 0 (the decay uses n).
    static let count = 2_601
    static let options = TrainingOptions(eta: 0.5, lambda: 0.3, miniBatchSize: 4, shards: 3, threads: 2, seed: 9)
    static let sizes = [12, 9, 4]
    static let epochs = 2

    /// The fixture's bytes: prototype + noise per class, as uint8.
    static func split(count: Int, seed: UInt64) -> DataSetFile.ByteSplit {
        let floats = Fixtures.clusters(count: count, features: 12, classes: 4, seed: seed)
        return DataSetFile.ByteSplit(
            images: floats.images.map { UInt8(($0 * 255).rounded()) }, labels: floats.labels.map { UInt8($0) }, features: 12)
    }

    /// A dataset file (convert's layout: chunks of 1,024 rows, gzip) in a fresh folder.
    static func file() throws -> (folder: URL, path: String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("d.h5").path
        try DataSetFile.write(train: split(count: count, seed: 21), test: split(count: 97, seed: 22), classes: 4, source: "test", to: path)
        return (folder, path)
    }

    static func trainer(window: Int?) throws -> Trainer {
        let trainer = try Trainer(sizes: sizes, cost: .crossEntropy, options: options)
        try trainer.useShuffleWindow(window)
        return trainer
    }

    // Property: the order is a permutation of 0 ..< n, the same for the same seed and window;
    // each window holds the samples of its positions in the block sequence; a window ≥ n is
    // exactly the whole-split shuffle, with the same generator state after it.
    @Test(arguments: [1, 5, 1_000, 1_024, 2_601, 5_000])
    func orderIsADeterministicPermutation(n: Int) {
        for window in [nil, 1, 7, 300, 1_024, 2_000, n, n + 5] {
            var g1 = Xoshiro256StarStar(seed: 42), g2 = Xoshiro256StarStar(seed: 42)
            var a = [Int32](repeating: 0, count: n), b = [Int32](repeating: 0, count: n)
            let layout = EpochOrder.draw(&a, window: window, generator: &g1)
            EpochOrder.draw(&b, window: window, generator: &g2)
            #expect(a == b && g1.words == g2.words, "n \(n) window \(String(describing: window)): not deterministic")
            #expect(a.sorted() == (0..<n).map { Int32($0) }, "n \(n) window \(String(describing: window)): not a permutation")
            let w = min(window ?? n, n)
            #expect(
                a.indices.allSatisfy { layout.position(ofSample: Int(a[$0])) / w == $0 / w },
                "n \(n) window \(String(describing: window)): a sample left its window")
            if EpochOrder.coversSplit(window, count: n) {
                var g3 = Xoshiro256StarStar(seed: 42)
                var c = (0..<n).map { Int32($0) }
                g3.shuffle(&c)
                #expect(a == c && g1.words == g3.words, "n \(n): a covering window is not the whole-split shuffle")
            }
        }
        // Another window or seed gives another order (n large enough to tell).
        if n >= 1_000 {
            var g1 = Xoshiro256StarStar(seed: 42), g2 = Xoshiro256StarStar(seed: 42), g3 = Xoshiro256StarStar(seed: 43)
            var a = [Int32](repeating: 0, count: n), b = a, c = a
            EpochOrder.draw(&a, window: 300, generator: &g1)
            EpochOrder.draw(&b, window: 301, generator: &g2)
            EpochOrder.draw(&c, window: 300, generator: &g3)
            #expect(a != b && a != c)
        }
    }

    // Property: streamed training equals in-memory training with the same window, bit for bit —
    // for a window covering the split (today's order) and windows smaller than a block, not a
    // multiple of it, and larger than a run; runs of several lengths.
    @Test(arguments: [(nil, 7), (Int?(5_000), 256), (Int?(300), 5), (Int?(1_500), 256), (Int?(37), 64)])
    func streamEqualsInMemory(window: Int?, stepsPerRun: Int) throws {
        let (folder, path) = try Self.file()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try DataSetFile.load(from: path)
        let memory = try Self.trainer(window: window)
        try memory.train(on: data.train, evaluatingOn: data.test, epochs: Self.epochs)

        let stream = try TrainingStream(path: path)
        #expect(stream.count == Self.count && stream.features == 12 && stream.chunks == [1_024, 12])
        let streamed = try Self.trainer(window: window)
        try streamed.train(streaming: stream, evaluatingOn: stream.test, epochs: Self.epochs, stepsPerRun: stepsPerRun)
        #expect(streamed.network.isBitwiseEqual(to: memory.network), "window \(String(describing: window)): weights differ")
        #expect(zip(streamed.state.history, memory.state.history).allSatisfy { $0.hasSameResults(as: $1) })
        #expect(streamed.state.generatorState == memory.state.generatorState)
        if window == nil {
            // No window is today's in-memory run.
            let plain = try Trainer(sizes: Self.sizes, cost: .crossEntropy, options: Self.options)
            try plain.train(on: data.train, evaluatingOn: data.test, epochs: Self.epochs)
            #expect(streamed.network.isBitwiseEqual(to: plain.network))
        }
    }

    // Property: a streamed run stopped mid-epoch (and at a boundary), saved, loaded and resumed
    // on a new stream ends bitwise where a straight streamed run ends; the window is saved.
    // Property: chapter 3 streams too — ReLU layers, a softmax output, Nesterov momentum, L1 and
    // dropout (each sample's mask keyed by its position in the epoch, though a run buffer starts
    // mid-epoch), with a validation split driving the plateau schedule: the streamed run's
    // weights, velocity and history are the in-memory run's, bit for bit.
    @Test(arguments: [(Int?.none, 7), (Int?(300), 64)])
    func chapterThreeStreamEqualsInMemory(window: Int?, stepsPerRun: Int) throws {
        let (folder, path) = try Self.file()
        defer { try? FileManager.default.removeItem(at: folder) }
        let data = try DataSetFile.load(from: path)
        let validation = data.test!
        func trainer() throws -> Trainer {
            var options = Self.options
            options.momentum = 0.9
            options.nesterov = true
            options.l1 = 0.01
            options.dropout = 0.25
            options.eta = 0.05
            options.etaSchedule = .plateau(epochs: 1)
            options.initialization = .he
            let t = try Trainer(sizes: Self.sizes, cost: .logLikelihood, activation: .relu, outputLayer: .softmax, options: options)
            try t.useShuffleWindow(window)
            return t
        }
        let memory = try trainer()
        try memory.train(on: data.train, validatingOn: validation, evaluatingOn: data.test, epochs: 3)
        let stream = try TrainingStream(path: path)
        let streamed = try trainer()
        try streamed.train(streaming: stream, validatingOn: validation, evaluatingOn: stream.test, epochs: 3, stepsPerRun: stepsPerRun)
        #expect(streamed.network.isBitwiseEqual(to: memory.network), "window \(String(describing: window)): weights differ")
        #expect(streamed.velocity != nil && streamed.velocity == memory.velocity)
        #expect(streamed.state == memory.state || zip(streamed.state.history, memory.state.history).allSatisfy { $0.hasSameResults(as: $1) })
        #expect(streamed.state.eta == memory.state.eta && streamed.state.bestEpoch == memory.state.bestEpoch)
    }

    @Test(arguments: [[100, 0, 333], [650, 1]])
    func streamStopResumeEqualsStraightRun(stopsAfterSteps: [Int]) throws {
        let (folder, path) = try Self.file()
        defer { try? FileManager.default.removeItem(at: folder) }
        let window = 700
        let reference = try Self.trainer(window: window)
        let first = try TrainingStream(path: path)
        try reference.train(streaming: first, evaluatingOn: first.test, epochs: Self.epochs)

        let checkpoint = folder.appendingPathComponent("c.h5").path
        var (network, state) = try Trainer.freshStart(sizes: Self.sizes, cost: .crossEntropy, options: Self.options)
        state.shuffleWindow = window
        for after in stopsAfterSteps + [Int.max] {
            let trainer = try Trainer(network: network, state: state, threads: 2)
            let stream = try TrainingStream(path: path)
            var steps = 0, epochEnded = false
            let outcome = try trainer.train(
                streaming: stream, evaluatingOn: stream.test, epochs: Self.epochs, stepsPerRun: 1,
                shouldStop: { after == 0 ? epochEnded : steps >= after },
                afterRun: { _ in steps += 1 }, onEpoch: { _ in epochEnded = true })
            #expect(outcome == (after == Int.max ? .completed : .stopped))
            try Checkpoint(network: trainer.network, training: trainer.state).save(to: checkpoint)
            let back = try Checkpoint.load(from: checkpoint)
            #expect(back.training == trainer.state && back.training?.shuffleWindow == window)
            (network, state) = (back.network, back.training!)
        }
        #expect(network.isBitwiseEqual(to: reference.network), "resumed streamed weights differ from the straight streamed run")
        #expect(zip(state.history, reference.state.history).allSatisfy { $0.hasSameResults(as: $1) })
    }

    // Property: what a stream cannot read is refused by file and object, before training.
    @Test func refusesWhatItCannotStream() throws {
        let (folder, path) = try Self.file()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("missing.h5").path
        #expect(throws: ShardNetError.self) { try TrainingStream(path: missing) }
        // float32 images stream only in memory.
        let floats = folder.appendingPathComponent("f.h5").path
        let data = try DataSetFile.load(from: path)
        try DataSetFile.writeFloat(train: data.train, to: floats)
        do {
            _ = try TrainingStream(path: floats)
            Issue.record("a float32 split was streamed")
        } catch let error as ShardNetError {
            #expect("\(error)".contains("/train/images") && "\(error)".contains("uint8"), "\(error)")
        }
        // A limit streams the first samples only.
        let limited = try TrainingStream(path: path, limit: 100)
        #expect(limited.count == 100 && limited.head.count == 100)
    }
}

extension DataSetFile {
    /// A float32 copy of `train` as the only split (for the refusal test).
    static func writeFloat(train: DataSet, to path: String) throws {
        func contents(_ file: File) throws {
            try file.attrs.set("classes", .int64(Int64(train.classes)))
            let group = try file.createGroup("train")
            try group.createDataset("images", shape: [train.count, train.features], data: train.images)
            try group.createDataset("labels", shape: [train.count], data: train.labels.map { UInt8($0) })
        }
        try HDF5ErrorMapping.run(path) {
            let file = try File(path, mode: .create)
            try contents(file)
            try file.close()
        }
    }
}
