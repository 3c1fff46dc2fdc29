/// What opening a streamed dataset learns, read on the prefetch thread: the training split's
/// extent and a few of its samples, and the in-memory test split.
package struct StreamHeader: Sendable {
    /// n: training samples streamed (after any limit).
    package var count: Int
    /// Values per sample.
    package var features: Int
    /// The file's `classes` attribute.
    package var classes: Int
    /// The HDF5 chunk shape of /train/images (nil: contiguous).
    package var chunks: [Int]?
    /// Whether /train/images is gzip-compressed.
    package var compressed: Bool
    /// The first min(n, `TrainingStream.headRows`) training samples, in memory.
    package var head: DataSet
    /// The /test split, in memory (nil when the file has none).
    package var test: DataSet?
}
