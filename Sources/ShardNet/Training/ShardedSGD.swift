import Foundation

/// The data-parallel mini-batch SGD step, allocated once and run for many steps.
///
/// One step on a mini-batch of m samples:
/// 1. the batch is cut into `shards` contiguous shards (shard s gets rows ⌊s·m/S⌋ ..< ⌊(s+1)·m/S⌋);
/// 2. each shard runs feedforward and backprop as matrix products into its own gradient
///    buffer (`ShardWorkspace`) — no lock or atomic touches gradient data;
/// 3. the reducer, split into `slices` cache-line-aligned slices of the parameter vector,
///    sums the shard buffers in shard order and applies the update in the same pass:
///        w ← (1 − ηλ/n)·w − (η/m)·Σₛ ∇w,   b ← b − (η/m)·Σₛ ∇b.
/// The arithmetic depends on `shards` only; `threads` decides who does it. So for a fixed
/// shard count the result is bitwise identical for any thread count.
///
/// After `init`, running steps allocates nothing on the heap.
public final class ShardedSGD {
    public let layout: ParameterLayout
    public let cost: Cost
    public let miniBatchSize: Int
    public let shards: Int
    public let threads: Int
    /// Reduce slices per step (follows the thread count; does not change the arithmetic).
    public let slices: Int

    private let layoutView: LayoutView
    private let workspaces: [ShardWorkspace]
    private let views: ShardViews
    private let stepCost: ScalarSlots        // (shards) summed cost of each shard's samples
    private let timingSlots: ScalarSlots     // (threads × 3)
    private let team: WorkerTeam
    private let sliceLength: Int

    /// Time spent in each kind of work over all steps run so far, summed over threads.
    public private(set) var backpropSeconds = 0.0
    public private(set) var reduceSeconds = 0.0
    public private(set) var waitSeconds = 0.0

    public init(layout: ParameterLayout, cost: Cost, miniBatchSize: Int, shards: Int, threads: Int) {
        precondition(miniBatchSize >= 1 && shards >= 1 && threads >= 1)
        self.layout = layout
        self.cost = cost
        self.miniBatchSize = miniBatchSize
        self.shards = shards
        self.threads = threads
        slices = threads
        layoutView = LayoutView(layout)
        let rowsPerShard = (miniBatchSize + shards - 1) / shards
        workspaces = (0..<shards).map { _ in ShardWorkspace(layout: layout, rows: rowsPerShard, gradients: true) }
        views = ShardViews(workspaces)
        stepCost = ScalarSlots(count: shards)
        timingSlots = ScalarSlots(count: threads * 3)
        team = WorkerTeam(threads: threads, items: shards + threads)
        sliceLength = paddedToCacheLine((layout.count + slices - 1) / slices)
    }

    /// First row of shard s in a batch of m rows.
    @inline(__always)
    static func shardStart(_ s: Int, batch m: Int, shards: Int) -> Int { s * m / shards }

    /// Runs mini-batch steps over `order` (sample indices into `data`), updating `parameters`
    /// in place: steps `first ..< first + count` of the epoch, whose step k covers
    /// order[k·m ..< min((k+1)·m, n)] — the last batch may be partial and is averaged over its
    /// own size, as in network.py. Returns the summed cost of all samples seen.
    public func run(steps: Range<Int>, order: UnsafeBufferPointer<Int32>, data: DataSet,
                    parameters: AlignedBuffer, eta: Float, lambda: Float) -> Double {
        var total = 0.0
        run(steps: steps, order: order, data: data, parameters: parameters, eta: eta, lambda: lambda, costSum: &total)
        return total
    }

    /// As `run(steps:order:data:parameters:eta:lambda:)`, adding each step's cost to `costSum`
    /// in step order — so an epoch split into several runs sums its cost exactly as one run.
    public func run(steps: Range<Int>, order: UnsafeBufferPointer<Int32>, data: DataSet,
                    parameters: AlignedBuffer, eta: Float, lambda: Float, costSum: inout Double) {
        precondition(parameters.count == layout.count)
        precondition(data.features == layout.sizes[0] && data.classes <= layout.sizes.last!)
        let n = order.count
        let m = miniBatchSize, shards = self.shards, slices = self.slices
        let decay: Float = lambda == 0 ? 1 : 1 - eta * (lambda / Float(data.count))
        let cost = self.cost
        let layoutView = self.layoutView
        let views = self.views.base
        let stepCost = self.stepCost
        let params = parameters.base
        let sliceLength = self.sliceLength
        let parameterCount = layout.count
        let timing = data.images.withUnsafeBufferPointer { images in
            data.labels.withUnsafeBufferPointer { labels in
                withUnsafeMutablePointer(to: &costSum) { totalCostPointer in
                    team.run(steps: steps.count, shards: shards, slices: slices, timing: timingSlots,
                        shardWork: { i, s in
                            let step = steps.lowerBound + i
                            let batchStart = step * m, batch = min(m, n - batchStart)
                            let r0 = Self.shardStart(s, batch: batch, shards: shards)
                            let r1 = Self.shardStart(s + 1, batch: batch, shards: shards)
                            guard r1 > r0 else { stepCost[s] = 0; return }
                            stepCost[s] = Self.backprop(view: views[s], layout: layoutView, cost: cost,
                                                        rows: r1 - r0, order: order.baseAddress! + batchStart + r0,
                                                        images: images.baseAddress!, labels: labels.baseAddress!,
                                                        parameters: params)
                        },
                        sliceWork: { i, slice in
                            let step = steps.lowerBound + i
                            let batch = min(m, n - step * m)
                            if slice == 0 {
                                // The step's cost, summed in shard order (deterministic).
                                for s in 0..<shards { totalCostPointer.pointee += stepCost[s] }
                            }
                            let lo = slice * sliceLength, hi = min(parameterCount, lo + sliceLength)
                            guard hi > lo else { return }
                            Self.reduceAndUpdate(lo: lo, hi: hi, views: views, shards: shards, batch: batch,
                                                 layout: layoutView, parameters: params,
                                                 rate: eta / Float(batch), decay: decay)
                        })
                }
            }
        }
        backpropSeconds += timing.backprop
        reduceSeconds += timing.reduce
        waitSeconds += timing.wait
    }

