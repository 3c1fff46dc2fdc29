import Synchronization

/// A fixed array of atomic words, one per work item of a `WorkerTeam`, holding the phase in
/// which the item was last claimed. Allocated once with the team.
///
/// `@unchecked Sendable`: every access is atomic; the raw allocation itself is immutable
/// after `init` and freed in `deinit`, after all workers have joined.
final class ClaimWords: @unchecked Sendable {
    private let words: UnsafeMutablePointer<Atomic<Int>>
    let count: Int

    init(count: Int) {
        self.count = count
        words = .allocate(capacity: max(count, 1))
        for i in 0..<max(count, 1) { (words + i).initialize(to: Atomic<Int>(0)) }
    }

    deinit {
        words.deinitialize(count: max(count, 1))
        words.deallocate()
    }

    /// Sets item i's word (only while no worker runs).
    func store(_ value: Int, at i: Int) { words[i].store(value, ordering: .relaxed) }

    /// Claims item i for a phase: true if its word was `expected` and is now `desired`.
    @inline(__always)
    func claim(_ i: Int, expected: Int, desired: Int) -> Bool {
        words[i].compareExchange(expected: expected, desired: desired, ordering: .acquiringAndReleasing).exchanged
    }
}
