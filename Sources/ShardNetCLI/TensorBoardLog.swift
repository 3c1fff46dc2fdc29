import Foundation
import ShardNet
import ShardNetInterop

/// `train --tensorboard DIR`: per epoch, the scalars TensorBoard plots — training and test cost
/// and accuracy, samples/s and the estimated time left.
public final class TensorBoardLog {
    public let writer: TensorBoardWriter
    private let evaluator: Evaluator
    private var seconds: [Double] = []

    public init(directory: String, network: Network, threads: Int) throws {
        do { writer = try TensorBoardWriter(directory: directory) } catch let error as TensorBoardError {
            throw ShardNetError.io(path: error.path, reason: error.reason)
        }
        evaluator = Evaluator(layout: network.layout, threads: threads)
    }

    /// Logs epoch `record`. The training accuracy is measured here on `train` (the trainer
    /// reports only the cost seen during the epoch).
    public func log(_ record: EpochRecord, network: Network, train: DataSet, epochs: Int) throws {
        let trainEvaluation = evaluator.evaluate(network, on: train)
        seconds.append(record.seconds)
        let meanSeconds = seconds.reduce(0, +) / Double(seconds.count)
        let scalars: [(String, Double)] = [
            ("train/cost", record.trainingCost),
            ("train/accuracy", trainEvaluation.accuracy),
            ("test/cost", record.testCost),
            ("test/accuracy", record.testAccuracy),
            ("speed/samples_per_second", record.samplesPerSecond),
            ("speed/eta_seconds", meanSeconds * Double(max(0, epochs - record.epoch))),
        ]
        do {
            for (tag, value) in scalars { try writer.add(scalar: tag, value: value, step: record.epoch) }
            try writer.flush()
        } catch let error as TensorBoardError {
            throw ShardNetError.io(path: error.path, reason: error.reason)
        }
    }
}
