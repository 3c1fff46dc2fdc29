/// Equation 1, input x sets a⁰ (the book's a¹): copies a shard's samples, in the epoch's
/// shuffled order, into its input matrix, and their labels beside it.
enum Gather {
    /// - order: (rows) sample indices; images: (n, features); labels: (n)
    /// - input: (rows, features), labelsOut: (rows) — overwritten.
    @inline(__always)
    static func samples(rows: Int, features: Int, order: UnsafePointer<Int32>,
                        images: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
                        input: UnsafeMutablePointer<Float>, labelsOut: UnsafeMutablePointer<Int32>) {
        for r in 0..<rows {
            let sample = Int(order[r])
            (input + r * features).update(from: images + sample * features, count: features)
            labelsOut[r] = labels[sample]
        }
    }
}
