import Dispatch
import Foundation
import Synchronization

/// Runs many steps of phased work on a team of threads with one fork-join for all of them.
///
/// A step is a sequence of phases (a `PhasePlan`): e.g. the data-parallel step's S backprop
/// shard items, then its reducer's slice items. Each phase needs all of the phase before it,
/// and the first phase of a step needs all of the previous step. Phases are numbered across
/// steps (g = step · phasesPerStep + p), and a counter `doneItems` holds how many items are
/// finished, in phase order.
///
/// Every thread walks the phases: it waits until the previous phase is complete, then tries
/// to claim the phase's items — first its own (item i belongs to thread i mod threads, so in
/// steady state the same core always writes the same shard buffer and the same parameter
/// slice, and cache lines stay where they are used), then anyone else's. A claim is a
/// compare-and-swap of the item's last-claimed phase from g − phasesPerStep to g, so each item
/// is done exactly once per phase. Waiting spins with a CPU pause for a while (a hand-off to a
/// spinning thread costs about half a microsecond; waking a sleeping one costs 55-65 µs on
/// these machines), then yields the core.
///
/// Why this cannot deadlock when Dispatch runs fewer threads than asked (a loaded machine,
/// more threads than cores): a thread waits only for a phase whose items it has itself tried
/// to claim, so every item of that phase is held by a running thread; a thread that starts
/// late jumps to the current phase and steals whatever is unclaimed, and a team of one does
/// everything.
///
/// Which thread does which item never changes the arithmetic: items are defined by the
/// engine's plan (shards, slices, unit ranges), not by threads.
final class WorkerTeam: Sendable {
    /// Threads that run the items (the calling thread is one of them).
    let threads: Int
    /// Pause-spins before a waiting thread starts yielding its core.
    let spinLimit: Int

    private let nextItem = Atomic<Int>(0)
    private let doneItems = Atomic<Int>(0)
    /// Claim words: the phase in which each item of a step was last claimed.
    private let claims: ClaimWords

    /// A team for plans of at most `items` items per step.
    init(threads: Int, items: Int = 0, spinLimit: Int = 4_000) {
        precondition(threads >= 1)
        self.threads = threads
        self.spinLimit = spinLimit
        claims = ClaimWords(count: items)
    }

    /// Seconds each kind of work took, summed over threads. A phase's `kind` 0 counts as
    /// backprop, any other as reduce.
    struct Timing {
        var backprop = 0.0
        var reduce = 0.0
        var wait = 0.0
    }

    /// Runs `steps` steps of `plan`: `work(step, phase, item)` for every item of every phase,
    /// phase after phase, step after step. Returns time spent per kind, summed over the
    /// threads; `timing` must have room for `threads` slots × 3, and the team must have been
    /// made with `items` ≥ plan.itemsPerStep.
    func run(steps: Int, plan: PhasePlan, timing: ScalarSlots, work: (Int, Int, Int) -> Void) -> Timing {
        let perStep = plan.itemsPerStep, phases = plan.count
        precondition(timing.count >= threads * 3 && claims.count >= perStep)
        doneItems.store(0, ordering: .relaxed)
        // Step 0's phase p claims its items expecting p − phases.
        for p in 0..<phases {
            for i in 0..<plan.items[p] { claims.store(p - phases, at: plan.start[p] + i) }
        }
        let total = steps * phases
        let threads = self.threads
        func worker(_ w: Int) { CPU.withDenormalsFlushed { walk(w) } }
        func walk(_ w: Int) {
            var backprop: UInt64 = 0, reduce: UInt64 = 0, wait: UInt64 = 0
            var g = 0
            while true {
                // Jump to the earliest unfinished phase (a late thread skips what is done).
                let finished = doneItems.load(ordering: .relaxed)
                g = max(g, (finished / perStep) * phases + plan.phase(ofItem: finished % perStep))
                if g >= total { break }
                let step = g / phases, p = g % phases
                let t0 = DispatchTime.now().uptimeNanoseconds
                self.wait(until: step * perStep + plan.start[p])
                let t1 = DispatchTime.now().uptimeNanoseconds
                wait &+= t1 &- t0
                let count = plan.items[p], base = plan.start[p]
                // Own items first (i ≡ w mod threads), then anyone's (a second pass over all
                // items: an own item already done fails its claim and is skipped).
                let own = w < count ? (count - w + threads - 1) / threads : 0
                var spent: UInt64 = 0
                for k in 0..<(own + count) {
                    let i = k < own ? w + k * threads : k - own
                    if k >= own && i % threads == w { continue }
                    guard claims.claim(base + i, expected: g - phases, desired: g) else { continue }
                    let s0 = DispatchTime.now().uptimeNanoseconds
                    work(step, p, i)
                    spent &+= DispatchTime.now().uptimeNanoseconds &- s0
                    doneItems.wrappingAdd(1, ordering: .releasing)
                }
                if plan.kind[p] == 0 { backprop &+= spent } else { reduce &+= spent }
                g += 1
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

    /// The data-parallel step's two phases: `shardWork(step, shard)` for every shard, then
    /// `sliceWork(step, slice)` for every slice, step after step (a plan made for the call).
    func run(
        steps: Int, shards: Int, slices: Int, timing: ScalarSlots,
        shardWork: (Int, Int) -> Void, sliceWork: (Int, Int) -> Void
    ) -> Timing {
        let plan = PhasePlan([(shards, 0), (slices, 1)])
        let shardPhase = shards > 0 ? 0 : -1
        return run(steps: steps, plan: plan, timing: timing) { step, phase, item in
            if phase == shardPhase { shardWork(step, item) } else { sliceWork(step, item) }
        }
    }

    /// Waits until `target` items are done: spin with a pause hint, then yield the core.
    @inline(__always)
    private func wait(until target: Int) {
        if doneItems.load(ordering: .acquiring) >= target { return }
        var spins = 0
        while doneItems.load(ordering: .acquiring) < target {
            if spins < spinLimit {
                CPU.relax()
                spins += 1
            } else {
                sched_yield()
            }
        }
    }

    /// Runs `items` independent items on the team (no phases): `work(worker, item)`, where
    /// `worker` < threads identifies the thread's scratch. Used by evaluation.
    func forEach(items: Int, work: (Int, Int) -> Void) {
        nextItem.store(0, ordering: .relaxed)
        func worker(_ w: Int) { CPU.withDenormalsFlushed { take(w) } }
        func take(_ w: Int) {
            while true {
                let k = self.nextItem.wrappingAdd(1, ordering: .relaxed).oldValue
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
