/// Equation 1, input x sets a⁰ (the book's a¹): copies a shard's samples, in the epoch's
/// shuffled order, into its input matrix, and their labels beside it.
enum Gather {
    /// The images of `rows` samples in order into an input matrix.
    /// - order: (rows) sample indices; images: (n, features)
    /// - input: (rows, features) — overwritten.
    @inline(__always)
    static func images(
        rows: Int, features: Int, order: UnsafePointer<Int32>, images: UnsafePointer<Float>,
        input: UnsafeMutablePointer<Float>
    ) {
        for r in 0..<rows {
            (input + r * features).update(from: images + Int(order[r]) * features, count: features)
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
        images: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
        input: UnsafeMutablePointer<Float>, labelsOut: UnsafeMutablePointer<Int32>
    ) {
        Self.images(rows: rows, features: features, order: order, images: images, input: input)
        Self.labels(rows: rows, order: order, labels: labels, labelsOut: labelsOut)
    }
}
