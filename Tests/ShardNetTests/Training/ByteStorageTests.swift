import Foundation
import ShardNetTestSupport
import Testing

@testable import ShardNet

/// uint8 images stay bytes in memory and are scaled as rows are gathered; the arithmetic must
/// not notice: the same bits as the floats loading used to produce.
@Suite(.tags(.numerics)) struct ByteStorageTests {
    /// 157 samples of 20 byte "pixels" covering all 256 values, labels in 0..<4.
    static let bytes: [UInt8] = (0..<(157 * 20)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ $0 / 7) }
    static let labels: [Int32] = (0..<157).map { Int32(($0 * 7) % 4) }
    /// The floats DataSetFile built before uint8 storage: Float(v) / 255 for each byte.
    static let floats: [Float] = bytes.map { Float($0) / 255 }

    // Property: a byte data set reads as exactly Float(v) / 255 for every value 0…255.
    @Test func bytesReadAsTheOldScaling() throws {
        let all = try DataSet(bytes: (0...255).map { UInt8($0) }, labels: [0, 0, 0, 0], features: 64, classes: 1)
        #expect(all.images.map(\.bitPattern) == (0...255).map { (Float($0) / 255).bitPattern })
        guard case .uint8 = all.storage else {
            Issue.record("byte storage was converted")
            return
        }
        #expect(all.prefix(2).images.map(\.bitPattern) == Array(all.images[0..<128]).map(\.bitPattern))
    }

    // Property: a byte data set holds the very array it was made from, not a copy (streaming
    // wraps each run buffer in a DataSet for the run, then refills the buffer in place).
    @Test func byteDataSetSharesItsArray() throws {
        let bytes = Self.bytes
        let data = try DataSet(bytes: bytes, labels: Self.labels, features: 20, classes: 4)
        let shared = bytes.withUnsafeBufferPointer { source in
            data.withUnsafePointers { images, labels in
                guard case .uint8(let pixels) = images else { return false }
                return pixels == source.baseAddress && Self.labels.withUnsafeBufferPointer { labels == $0.baseAddress }
            }
        }
        #expect(shared, "DataSet(bytes:) copied its arrays")
    }

    // Property: training and evaluating on byte storage gives the same weights, history and
    // evaluation, bit for bit, as on the equivalent floats — on both step schedules, with
    // uneven shards and a partial last batch.
    @Test(arguments: [StepSchedule.shards, .units])
    func byteStorageTrainsBitwiseAsFloats(schedule: StepSchedule) throws {
        let asBytes = try DataSet(bytes: Self.bytes, labels: Self.labels, features: 20, classes: 4)
        let asFloats = try DataSet(images: Self.floats, labels: Self.labels, features: 20, classes: 4)
        func train(_ data: DataSet) throws -> Trainer {
            let options = TrainingOptions(eta: 0.5, lambda: 0.2, miniBatchSize: 10, shards: 3, threads: 2, seed: 4)
            let (network, state) = try Trainer.freshStart(sizes: [20, 11, 4], cost: .crossEntropy, options: options)
            let trainer = try Trainer(network: network, state: state, threads: 2, schedule: schedule)
            try trainer.train(on: data, evaluatingOn: data, epochs: 3)
            return trainer
        }
        let b = try train(asBytes), f = try train(asFloats)
        #expect(b.schedule == schedule)
        #expect(b.network.isBitwiseEqual(to: f.network))
        #expect(zip(b.state.history, f.state.history).allSatisfy { $0.hasSameResults(as: $1) })
        let eb = try b.evaluate(asBytes), ef = try f.evaluate(asFloats)
        #expect(eb.correct == ef.correct && eb.cost.bitPattern == ef.cost.bitPattern)
        let gb = try Backpropagation.gradient(of: b.network, on: asBytes), gf = try Backpropagation.gradient(of: b.network, on: asFloats)
        #expect(gb.cost.bitPattern == gf.cost.bitPattern && gb.gradient.map(\.bitPattern) == gf.gradient.map(\.bitPattern))
    }
}
