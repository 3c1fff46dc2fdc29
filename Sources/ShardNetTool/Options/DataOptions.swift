import ArgumentParser

/// Where the training data comes from.
struct DataOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Dataset file (HDF5) with /train and /test splits. Default: the embedded MNIST-5k.",
            valueName: "file.h5"))
    var data: String?

    @Option(help: "Train on the first N training samples only.")
    var limit: Int?

    func validate() throws {
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1, got \(limit)") }
    }
}
