// The one place where ShardNet owns raw memory.
//
// Every float buffer of the engine (the parameter vector, each worker's gradients and
// scratch) is an `AlignedBuffer`: one allocation, aligned to a 64-byte cache line, zeroed,
// freed in deinit. Kernels receive its base pointer plus offsets ("allocate once, point many
// times", as in llm.c). It is `@unchecked Sendable` because workers on different threads
// write to it; the trainer guarantees that no two workers write the same cache line at the
// same time (each worker has its own buffer, and the reducer's slices are cache-line aligned
// and disjoint), and that readers and writers are separated by the team's barriers.

/// Bytes in a cache line; buffers and the slices that workers own are aligned to it.
package let cacheLineBytes = 64
/// Floats in a cache line.
package let floatsPerCacheLine = cacheLineBytes / MemoryLayout<Float>.stride

/// Rounds `count` floats up to a whole number of cache lines.
package func paddedToCacheLine(_ count: Int) -> Int {
    (count + floatsPerCacheLine - 1) / floatsPerCacheLine * floatsPerCacheLine
}

/// A fixed-size, zero-initialised, cache-line-aligned buffer of `Float`.
package final class AlignedBuffer: @unchecked Sendable {
    /// Base address, aligned to `cacheLineBytes`.
    package let base: UnsafeMutablePointer<Float>
    /// Number of floats.
    package let count: Int

    package init(count: Int) {
        precondition(count >= 0, "AlignedBuffer: negative count")
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: max(paddedToCacheLine(count), floatsPerCacheLine) * MemoryLayout<Float>.stride,
            alignment: cacheLineBytes)
        base = raw.bindMemory(to: Float.self, capacity: max(count, 1))
        base.initialize(repeating: 0, count: max(paddedToCacheLine(count), floatsPerCacheLine))
    }

    /// A copy of `values` in a fresh aligned buffer.
    package convenience init(copying values: UnsafeBufferPointer<Float>) {
        self.init(count: values.count)
        if let source = values.baseAddress { base.update(from: source, count: values.count) }
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }

    /// A deep copy.
    package func copy() -> AlignedBuffer {
        AlignedBuffer(copying: UnsafeBufferPointer(start: base, count: count))
    }

    /// Read access to the floats as a buffer pointer, valid for the closure's duration.
    package func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    /// Write access to the floats as a buffer pointer, valid for the closure's duration.
    package func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: base, count: count))
    }

    /// The floats in `range`, copied into an array.
    package func array(_ range: Range<Int>) -> [Float] {
        precondition(range.lowerBound >= 0 && range.upperBound <= count)
        return Array(UnsafeBufferPointer(start: base + range.lowerBound, count: range.count))
    }
}
