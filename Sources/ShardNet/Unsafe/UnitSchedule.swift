/// The unit-parallel step's plan and memory: which layer and unit range each phase item
/// covers, and the batch-wide matrices the items share. One allocation per table, made with
/// the engine; the worker threads read it through raw pointers.
///
/// Each layer's output units are cut into at most `threads` ranges whose boundaries are
/// multiples of 16 units (the kernels' panel width, a cache line of floats), so two items
/// never write the same packed panel, rows of w or line of the gradient sums. (In a batch-wide
/// matrix whose width is not a multiple of 16, e.g. δ¹ of 784-30-10 in the phased plan,
/// consecutive rows do share a line at a range boundary: two items write it once per phase; the
/// one-phase plan pads a¹'s rows instead, as every item writes it every step.) Phases of a
/// step, for L layers:
///
///     forward l = 0 … L−1   items: the unit ranges of layer l's outputs
///     output error          items: the S shards (fused into the last forward when that
///                           layer has a single range)
///     backward l = L−1 … 1  items: the unit ranges of layer l−1's outputs (δˡ's columns)
///     update                items: every layer's unit ranges (rows of wˡ and bˡ)
///
/// When the layers after the first are small (below) and the shards hold at least
/// `rowPhaseShardRows` rows, the phases before the update are one, by rows — `rowPhase`:
///
///     backprop rows         items: the S shards: gather the shard's rows of a⁰, forward
///                           l = 0 … L−1, output error, backward l = L−1 … 1 on those rows
///     update                items: every layer's unit ranges, over every row
///
/// When the layers after the first are small (their weights at most a quarter of layer 0's,
/// e.g. 784-30-10 or 784-100-10) and the batch is one group, a step has one phase instead —
/// `replicatedTail` — and the team runs the steps as rounds, one more than the steps:
///
///     round i, item t       (a range of layer 0's output units)
///       tail of step i−1    forward l = 1 … L−1, output error, backward l = L−1 … 1 for the
///                           whole batch into the item's own matrices; the update of range t
///                           of w⁰; the gradients and update of every later layer into the
///                           item's own copy of their parameters
///       forward 0 of step i range t of a¹ for every row of step i's a⁰
///       stage step i+1      gather all of step i+1's rows into the item's own a⁰ (a third
///                           buffer: rounds i and i+1 still read steps i and i−1's)
///
/// The one barrier per step ends a round: the tails of step i need every range of step i's
/// a¹, written in round i. Everything else an item touches is its own: its a⁰ (every item
/// gathers the whole batch: gathering 10 rows costs less than pulling the other core's half of
/// them across, and writing rows the other core has read costs an invalidation per line —
/// 2 threads at 784-30-10 m = 10: 1.11–1.19× one thread with own a⁰, 0.93–0.98× with a shared
/// a⁰ cut in shares, Intel Xeon family 6 model 207), its range of w⁰ (its packed panels), its copies of
/// the later layers' weights, biases,
/// panels, gradient sum and velocity — every item updates its copies with the same kernels
/// from the same numbers, so the copies stay bitwise equal, and the run copies item 0's back
/// into the parameters when it ends. a¹ alternates between two buffers by step parity: a round
/// writes step i's while the other items may still read step i−1's.
///
/// Recomputing the small tail in every item costs less than the barriers it saves (at m = 10 a
/// barrier between two cores is a good part of a step), and it changes no bit: every element is
/// computed by the same kernel in the same order wherever it runs.
///
/// Memory (row stride = the layer's width; m = the mini-batch size):
///
///     inputs       ranges(0) × (m, sizes[0])   a⁰ gathered by each layer-0 forward item,
///                                              reused by the same range's update item (with
///                                              rowPhase one matrix, each shard's rows gathered
///                                              by that shard's item; with replicatedTail unused)
///     staged       ranges(0) × 3 × (m, sizes[0])  replicatedTail: item t's a⁰ of step s at
///                                              t·3 + s % 3, gathered by item t a round ahead,
///                                              and beside it (own allocations) the list of its
///                                              nonzero columns and its length
///     activations  (m, sizes[l]) for l = 1 … L; with replicatedTail a¹ is (m, firstLd),
///                  its row padded to whole cache lines, and has a second buffer
///                  (`firstActivations`, by step parity)
///     deltas       (m, sizes[l]) for l = 1 … L
///     labels       (m) Int32                   the batch's labels, gathered by the output error
///     tail         per tail item (replicatedTail only), that item's own: activations (m, sizes[l])
///                  for l = 2 … L, deltas (m, sizes[l]) for l = 1 … L, labels (m); parameters,
///                  gradient sum and velocity of layers 1 … L−1 (tailLayout.parameterCount
///                  each, addressed by `tailLayout`) and the packed panels of layers 1 … L−1
///
/// `@unchecked Sendable`: the tables are read-only after `init`; each matrix element is written
/// by one item per phase (disjoint column or row ranges, or the item's own copies) and read by other
/// items only after the team's barrier that ends that phase.
package final class UnitSchedule: @unchecked Sendable {
    /// What a phase does.
    enum Work: Int { case forward, outputError, forwardAndOutputError, backward, update, tailThenForward, backpropRows }

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
    /// Whether a step is one phase of rounds, each tail item recomputing the layers after the first.
    let replicatedTail: Bool
    /// Whether a step's forward, output error and δ back run by rows, one item per shard, before
    /// the update phase (`rowPhaseShardRows`).
    let rowPhase: Bool
    /// The fewest rows per shard for which a network with small later layers (`tailIsSmall`)
    /// runs the forward, output error and δ back by rows (`Work.backpropRows`): each item then
    /// gathers and pushes only its shard's rows through every layer — the same work on every
    /// core, where unit ranges cut at 16-unit panels need not be (784-100-10: 3 panels and 4),
    /// and no core gathers the whole batch — then the update phase reads the others' rows.
    /// Below it the one-phase plan's single barrier wins (`shardnet bench --network 784-30-10
    /// --batch-sizes 32,64 --threads 2 --schedules units`: by rows 0.6–0.9× at 16 and 32 rows
    /// per shard, AVX2 EPYC); with large later layers the unit ranges' forward keeps each
    /// range's weights in cache and wins (784-512-512-10 at m = 128: by rows 0.76–0.88×).
    static let rowPhaseShardRows = 64
    /// (tail items × 3) with replicatedTail, item t's a⁰ of step s at [t·3 + s % 3], each
    /// (m, sizes[0]): item t gathers all the rows of step s in round s − 1
    /// (`ShardedSGD.stageRows`); round s's forward and round s + 1's tail read it, so round
    /// s + 1 already stages step s + 2 into a third buffer. (Without replicatedTail: 3 entries,
    /// unused.) Read through `staged(step:item:)`.
    let stagedInputs: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    /// (tail items × 3 × columnStride) Int32, beside each staged a⁰ (same index t·3 + s % 3):
    /// the columns of that a⁰ that are not ±0 in every row, which layer 0's forward and update
    /// skip the others of (`InputColumns`). Written by item t when it stages step s.
    let stagedColumnLists: UnsafeMutablePointer<Int32>
    /// (tail items × 16) 128 bytes of their own per item (two lines: the adjacent-line prefetcher
    /// pairs lines), which only that item writes (and the run's start, before the rounds): at
    /// [16·t + s % 3] how many entries item t's list of step s holds; at [16·t + 3] 1 while item
    /// t lists columns in this run, else 0 (its lists then hold every column: the dense kernels run).
    let stagedColumnCounts: UnsafeMutablePointer<Int>
    /// sizes[0] rounded up to whole cache lines of Int32, so no two lists share a line.
    let columnStride: Int
    /// (2) a¹ of the steps of even and odd number (both `activations[1]` without replicatedTail),
    /// each (m, firstLd).
    let firstActivations: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    /// a¹'s row stride: sizes[1], or with replicatedTail sizes[1] rounded up to 16 floats, so
    /// that the items' column ranges (multiples of 16) never share a cache line.
    let firstLd: Int
    /// (tail items × (L + 1)) each tail item's activations [2 … L] ([0], [1] unused: a¹ is shared).
    let tailActivations: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    /// (tail items × (L + 1)) each tail item's deltas [1 … L] ([0] unused).
    let tailDeltas: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    /// (tail items × tailLabelStride) each tail item's labels (m used), on lines of its own:
    /// at m = 10 two items' labels would share a line that both write every step.
    let tailLabels: UnsafeMutablePointer<Int32>
    /// m rounded up to a cache line of Int32.
    let tailLabelStride: Int
    /// The tail copies' layout: layers 1 … L−1's offsets from layer 1's weights.
    let tailLayout: LayoutView
    /// (tail items) each tail item's copy of layers 1 … L−1's parameters (`tailLayout`).
    let tailParameters: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    /// (tail items) each tail item's gradient sum of layers 1 … L−1 (`tailLayout`).
    let tailGradients: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    /// (tail items) each tail item's velocity of layers 1 … L−1 (`tailLayout`; momentum runs).
    let tailVelocity: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    /// (tail items × L) each tail item's packed panels of layer l ≥ 1 at [t·L + l] ([t·L] unused).
    let tailPanels: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    /// The phases, for the team.
    let plan: PhasePlan
    private let floats: AlignedBuffer

    /// - groups: R of the step's sum (`GradientExchange`); the one-phase plan needs R = 1.
    init(layout: ParameterLayout, miniBatchSize m: Int, shards: Int, groups: Int = 1, threads: Int) {
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
        let rowPhase = L >= 2 && Self.tailIsSmall(sizes) && (m + shards - 1) / shards >= Self.rowPhaseShardRows
        self.rowPhase = rowPhase
        let replicatedTail = !rowPhase && L >= 2 && groups == 1 && Self.tailIsSmall(sizes)
        self.replicatedTail = replicatedTail
        let tailItems = replicatedTail ? count(0) : 0
        // Phases.
        var work: [Work] = [], layer: [Int] = [], phases: [(items: Int, kind: Int)] = []
        if rowPhase { work.append(.backpropRows); layer.append(-1); phases.append((shards, 0)) }
        for l in 0..<L where !replicatedTail && !rowPhase {
            let fused = l == L - 1 && count(l) == 1
            work.append(fused ? .forwardAndOutputError : .forward); layer.append(l); phases.append((count(l), 0))
            if l == L - 1 && !fused { work.append(.outputError); layer.append(l); phases.append((shards, 0)) }
        }
        var uLayer: [Int] = [], uRange: [Int] = []
        if replicatedTail {
            work.append(.tailThenForward); layer.append(-1); phases.append((tailItems, 0))
        } else {
            // The row phase has run δ back on each shard's rows: no backward phases.
            for l in stride(from: L - 1, through: 1, by: -1) where !rowPhase {
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
        // With the row phase, one a⁰ that each shard item gathers its rows of, read by every range.
        let shared = rowPhase ? take(m * sizes[0]) : 0
        let staged = replicatedTail ? (0..<(3 * tailItems)).map { _ in take(m * sizes[0]) } : [shared, shared, shared]
        let inputOffsets = (0..<count(0)).map { _ in rowPhase || replicatedTail ? shared : take(m * sizes[0]) }
        firstLd = replicatedTail ? (sizes[1] + 15) / 16 * 16 : sizes[1]
        for l in 1...L { offsets.append(take(m * (l == 1 ? firstLd : sizes[l]))) }
        let secondA1 = replicatedTail ? take(m * firstLd) : offsets[0]
        let deltaOffsets = (1...L).map { take(m * sizes[$0]) }
        // Each tail item's own activations (l = 2 … L) and deltas (l = 1 … L), at [t·(L+1) + l].
        var tailOffsets = [Int](repeating: 0, count: 2 * tailItems * (L + 1))
        for t in 0..<tailItems {
            for l in 1...L {
                if l >= 2 { tailOffsets[t * (L + 1) + l] = take(m * sizes[l]) }
                tailOffsets[(tailItems + t) * (L + 1) + l] = take(m * sizes[l])
            }
        }
        // Each tail item's parameters, gradient sum, velocity (layers 1 … L−1), then its panels of layers 1 … L−1.
        let tail = LayoutView(layout, from: L >= 2 ? 1 : 0)
        tailLayout = tail
        let stateOffsets = (0..<(3 * tailItems)).map { _ in take(tail.parameterCount) }
        var panelOffsets = [Int](repeating: 0, count: max(1, tailItems * L))
        for t in 0..<tailItems {
            for l in 1..<L { panelOffsets[t * L + l] = take(NativeKernels.packedCount(nIn: sizes[l], nOut: sizes[l + 1])) }
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
        stagedInputs = .allocate(capacity: staged.count)
        stagedInputs.initialize(from: staged.map { base + $0 }, count: staged.count)
        columnStride = (sizes[0] + 15) / 16 * 16
        let lists = max(1, 3 * tailItems) * columnStride, counts = max(1, tailItems) * 16
        stagedColumnLists = UnsafeMutableRawPointer.allocate(byteCount: lists * MemoryLayout<Int32>.stride, alignment: cacheLineBytes)
            .bindMemory(to: Int32.self, capacity: lists)
        stagedColumnLists.initialize(repeating: 0, count: lists)
        stagedColumnCounts = UnsafeMutableRawPointer.allocate(byteCount: counts * MemoryLayout<Int>.stride, alignment: cacheLineBytes)
            .bindMemory(to: Int.self, capacity: counts)
        stagedColumnCounts.initialize(repeating: 0, count: counts)
        firstActivations = .allocate(capacity: 2)
        firstActivations.initialize(to: base + offsets[0])
        (firstActivations + 1).initialize(to: base + secondA1)
        labels = .allocate(capacity: max(m, 1))
        labels.initialize(repeating: 0, count: max(m, 1))
        let tailSlots = max(1, tailItems * (L + 1))
        tailActivations = .allocate(capacity: tailSlots)
        tailDeltas = .allocate(capacity: tailSlots)
        tailActivations.initialize(repeating: base, count: tailSlots)
        tailDeltas.initialize(repeating: base, count: tailSlots)
        for t in 0..<tailItems {
            for l in 2...L { tailActivations[t * (L + 1) + l] = base + tailOffsets[t * (L + 1) + l] }
            for l in 1...L { tailDeltas[t * (L + 1) + l] = base + tailOffsets[(tailItems + t) * (L + 1) + l] }
        }
        let labelsPerLine = cacheLineBytes / MemoryLayout<Int32>.stride
        tailLabelStride = (m + labelsPerLine - 1) / labelsPerLine * labelsPerLine
        let labelCount = max(1, tailItems * tailLabelStride)
        tailLabels = UnsafeMutableRawPointer.allocate(byteCount: labelCount * MemoryLayout<Int32>.stride, alignment: cacheLineBytes)
            .bindMemory(to: Int32.self, capacity: labelCount)
        tailLabels.initialize(repeating: 0, count: labelCount)
        func pointers(_ offsets: ArraySlice<Int>) -> UnsafeMutablePointer<UnsafeMutablePointer<Float>> {
            let table = UnsafeMutablePointer<UnsafeMutablePointer<Float>>.allocate(capacity: max(1, offsets.count))
            table.initialize(repeating: base, count: max(1, offsets.count))
            for (i, o) in offsets.enumerated() { table[i] = base + o }
            return table
        }
        tailParameters = pointers(stateOffsets[0..<tailItems])
        tailGradients = pointers(stateOffsets[tailItems..<(2 * tailItems)])
        tailVelocity = pointers(stateOffsets[(2 * tailItems)...])
        tailPanels = pointers(panelOffsets[...])
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
        deltas.deallocate(); labels.deallocate(); stagedInputs.deallocate(); firstActivations.deallocate(); tailActivations.deallocate()
        tailDeltas.deallocate(); UnsafeMutableRawPointer(tailLabels).deallocate(); tailParameters.deallocate(); tailGradients.deallocate()
        tailVelocity.deallocate(); tailPanels.deallocate()
        UnsafeMutableRawPointer(stagedColumnLists).deallocate(); UnsafeMutableRawPointer(stagedColumnCounts).deallocate()
    }

    /// Item t's a⁰ of `step` in the one-phase plan (`stagedInputs`).
    @inline(__always)
    func staged(step: Int, item t: Int) -> UnsafeMutablePointer<Float> { stagedInputs[3 * t + step % 3] }

    /// Where item t records the nonzero columns of its staged a⁰ of `step`: (columnStride) list, count.
    @inline(__always)
    func stagedColumnSlot(step: Int, item t: Int) -> (list: UnsafeMutablePointer<Int32>, count: UnsafeMutablePointer<Int>) {
        (stagedColumnLists + (3 * t + step % 3) * columnStride, stagedColumnCounts + 16 * t + step % 3)
    }

    /// Whether item t lists the nonzero columns of its staged a⁰ in this run.
    @inline(__always)
    func listsColumns(item t: Int) -> Bool { stagedColumnCounts[16 * t + 3] != 0 }

    /// Turns item t's listing on or off for the rest of the run.
    @inline(__always)
    func setListsColumns(_ on: Bool, item t: Int) { stagedColumnCounts[16 * t + 3] = on ? 1 : 0 }

    /// The nonzero columns item t recorded for its staged a⁰ of `step`.
    @inline(__always)
    func stagedColumns(step: Int, item t: Int) -> InputColumns {
        let slot = stagedColumnSlot(step: step, item: t)
        return InputColumns(list: slot.list, count: slot.count.pointee)
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
