import Foundation
import ShardNet

/// The data `train` runs on: the training split in memory, or streamed from the file
/// (`--stream`, or automatically when it would exceed `--memory-budget`), and the test split.
struct TrainingData {
    /// The dataset file.
    let path: String
    /// The training split in memory; when streaming, its first samples (`TrainingStream.head`),
    /// for the checks, thread calibration and TensorBoard's training accuracy.
    let train: DataSet
    /// The test split, in memory.
    let test: DataSet
    /// The stream, when the training split is streamed.
    let stream: TrainingStream?
    /// The validation split: the file's /validation, or the last --validation N training samples.
    var validation: DataSet?

    /// Training samples per epoch.
    var count: Int { stream?.count ?? train.count }

    /// Opens the data of `data` as `options` and the split's size decide; prints one line to
    /// stderr when the split is streamed because it exceeds the budget.
    static func open(_ data: DataOptions, _ options: StreamOptions) throws -> TrainingData {
        let path = try data.data ?? DataSource.embeddedPath()
        var streaming = options.stream
        if !streaming, let extent = DataSetFile.trainExtent(path: path) {
            let n = min(extent.count, data.limit ?? extent.count)
            let bytes = n * extent.bytesPerSample, budget = options.budget
            if bytes > budget {
                streaming = true
                let line =
                    "shardnet: \(path) /train holds \(StreamOptions.describe(bytes)) of images, more than the memory budget \(StreamOptions.describe(budget)) (--memory-budget): streaming it from the file (see --stream, --shuffle-window)"
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
        guard streaming else {
            let (path, file) = try DataSource.load(data.data)
            var train = file.train
            if let limit = data.limit { train = train.prefix(limit) }
            var validation = file.validation
            if let n = data.validation {
                if validation != nil {
                    FileHandle.standardError.write(
                        Data("Note: \(path) has a /validation split; using it instead of holding out --validation \(n) samples\n".utf8))
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
