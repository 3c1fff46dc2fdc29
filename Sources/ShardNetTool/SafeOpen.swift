import ShardNet

/// Opens untrusted HDF5 files for the commands. The library itself refuses, in-process, every
/// file libhdf5 1.10 is known to crash or hang on (the `HDF5` module validates global heaps and
/// reads variable-length strings without libhdf5's vlen code; see README, "hostile input"), so
/// these are plain library calls: errors come straight from the loaders.
enum SafeOpen {
    static func dataSet(_ path: String) throws -> DataSetFile {
        try DataSetFile.load(from: path)
    }

    static func checkpoint(_ path: String) throws -> Checkpoint {
        try Checkpoint.load(from: path)
    }

    static func kind(_ path: String) throws -> H5FileKind {
        try H5FileKind.detect(path: path)
    }
}
