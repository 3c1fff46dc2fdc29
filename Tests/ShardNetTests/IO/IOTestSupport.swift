import Foundation
import HDF5
import ShardNetTestSupport

@testable import ShardNet

/// A fresh folder under the system temp directory, removed (with its contents) in deinit.
final class IOTempFolder {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("shardnet-io-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    func file(_ name: String) -> String { path + "/" + name }

    /// Names in the folder, sorted.
    func contents() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }

    deinit {
        chmod(path, 0o755)
        try? FileManager.default.removeItem(atPath: path)
    }
}

enum IO {
    /// The error `body` throws, as text ("no error" when it returns).
    static func failure<R>(_ body: () throws -> R) -> String {
        do {
            _ = try body()
            return "no error"
        } catch {
            return "\(error)"
        }
    }

    /// An IDX file: magic 00 00 08 <rank>, big-endian extents, then `payload`.
    static func idx(_ dimensions: [UInt32], _ payload: [UInt8], type: UInt8 = 0x08) -> [UInt8] {
        var bytes: [UInt8] = [0, 0, type, UInt8(dimensions.count)]
        for d in dimensions { bytes += [UInt8(d >> 24), UInt8((d >> 16) & 0xff), UInt8((d >> 8) & 0xff), UInt8(d & 0xff)] }
        return bytes + payload
    }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    /// Runs a program; returns (status, stdout + stderr).
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> (Int32, String) {
        let result = try Subprocess.run(URL(fileURLWithPath: executable), arguments)
        return (result.status, result.all)
    }

    /// gzip-compresses `path` into `path.gz` with /usr/bin/env gzip (keeps the original).
    static func gzip(_ path: String) throws -> String {
        let (status, output) = try run("/usr/bin/env", ["gzip", "-k", "-f", "-9", path])
        precondition(status == 0, "gzip failed: \(output)")
        return path + ".gz"
    }

    /// A small MNIST-like set: `count` images of 4×3 pixels, labels i % classes.
    static func mnistLike(count: Int, classes: Int = 10, seed: UInt8 = 0) -> (images: [UInt8], labels: [UInt8]) {
        let images = (0..<(count * 12)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ Int(seed)) }
        let labels = (0..<count).map { UInt8($0 % classes) }
        return (images, labels)
    }

    /// Writes the four MNIST files (raw) into `folder`: 6 training and 4 test samples of 4×3.
    static func writeMNIST(into folder: IOTempFolder) throws -> (train: (images: [UInt8], labels: [UInt8]), test: (images: [UInt8], labels: [UInt8]))
    {
        let train = mnistLike(count: 6, classes: 10, seed: 1)
        var test = mnistLike(count: 4, classes: 10, seed: 2)
        test.labels[3] = 9  // max label 9 → classes 10
        try write(idx([6, 4, 3], train.images), to: folder.file("train-images-idx3-ubyte"))
        try write(idx([6], train.labels), to: folder.file("train-labels-idx1-ubyte"))
        try write(idx([4, 4, 3], test.images), to: folder.file("t10k-images-idx3-ubyte"))
        try write(idx([4], test.labels), to: folder.file("t10k-labels-idx1-ubyte"))
        return (train, test)
    }

    /// A seeded random network.
    static func network(_ sizes: [Int], cost: Cost = .quadratic, seed: UInt64 = 11) throws -> Network {
        var g = Xoshiro256StarStar(seed: seed)
        return try Network(sizes: sizes, cost: cost, initialization: .scaled, generator: &g)
    }

    /// A training state with `epochs` history records, a 5-word generator state and a NaN test
    /// cost, to exercise bit-exact storage.
    static func training(epochs: Int) -> TrainingState {
        var g = Xoshiro256StarStar(seed: 99)
        _ = g.gaussian()  // leaves a spare Gaussian: 5 words
        var history: [EpochRecord] = []
        for i in 0..<epochs {
            let x = Double(i)
            let testCost: Double = i == 0 ? .nan : 0.1 * x
            history.append(
                EpochRecord(
                    epoch: i + 1, trainingCost: 1 / (x + 3), testCorrect: 7 + i, testTotal: 10,
                    testCost: testCost, seconds: 0.25 + x, samplesPerSecond: 1e6 / 3))
        }
        return TrainingState(
            epochsCompleted: epochs, seed: 0xFEDC_BA98_7654_3210, generatorState: g.words, eta: 0.3,
            lambda: 5e-5, miniBatchSize: 10, shards: 4, initialization: .scaled, history: history)
    }

    /// Bitwise equality of two training states (Equatable treats NaN ≠ NaN).
    static func same(_ a: TrainingState?, _ b: TrainingState?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        func bits(_ r: EpochRecord) -> [UInt64] {
            [
                UInt64(r.epoch), r.trainingCost.bitPattern, UInt64(r.testCorrect), UInt64(r.testTotal), r.testCost.bitPattern,
                r.seconds.bitPattern, r.samplesPerSecond.bitPattern,
            ]
        }
        let sameRun: Bool = a.epochsCompleted == b.epochsCompleted && a.seed == b.seed && a.generatorState == b.generatorState
        let sameRates: Bool = a.eta.bitPattern == b.eta.bitPattern && a.lambda.bitPattern == b.lambda.bitPattern
        let sameShape: Bool = a.miniBatchSize == b.miniBatchSize && a.shards == b.shards && a.initialization == b.initialization
        let sameHistory: Bool = a.history.map(bits) == b.history.map(bits)
        let samePosition: Bool = a.epochStepsDone == b.epochStepsDone && a.epochCostSum.bitPattern == b.epochCostSum.bitPattern
        return sameRun && sameRates && sameShape && sameHistory && samePosition
    }

    /// Bitwise equality of two data sets.
    static func same(_ a: DataSet?, _ b: DataSet?) -> Bool {
        guard let a, let b else { return a == nil && b == nil }
        let sameShape: Bool = a.count == b.count && a.features == b.features && a.classes == b.classes
        let sameValues: Bool = a.labels == b.labels && a.images.map(\.bitPattern) == b.images.map(\.bitPattern)
        return sameShape && sameValues
    }

    /// Writes a dataset file by hand (for malformed variants): `edit` runs on the open file.
    static func handMade(_ path: String, classes: Int64? = 10, _ edit: (File) throws -> Void) throws {
        let file = try File(path, mode: .create)
        if let classes { try file.attrs.set("classes", .int64(classes)) }
        try edit(file)
        try file.close()
    }

    /// A valid 3-sample, 4-feature train split built with the HDF5 wrapper.
    static func trainSplit(_ file: File, images: [UInt8] = [0, 51, 102, 255, 1, 2, 3, 4, 9, 8, 7, 6], labels: [UInt8] = [0, 1, 9]) throws {
        try file.createDataset("train/images", shape: [3, 4], data: images)
        try file.createDataset("train/labels", shape: [3], data: labels)
    }
}
