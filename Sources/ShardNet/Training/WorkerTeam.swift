import Dispatch
import Foundation
import Synchronization

/// Runs many steps of two-phase work on a team of threads with one fork-join for all of them.
///
/// Each step has `shards` backprop items (phase A) followed by `slices` reduce-and-update items
/// (phase B); phase B of a step needs all of phase A, and phase A of the next step needs all of
/// phase B. Numbered in that order, the items form one sequence of tickets:
///
///     ticket k → step = k / (shards + slices), item = k % (shards + slices)
///
/// Every thread loops: take the next ticket (an atomic counter), wait until all tickets of
/// the earlier phases are done (a second counter), do the item, count it done. Waiting spins
/// with a CPU pause for a short while (a hand-off to a spinning thread costs about half a
/// microsecond; waking a sleeping one costs 55-65 µs on these machines), then yields the core.
///
/// Why this cannot deadlock when Dispatch runs fewer threads than asked (a loaded machine,
/// more threads than cores): a thread only waits for tickets that were already *taken*, and a
/// ticket is only taken by a thread that is running this loop; the earliest unfinished ticket
/// never waits. A thread that starts late simply finds fewer tickets left, or none.
///
/// Which thread does which item never changes the arithmetic: items are defined by shards and
/// slices, not by threads.
final class WorkerTeam: Sendable {
    /// Threads that run the items (the calling thread is one of them).
    let threads: Int
    /// Pause-spins before a waiting thread starts yielding its core.
    let spinLimit: Int

    private let nextTicket = Atomic<Int>(0)
    private let doneTickets = Atomic<Int>(0)

    init(threads: Int, spinLimit: Int = 4_000) {
        precondition(threads >= 1)
        self.threads = threads
        self.spinLimit = spinLimit
    }

    /// Seconds each kind of work took, summed over threads.
    struct Timing {
        var backprop = 0.0
        var reduce = 0.0
        var wait = 0.0
    }

    /// Runs `steps` steps: `shardWork(step, shard)` for every shard, then
    /// `sliceWork(step, slice)` for every slice, step after step. Returns time spent per kind,
    /// summed over the threads; `timing` must have room for `threads` slots × 3.
    func run(steps: Int, shards: Int, slices: Int, timing: ScalarSlots,
             shardWork: (Int, Int) -> Void, sliceWork: (Int, Int) -> Void) -> Timing {
        precondition(timing.count >= threads * 3)
        nextTicket.store(0, ordering: .relaxed)
        doneTickets.store(0, ordering: .relaxed)
        let perStep = shards + slices
        let total = steps * perStep
        func worker(_ w: Int) {
            var backprop: UInt64 = 0, reduce: UInt64 = 0, wait: UInt64 = 0
            while true {
                let k = self.nextTicket.wrappingAdd(1, ordering: .relaxed).oldValue
                if k >= total { break }
                let step = k / perStep, item = k - step * perStep
                let phaseStart = step * perStep + (item < shards ? 0 : shards)
                let t0 = DispatchTime.now().uptimeNanoseconds
                self.wait(until: phaseStart)
                let t1 = DispatchTime.now().uptimeNanoseconds
                if item < shards { shardWork(step, item) } else { sliceWork(step, item - shards) }
                let t2 = DispatchTime.now().uptimeNanoseconds
                wait &+= t1 &- t0
                if item < shards { backprop &+= t2 &- t1 } else { reduce &+= t2 &- t1 }
                self.doneTickets.wrappingAdd(1, ordering: .releasing)
            }
            timing[3 * w] = Double(backprop) * 1e-9
            timing[3 * w + 1] = Double(reduce) * 1e-9
            timing[3 * w + 2] = Double(wait) * 1e-9
        }
        if threads == 1 {
            worker(0)
        } else {
            parallelFor(iterations: threads, worker)
        }
        // The join above orders every worker's writes before what follows.
        var result = Timing()
        for w in 0..<threads {
            result.backprop += timing[3 * w]
            result.reduce += timing[3 * w + 1]
            result.wait += timing[3 * w + 2]
        }
        return result
    }

    /// Waits until `target` tickets are done: spin with a pause hint, then yield the core.
    @inline(__always)
    private func wait(until target: Int) {
        if doneTickets.load(ordering: .acquiring) >= target { return }
        var spins = 0
        while doneTickets.load(ordering: .acquiring) < target {
            if spins < spinLimit {
                BLAS.cpuRelax()
                spins += 1
            } else {
                sched_yield()
            }
        }
    }

    /// Runs `items` independent items on the team (no phases): `work(worker, item)`, where
    /// `worker` < threads identifies the thread's scratch. Used by evaluation.
    func forEach(items: Int, work: (Int, Int) -> Void) {
        nextTicket.store(0, ordering: .relaxed)
        func worker(_ w: Int) {
            while true {
                let k = self.nextTicket.wrappingAdd(1, ordering: .relaxed).oldValue
                if k >= items { break }
                work(w, k)
            }
        }
        if threads == 1 || items <= 1 {
            worker(0)
        } else {
            parallelFor(iterations: min(threads, items), worker)
        }
    }
}
