import Foundation

/// The state a stream's trainer thread and its prefetch thread share, every field guarded by
/// `condition`'s lock (hence `@unchecked Sendable`): the current plan, the free and filled run
/// buffers, a failure, and the open/close handshakes. `hdf5` serialises the prefetch thread's
/// HDF5 calls with anything else the trainer thread does with HDF5 (checkpoint saves), so
/// libhdf5 is never entered by two threads at once, thread-safe build or not.
final class StreamMailbox: @unchecked Sendable {
    let condition = NSCondition()
    let hdf5 = NSLock()

    /// The epoch to gather (nil before the first `begin`).
    var plan: StreamPlan?
    /// Buffers the prefetch thread may fill.
    var free: [RunBuffer] = []
    /// Buffers filled for `plan`, in run order.
    var filled: [RunBuffer] = []
    /// Set by the prefetch thread when a read fails; the trainer thread throws it.
    var failure: ShardNetError?
    /// Set by the trainer thread: the prefetch thread returns (and closes the file).
    var closing = false
    /// Set by the prefetch thread once the file is open (or failed to open).
    var opened: Result<StreamHeader, ShardNetError>?
    /// True while the prefetch thread works outside the lock (reads, gathers).
    var busy = false
    /// Set by the prefetch thread as it returns.
    var finished = false
    /// Seconds the trainer thread waited for a filled buffer.
    var waitSeconds = 0.0

    init() {
        free.reserveCapacity(2)
        filled.reserveCapacity(2)
    }

    /// Runs `body` with the lock held.
    func locked<R>(_ body: () throws -> R) rethrows -> R {
        condition.lock()
        defer { condition.unlock() }
        return try body()
    }
}
