import Foundation
import ShardNet

/// The data `train` runs on: the training split in memory, or streamed from the file
/// (`--stream`, or automatically when it would exceed `--memory-budget`), and the test split.
public struct TrainingData {
    /// The dataset file.
    public let path: String
    /// The training split in memory; when streaming, its first samples (`TrainingStream.head`),
    /// for the checks, thread calibration and TensorBoard's training accuracy.
    public let train: DataSet
    /// The test split, in memory.
    public let test: DataSet
    /// The stream, when the training split is streamed.
    public let stream: TrainingStream?
    /// The validation split: the file's /validation, or the last --validation N training samples.
    public var validation: DataSet?

    /// Training samples per epoch.
    public var count: Int { stream?.count ?? train.count }

    /// Opens the dataset file `path` (--data, or the tool's default) as `data` and `options` and
    /// the split's size decide; prints one line to stderr when the split is streamed because it
    /// exceeds the budget, and one when the file's /validation wins over --validation (both only
    /// with `notes`: the other ranks of an MPI job stay silent).
    public static func open(path: String, _ data: DataOptions, _ options: StreamOptions, notes: Bool = true) throws -> TrainingData {
        var streaming = options.stream
        if !streaming, let extent = DataSetFile.trainExtent(path: path) {
            let n = min(extent.count, data.limit ?? extent.count)
            let bytes = n * extent.bytesPerSample, budget = options.budget
            if bytes > budget {
                streaming = true
                let line =
                    "shardnet: \(path) /train holds \(StreamOptions.describe(bytes)) of images, more than the memory budget \(StreamOptions.describe(budget)) (--memory-budget): streaming it from the file (see --stream, --shuffle-window)"
                if notes { FileHandle.standardError.write(Data((line + "\n").utf8)) }
            }
        }
        guard streaming else {
            let file = try DataSource.load(path: path)
            var train = file.train
            if let limit = data.limit { train = train.prefix(limit) }
            var validation = file.validation
            if let n = data.validation {
                if validation != nil {
                    if notes {
                        FileHandle.standardError.write(
                            Data("Note: \(path) has a /validation split; using it instead of holding out --validation \(n) samples\n".utf8))
                    }
                } else {
                    guard n < train.count else {
                        throw ValidationErrorMessage("--validation \(n) would hold out every one of the \(train.count) training samples of \(path)")
                    }
                    (train, validation) = train.holdingOut(last: n)
                }
            }
            return TrainingData(
                path: path, train: train, test: try DataSource.split(file, "test", path: path), stream: nil, validation: validation)
        }
        if data.validation != nil {
            throw ValidationErrorMessage(
                "--validation holds out the end of the training split in memory; a streamed split cannot (yet): drop --stream or raise --memory-budget"
            )
        }
        let stream: TrainingStream
        do {
            stream = try TrainingStream(path: path, limit: data.limit)
        } catch let error as ShardNetError {
            guard case .wrongKind = error else { throw error }
            throw ValidationErrorMessage("\(error); pass it as --model or --resume, and give a dataset (from `shardnet convert`) as --data")
        }
        guard let test = stream.test else {
            throw ShardNetError.invalidFile(
                path: path, object: "/test",
                reason: "the dataset has no test split; add /test/images and /test/labels (shardnet convert writes both)")
        }
        return TrainingData(path: path, train: stream.head, test: test, stream: stream)
    }
}
