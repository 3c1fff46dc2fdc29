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
/// With `schedule` `.units` (native kernels only) the same arithmetic is cut differently: each
/// item computes a range of one layer's units for the whole mini-batch, phase by phase
/// (forward, output error, δ back, then the shards' gradients summed in shard order and the
/// update of those rows), or, when the later layers are small, in one phase per step: round i
/// runs the tail of step i − 1 (each item recomputes the later layers on its own copies) and
/// the forward of step i's layer 0 — see `UnitSchedule`. In that plan, a plain-SGD run with shards of
/// at most `sgdPackedShardRows` rows keeps layer 0's weights in their packed forward panels:
/// `NativeKernels.sgdPacked` computes a range's gradient and update in one pass over them, and
/// the run unpacks them into `parameters` when it ends (the same bits).
///
/// The arithmetic depends on `shards` only; `threads` and `schedule` decide who does it. So
/// for a fixed shard count the result is bitwise identical for any thread count (and, with
/// the native kernels, for either schedule).
///
/// With `groups` R > 1 the batch is cut into R × S shards and the sum is two-level: each
/// group's S shards, then the R group sums in group order (`GradientExchange`). With an
/// `exchange` (`.ranks`), this process is rank r of R and runs shards r·S ..< (r+1)·S only;
/// after its local sums, the ranks exchange slices, each updates its slice, and the slices are
/// gathered back — the same bits as R groups in one process.
///
/// After `init`, running steps allocates nothing on the heap (without a rank exchange).
package final class ShardedSGD {
    package let layout: ParameterLayout
    package let cost: Cost
    /// What each layer applies (hidden activation, output layer).
    let functions: LayerFunctions
    /// Whether the shards' workspaces hold dropout copies of the hidden activations.
    package let supportsDropout: Bool
    package let miniBatchSize: Int
    /// S, shards per group.
    package let shards: Int
    /// R, groups per mini-batch (emulated in this process, or ranks).
    package let groups: Int
    package let threads: Int
    /// The kernels that run the arithmetic (native for an instruction set, or BLAS).
    package let kernels: KernelSet
    /// How a step is cut into items.
    package let schedule: StepSchedule

    private let layoutView: LayoutView
    private let workspaces: [ShardWorkspace]
    private let views: ShardViews
    private let shardCost: ScalarSlots  // (shards) summed cost of each shard's samples
    private let runCost: ScalarSlots  // (1) cost summed over the run's steps, in step order
    private let timingSlots: ScalarSlots  // (threads × 3)
    private let team: WorkerTeam
    private let plan: PhasePlan  // .shards: S shard items, then the reducer's unit ranges
    private let reduceItems: UnitRanges  // the reducer's items: (layer, j0, j1)
    private let units: UnitSchedule?  // .units: the phases and the batch-wide matrices
    private let packed: PackedWeights?  // the native forward kernel's panels (nil for BLAS)
    private let totalShards: Int  // R × S: the batch's cut
    private let heldShards: Int  // shards run here: R × S, or S for a rank
    private let shardBase: Int  // global index of the first shard run here
    private let ranks: RankState?  // the rank exchange and its buffers
    /// Whether plain-SGD runs update in packed panels (`Run.packedUpdates`, `sgdPacked`): the
    /// one-phase unit plan (which has one group), native kernels, a batch `sgdPacked` takes in shards of
    /// at most `sgdPackedShardRows` rows.
    private let packedUpdatesCapable: Bool
    /// The most rows per shard for which `sgdPacked` runs: its tiles pay for short chains
    /// (`scripts/kernel-bench`, AVX2 EPYC, two shards, against the separate kernels, three runs:
    /// 784→30 and 784→100 at 5 and 8 rows per shard 1.12–1.78×; at 16 rows 0.93–1.31×; 784→100
    /// at 64 rows 0.71–0.85×; AVX-512 Intel Xeon family 6 model 207: 5 rows 1.63×, 8 rows 1.36–1.40×,
    /// 16 rows 1.10–1.11×, 32 rows 0.94×). 10 covers Nielsen's m = 10 in one shard (one thread,
    /// `--shards 1`), which before ran the separate kernels and a pack every step.
    static let sgdPackedShardRows = 10

    /// Seconds per step of the last run's later steps: from the start of the round a quarter of
    /// the way through the run to the run's end, which leaves out what a run pays once at its
    /// start (waking the team's threads, caches that hold another engine's data) — the rate
    /// `EngineChooser` compares choices by. NaN after a run of fewer than 4 rounds, or a rank's.
    package private(set) var lastRunSecondsPerStep = Double.nan
    private let markSlot = ScalarSlots(count: 1)  // (1) uptime in ns when the marked round began

    /// Time spent in each kind of work over all steps run so far, summed over threads.
    package private(set) var backpropSeconds = 0.0
    package private(set) var reduceSeconds = 0.0
    package private(set) var waitSeconds = 0.0

    /// - activation, outputLayer: the network's functions.
    /// - dropout: whether runs may ask for dropout (the workspaces then hold masked copies; the
    ///   unit schedule does not run dropout).
    package init(
        layout: ParameterLayout, cost: Cost, activation: Activation = .sigmoid, outputLayer: OutputLayer = .sigmoid,
        miniBatchSize: Int, shards: Int, threads: Int,
        kernels: KernelSet = .best, schedule: StepSchedule = .shards, exchange: GradientExchange = .local(groups: 1),
        dropout: Bool = false
    ) {
        precondition(miniBatchSize >= 1 && shards >= 1 && threads >= 1 && exchange.groups >= 1)
        precondition(schedule == .shards || kernels.usesPackedWeights, "the unit schedule needs the native kernels")
        precondition(schedule == .shards || !dropout, "the unit schedule does not run dropout")
        functions = LayerFunctions(activation: activation, outputLayer: outputLayer)
        supportsDropout = dropout
        self.kernels = kernels
        self.schedule = schedule
        self.layout = layout
        self.cost = cost
        self.miniBatchSize = miniBatchSize
        self.shards = shards
        self.groups = exchange.groups
        self.threads = threads
        totalShards = shards * exchange.groups
        if case .ranks(let rankExchange) = exchange {
            precondition(schedule == .shards, "a rank exchange runs the shard schedule")
            heldShards = shards
            shardBase = rankExchange.rank * shards
            ranks = RankState(exchange: rankExchange, count: layout.count, shards: shards)
        } else {
            heldShards = totalShards
            shardBase = 0
            ranks = nil
        }
        layoutView = LayoutView(layout)
        let rowsPerShard = (miniBatchSize + totalShards - 1) / totalShards
        workspaces = (0..<heldShards).map { _ in ShardWorkspace(layout: layout, rows: rowsPerShard, gradients: true, dropout: dropout) }
        views = ShardViews(workspaces)
        shardCost = ScalarSlots(count: heldShards)
        runCost = ScalarSlots(count: 1)
        timingSlots = ScalarSlots(count: threads * 3)
        reduceItems = UnitRanges(layout: layout, parts: threads)
        units =
            schedule == .units
            ? UnitSchedule(layout: layout, miniBatchSize: miniBatchSize, shards: totalShards, groups: groups, threads: threads) : nil
        plan = units?.plan ?? PhasePlan([(heldShards, 0), (reduceItems.count, 1)])
        team = WorkerTeam(threads: threads, items: plan.itemsPerStep)
        packed = kernels.usesPackedWeights ? PackedWeights(layout: layout) : nil
        packedUpdatesCapable =
            units?.replicatedTail == true && kernels.native != nil
            && miniBatchSize <= NativeKernels.sgdPackedMaxRows
            && (miniBatchSize + totalShards - 1) / totalShards <= Self.sgdPackedShardRows
    }

    /// First row of shard s in a batch of m rows.
    @inline(__always)
    static func shardStart(_ s: Int, batch m: Int, shards: Int) -> Int { s * m / shards }

    /// What every item of a run reads: raw pointers and the run's scalars (a trivial value,
    /// so worker threads touch no reference counts).
    private struct Run {
        let order: UnsafePointer<Int32>  // (n) the epoch's sample order
        let n: Int
        let images: ImageRows  // (data.count, features), float32 or uint8
        let labels: UnsafePointer<Int32>  // (data.count)
        let parameters: UnsafeMutablePointer<Float>
        let firstStep: Int
        let endStep: Int  // one past the run's last step
        let settings: Settings
        /// Plain SGD on the one-phase plan: every layer's equation 5 and update run as one pass
        /// over its packed panels (`sgdPacked`); layer 0's weights live in its panels for the
        /// run (`parameters` gets them back when the run ends), the later layers' are unpacked
        /// into each tail item's copy after every update (δ back reads them).
        let packedUpdates: Bool

        /// The trivial part of `StepSettings`, with n, the training split's size.
        struct Settings {
            let eta: Float, lambda: Float, l1: Float, momentum: Float, nesterov: Bool, n: Int
            let velocity: UnsafeMutablePointer<Float>?  // (parameter count) with momentum
            let dropout: Dropout?
            let firstPosition: Int  // the epoch position of order[0] (a stream's run buffer starts mid-epoch)
        }

        /// The update rules of a step of `batch` rows (with momentum, on `velocity`, by default the run's).
        func rules(batch: Int, velocity: UnsafeMutablePointer<Float>? = nil) -> UpdateRules {
            UpdateRules(
                eta: settings.eta, batch: batch, n: settings.n, lambda: settings.lambda, l1: settings.l1, mu: settings.momentum,
                nesterov: settings.nesterov, velocity: velocity ?? settings.velocity)
        }

        /// The dropout masks of the rows of a step's batch from row r0 on.
        func dropout(batchStart: Int, row r0: Int) -> ShardDropout? {
            settings.dropout.map { ShardDropout(dropout: $0, firstPosition: settings.firstPosition + batchStart + r0) }
        }

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
    package func run(
        steps: Range<Int>, order: UnsafeBufferPointer<Int32>, data: DataSet,
        parameters: AlignedBuffer, eta: Float, lambda: Float
    ) -> Double {
        var total = 0.0
        run(steps: steps, order: order, data: data, parameters: parameters, settings: StepSettings(eta: eta, lambda: lambda), costSum: &total)
        return total
    }

    /// As `run(steps:order:data:parameters:eta:lambda:)`, adding each step's cost to `costSum`
    /// in step order — so an epoch split into several runs sums its cost exactly as one run.
    /// `sampleCount`: the training set's n in the weight decay 1 − ηλ/n (default `data.count`;
    /// a stream's run buffer holds only the run's samples).
    package func run(
        steps: Range<Int>, order: UnsafeBufferPointer<Int32>, data: DataSet,
        parameters: AlignedBuffer, eta: Float, lambda: Float, costSum: inout Double, sampleCount: Int? = nil
    ) {
        var settings = StepSettings(eta: eta, lambda: lambda)
        settings.sampleCount = sampleCount
        run(steps: steps, order: order, data: data, parameters: parameters, settings: settings, costSum: &costSum)
    }

    /// The general form: the steps' hyper-parameters, optimiser and dropout in `settings`.
    package func run(
        steps: Range<Int>, order: UnsafeBufferPointer<Int32>, data: DataSet,
        parameters: AlignedBuffer, settings: StepSettings, costSum: inout Double
    ) {
        precondition(parameters.count == layout.count)
        precondition(data.features == layout.sizes[0] && data.classes <= layout.sizes.last!)
        precondition(settings.momentum == 0 || settings.velocity?.count == layout.count, "momentum needs a velocity buffer")
        precondition(settings.dropout == 0 || supportsDropout, "an engine made without dropout")
        runCost[0] = costSum
        kernels.packAll(layout: layoutView, parameters: parameters.base, packed: packed)
        let timing = data.withUnsafePointers { images, labels in
            let run = Run(
                order: order.baseAddress!, n: order.count, images: images, labels: labels,
                parameters: parameters.base, firstStep: steps.lowerBound, endStep: steps.upperBound,
                settings: Run.Settings(
                    eta: settings.eta, lambda: settings.lambda, l1: settings.l1, momentum: settings.momentum,
                    nesterov: settings.nesterov, n: settings.sampleCount ?? data.count,
                    velocity: settings.momentum == 0 ? nil : settings.velocity?.base,
                    dropout: settings.dropout == 0
                        ? nil : Dropout(probability: settings.dropout, seed: settings.seed, epoch: settings.epoch),
                    firstPosition: settings.firstPosition),
                packedUpdates: packedUpdatesCapable && settings.momentum == 0)
            lastRunSecondsPerStep = .nan
            if let ranks {
                // One step at a time: the local sums, then the exchange and the update here.
                var total = WorkerTeam.Timing(backprop: 0, reduce: 0, wait: 0)
                for step in steps {
                    let t = team.run(steps: 1, plan: plan, timing: timingSlots) { _, phase, item in
                        if phase == 0 {
                            self.backpropShard(run, step: step, shard: item)
                        } else {
                            self.localSum(run, step: step, item: item)
                        }
                    }
                    exchangeStep(run, ranks, step: step)
                    total = WorkerTeam.Timing(
                        backprop: total.backprop + t.backprop, reduce: total.reduce + t.reduce, wait: total.wait + t.wait)
                }
                return total
            }
            // The one-phase unit plan runs one round more than steps (its tails lag a round behind).
            let pipelined = units?.replicatedTail == true && !steps.isEmpty
            if let units, pipelined {
                copyTails(in: run, units)
                stageFirstStep(run, units)
            }
            // Lent, not retained: read from `self` the schedule was retained and released by
            // every item, both cores bumping one reference count (`self.units` keeps it alive).
            let schedule = units.map(Borrowed.init)
            let rounds = steps.count + (pipelined ? 1 : 0), markRound = rounds >= 4 ? rounds / 4 : -1
            let mark = markSlot
            let timing = team.run(steps: rounds, plan: plan, timing: timingSlots) { i, phase, item in
                // Done once per run, by whichever thread takes the round's first item.
                if i == markRound && phase == 0 && item == 0 { mark[0] = Double(DispatchTime.now().uptimeNanoseconds) }
                if let schedule {
                    schedule.with { self.unitWork(run, $0, step: run.firstStep + i, phase: phase, item: item) }
                } else if phase == 0 {
                    self.backpropShard(run, step: run.firstStep + i, shard: item)
                } else {
                    self.reduceUnits(run, step: run.firstStep + i, item: item)
                }
            }
            if let units, pipelined { copyTails(out: run, units) }
            if run.packedUpdates { kernels.unpack(layer: 0, layout: layoutView, parameters: run.parameters, packed: packed) }
            lastRunSecondsPerStep =
                markRound < 0 ? .nan : (Double(DispatchTime.now().uptimeNanoseconds) - mark[0]) * 1e-9 / Double(rounds - markRound)
            return timing
        }
        costSum = runCost[0]
        backpropSeconds += timing.backprop
        reduceSeconds += timing.reduce
        waitSeconds += timing.wait
    }

    /// Asks the caches for the samples (rows and labels) of shard `shard` of `shards` (global
    /// shards) of `step`'s batch, unless the run ends before that step: a step's items call it
    /// for the rows they will gather in the next step, so the random rows arrive from memory
    /// while this step computes. A hint only: no value changes.
    @inline(__always)
    private func prefetchSamples(_ run: Run, step: Int, shard: Int, of shards: Int) {
        guard step < run.endStep else { return }
        let batch = run.batch(step, m: miniBatchSize)
        let r0 = Self.shardStart(shard, batch: batch.count, shards: shards)
        let r1 = Self.shardStart(shard + 1, batch: batch.count, shards: shards)
        guard r1 > r0 else { return }
        let features = layoutView.sizes[0], order = run.order + batch.start + r0
        switch run.images {
        case .float32(let p): NativeKernels.prefetchRows(p, order: order, rows: r1 - r0, rowBytes: 4 * features)
        case .uint8(let p): NativeKernels.prefetchRows(p, order: order, rows: r1 - r0, rowBytes: features)
        }
        // And their labels: a random 4-byte read each, which the output error waited on.
        NativeKernels.prefetchRows(run.labels, order: order, rows: r1 - r0, rowBytes: 4)
    }

    /// Phase A of a step, one item per shard: equations 1–5 on the shard's rows into its own
    /// gradient buffer, and the shard's summed cost into its slot; first, a prefetch of the rows
    /// this shard gathers in the next step.
    private func backpropShard(_ run: Run, step: Int, shard s: Int) {
        let batch = run.batch(step, m: miniBatchSize)
        let r0 = Self.shardStart(shardBase + s, batch: batch.count, shards: totalShards)
        let r1 = Self.shardStart(shardBase + s + 1, batch: batch.count, shards: totalShards)
        prefetchSamples(run, step: step + 1, shard: shardBase + s, of: totalShards)
        guard r1 > r0 else { shardCost[s] = 0; return }
        shardCost[s] = Backprop.shard(
            view: views.base[s], layout: layoutView, functions: functions, cost: cost, rows: r1 - r0,
            order: run.order + batch.start + r0, images: run.images, labels: run.labels,
            parameters: run.parameters, kernels: kernels, packed: packed, dropout: run.dropout(batchStart: batch.start, row: r0))
    }

    /// Phase B of a step, one item per range of a layer's units: the shards' gradients summed
    /// in shard order and the update, over those rows of wˡ and entries of bˡ, then their
    /// packed panels. Item 0 also adds the step's cost (the shards' costs in shard order) to
    /// the run's total.
    private func reduceUnits(_ run: Run, step: Int, item: Int) {
        let batch = run.batch(step, m: miniBatchSize).count
        if item == 0 {
            for s in 0..<totalShards { runCost[0] += shardCost[s] }
        }
        let (l, j0, j1) = reduceItems[item]
        Reduce.units(
            layer: l, j0: j0, j1: j1, gradients: views.base, shards: shards, groups: groups, batch: batch, layout: layoutView,
            parameters: run.parameters, rules: run.rules(batch: batch), kernels: kernels)
        kernels.pack(layer: l, j0: j0, j1: j1, layout: layoutView, parameters: run.parameters, packed: packed)
    }

    // MARK: a rank of R

    /// The buffers of a rank's exchange, allocated once.
    private final class RankState {
        let exchange: any RankExchange
        let slices: RankSlices
        let received: AlignedBuffer  // (R × own slice) every rank's group sum over this rank's slice
        let zeros: AlignedBuffer  // (layout.count) what a rank without rows sends
        let costs: ScalarSlots  // (R × S) every shard's cost, in global shard order
        let sums: UnsafeMutablePointer<UnsafePointer<Float>?>  // (R)

        init(exchange: any RankExchange, count: Int, shards: Int) {
            self.exchange = exchange
            slices = RankSlices(count: count, ranks: exchange.ranks)
            received = AlignedBuffer(count: max(1, exchange.ranks * slices.count(exchange.rank)))
            zeros = AlignedBuffer(count: max(1, count))
            costs = ScalarSlots(count: exchange.ranks * shards)
            sums = .allocate(capacity: exchange.ranks)
        }
        deinit { sums.deallocate() }
    }

    /// Phase B for a rank: this rank's shards summed in shard order over one range of units,
    /// in place into its first shard with rows (no update: that waits for the other ranks).
    private func localSum(_ run: Run, step: Int, item: Int) {
        let batch = run.batch(step, m: miniBatchSize).count
        let (l, j0, j1) = reduceItems[item]
        _ = Reduce.groupSum(
            layer: l, j0: j0, j1: j1, gradients: views.base, local: 0, first: shardBase, shards: shards,
            total: totalShards, batch: batch, layout: layoutView)
    }

    /// After the local sums: slices of every rank's sum to their owners, the sum of the ranks
    /// with rows in rank order and the update of this rank's slice, the slices back to every
    /// rank, the shards' costs in global shard order, and the packed panels.
    private func exchangeStep(_ run: Run, _ state: RankState, step: Int) {
        let batch = run.batch(step, m: miniBatchSize).count
        let me = state.exchange.rank, own = state.slices.count(me)
        let head = (0..<shards).first { Reduce.hasRows(shardBase + $0, batch: batch, shards: totalShards) }
        let local = head.map { UnsafePointer(views.base[$0].nabla) } ?? UnsafePointer(state.zeros.base)
        state.exchange.scatter(local: local, received: state.received.base)
        var used = 0
        for q in 0..<groups where (0..<shards).contains(where: { Reduce.hasRows(q * shards + $0, batch: batch, shards: totalShards) }) {
            state.sums[used] = UnsafePointer(state.received.base + q * own)
            used += 1
        }
        Reduce.slice(
            state.slices.range(me), layout: layout, parameters: run.parameters, sums: state.sums, count: used,
            rules: run.rules(batch: batch), kernels: kernels)
        state.exchange.gather(parameters: run.parameters)
        if let velocity = run.settings.velocity { state.exchange.gather(parameters: velocity) }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: shards) { mine in
            for s in 0..<shards { mine[s] = shardCost[s] }
            withUnsafeTemporaryAllocation(of: Double.self, capacity: totalShards) { all in
                state.exchange.gather(costs: UnsafePointer(mine.baseAddress!), count: shards, into: all.baseAddress!)
                for g in 0..<totalShards { runCost[0] += all[g] }
            }
        }
        kernels.packAll(layout: layoutView, parameters: run.parameters, packed: packed)
    }

    // MARK: the unit schedule

    /// One item of the unit schedule: what it does depends on its phase (`UnitSchedule.Work`).
    private func unitWork(_ run: Run, _ units: UnitSchedule, step: Int, phase: Int, item: Int) {
        let batch = run.batch(step, m: miniBatchSize)
        switch UnitSchedule.Work(rawValue: units.phaseWork[phase])! {
        case .forward:
            forwardUnits(run, units, step: step, batch: batch, layer: units.phaseLayer[phase], range: item)
        case .forwardAndOutputError:
            forwardUnits(run, units, step: step, batch: batch, layer: units.phaseLayer[phase], range: item)
            for s in 0..<totalShards { outputError(run, units, batch: batch, shard: s) }
        case .outputError:
            outputError(run, units, batch: batch, shard: item)
        case .backward:
            // Equation 4 into range `item` of layer l−1's units (columns of δˡ), for every row.
            let l = units.phaseLayer[phase]
            backpropagateLayer(
                l, rows: batch.count, columns: units.range(layer: l - 1, item), delta: units.deltas[l + 1],
                activation: units.activations[l], ldA: layoutView.sizes[l], previousDelta: units.deltas[l], parameters: run.parameters)
        case .update:
            if item == 0 { addStepCost() }
            let l = units.updateLayer[item], r = units.updateRange[item]
            if l == 0 && !units.rowPhase { prefetchSamples(run, step: step + 1, shard: 0, of: 1) }  // layer 0's items gather the whole batch
            updateUnits(
                run, units, batch: batch.count, layer: l, range: r, input: l == 0 ? units.inputs[r] : units.activations[l],
                deltaAbove: units.deltas[l + 1])
        case .backpropRows:
            backpropRows(run, units, batch: batch, shard: item, nextStep: step + 1)
        case .tailThenForward:
            // Round i: step i + 1's rows into this item's a⁰, the tail of step i − 1, the forward of step i.
            stageRows(run, units, step: step + 1, item: item)
            if step > run.firstStep { tailAndUpdate(run, units, batch: run.batch(step - 1, m: miniBatchSize), step: step - 1, item: item) }
            if step < run.endStep { forwardUnits(run, units, step: step, batch: batch, layer: 0, range: item) }
        }
    }

    /// The native kernels, which every path of the unit schedule runs (`init` requires them for `.units`).
    private var unitKernels: NativeKernels {
        guard let native = kernels.native else { preconditionFailure("the unit schedule needs the native kernels") }
        return native
    }

    /// The step's cost, the shards' costs in shard order, added to the run's total (once per step).
    @inline(__always)
    private func addStepCost() {
        for s in 0..<totalShards { runCost[0] += shardCost[s] }
    }

    /// The rows of `step` in the one-phase plan, gathered by item t into its own a⁰ of that
    /// step (`UnitSchedule.staged`) a round before its forward reads it, and a prefetch of the
    /// step after's rows (and labels). Every item gathers the whole batch: no line of a⁰ is
    /// written by one core and read by another.
    private func stageRows(_ run: Run, _ units: UnitSchedule, step: Int, item t: Int) {
        prefetchSamples(run, step: step + 1, shard: 0, of: 1)
        guard step < run.endStep else { return }
        let batch = run.batch(step, m: miniBatchSize)
        Gather.images(
            rows: batch.count, features: layoutView.sizes[0], order: run.order + batch.start, images: run.images,
            input: units.staged(step: step, item: t))
        recordColumns(units, rows: batch.count, step: step, item: t)
    }

    /// The columns of item t's staged a⁰ of `step` that are not ±0 in every row, which its
    /// layer-0 forward and update then restrict themselves to (`InputColumns`) — when the list
    /// pays (`InputColumns.pays`); else it is recorded as all n inputs and the dense kernels
    /// run. `decides` (the run's first step): list whatever the item's setting, and keep
    /// listing in this run only if this list pays — an item whose first list is too dense
    /// lists nothing more in the run. Whichever kernels run, the bits are the same.
    @inline(__always)
    private func recordColumns(_ units: UnitSchedule, rows: Int, step: Int, item t: Int, decides: Bool = false) {
        let n = layoutView.sizes[0], slot = units.stagedColumnSlot(step: step, item: t)
        guard decides || units.listsColumns(item: t) else {
            slot.count.pointee = n
            return
        }
        let count = NativeKernels.nonzeroColumns(rows: rows, n: n, units.staged(step: step, item: t), ld: n, into: slot.list)
        let pays = InputColumns.pays(count: count, of: n)
        slot.count.pointee = pays ? count : n
        if decides { units.setListsColumns(pays, item: t) }
    }

    /// Before a run of the one-phase plan: every item's a⁰ of the first step (the rounds stage
    /// each later step a round ahead), whether the item lists columns in this run, and a
    /// prefetch of the second step's rows.
    private func stageFirstStep(_ run: Run, _ units: UnitSchedule) {
        let batch = run.batch(run.firstStep, m: miniBatchSize)
        for t in 0..<units.rangeCount(layer: 0) {
            Gather.images(
                rows: batch.count, features: layoutView.sizes[0], order: run.order + batch.start, images: run.images,
                input: units.staged(step: run.firstStep, item: t))
            recordColumns(units, rows: batch.count, step: run.firstStep, item: t, decides: true)
        }
        prefetchSamples(run, step: run.firstStep + 1, shard: 0, of: 1)
    }

    /// The tail of `step` for item t of the one-phase unit plan (`UnitSchedule.replicatedTail`):
    /// the layers after the first — forward, output error, δ back — for the whole mini-batch on
    /// item t's own matrices and parameters; the update of layer 0's unit range t; then every
    /// later layer's gradients, summed over the shards in shard order, and their update, on
    /// item t's own copies. Item 0 also records the shards' costs and adds the step's. The same
    /// kernels over the same rows as the phased schedule, so the same bits in every copy.
    private func tailAndUpdate(_ run: Run, _ units: UnitSchedule, batch: (start: Int, count: Int), step: Int, item t: Int) {
        let sizes = layoutView.sizes, L = layoutView.layerCount, rows = batch.count
        let a = units.tailActivations + t * (L + 1), delta = units.tailDeltas + t * (L + 1)
        let labels = units.tailLabels + t * units.tailLabelStride
        let parameters = units.tailParameters[t], panels = units.tailPanels + t * L, offsets = units.tailLayout
        let a1 = units.firstActivations[step & 1], ld1 = units.firstLd
        for l in 1..<L {
            forwardLayer(
                l, rows: rows, input: l == 1 ? a1 : a[l], ldIn: l == 1 ? ld1 : sizes[l], output: a[l + 1], ldOut: sizes[l + 1],
                parameters: parameters, panels: panels[l], layout: offsets)
        }
        for s in 0..<totalShards {
            let cost = outputError(run, batch: batch, shard: s, output: a[L], delta: delta[L], labels: labels)
            if t == 0 { shardCost[s] = cost }
        }
        for l in stride(from: L - 1, through: 1, by: -1) {
            backpropagateLayer(
                l, rows: rows, delta: delta[l + 1], activation: l == 1 ? a1 : a[l], ldA: l == 1 ? ld1 : sizes[l], previousDelta: delta[l],
                parameters: parameters, layout: offsets)
        }
        if t == 0 { addStepCost() }
        let a0 = units.staged(step: step, item: t)
        if run.packedUpdates {
            sgdPacked(run, units, batch: rows, range: t, input: a0, deltaAbove: delta[1], columns: units.stagedColumns(step: step, item: t))
        } else {
            updateUnits(run, units, batch: rows, layer: 0, range: t, input: a0, deltaAbove: delta[1])
        }
        // The later layers, on this item's copies (after δ back, which read their weights).
        let native = unitKernels, sum = units.tailGradients[t]
        let rules = run.rules(batch: rows, velocity: units.tailVelocity[t])
        for l in 1..<L {
            let nIn = sizes[l], nOut = sizes[l + 1], input = l == 1 ? a1 : a[l], ldIn = l == 1 ? ld1 : nIn
            let weights = parameters + offsets.weightOffsets[l]
            if run.packedUpdates {
                // The plain update: equation 5 and the update in one pass over the item's panels
                // (the bits of the branch below), then wˡ from them for the next step's δ back.
                withShardBounds(batch: rows) { bounds in
                    native.sgdPacked(
                        nIn: nIn, j0: 0, j1: nOut, bounds: bounds, shards: totalShards, delta: delta[l + 1], ldDelta: nOut,
                        input: input, ldIn: ldIn, packed: panels[l], biases: parameters + offsets.biasOffsets[l], rules: rules)
                }
                native.unpack(nIn: nIn, nOut: nOut, j0: 0, j1: nOut, packed: panels[l], weights: weights)
            } else {
                sumGradients(
                    native, into: sum, batch: rows, layer: l, j0: 0, j1: nOut, input: input, ldIn: ldIn, deltaAbove: delta[l + 1], layout: offsets)
                Reduce.unitsFromSum(layer: l, j0: 0, j1: nOut, sum: sum, layout: offsets, parameters: parameters, rules: rules, kernels: kernels)
                native.pack(nIn: nIn, nOut: nOut, j0: 0, j1: nOut, weights: weights, packed: panels[l])
            }
        }
    }

    /// Calls `body` with the shards' first rows in a batch of `batch` rows, (totalShards + 1),
    /// the last `batch`: the bounds `sgdPacked` takes. On the stack: nothing is allocated.
    @inline(__always)
    private func withShardBounds(batch: Int, _ body: (UnsafePointer<Int>) -> Void) {
        withUnsafeTemporaryAllocation(of: Int.self, capacity: totalShards + 1) { bounds in
            for s in 0...totalShards { bounds[s] = Self.shardStart(s, batch: batch, shards: totalShards) }
            body(bounds.baseAddress!)
        }
    }

    /// The parameters of the layers after the first (their weights and biases follow layer 0's):
    /// what a tail item's copies hold, from their element 0 (`UnitSchedule.tailLayout`).
    private var tailParameterRange: Range<Int> { layoutView.weightOffsets[1]..<layout.count }

    /// Before a run of the one-phase unit plan: every tail item's copies of the later layers'
    /// parameters (and velocity, with momentum) from the run's, and their packed panels.
    private func copyTails(in run: Run, _ units: UnitSchedule) {
        let sizes = layoutView.sizes, L = layoutView.layerCount, tail = tailParameterRange
        precondition(tail.count == units.tailLayout.parameterCount, "a tail item's copies hold exactly the layers after the first")
        for t in 0..<units.rangeCount(layer: 0) {
            let parameters = units.tailParameters[t]
            parameters.update(from: run.parameters + tail.lowerBound, count: tail.count)
            if let velocity = run.settings.velocity, run.settings.momentum != 0 {
                units.tailVelocity[t].update(from: velocity + tail.lowerBound, count: tail.count)
            }
            for l in 1..<L {
                unitKernels.pack(
                    nIn: sizes[l], nOut: sizes[l + 1], j0: 0, j1: sizes[l + 1], weights: parameters + units.tailLayout.weightOffsets[l],
                    packed: units.tailPanels[t * L + l])
            }
        }
    }

    /// After a run of the one-phase unit plan: the later layers' parameters (and velocity) from
    /// tail item 0's copies (every item's are the same bits), and their shared panels.
    private func copyTails(out run: Run, _ units: UnitSchedule) {
        let tail = tailParameterRange
        (run.parameters + tail.lowerBound).update(from: units.tailParameters[0], count: tail.count)
        if let velocity = run.settings.velocity, run.settings.momentum != 0 {
            (velocity + tail.lowerBound).update(from: units.tailVelocity[0], count: tail.count)
        }
        for l in 1..<layoutView.layerCount {
            kernels.pack(layer: l, j0: 0, j1: layoutView.sizes[l + 1], layout: layoutView, parameters: run.parameters, packed: packed)
        }
    }

    /// Equation 2 for range r of layer l's units, for every row of the mini-batch. Layer 0's
    /// items first gather the batch's samples into their own input matrix (kept for the same
    /// range's update); in the one-phase plan they read the step's staged a⁰ (`stageRows`)
    /// and write the a¹ of the step's parity.
    private func forwardUnits(_ run: Run, _ units: UnitSchedule, step: Int, batch: (start: Int, count: Int), layer l: Int, range r: Int) {
        let sizes = layoutView.sizes
        let (j0, j1) = units.range(layer: l, r)
        let input = l == 0 ? (units.replicatedTail ? units.staged(step: step, item: r) : units.inputs[r]) : units.activations[l]
        if l == 0 && !units.replicatedTail {
            Gather.images(rows: batch.count, features: sizes[0], order: run.order + batch.start, images: run.images, input: input)
        }
        forwardLayer(
            l, rows: batch.count, units: (j0, j1), input: input, ldIn: sizes[l],
            output: l == 0 ? units.firstActivations[step & 1] : units.activations[l + 1], ldOut: l == 0 ? units.firstLd : sizes[l + 1],
            parameters: run.parameters, panels: packed?.layer(l),
            columns: l == 0 && units.replicatedTail ? units.stagedColumns(step: step, item: r) : nil)
    }

    /// The row phase (`UnitSchedule.rowPhase`) for shard s: its rows of the batch gathered into
    /// the shared a⁰, equation 2 through every layer, equation 3 and its cost, equation 4 down to
    /// δ¹ — on those rows only, the same kernels over the same rows as the unit phases; first, a
    /// prefetch of the rows this shard gathers in the next step.
    private func backpropRows(_ run: Run, _ units: UnitSchedule, batch: (start: Int, count: Int), shard s: Int, nextStep: Int) {
        prefetchSamples(run, step: nextStep, shard: s, of: totalShards)
        let r0 = Self.shardStart(s, batch: batch.count, shards: totalShards)
        let r1 = Self.shardStart(s + 1, batch: batch.count, shards: totalShards)
        guard r1 > r0 else { shardCost[s] = 0; return }
        let sizes = layoutView.sizes, L = layoutView.layerCount, rows = r1 - r0
        let a = units.activations, delta = units.deltas, input = units.inputs[0]
        Gather.images(rows: rows, features: sizes[0], order: run.order + batch.start + r0, images: run.images, input: input + r0 * sizes[0])
        for l in 0..<L {
            forwardLayer(
                l, rows: rows, input: (l == 0 ? input : a[l]) + r0 * sizes[l], ldIn: sizes[l], output: a[l + 1] + r0 * sizes[l + 1],
                ldOut: sizes[l + 1], parameters: run.parameters, panels: packed?.layer(l))
        }
        outputError(run, units, batch: batch, shard: s)
        for l in stride(from: L - 1, through: 1, by: -1) {
            backpropagateLayer(
                l, rows: rows, delta: delta[l + 1] + r0 * sizes[l + 1], activation: a[l] + r0 * sizes[l], ldA: sizes[l],
                previousDelta: delta[l] + r0 * sizes[l], parameters: run.parameters)
        }
    }

    /// Equation 3 for shard s's rows of the mini-batch, and the shard's summed cost.
    private func outputError(_ run: Run, _ units: UnitSchedule, batch: (start: Int, count: Int), shard s: Int) {
        let L = layoutView.layerCount
        shardCost[s] = outputError(
            run, batch: batch, shard: s, output: units.activations[L], delta: units.deltas[L], labels: units.labels)
    }

    /// Equation 3 for shard s's rows of the batch-wide matrices output (m, nOut) → delta (m, nOut),
    /// their labels gathered into labels (m); returns the shard's summed cost.
    private func outputError(
        _ run: Run, batch: (start: Int, count: Int), shard s: Int, output: UnsafeMutablePointer<Float>,
        delta: UnsafeMutablePointer<Float>, labels: UnsafeMutablePointer<Int32>
    ) -> Double {
        let r0 = Self.shardStart(s, batch: batch.count, shards: totalShards)
        let r1 = Self.shardStart(s + 1, batch: batch.count, shards: totalShards)
        guard r1 > r0 else { return 0 }
        let nOut = layoutView.sizes[layoutView.layerCount]
        Gather.labels(rows: r1 - r0, order: run.order + batch.start + r0, labels: run.labels, labelsOut: labels + r0)
        if functions.softmax { NativeKernels.softmax(rows: r1 - r0, n: nOut, output + r0 * nOut, ld: nOut) }
        return NativeKernels.outputError(
            cost: cost, rows: r1 - r0, nOut: nOut, output: output + r0 * nOut, labels: labels + r0, delta: delta + r0 * nOut)
    }

    /// Equation 2 for layer l's units j0 ..< j1 (default: all) over `rows` rows, with that
    /// layer's weights and biases in `parameters` (addressed by `layout`, default the parameter
    /// layout; a tail item passes its copies') and its packed panels.
    /// - input: (rows, ldIn) aˡ; output: (rows, ldOut) aˡ⁺¹, columns j0 ..< j1 written.
    @inline(__always)
    private func forwardLayer(
        _ l: Int, rows: Int, units: (Int, Int)? = nil, input: UnsafePointer<Float>, ldIn: Int,
        output: UnsafeMutablePointer<Float>, ldOut: Int, parameters: UnsafeMutablePointer<Float>, panels: UnsafePointer<Float>?,
        columns: InputColumns? = nil, layout: LayoutView? = nil
    ) {
        let (j0, j1) = units ?? (0, layoutView.sizes[l + 1]), offsets = layout ?? layoutView
        kernels.forward(
            rows: rows, nIn: layoutView.sizes[l], j0: j0, j1: j1, input: input, ldIn: ldIn,
            weights: parameters + offsets.weightOffsets[l], packed: panels, biases: parameters + offsets.biasOffsets[l],
            output: output, ldOut: ldOut, function: functions.layer(l, of: layoutView.layerCount), columns: columns)
    }

    /// Equation 4 through layer l's weights (in `parameters`, addressed by `layout`, default the
    /// parameter layout): δ of layer l's outputs back into columns k0 ..< k1 (default: all) of
    /// the δ of its inputs, times σ′(aˡ).
    /// - delta: (rows, sizes[l + 1]); activation: (rows, ldA) aˡ; previousDelta: (rows, sizes[l]).
    @inline(__always)
    private func backpropagateLayer(
        _ l: Int, rows: Int, columns: (Int, Int)? = nil, delta: UnsafePointer<Float>, activation: UnsafePointer<Float>,
        ldA: Int, previousDelta: UnsafeMutablePointer<Float>, parameters: UnsafeMutablePointer<Float>, layout: LayoutView? = nil
    ) {
        let sizes = layoutView.sizes
        let (k0, k1) = columns ?? (0, sizes[l])
        kernels.backpropagate(
            rows: rows, nIn: sizes[l], nOut: sizes[l + 1], k0: k0, k1: k1, delta: delta, ldDelta: sizes[l + 1],
            weights: parameters + (layout ?? layoutView).weightOffsets[l], activation: activation, ldA: ldA, previousDelta: previousDelta,
            ldPrevious: sizes[l], function: functions.hidden)
    }

    /// Equation 5 and the update of layer 0's unit range r in one kernel pass over its packed
    /// panels, which hold layer 0's weights for the run (`Run.packedUpdates`); b⁰ in place. The
    /// bits of `updateUnits`; `columns` (the batch's nonzero inputs) spares the weights whose
    /// gradient is +0 under a plain update.
    /// - input: (m, sizes[0]) a⁰ of the batch; deltaAbove: (m, sizes[1]) δ¹ of the batch.
    private func sgdPacked(
        _ run: Run, _ units: UnitSchedule, batch: Int, range r: Int, input: UnsafeMutablePointer<Float>,
        deltaAbove: UnsafeMutablePointer<Float>, columns: InputColumns
    ) {
        let (j0, j1) = units.range(layer: 0, r)
        let nIn = layoutView.sizes[0], nOut = layoutView.sizes[1]
        withShardBounds(batch: batch) { bounds in
            unitKernels.sgdPacked(
                nIn: nIn, j0: j0, j1: j1, bounds: bounds, shards: totalShards, delta: deltaAbove, ldDelta: nOut,
                input: input, ldIn: nIn, packed: packed!.layer(0), biases: run.parameters + layoutView.biasOffsets[0],
                rules: run.rules(batch: batch), columns: columns)
        }
    }

    /// Equation 5 for range r of layer l's units on each shard's rows, into that shard's
    /// gradient buffer; then their sum in shard order, the update and the packed panels of those
    /// rows — the same arithmetic as `backpropShard` + `reduceUnits`.
    /// - input: (m, sizes[l]) aˡ of the batch; deltaAbove: (m, sizes[l + 1]) δ of layer l's outputs.
    private func updateUnits(
        _ run: Run, _ units: UnitSchedule, batch: Int, layer l: Int, range r: Int, input: UnsafeMutablePointer<Float>,
        deltaAbove: UnsafeMutablePointer<Float>
    ) {
        gradientUnits(units, batch: batch, layer: l, range: r, input: input, deltaAbove: deltaAbove)
        let (j0, j1) = units.range(layer: l, r)
        sumAndUpdate(run, batch: batch, layer: l, j0: j0, j1: j1)
    }

    /// Equation 5 for range r of layer l's units on each shard's rows. With one group (the unit
    /// schedule's native kernels), summed as they are computed into the first shard with rows
    /// (`sumGradients`); with groups, into each shard's own buffer.
    private func gradientUnits(
        _ units: UnitSchedule, batch: Int, layer l: Int, range r: Int, input: UnsafeMutablePointer<Float>,
        deltaAbove: UnsafeMutablePointer<Float>
    ) {
        let (j0, j1) = units.range(layer: l, r)
        if groups == 1, let native = kernels.native {
            sumGradients(
                native, into: runningSum(batch: batch), batch: batch, layer: l, j0: j0, j1: j1, input: input, ldIn: layoutView.sizes[l],
                deltaAbove: deltaAbove)
            return
        }
        let sizes = layoutView.sizes, nIn = sizes[l], nOut = sizes[l + 1]
        for s in 0..<totalShards {
            let r0 = Self.shardStart(s, batch: batch, shards: totalShards), r1 = Self.shardStart(s + 1, batch: batch, shards: totalShards)
            guard r1 > r0 else { continue }  // empty shards are skipped by the sum too
            let nabla = views.base[s].nabla
            kernels.gradients(
                rows: r1 - r0, nIn: nIn, j0: j0, j1: j1, delta: deltaAbove + r0 * nOut, ldDelta: nOut, input: input + r0 * nIn,
                ldIn: nIn, nablaW: nabla + layoutView.weightOffsets[l], nablaB: nabla + layoutView.biasOffsets[l])
        }
    }

    /// Equation 5 for layer l's units j0 ..< j1, the shards' gradients summed as they are
    /// computed into `sum` (addressed by `layout`, default the parameter layout): `gradient` for the first shard with rows,
    /// `gradientAdd` for the next — each shard's chain, then added in shard order, the bits of
    /// the separate buffers summed by the reducer, with a third of its memory traffic.
    /// - input: (m, ldIn) aˡ of the batch (ldIn ≥ sizes[l]); deltaAbove: (m, sizes[l + 1]) δ of layer l's outputs.
    private func sumGradients(
        _ native: NativeKernels, into sum: UnsafeMutablePointer<Float>, batch: Int, layer l: Int, j0: Int, j1: Int,
        input: UnsafeMutablePointer<Float>, ldIn: Int, deltaAbove: UnsafeMutablePointer<Float>, layout: LayoutView? = nil
    ) {
        let sizes = layoutView.sizes, nIn = sizes[l], nOut = sizes[l + 1], offsets = layout ?? layoutView
        let nablaW = sum + offsets.weightOffsets[l], nablaB = sum + offsets.biasOffsets[l]
        var first = true
        for s in 0..<totalShards {
            let r0 = Self.shardStart(s, batch: batch, shards: totalShards), r1 = Self.shardStart(s + 1, batch: batch, shards: totalShards)
            guard r1 > r0 else { continue }  // empty shards are skipped by the sum too
            let delta = deltaAbove + r0 * nOut, rows = input + r0 * ldIn
            if first {
                native.gradient(
                    rows: r1 - r0, nIn: nIn, j0: j0, j1: j1, delta: delta, ldDelta: nOut, input: rows, ldIn: ldIn, nablaW: nablaW,
                    nablaB: nablaB)
                first = false
            } else {
                native.gradientAdd(
                    rows: r1 - r0, nIn: nIn, j0: j0, j1: j1, delta: delta, ldDelta: nOut, input: rows, ldIn: ldIn, nablaW: nablaW,
                    nablaB: nablaB)
            }
        }
    }

    /// Where the unit schedule sums a batch's shard gradients with one group (`gradientUnits`,
    /// `sumAndUpdate`): the buffer of the first shard with rows.
    @inline(__always)
    private func runningSum(batch: Int) -> UnsafeMutablePointer<Float> {
        views.base[(0..<totalShards).first { Reduce.hasRows($0, batch: batch, shards: totalShards) }!].nabla
    }

    /// The update of layer l's units j0 ..< j1 from `gradientUnits`' buffers (the running sum
    /// with one group; else the shards' gradients summed in shard order), and the packed panels
    /// of those rows.
    private func sumAndUpdate(_ run: Run, batch: Int, layer l: Int, j0: Int, j1: Int) {
        if groups == 1 && kernels.native != nil {
            Reduce.unitsFromSum(
                layer: l, j0: j0, j1: j1, sum: runningSum(batch: batch), layout: layoutView, parameters: run.parameters,
                rules: run.rules(batch: batch), kernels: kernels)
        } else {
            Reduce.units(
                layer: l, j0: j0, j1: j1, gradients: views.base, shards: shards, groups: groups, batch: batch, layout: layoutView,
                parameters: run.parameters, rules: run.rules(batch: batch), kernels: kernels)
        }
        kernels.pack(layer: l, j0: j0, j1: j1, layout: layoutView, parameters: run.parameters, packed: packed)
    }
}
