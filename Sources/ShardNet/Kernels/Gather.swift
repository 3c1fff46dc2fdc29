/// Equation 1, input x sets a⁰ (the book's a¹): copies a shard's samples, in the epoch's
/// shuffled order, into its input matrix, and their labels beside it. uint8 images are scaled
/// to [0, 1] here, as Float(v) / 255 (`ImageRows.copy`): the bits `DataSet.images` gives.
enum Gather {
    /// The images of `rows` samples in order into an input matrix.
    /// - order: (rows) sample indices; images: (n, features), float32 or uint8
    /// - input: (rows, features) — overwritten.
    @inline(__always)
    static func images(
        rows: Int, features: Int, order: UnsafePointer<Int32>, images: ImageRows,
        input: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            images.copy(at: Int(order[r]) * features, count: features, into: input + r * features)
        }
    }

    /// The labels of `rows` samples in order: labelsOut[r] = labels[order[r]].
    @inline(__always)
    static func labels(
        rows: Int, order: UnsafePointer<Int32>, labels: UnsafePointer<Int32>,
        labelsOut: UnsafeMutablePointer<Int32>
    ) {
        for r in 0..<rows { labelsOut[r] = labels[Int(order[r])] }
    }

    /// Both: the shard's input matrix (rows, features) and its labels (rows).
    @inline(__always)
    static func samples(
        rows: Int, features: Int, order: UnsafePointer<Int32>,
        images: ImageRows, labels: UnsafePointer<Int32>,
        input: UnsafeMutablePointer<Float>, labelsOut: UnsafeMutablePointer<Int32>
    ) {
        Self.images(rows: rows, features: features, order: order, images: images, input: input)
        Self.labels(rows: rows, order: order, labels: labels, labelsOut: labelsOut)
    }
}
