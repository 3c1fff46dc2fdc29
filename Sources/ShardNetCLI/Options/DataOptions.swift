import ArgumentParser

/// Where the training data comes from.
public struct DataOptions: ParsableArguments {
    public init() {}

    @Option(
        help: ArgumentHelp(
            "Dataset file (HDF5) with /train and /test splits. Default: the embedded MNIST-5k (shardnet-mpi: required).",
            valueName: "file.h5"))
    public var data: String?

    @Option(help: "Train on the first N training samples only.")
    public var limit: Int?

    @Option(
        help: ArgumentHelp(
            "Hold out the last N training samples as the validation split (network2.py's 50,000/10,000), unless the file has /validation.",
            valueName: "N"))
    public var validation: Int?

    public func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if let validation, validation < 1 { throw ValidationError("--validation must be at least 1 sample, got \(validation)") }
    }
}
