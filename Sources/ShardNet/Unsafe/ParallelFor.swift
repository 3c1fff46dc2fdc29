import Dispatch

/// Runs `body(i)` for i in 0 ..< iterations on Dispatch's worker threads and the calling
/// thread, returning when all are done (`DispatchQueue.concurrentPerform`).
///
/// The one place where ShardNet hands non-`Sendable` work to other threads. `body` captures
/// raw pointers to buffers that workers share; it is safe because the callers (`WorkerTeam`)
/// give every write a single owner — a shard's workspace to the worker that claimed that shard's
/// item in the phase, a parameter slice to the worker that claimed that slice's item — and order every read
/// after the write through the team's acquire/release counters or this function's join.
func parallelFor(iterations: Int, _ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { body in
        let work = UncheckedSendableBox(body)
        DispatchQueue.concurrentPerform(iterations: iterations) { work.value($0) }
    }
}

/// Carries a value across a `@Sendable` boundary; see `parallelFor` for why that is sound here.
private struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