    /// Equations 1–5 for one shard: gather its samples, feed forward, compute δᴸ, then walk
    /// back through the layers writing ∂C/∂w and ∂C/∂b into the shard's `nabla`.
    /// Returns the summed cost of the shard's samples.
    static func backprop(view: ShardView, layout: LayoutView, cost: Cost, rows: Int,
                         order: UnsafePointer<Int32>, images: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
                         parameters: UnsafeMutablePointer<Float>) -> Double {
        let L = layout.layerCount
        let sizes = layout.sizes
        // 1. input x sets a⁰ (the book's a¹): gather the shard's rows and labels.
        let features = sizes[0]
        let input = view.activations[0]
        for r in 0..<rows {
            let sample = Int(order[r])
            (input + r * features).update(from: images + sample * features, count: features)
            view.labels[r] = labels[sample]
        }
        // 2. feedforward.
        for l in 0..<L {
            Layers.feedforward(rows: rows, nIn: sizes[l], nOut: sizes[l + 1], input: view.activations[l],
                               weights: parameters + layout.weightOffsets[l], biases: parameters + layout.biasOffsets[l],
                               output: view.activations[l + 1])
        }
        // 3. output error δᴸ.
        let shardCost = Layers.outputError(cost: cost, rows: rows, nOut: sizes[L], output: view.activations[L],
                                           labels: view.labels, delta: view.delta0)
        // 4–5. gradients of each layer, then δ of the layer before (not needed for the input).
        var delta = view.delta0, previous = view.delta1
        for l in stride(from: L - 1, through: 0, by: -1) {
            Layers.gradients(rows: rows, nIn: sizes[l], nOut: sizes[l + 1], delta: delta, input: view.activations[l],
                             nablaW: view.nabla + layout.weightOffsets[l], nablaB: view.nabla + layout.biasOffsets[l])
            if l > 0 {
                Layers.backpropagate(rows: rows, nIn: sizes[l], nOut: sizes[l + 1], delta: delta,
                                     weights: parameters + layout.weightOffsets[l], activation: view.activations[l],
                                     previousDelta: previous)
                swap(&delta, &previous)
            }
        }
        return shardCost
    }

    /// The reducer for parameters lo ..< hi: sums the non-empty shards' gradients in shard
    /// order and applies θ ← decay·θ − rate·Σ (decay only on weights), in one pass.
    static func reduceAndUpdate(lo: Int, hi: Int, views: UnsafeMutablePointer<ShardView>, shards: Int, batch: Int,
                                layout: LayoutView, parameters: UnsafeMutablePointer<Float>, rate: Float, decay: Float) {
        let sizes = layout.sizes
        for l in 0..<layout.layerCount {
            let w0 = layout.weightOffsets[l], b0 = layout.biasOffsets[l]
            let w1 = w0 + sizes[l + 1] * sizes[l], b1 = b0 + sizes[l + 1]
            let (wl, wh) = (max(lo, w0), min(hi, w1))
            if wl < wh { update(wl, wh, views, shards, batch, parameters, rate, decay) }
            let (bl, bh) = (max(lo, b0), min(hi, b1))
            if bl < bh { update(bl, bh, views, shards, batch, parameters, rate, 1) }
        }
    }

    /// θ[i] ← decay·θ[i] − rate·(g₀[i] + g₁[i] + …) for i in lo ..< hi, shards summed in order.
    @inline(__always)
    private static func update(_ lo: Int, _ hi: Int, _ views: UnsafeMutablePointer<ShardView>, _ shards: Int, _ batch: Int,
                               _ p: UnsafeMutablePointer<Float>, _ rate: Float, _ decay: Float) {
        // Shards with no rows (batch < shards) contribute nothing and are skipped.
        let used = min(shards, batch)
        var first = 0
        while shardStart(first + 1, batch: batch, shards: shards) == shardStart(first, batch: batch, shards: shards) { first += 1 }
        if used == 1 {
            let g = views[first].nabla
            for i in lo..<hi { p[i] = decay * p[i] - rate * g[i] }
            return
        }
        if shards == 2 {
            let g0 = views[0].nabla, g1 = views[1].nabla
            for i in lo..<hi { p[i] = decay * p[i] - rate * (g0[i] + g1[i]) }
            return
        }
        // General case, in blocks that stay in L1: acc = g_first; acc += g_s in order; update.
        let block = 128
        withUnsafeTemporaryAllocation(of: Float.self, capacity: block) { acc in
            let a = acc.baseAddress!
            var start = lo
            while start < hi {
                let len = min(block, hi - start)
                let g = views[first].nabla + start
                for i in 0..<len { a[i] = g[i] }
                var s = first + 1
                while s < shards {
                    if shardStart(s + 1, batch: batch, shards: shards) > shardStart(s, batch: batch, shards: shards) {
                        let gs = views[s].nabla + start
                        for i in 0..<len { a[i] += gs[i] }
                    }
                    s += 1
                }
                let q = p + start
                for i in 0..<len { q[i] = decay * q[i] - rate * a[i] }
                start += len
            }
        }
    }
}
