/// A class reference that the worker threads use without touching its reference count.
///
/// Read through a closure's capture or a stored property, a class reference is retained
/// and released around each use; when every core does that every step on the same object,
/// the reference count's cache line moves between the cores each time. `Borrowed` holds the
/// reference unretained and lends it for one call with no retain or release.
///
/// `@unchecked Sendable`, and unsafe: the owner must keep the object alive (a strong
/// reference elsewhere) for as long as any `with` call may run.
struct Borrowed<Object: AnyObject>: @unchecked Sendable {
    private let reference: Unmanaged<Object>

    /// Lends `object`, which the caller keeps alive.
    init(_ object: Object) { reference = .passUnretained(object) }

    /// `body(object)`, with no retain or release.
    @inline(__always)
    func with<R>(_ body: (Object) -> R) -> R { reference._withUnsafeGuaranteedRef(body) }
}
