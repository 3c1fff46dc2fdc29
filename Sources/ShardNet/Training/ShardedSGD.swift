import Foundation

/// The data-parallel mini-batch SGD step, allocated once and run for many steps; this type
/// only orchestrates — the mathematics lives in `Kernels/`.
///
/// One step on a mini-batch of m samples:
/// 1. the batch is cut into `shards` contiguous shards (shard s gets rows ⌊s·m/S⌋ ..< ⌊(s+1)·m/S⌋);
/// 2. `backpropShard`: each shard runs feedforward and backprop as matrix products into its
///    own gradient buffer (`ShardWorkspace`) — no lock or atomic touches gradient data;
/// 3. `reduceUnits`: the reducer, split into ranges of each layer's units (`UnitRanges`, at most
///    one per thread per layer, cut at 16-unit panels), sums the shard buffers in shard order
///    and applies the update in the same pass: w ← (1 − ηλ/n)·w − (η/m)·Σₛ ∇w,
///    b ← b − (η/m)·Σₛ ∇b, then refreshes the updated rows' packed panels (native kernels).
/// The arithmetic depends on `shards` only; `threads` decides who does it. So for a fixed
/// shard count the result is bitwise identical for any thread count.
///
/// After `init`, running steps allocates nothing on the heap.
package final class ShardedSGD {
    package let layout: ParameterLayout
    package let cost: Cost
    package let miniBatchSize: Int
    package let shards: Int
    package let threads: Int
    /// The kernels that run the arithmetic (native for an instruction set, or BLAS).
    package let kernels: KernelSet

    private let layoutView: LayoutView
    private let workspaces: [ShardWorkspace]
    private let views: ShardViews
    private let shardCost: ScalarSlots       // (shards) summed cost of each shard's samples
    private let runCost: ScalarSlots         // (1) cost summed over the run's steps, in step order
    private let timingSlots: ScalarSlots     // (threads × 3)
    private let team: WorkerTeam
    private let plan: PhasePlan              // per step: S shard items, then the reducer's unit ranges
    private let reduceItems: UnitRanges      // the reducer's items: (layer, j0, j1)
    private let packed: PackedWeights?       // the native forward kernel's panels (nil for BLAS)

    /// Time spent in each kind of work over all steps run so far, summed over threads.
    package private(set) var backpropSeconds = 0.0
    package private(set) var reduceSeconds = 0.0
    package private(set) var waitSeconds = 0.0

    package init(layout: ParameterLayout, cost: Cost, miniBatchSize: Int, shards: Int, threads: Int,
                 kernels: KernelSet = .best) {
        precondition(miniBatchSize >= 1 && shards >= 1 && threads >= 1)
        self.kernels = kernels
        self.layout = layout
        self.cost = cost
        self.miniBatchSize = miniBatchSize
        self.shards = shards
        self.threads = threads
        layoutView = LayoutView(layout)
        let rowsPerShard = (miniBatchSize + shards - 1) / shards
        workspaces = (0..<shards).map { _ in ShardWorkspace(layout: layout, rows: rowsPerShard, gradients: true) }
        views = ShardViews(workspaces)
        shardCost = ScalarSlots(count: shards)
        runCost = ScalarSlots(count: 1)
        timingSlots = ScalarSlots(count: threads * 3)
        reduceItems = UnitRanges(layout: layout, parts: threads)
        team = WorkerTeam(threads: threads, items: shards + reduceItems.count)
        plan = PhasePlan([(shards, 0), (reduceItems.count, 1)])
        packed = kernels.usesPackedWeights ? PackedWeights(layout: layout) : nil
    }

    /// First row of shard s in a batch of m rows.
    @inline(__always)
    static func shardStart(_ s: Int, batch m: Int, shards: Int) -> Int { s * m / shards }

    /// What every item of a run reads: raw pointers and the run's scalars (a trivial value,
    /// so worker threads touch no reference counts).
    private struct Run {
        let order: UnsafePointer<Int32>      // (n) the epoch's sample order
        let n: Int
        let images: UnsafePointer<Float>     // (data.count, features)
        let labels: UnsafePointer<Int32>     // (data.count)
        let parameters: UnsafeMutablePointer<Float>
        let firstStep: Int
        let eta: Float
        let decay: Float                     // 1 − ηλ/n_data

        /// Rows of the mini-batch of `step` (the last one of an epoch may be partial).
        func batch(_ step: Int, m: Int) -> (start: Int, count: Int) {
            let start = step * m
            return (start, min(m, n - start))
        }
    }

    /// Runs mini-batch steps over `order` (sample indices into `data`), updating `parameters`
    /// in place: steps `first ..< first + count` of the epoch, whose step k covers
    /// order[k·m ..< min((k+1)·m, n)] — the last batch may be partial and is averaged over its
    /// own size, as in network.py. Returns the summed cost of all samples seen.
    package func run(steps: Range<Int>, order: UnsafeBufferPointer<Int32>, data: DataSet,
                     parameters: AlignedBuffer, eta: Float, lambda: Float) -> Double {
        var total = 0.0
        run(steps: steps, order: order, data: data, parameters: parameters, eta: eta, lambda: lambda, costSum: &total)
        return total
    }

    /// As `run(steps:order:data:parameters:eta:lambda:)`, adding each step's cost to `costSum`
    /// in step order — so an epoch split into several runs sums its cost exactly as one run.
    package func run(steps: Range<Int>, order: UnsafeBufferPointer<Int32>, data: DataSet,
                     parameters: AlignedBuffer, eta: Float, lambda: Float, costSum: inout Double) {
        precondition(parameters.count == layout.count)
        precondition(data.features == layout.sizes[0] && data.classes <= layout.sizes.last!)
        runCost[0] = costSum
        kernels.packAll(layout: layoutView, parameters: parameters.base, packed: packed)
        let timing = data.withUnsafePointers { images, labels in
            let run = Run(order: order.baseAddress!, n: order.count, images: images, labels: labels,
                          parameters: parameters.base, firstStep: steps.lowerBound, eta: eta,
                          decay: lambda == 0 ? 1 : 1 - eta * (lambda / Float(data.count)))
            return team.run(steps: steps.count, plan: plan, timing: timingSlots) { i, phase, item in
                if phase == 0 {
                    self.backpropShard(run, step: run.firstStep + i, shard: item)
                } else {
                    self.reduceUnits(run, step: run.firstStep + i, item: item)
                }
            }
        }
        costSum = runCost[0]
        backpropSeconds += timing.backprop
        reduceSeconds += timing.reduce
        waitSeconds += timing.wait
    }

    /// Phase A of a step, one item per shard: equations 1–5 on the shard's rows into its own
    /// gradient buffer, and the shard's summed cost into its slot.
    private func backpropShard(_ run: Run, step: Int, shard s: Int) {
        let batch = run.batch(step, m: miniBatchSize)
        let r0 = Self.shardStart(s, batch: batch.count, shards: shards)
        let r1 = Self.shardStart(s + 1, batch: batch.count, shards: shards)
        guard r1 > r0 else { shardCost[s] = 0; return }
        shardCost[s] = Backprop.shard(view: views.base[s], layout: layoutView, cost: cost, rows: r1 - r0,
                                      order: run.order + batch.start + r0, images: run.images, labels: run.labels,
                                      parameters: run.parameters, kernels: kernels, packed: packed)
    }

    /// Phase B of a step, one item per range of a layer's units: the shards' gradients summed
    /// in shard order and the update, over those rows of wˡ and entries of bˡ, then their
    /// packed panels. Item 0 also adds the step's cost (the shards' costs in shard order) to
    /// the run's total.
    private func reduceUnits(_ run: Run, step: Int, item: Int) {
        let batch = run.batch(step, m: miniBatchSize).count
        if item == 0 {
            for s in 0..<shards { runCost[0] += shardCost[s] }
        }
        let (l, j0, j1) = reduceItems[item]
        Reduce.units(layer: l, j0: j0, j1: j1, gradients: views.base, shards: shards, batch: batch, layout: layoutView,
                     parameters: run.parameters, rate: run.eta / Float(batch), decay: run.decay)
        kernels.pack(layer: l, j0: j0, j1: j1, layout: layoutView, parameters: run.parameters, packed: packed)
    }
}
