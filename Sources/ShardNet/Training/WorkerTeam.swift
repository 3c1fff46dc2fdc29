import Dispatch
import Foundation
import Synchronization

/// Runs many steps of phased work on a team of threads with one fork-join for all of them.
///
/// A step is a sequence of phases (a `PhasePlan`): e.g. the data-parallel step's S backprop
/// shard items, then its reducer's slice items. Each phase needs all of the phase before it,
/// and the first phase of a step needs all of the previous step. Phases are numbered across
/// steps (g = step · phasesPerStep + p), and a counter `done` holds how many items are
/// finished, in phase order.
///
/// Every thread walks the phases: it waits until the previous phase is complete, then claims
/// its own items of the phase (item i belongs to thread i mod threads, so in steady state the
/// same core always writes the same shard buffer and the same parameter slice, and cache lines
/// stay where they are used); when a phase has more items than threads it then tries everyone
/// else's too. A claim is a compare-and-swap of the item's last-claimed phase from
/// g − phasesPerStep to g, so each item is done exactly once per phase; claim words and the
/// done counter each sit in their own cache lines (`PaddedAtomics`), and a claim reads its word
/// before it swaps, so in steady state a phase moves only the done counter between cores. Waiting spins with a
/// CPU pause for a while (a hand-off to a spinning thread costs about half a microsecond;
/// waking a sleeping one costs 55-65 µs on these machines), then yields the core; a thread that
/// has waited `stealAfter` for the previous phase claims whatever of it is still unclaimed (a
/// thread that has not started yet, or was descheduled before its claim).
///
/// Why this cannot deadlock when Dispatch runs fewer threads than asked (a loaded machine,
/// more threads than cores): a waiting thread keeps trying to claim the unfinished phase's
/// items, so every item of that phase is soon either done or held by a running thread (which
/// finishes it without waiting); a thread that starts late jumps to the current phase, and a
/// team of one does everything.
///
/// Which thread does which item never changes the arithmetic: items are defined by the
/// engine's plan (shards, slices, unit ranges), not by threads.
final class WorkerTeam: Sendable {
    /// Threads that run the items (the calling thread is one of them).
    let threads: Int
    /// Pause-spins before a waiting thread starts yielding its core.
    let spinLimit: Int

    /// How long a thread waits for the previous phase before it claims that phase's unclaimed items.
    let stealAfterNanoseconds: UInt64 = 20_000

    /// The counters: `done` (items finished, in phase order, by `run`) and `next` (the next
    /// item `forEach` hands out).
    private let counters = PaddedAtomics(count: 2)
    private static let done = 0, next = 1
    /// Claim words: the phase in which each item of a step was last claimed.
    private let claims: PaddedAtomics

    /// A team for plans of at most `items` items per step.
    init(threads: Int, items: Int = 0, spinLimit: Int = 4_000) {
        precondition(threads >= 1)
        self.threads = threads
        self.spinLimit = spinLimit
        claims = PaddedAtomics(count: items)
    }

    /// Seconds each kind of work took, summed over threads. A phase's `kind` 0 counts as
    /// backprop, any other as reduce. A thread reads the clock once per item and once per wait:
    /// an item's time runs from the thread's previous reading (the end of its last item or wait)
    /// to the item's end, so it includes the item's claim; a wait's runs from that reading to the
    /// wait's end, less the items the thread took over meanwhile. Per thread the three add up to
    /// the time from its start to its last item or wait.
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
        counters.reset(Self.done, to: 0)
        // Step 0's phase p claims its items expecting p − phases.
        for p in 0..<phases {
            for i in 0..<plan.items[p] { claims.reset(plan.start[p] + i, to: p - phases) }
        }
        let total = steps * phases
        let threads = self.threads, spinLimit = self.spinLimit, stealAfter = stealAfterNanoseconds
        let claims = self.claims, counters = self.counters, done = Self.done
        func worker(_ w: Int) { CPU.withDenormalsFlushed { walk(w) } }
        func walk(_ w: Int) {
            var backprop: UInt64 = 0, reduce: UInt64 = 0, wait: UInt64 = 0
            // The clock's last reading: the end of this thread's last item or wait (see `Timing`).
            var mark = DispatchTime.now().uptimeNanoseconds
            // Claims item i of phase g and runs it; does nothing when another thread has it (or had it).
            func tryItem(_ g: Int, _ i: Int) {
                let p = g % phases
                guard claims.claim(plan.start[p] + i, expected: g - phases, desired: g) else { return }
                work(g / phases, p, i)
                let now = DispatchTime.now().uptimeNanoseconds
                if plan.kind[p] == 0 { backprop &+= now &- mark } else { reduce &+= now &- mark }
                mark = now
                counters.add(done, 1)
            }
            var g = 0
            while true {
                // Jump to the earliest unfinished phase (a late thread skips what is done).
                let finished = counters.peek(done)
                g = max(g, (finished / perStep) * phases + plan.phase(ofItem: finished % perStep))
                if g >= total { break }
                let step = g / phases, p = g % phases
                // Wait for the previous phase; after `stealAfter`, claim what nobody has claimed.
                let target = step * perStep + plan.start[p]
                if counters.load(done) < target {
                    let t0 = mark  // the wait starts where this thread's last item or wait ended
                    var spins = 0
                    while counters.load(done) < target {
                        spins += 1
                        if spins & 63 == 0 {
                            let now = DispatchTime.now().uptimeNanoseconds
                            if now &- t0 > stealAfter {
                                // The wait so far ends here; an item taken over starts here.
                                wait &+= now &- mark
                                mark = now
                                let previous = g - 1
                                for i in 0..<plan.items[previous % phases] { tryItem(previous, i) }
                            }
                        }
                        if spins < spinLimit { CPU.relax() } else { sched_yield() }
                    }
                    let now = DispatchTime.now().uptimeNanoseconds
                    wait &+= now &- mark
                    mark = now
                }
                let count = plan.items[p]
                for i in stride(from: w, to: count, by: threads) { tryItem(g, i) }
                if count > threads {
                    for i in 0..<count where i % threads != w { tryItem(g, i) }
                }
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

    /// Runs `items` independent items on the team (no phases): `work(worker, item)`, where
    /// `worker` < threads identifies the thread's scratch. Used by evaluation.
    func forEach(items: Int, work: (Int, Int) -> Void) {
        counters.reset(Self.next, to: 0)
        func worker(_ w: Int) { CPU.withDenormalsFlushed { take(w) } }
        func take(_ w: Int) {
            while true {
                let k = self.counters.add(Self.next, 1)
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
