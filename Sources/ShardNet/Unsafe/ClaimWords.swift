import Synchronization

/// A fixed array of atomic words, one per work item of a `WorkerTeam`, holding the phase in
/// which the item was last claimed. Allocated once with the team.
///
/// `@unchecked Sendable`: every access is atomic; the raw allocation itself is immutable
/// after `init` and freed in `deinit`, after all workers have joined.
/// Each word sits alone in a 128-byte slot (two cache lines: the adjacent-line prefetcher
/// pairs lines), so in steady state a claim word stays in the cache of the core that owns its
/// item and claiming it moves no line between cores.
final class ClaimWords: @unchecked Sendable {
    /// Words per slot: 128 bytes of `Atomic<Int>`.
    private static let stride = 128 / MemoryLayout<Atomic<Int>>.stride
    private let raw: UnsafeMutableRawPointer
    private let words: UnsafeMutablePointer<Atomic<Int>>
    let count: Int

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

    /// Sets item i's word (only while no worker runs).
    func store(_ value: Int, at i: Int) { words[i * Self.stride].store(value, ordering: .relaxed) }

    /// Claims item i for a phase: true if its word was `expected` and is now `desired`. Reads
    /// the word first, so a claim that would fail does not take the line from its owner.
    @inline(__always)
    func claim(_ i: Int, expected: Int, desired: Int) -> Bool {
        let word = words + i * Self.stride
        guard word.pointee.load(ordering: .relaxed) == expected else { return false }
        return word.pointee.compareExchange(expected: expected, desired: desired, ordering: .acquiringAndReleasing).exchanged
    }
}
