/// The phases of one step of a `WorkerTeam` run: how many items each phase has, where its items
/// start among the step's items, and which timing category it counts as. Made once per engine
/// (one allocation), read by the worker threads through raw pointers, so they touch no
/// reference counts.
///
///     items  (phases)      items of phase p, each ≥ 1
///     start  (phases + 1)  first item of phase p within a step; start[phases] = items per step
///     kind   (phases)      timing category of phase p (`WorkerTeam.Timing`)
///
/// `@unchecked Sendable`: written only in `init`, read-only afterwards.
package final class PhasePlan: @unchecked Sendable {
    /// Phases per step.
    package let count: Int
    let items: UnsafeMutablePointer<Int>
    let start: UnsafeMutablePointer<Int>
    let kind: UnsafeMutablePointer<Int>

    /// Phases as (items, kind); phases with no items are dropped (they would be done at once).
    package init(_ phases: [(items: Int, kind: Int)]) {
        let phases = phases.filter { $0.items > 0 }
        precondition(!phases.isEmpty, "PhasePlan: a step needs at least one item")
        count = phases.count
        items = .allocate(capacity: count)
        start = .allocate(capacity: count + 1)
        kind = .allocate(capacity: count)
        var first = 0
        for (p, phase) in phases.enumerated() {
            (items + p).initialize(to: phase.items)
            (kind + p).initialize(to: phase.kind)
            (start + p).initialize(to: first)
            first += phase.items
        }
        (start + count).initialize(to: first)
    }

    deinit {
        items.deallocate()
        start.deallocate()
        kind.deallocate()
    }

    /// Items in one step, over all its phases.
    package var itemsPerStep: Int { start[count] }

    /// The phase that holds item `i` of a step (0 ≤ i < itemsPerStep).
    @inline(__always)
    func phase(ofItem i: Int) -> Int {
        var p = 0
        while start[p + 1] <= i { p += 1 }
        return p
    }
}
