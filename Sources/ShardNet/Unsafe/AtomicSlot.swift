import Synchronization

/// One atomic integer alone in a 128-byte slot (two cache lines, as the adjacent-line
/// prefetcher pairs them), so the cores that bump and poll it move no other data with it.
///
/// `@unchecked Sendable`: every access is atomic; the allocation is immutable after `init` and
/// freed in `deinit`, after all workers have joined.
final class AtomicSlot: @unchecked Sendable {
    private let raw: UnsafeMutableRawPointer
    private let word: UnsafeMutablePointer<Atomic<Int>>

    init(_ value: Int = 0) {
        raw = .allocate(byteCount: 128, alignment: 128)
        word = raw.bindMemory(to: Atomic<Int>.self, capacity: 1)
        word.initialize(to: Atomic<Int>(value))
    }

    deinit {
        word.deinitialize(count: 1)
        raw.deallocate()
    }

    /// The value, with acquire ordering (what a waiter reads).
    @inline(__always)
    func load() -> Int { word.pointee.load(ordering: .acquiring) }

    /// The value, relaxed (a hint only).
    @inline(__always)
    func peek() -> Int { word.pointee.load(ordering: .relaxed) }

    /// Sets the value (only while no other thread uses it).
    @inline(__always)
    func reset(_ value: Int) { word.pointee.store(value, ordering: .relaxed) }

    /// Adds `value` with release ordering (what a finished item publishes); returns the old value.
    @inline(__always)
    @discardableResult
    func add(_ value: Int) -> Int { word.pointee.wrappingAdd(value, ordering: .releasing).oldValue }
}
