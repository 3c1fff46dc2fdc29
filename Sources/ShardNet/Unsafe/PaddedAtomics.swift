import Synchronization

/// A fixed array of atomic integers, each alone in a 128-byte slot (two cache lines: the
/// adjacent-line prefetcher pairs lines), so the cores that bump, poll or claim one word move
/// no other data with it. Allocated once, before any worker runs.
///
/// The `WorkerTeam` keeps its counters (the items done, the next independent item) and its
/// claim words (one per work item, the phase in which the item was last claimed) here. In
/// steady state a claim word stays in the cache of the core that owns its item, and a claim
/// reads its word before it swaps, so a claim that would fail does not take the line from its
/// owner.
///
/// `@unchecked Sendable`: every access is atomic; the raw allocation itself is immutable
/// after `init` and freed in `deinit`, after all workers have joined.
final class PaddedAtomics: @unchecked Sendable {
    /// Words per slot: 128 bytes of `Atomic<Int>`.
    private static let stride = 128 / MemoryLayout<Atomic<Int>>.stride
    private let raw: UnsafeMutableRawPointer
    private let words: UnsafeMutablePointer<Atomic<Int>>
    /// Number of atomics.
    let count: Int

    /// `count` atomics, each 0.
    init(count: Int) {
        self.count = count
        let slots = max(count, 1) * Self.stride
        raw = .allocate(byteCount: slots * MemoryLayout<Atomic<Int>>.stride, alignment: 128)
        words = raw.bindMemory(to: Atomic<Int>.self, capacity: slots)
        for i in 0..<slots { (words + i).initialize(to: Atomic<Int>(0)) }
    }

    deinit {
        words.deinitialize(count: max(count, 1) * Self.stride)
        raw.deallocate()
    }

    @inline(__always)
    private func word(_ i: Int) -> UnsafeMutablePointer<Atomic<Int>> { words + i * Self.stride }

    /// Atomic i, with acquire ordering (what a waiter reads).
    @inline(__always)
    func load(_ i: Int) -> Int { word(i).pointee.load(ordering: .acquiring) }

    /// Atomic i, relaxed (a hint only).
    @inline(__always)
    func peek(_ i: Int) -> Int { word(i).pointee.load(ordering: .relaxed) }

    /// Sets atomic i (only while no other thread uses it).
    @inline(__always)
    func reset(_ i: Int, to value: Int) { word(i).pointee.store(value, ordering: .relaxed) }

    /// Adds `value` to atomic i with release ordering (what a finished item publishes); returns
    /// the old value.
    @inline(__always)
    @discardableResult
    func add(_ i: Int, _ value: Int) -> Int { word(i).pointee.wrappingAdd(value, ordering: .releasing).oldValue }

    /// Claims atomic i: true if it was `expected` and is now `desired`. Reads it first, so a
    /// claim that would fail does not take the line from the core that holds it.
    @inline(__always)
    func claim(_ i: Int, expected: Int, desired: Int) -> Bool {
        let word = word(i)
        guard word.pointee.load(ordering: .relaxed) == expected else { return false }
        return word.pointee.compareExchange(expected: expected, desired: desired, ordering: .acquiringAndReleasing).exchanged
    }
}
