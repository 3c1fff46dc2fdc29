/// Per-worker scalar results (a shard's summed cost, a chunk's correct count), one per
/// cache line so that workers writing neighbouring slots never share a line.
///
/// `@unchecked Sendable`: slot i is written by exactly one work item between two barriers of
/// the `WorkerTeam`, and read only after that barrier (or after the team has joined).
package final class ScalarSlots: @unchecked Sendable {
    /// Doubles per cache line: the distance between two slots.
    static let stride = cacheLineBytes / MemoryLayout<Double>.stride
    let base: UnsafeMutablePointer<Double>
    /// Number of slots.
    package let count: Int

    package init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * cacheLineBytes, alignment: cacheLineBytes)
        base = raw.bindMemory(to: Double.self, capacity: max(count, 1) * Self.stride)
        base.initialize(repeating: 0, count: max(count, 1) * Self.stride)
    }

    deinit { UnsafeMutableRawPointer(base).deallocate() }

    /// Slot i.
    @inline(__always)
    package subscript(i: Int) -> Double {
        get { base[i * Self.stride] }
        set { base[i * Self.stride] = newValue }
    }

    /// A plain pointer to slot i, for kernels that run on worker threads.
    @inline(__always)
    func pointer(_ i: Int) -> UnsafeMutablePointer<Double> { base + i * Self.stride }
}
