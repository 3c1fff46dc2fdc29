import HDF5

/// What a ShardNet HDF5 file holds (for `shardnet info` and for clear errors when a dataset is
/// passed where a checkpoint is expected, or the other way round).
public enum H5FileKind: String, Sendable, Equatable {
    /// `/train/images` + `/train/labels` (+ `/test`, `/validation`); see `DataSetFile`.
    case dataset
    /// Root attribute `format` = "shardnet-checkpoint"; see `Checkpoint`.
    case checkpoint

    /// The root attribute naming the checkpoint format.
    static var checkpointFormat: String { CheckpointSchema.format }

    /// The kind of the file at `path`. Errors: missing file, not HDF5, or neither kind.
    public static func detect(path: String) throws -> H5FileKind {
        try HDF5ErrorMapping.run(path) {
            let file = try File(path, mode: .read)
            return try detect(file)
        }
    }

    /// The kind of an open file: a `format` attribute decides; otherwise a `/train` group means a
    /// dataset and `/layers` a (malformed) checkpoint.
    static func detect(_ file: File) throws -> H5FileKind {
        let attrs = file.attrs
        if try attrs.contains("format") {
            let format = try attrs.string("format")
            guard format == checkpointFormat else {
                throw ShardNetError.invalidFile(
                    path: file.path, object: "/",
                    reason: "attribute 'format' is '\(format)'; this build reads '\(checkpointFormat)' files and datasets")
            }
            return .checkpoint
        }
        if try file.kind(of: "train") == .group { return .dataset }
        if try file.contains("layers") { return .checkpoint }
        throw ShardNetError.invalidFile(
            path: file.path, object: "/",
            reason: "neither a ShardNet dataset (no /train group) nor a checkpoint (no 'format' attribute); see docs/file-formats.md")
    }
}
