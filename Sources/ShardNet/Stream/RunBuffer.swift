/// One run of steps' samples, gathered by a stream's prefetch thread in the epoch's order:
/// rows (run's first position) ..< (run's last position) of the epoch order, so the engine
/// trains on it with the identity order. Two of them circulate between the prefetch thread
/// (filling one) and the trainer (training on the other); each is moved, never shared, so
/// filling it in place never copies.
package struct RunBuffer: Sendable {
    /// (rows, features) uint8 pixels, row-major.
    package var images: [UInt8] = []
    /// (rows) class indices.
    package var labels: [Int32] = []
    /// The steps of the epoch it holds.
    package var steps: Range<Int> = 0..<0
    /// The plan (epoch) it was filled for.
    package var token = 0

    /// Samples held.
    package var rows: Int { labels.count }

    /// Sets the row count to `rows` of `features` values, keeping the capacity (no allocation
    /// once the buffer has held a run this long).
    mutating func resize(rows: Int, features: Int) {
        Self.resize(&images, to: rows * features, fill: 0)
        Self.resize(&labels, to: rows, fill: 0)
    }

    private static func resize<T>(_ array: inout [T], to count: Int, fill: T) {
        if array.count > count {
            array.removeLast(array.count - count)
        } else if array.count < count {
            array.append(contentsOf: repeatElement(fill, count: count - array.count))
        }
    }
}
