/// The unit-parallel step's plan and memory: which layer and unit range each phase item
/// covers, and the batch-wide matrices the items share. One allocation per table, made with
/// the engine; the worker threads read it through raw pointers.
///
/// Each layer's output units are cut into at most `threads` ranges whose boundaries are
/// multiples of 16 units (the kernels' panel width, a cache line of floats), so two items
/// never write the same packed panel, rows of w or line of the gradient sums. (In a batch-wide
/// matrix whose width is not a multiple of 16, e.g. a¹ of 784-30-10, consecutive rows do share
/// a line at a range boundary: two items write it once per phase.) Phases of a step, for L
/// layers:
///
///     forward l = 0 … L−1   items: the unit ranges of layer l's outputs
///     output error          items: the S shards (fused into the last forward when that
///                           layer has a single range)
///     backward l = L−1 … 1  items: the unit ranges of layer l−1's outputs (δˡ's columns)
///     update                items: every layer's unit ranges (rows of wˡ and bˡ)
///
/// When the layers after the first are small (their weights at most a quarter of layer 0's,
/// e.g. 784-30-10 or 784-100-10), the step has two phases instead — `replicatedTail`:
///
///     forward 0             items: the unit ranges of layer 0's outputs
///     tail and update       items: layer 0's unit ranges again; each item first runs the whole
///                           tail itself (forward l = 1 … L−1, output error, backward l = L−1 …
///                           1, into its own copies), then updates its range of w⁰; item 0 also
///                           computes every later layer's gradients, whose sum and update run
///                           first thing in the next step's forward 0 item 0 (the other tail
///                           items still read those weights; forward 0 reads only w⁰), or
///                           after the run's last step
///
/// Recomputing the small tail in every item costs less than the barriers it saves (at m = 10 a
/// barrier between two cores is a good part of a step), and it changes no bit: every element is
/// computed by the same kernel in the same order wherever it runs.
///
/// Memory (row stride = the layer's width; m = the mini-batch size):
///
///     inputs       ranges(0) × (m, sizes[0])   a⁰ gathered by each layer-0 forward item,
///                                              reused by the same range's update item
///     activations  (m, sizes[l]) for l = 1 … L
///     deltas       (m, sizes[l]) for l = 1 … L
///     labels       (m) Int32                   the batch's labels, gathered by the output error
///     tail         per tail item: activations (m, sizes[l]) for l = 2 … L, deltas (m, sizes[l])
///                  for l = 1 … L, labels (m) — that item's private copies (replicatedTail only)
///
/// `@unchecked Sendable`: the tables are read-only after `init`; each matrix element is written
/// by one item per phase (disjoint column ranges) and read only after the team's barrier that
/// ends that phase.
package final class UnitSchedule: @unchecked Sendable {
    /// What a phase does.
    enum Work: Int { case forward, outputError, forwardAndOutputError, backward, update, tailAndUpdate }

    let layerCount: Int
    let phaseCount: Int
    let phaseWork: UnsafeMutablePointer<Int>  // (phases) Work.rawValue
    let phaseLayer: UnsafeMutablePointer<Int>  // (phases) the layer a forward/backward phase covers
    let rangeFirst: UnsafeMutablePointer<Int>  // (L + 1) first range of layer l in `bounds`
    let bounds: UnsafeMutablePointer<Int>  // (ranges + 1 per layer) unit boundaries
    let updateLayer: UnsafeMutablePointer<Int>  // (update items) layer of update item i
    let updateRange: UnsafeMutablePointer<Int>  // (update items) range index within its layer
    let inputs: UnsafeMutablePointer<UnsafeMutablePointer<Float>>  // (ranges(0))
    let activations: UnsafeMutablePointer<UnsafeMutablePointer<Float>>  // (L + 1), [0] unused
    let deltas: UnsafeMutablePointer<UnsafeMutablePointer<Float>>  // (L + 1), [0] unused
    let labels: UnsafeMutablePointer<Int32>
    /// Whether the step runs as two phases, each tail item recomputing the layers after the first.
    let replicatedTail: Bool
    /// (tail items × (L + 1)) each tail item's activations: [1] the shared a¹, [2 … L] its own.
    let tailActivations: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    /// (tail items × (L + 1)) each tail item's deltas [1 … L] ([0] unused).
    let tailDeltas: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    /// (tail items × m) each tail item's labels.
    let tailLabels: UnsafeMutablePointer<Int32>
    /// The phases, for the team.
    let plan: PhasePlan
    private let floats: AlignedBuffer

    init(layout: ParameterLayout, miniBatchSize m: Int, shards: Int, threads: Int) {
        let sizes = layout.sizes, L = layout.layerCount
        layerCount = L
        // Unit ranges of each layer's outputs.
        var ranges: [[Int]] = []
        for l in 0..<L { ranges.append(UnitRanges.split(units: sizes[l + 1], parts: threads)) }
        rangeFirst = .allocate(capacity: L + 1)
        let flat = ranges.flatMap { $0 }
        bounds = .allocate(capacity: flat.count)
        bounds.initialize(from: flat, count: flat.count)
        var first = 0
        for l in 0...L {
            (rangeFirst + l).initialize(to: first)
            if l < L { first += ranges[l].count }
        }
        func count(_ l: Int) -> Int { ranges[l].count - 1 }
        replicatedTail = L >= 2 && Self.tailIsSmall(sizes)
        let tailItems = replicatedTail ? count(0) : 0
        // Phases.
        var work: [Work] = [], layer: [Int] = [], phases: [(items: Int, kind: Int)] = []
        for l in 0..<L where !replicatedTail || l == 0 {
            let fused = l == L - 1 && count(l) == 1
            work.append(fused ? .forwardAndOutputError : .forward); layer.append(l); phases.append((count(l), 0))
            if l == L - 1 && !fused { work.append(.outputError); layer.append(l); phases.append((shards, 0)) }
        }
        var uLayer: [Int] = [], uRange: [Int] = []
        if replicatedTail {
            for r in 0..<tailItems { uLayer.append(0); uRange.append(r) }
            work.append(.tailAndUpdate); layer.append(-1); phases.append((tailItems, 1))
        } else {
            for l in stride(from: L - 1, through: 1, by: -1) {
                work.append(.backward); layer.append(l); phases.append((count(l - 1), 0))
            }
            for l in 0..<L {
                for r in 0..<count(l) { uLayer.append(l); uRange.append(r) }
            }
            work.append(.update); layer.append(-1); phases.append((uLayer.count, 1))
        }
        phaseCount = work.count
        phaseWork = .allocate(capacity: work.count)
        phaseWork.initialize(from: work.map(\.rawValue), count: work.count)
        phaseLayer = .allocate(capacity: layer.count)
        phaseLayer.initialize(from: layer, count: layer.count)
        updateLayer = .allocate(capacity: uLayer.count)
        updateLayer.initialize(from: uLayer, count: uLayer.count)
        updateRange = .allocate(capacity: uRange.count)
        updateRange.initialize(from: uRange, count: uRange.count)
        plan = PhasePlan(phases)
        // Memory: one allocation for every matrix.
        var offsets: [Int] = [], offset = 0
        func take(_ n: Int) -> Int { let o = offset; offset += paddedToCacheLine(n); return o }
        let inputOffsets = (0..<count(0)).map { _ in take(m * sizes[0]) }
        for l in 1...L { offsets.append(take(m * sizes[l])) }
        let deltaOffsets = (1...L).map { take(m * sizes[$0]) }
        // Each tail item's own activations (l = 2 … L) and deltas (l = 1 … L), at [t·(L+1) + l].
        var tailOffsets = [Int](repeating: 0, count: 2 * tailItems * (L + 1))
        for t in 0..<tailItems {
            for l in 1...L {
                if l >= 2 { tailOffsets[t * (L + 1) + l] = take(m * sizes[l]) }
                tailOffsets[(tailItems + t) * (L + 1) + l] = take(m * sizes[l])
            }
        }
        let memory = AlignedBuffer(count: offset), base = memory.base
        floats = memory
        inputs = .allocate(capacity: inputOffsets.count)
        inputs.initialize(from: inputOffsets.map { base + $0 }, count: inputOffsets.count)
        activations = .allocate(capacity: L + 1)
        deltas = .allocate(capacity: L + 1)
        activations.initialize(to: base)
        deltas.initialize(to: base)
        for l in 1...L {
            (activations + l).initialize(to: base + offsets[l - 1])
            (deltas + l).initialize(to: base + deltaOffsets[l - 1])
        }
        labels = .allocate(capacity: max(m, 1))
        labels.initialize(repeating: 0, count: max(m, 1))
        let tailSlots = max(1, tailItems * (L + 1))
        tailActivations = .allocate(capacity: tailSlots)
        tailDeltas = .allocate(capacity: tailSlots)
        tailActivations.initialize(repeating: base, count: tailSlots)
        tailDeltas.initialize(repeating: base, count: tailSlots)
        for t in 0..<tailItems {
            tailActivations[t * (L + 1) + 1] = base + offsets[0]
            for l in 2...L { tailActivations[t * (L + 1) + l] = base + tailOffsets[t * (L + 1) + l] }
            for l in 1...L { tailDeltas[t * (L + 1) + l] = base + tailOffsets[(tailItems + t) * (L + 1) + l] }
        }
        tailLabels = .allocate(capacity: max(1, tailItems * m))
        tailLabels.initialize(repeating: 0, count: max(1, tailItems * m))
    }

    /// Whether the weights after layer 0 are at most a quarter of layer 0's: then recomputing
    /// them in every tail item is cheaper than the phases it saves.
    static func tailIsSmall(_ sizes: [Int]) -> Bool {
        let first = sizes[0] * sizes[1]
        let tail = (1..<(sizes.count - 1)).reduce(0) { $0 + sizes[$1] * sizes[$1 + 1] }
        return 4 * tail <= first
    }

    deinit {
        phaseWork.deallocate(); phaseLayer.deallocate(); rangeFirst.deallocate(); bounds.deallocate()
        updateLayer.deallocate(); updateRange.deallocate(); inputs.deallocate(); activations.deallocate()
        deltas.deallocate(); labels.deallocate(); tailActivations.deallocate(); tailDeltas.deallocate()
        tailLabels.deallocate()
    }

    /// How many unit ranges layer l's outputs are cut into.
    @inline(__always)
    func rangeCount(layer l: Int) -> Int { rangeFirst[l + 1] - rangeFirst[l] - 1 }

    /// Range `r` of layer l's output units.
    @inline(__always)
    func range(layer l: Int, _ r: Int) -> (j0: Int, j1: Int) {
        let b = bounds + rangeFirst[l] + r
        return (b[0], b[1])
    }
}
