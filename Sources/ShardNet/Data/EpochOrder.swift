/// The order in which one epoch visits the training samples, drawn from the run's generator —
/// the same for a streamed and an in-memory run, so streaming changes memory, never results.
///
/// With no window, or a window W ≥ n (the whole split): a Fisher–Yates shuffle of 0 ..< n
/// (`Xoshiro256StarStar.shuffle`), exactly the order ShardNet always drew.
///
/// With a window W < n (`--shuffle-window W`), so that a stream needs only a window of the split
/// in memory:
/// 1. the split is cut into K = ⌈n / B⌉ blocks of B = `blockRows` consecutive samples (the last
///    may be shorter); `convert` writes HDF5 chunks of exactly these rows;
/// 2. the block order is a Fisher–Yates shuffle of 0 ..< K;
/// 3. the blocks' samples, concatenated in that order, form the sequence q[0 ..< n];
/// 4. each window q[wW ..< min((w+1)W, n)], w = 0, 1, …, is Fisher–Yates shuffled in place,
///    windows in order, each as `shuffle` does (i from the window's last index down to its
///    second, j uniform in the window's first ..< i + 1).
/// All draws come from the one generator, in that order, so the order is fixed by the seed
/// (the generator's state at the epoch's start), n and W.
public enum EpochOrder {
    /// B: samples per block, the unit of the block shuffle and of a stream's reads.
    public static let blockRows = 1024

    /// The default window of a streamed run when `--shuffle-window` is not given.
    public static let defaultWindow = 65_536

    /// Where the samples lie in an epoch's block sequence (step 3 above).
    public struct Layout: Sendable {
        /// (K) for each block id, the position in the sequence of its first sample.
        public let blockStarts: [Int]
        /// (K) block ids in sequence order.
        public let sequence: [Int32]

        /// Position in the sequence of sample `s`.
        @inline(__always)
        public func position(ofSample s: Int) -> Int { blockStarts[s / EpochOrder.blockRows] + s % EpochOrder.blockRows }
    }

    /// Whether `window` leaves the order exactly the whole-split shuffle for `count` samples.
    public static func coversSplit(_ window: Int?, count: Int) -> Bool { window.map { $0 >= count } ?? true }

    /// Fills `order` ((n) sample indices, n = order.count) with the epoch's order for `window`
    /// (nil: the whole split), drawing from `generator`; returns the block layout (the identity
    /// for a window that covers the split).
    @discardableResult
    public static func draw(_ order: inout [Int32], window: Int?, generator: inout Xoshiro256StarStar) -> Layout {
        let n = order.count
        let blocks = (n + blockRows - 1) / blockRows
        for i in 0..<n { order[i] = Int32(i) }
        guard let window, window < n else {
            generator.shuffle(&order)
            return Layout(blockStarts: (0..<blocks).map { $0 * blockRows }, sequence: (0..<blocks).map { Int32($0) })
        }
        precondition(window >= 1, "a shuffle window holds at least one sample")
        var sequence = (0..<blocks).map { Int32($0) }
        generator.shuffle(&sequence)
        var starts = [Int](repeating: 0, count: blocks)
        var position = 0
        for block in sequence {
            let b = Int(block)
            starts[b] = position
            let rows = min(blockRows, n - b * blockRows)
            for r in 0..<rows { order[position + r] = Int32(b * blockRows + r) }
            position += rows
        }
        var lower = 0
        while lower < n {
            let upper = min(lower + window, n)
            var i = upper - lower - 1
            while i > 0 {
                let j = Int(generator.uniformInt(below: UInt64(i + 1)))
                order.swapAt(lower + i, lower + j)
                i -= 1
            }
            lower = upper
        }
        return Layout(blockStarts: starts, sequence: sequence)
    }
}
