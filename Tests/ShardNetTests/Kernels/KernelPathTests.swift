import ShardNetTestSupport
import Testing

@testable import ShardNet

/// The native kernels are one arithmetic: whichever instruction set runs (AVX-512, AVX2, NEON,
/// the scalar reference) and however many threads, the same seed and shard count train
/// bitwise the same weights and history. BLAS is a different arithmetic and is only checked
/// to learn the same problem.
@Suite(.tags(.numerics, .concurrency)) struct KernelPathTests {
    static func train(
        kernels: KernelChoice, threads: Int, shards: Int = 3, batch: Int = 10,
        sizes: [Int] = [20, 17, 9, 4], epochs: Int = 2
    ) throws -> Trainer {
        let data = Fixtures.clusters(count: 157, features: sizes[0], classes: sizes.last!, seed: 5)
        var options = TrainingOptions(eta: 0.5, lambda: 0.3, miniBatchSize: batch, shards: shards, threads: threads, seed: 7)
        options.kernels = kernels
        let trainer = try Trainer(sizes: sizes, cost: .crossEntropy, options: options)
        try trainer.train(on: data, evaluatingOn: data, epochs: epochs)
        return trainer
    }

    /// Every native instruction set this CPU runs, on 1 and 3 threads, against the scalar
    /// reference on one thread: weights and history bitwise equal.
    @Test func everyNativePathTrainsTheSameBits() throws {
        let reference = try Self.train(kernels: .scalar, threads: 1)
        #expect(reference.kernels == "scalar")
        for kernels in KernelSet.available where kernels != .blas {
            for threads in [1, 3] {
                let other = try Self.train(kernels: kernels, threads: threads)
                #expect(other.kernels == kernels.rawValue)
                #expect(other.network.isBitwiseEqual(to: reference.network), "\(kernels.rawValue) on \(threads) threads differs from scalar")
                #expect(zip(other.state.history, reference.state.history).allSatisfy { $0.hasSameResults(as: $1) })
            }
        }
    }

    /// The default (auto) is the best native instruction set, and it learns what BLAS learns:
    /// both reach the same accuracy on a separable problem.
    @Test func autoIsNativeAndLearnsLikeBLAS() throws {
        let auto = try Self.train(kernels: .auto, threads: 2, epochs: 5)
        let blas = try Self.train(kernels: .blas, threads: 2, epochs: 5)
        #expect(auto.kernels != "blas")
        #expect(auto.state.history.last!.testAccuracy >= 0.9 && blas.state.history.last!.testAccuracy >= 0.9)
        #expect(abs(auto.state.history.last!.testAccuracy - blas.state.history.last!.testAccuracy) <= 0.05)
    }

    /// Asking for an instruction set the CPU lacks is a clear error, not a silent fallback.
    @Test func unavailableInstructionSetIsRefused() throws {
        for kernels in KernelChoice.allCases where kernels != .auto && !KernelSet.available.contains(kernels) {
            #expect(throws: ShardNetError.self) { _ = try Self.train(kernels: kernels, threads: 1) }
        }
    }
}

/// BLAS is checked against the native kernels before it trains: this machine's BLAS passes on
/// the sweep's shapes, and the comparison flags a product that is off.
@Suite(.tags(.numerics)) struct BLASSelfCheckTests {
    @Test func thisBLASAgreesWithTheNativeKernels() throws {
        for sizes in [[784, 30, 10], [784, 100, 10], [784, 512, 512, 10], [3, 4, 2]] {
            try BLASSelfCheck.run(layout: ParameterLayout(sizes: sizes), rows: 5)
        }
    }

    @Test func aWrongProductIsFlagged() {
        let reference: [Float] = [1, -2, 3, 0.5]
        #expect(BLASSelfCheck.disagreement(reference: reference, candidate: [1, -2, 3.0000005, 0.5]) == nil)
        #expect(BLASSelfCheck.disagreement(reference: reference, candidate: [1, -2, 3.1, 0.5]) != nil)
        #expect(BLASSelfCheck.disagreement(reference: reference, candidate: [1, -2, .nan, 0.5]) != nil)
        #expect(BLASSelfCheck.disagreement(reference: reference, candidate: [1, -2, 3]) != nil)
    }
}

/// The unit schedule cuts the same arithmetic by units instead of shards: with the native
/// kernels, its weights and costs are bitwise those of the shard schedule, for any thread
/// count — including partial and empty shards, a last layer wider than one 16-unit panel
/// (output error as a phase of its own) and several hidden layers.
@Suite(.tags(.numerics, .concurrency)) struct UnitScheduleTests {
    /// The one-phase plan's tail copies hold only the layers after the first: `LayoutView(_:from: 1)`
    /// addresses each later layer's weights and biases at their parameter-vector offsets minus
    /// layer 1's, and counts exactly those parameters — the size `UnitSchedule` gives each copy.
    @Test func tailLayoutAddressesTheLaterLayersFromZero() {
        let layout = ParameterLayout(sizes: [64, 30, 7, 4])
        let tail = LayoutView(layout, from: 1), start = layout.weightOffsets[1]
        #expect(tail.parameterCount == layout.count - start && tail.parameterCount == 30 * 7 + 7 + 7 * 4 + 4)
        for l in 1..<layout.layerCount {
            #expect(tail.weightOffsets[l] == layout.weightOffsets[l] - start && tail.biasOffsets[l] == layout.biasOffsets[l] - start)
        }
        let last = layout.layerCount - 1
        #expect(tail.biasOffsets[last] + layout.sizes[last + 1] == tail.parameterCount, "the last bias ends the copy")
        let schedule = UnitSchedule(layout: layout, miniBatchSize: 10, shards: 2, threads: 2)
        #expect(schedule.replicatedTail && schedule.tailLayout.parameterCount == tail.parameterCount)
    }

    /// `steps` steps of plain SGD with L2, or of `momentum` (Nesterov's with `nesterov`) with
    /// L1 and L2 from a non-zero velocity, in runs that end at the epoch's end; the weights,
    /// velocity and summed cost.
    static func run(
        sizes: [Int], batch: Int, shards: Int, threads: Int, schedule: StepSchedule, steps: Int,
        samples: Int = 97, momentum: Float = 0, nesterov: Bool = false, groups: Int = 1, lambda: Float = 0.2, zeroColumns: Bool = false
    ) throws -> (parameters: [Float], velocity: [Float], cost: Double) {
        var data = Fixtures.clusters(count: samples, features: sizes[0], classes: min(sizes.last!, 3), seed: 3)
        if zeroColumns { data = try Self.withZeroColumns(data) }
        let network = Fixtures.network(sizes, cost: .crossEntropy, seed: 4)
        let sgd = ShardedSGD(
            layout: network.layout, cost: .crossEntropy, miniBatchSize: batch, shards: shards,
            threads: threads, kernels: .best, schedule: schedule, exchange: .local(groups: groups))
        let parameters = network.storage.copy()
        var settings = StepSettings(eta: 0.3, lambda: lambda)
        if momentum != 0 {
            // A velocity that does not start at 0, as after a resume: the run must read it.
            let velocity = (0..<parameters.count).map { Float($0 % 7 - 3) * 0.01 }
            settings = StepSettings(
                eta: 0.1, lambda: 0.2, l1: 0.05, momentum: momentum, nesterov: nesterov,
                velocity: velocity.withUnsafeBufferPointer { AlignedBuffer(copying: $0) })
        }
        let order = (0..<Int32(samples)).reversed().map { $0 }
        var cost = 0.0
        let stepsPerEpoch = (samples + batch - 1) / batch
        order.withUnsafeBufferPointer { order in
            var done = 0
            while done < steps {
                let run = (done % stepsPerEpoch)..<min(stepsPerEpoch, done % stepsPerEpoch + steps - done)
                sgd.run(steps: run, order: order, data: data, parameters: parameters, settings: settings, costSum: &cost)
                done += run.count
            }
        }
        return (parameters.array(0..<parameters.count), settings.velocity?.array(0..<parameters.count) ?? [], cost)
    }

    /// Every unit plan: phased by units ([33, 50, 20], [20, 35, 17, 3] in shards of under 16
    /// rows); one phase per step with a replicated tail ([20, 40, 3], [64, 30, 10], [100, 40, 8,
    /// 4]: later layers at most a quarter of layer 0), with every layer's update in its packed
    /// panels (`sgdPacked`, shards of at most 10 rows: m = 10 in one shard too) and, at 12 rows per shard, with the separate
    /// gradient, update and pack; and with a small tail in shards of 64 rows or more, the row
    /// phase (m = 128 and 195: each epoch of 97 samples one partial batch, 48–49 and 32–33 rows
    /// per shard; the same shard sizes with large later layers stay phased by units).
    @Test(arguments: [
        ([20, 40, 3], 10, 2), ([20, 40, 3], 7, 3), ([33, 50, 20], 10, 2), ([20, 35, 17, 3], 5, 7), ([64, 30, 10], 10, 2), ([64, 30, 10], 10, 1),
        ([100, 40, 8, 4], 9, 4), ([64, 30, 10], 24, 2), ([64, 30, 10], 40, 2), ([64, 30, 10], 128, 2), ([100, 40, 8, 4], 195, 3),
        ([33, 50, 20], 128, 2), ([20, 35, 17, 3], 195, 3),
    ])
    func unitScheduleEqualsShardSchedule(sizes: [Int], batch: Int, shards: Int) throws {
        let replicated: Set<[Int]> = [[20, 40, 3], [64, 30, 10], [100, 40, 8, 4]]
        #expect(UnitSchedule.tailIsSmall(sizes) == replicated.contains(sizes), "which plan \(sizes) runs")
        let plan = UnitSchedule(layout: ParameterLayout(sizes: sizes), miniBatchSize: batch, shards: shards, threads: 2)
        let expected = replicated.contains(sizes) && (batch + shards - 1) / shards >= UnitSchedule.rowPhaseShardRows
        #expect(plan.rowPhase == expected, "row phase for \(sizes) m=\(batch)")
        if plan.rowPhase {
            // The row phase runs δ back on its rows: a step is that phase and the update, no δ phases between.
            let phases = (0..<plan.phaseCount).map { UnitSchedule.Work(rawValue: plan.phaseWork[$0]) }
            #expect(phases == [.backpropRows, .update], "phases of the row plan for \(sizes) m=\(batch)")
        }
        let reference = try Self.run(sizes: sizes, batch: batch, shards: shards, threads: 1, schedule: .shards, steps: 23)
        for threads in [1, 2, 3, 8] {
            let other = try Self.run(sizes: sizes, batch: batch, shards: shards, threads: threads, schedule: .units, steps: 23)
            #expect(
                Compare.bitDifference(other.parameters, reference.parameters) == nil,
                "units on \(threads) threads vs shards: \(sizes) m=\(batch) S=\(shards)")
            #expect(other.cost.bitPattern == reference.cost.bitPattern)
        }
    }

    /// `data` with MNIST's kind of zeros: a border of columns 0 in every sample (the first 5 and
    /// the last 3), a third of the other columns 0 too, and every seventh column nonzero in one
    /// sample of five only, so that which columns a batch has nonzero changes from step to step.
    static func withZeroColumns(_ data: DataSet) throws -> DataSet {
        let n = data.features
        var images = data.images
        for i in 0..<data.count {
            for k in 0..<n where k < 5 || k >= n - 3 || k % 3 == 0 || (k % 7 == 0 && i % 5 != 0) { images[i * n + k] = 0 }
        }
        return try DataSet(images: images, labels: data.labels, features: n, classes: data.classes)
    }

    /// Layer 0's forward and packed update skip the inputs that are 0 in every row of the batch
    /// (`InputColumns`, the one-phase plan): on data with such columns, plain SGD (the update
    /// skips their weights too) and SGD with L2 (it updates every weight) give the bits of the
    /// shard schedule, which never skips, on 1 to 3 threads.
    @Test(arguments: [
        ([64, 30, 10], 10, 2, Float(0)), ([64, 30, 10], 10, 1, Float(0)), ([100, 40, 8, 4], 9, 4, Float(0)),
        ([64, 30, 10], 10, 2, Float(0.2)),
    ])
    func zeroInputColumnsAreSkippedExactly(sizes: [Int], batch: Int, shards: Int, lambda: Float) throws {
        let plan = UnitSchedule(layout: ParameterLayout(sizes: sizes), miniBatchSize: batch, shards: shards, threads: 2)
        #expect(plan.replicatedTail, "\(sizes) m=\(batch) runs the one-phase plan")
        let reference = try Self.run(
            sizes: sizes, batch: batch, shards: shards, threads: 1, schedule: .shards, steps: 23, lambda: lambda, zeroColumns: true)
        for threads in [1, 2, 3] {
            let other = try Self.run(
                sizes: sizes, batch: batch, shards: shards, threads: threads, schedule: .units, steps: 23, lambda: lambda, zeroColumns: true)
            let what = "units on \(threads) threads vs shards, zero columns: \(sizes) m=\(batch) S=\(shards) λ=\(lambda)"
            #expect(Compare.bitDifference(other.parameters, reference.parameters) == nil, "\(what): weights")
            #expect(other.cost.bitPattern == reference.cost.bitPattern, "\(what): cost")
        }
    }

    /// The one-phase plan keeps each item's own copy of the later layers' parameters and
    /// velocity: with momentum (plain and Nesterov's), L1 and L2 they stay those of the shard
    /// schedule, bit for bit, weights and velocity. With groups (a two-level sum) a small tail
    /// runs the phased plan, the same bits as the shard schedule too; and so does the row phase
    /// (m = 128 in 2 shards; m = 256 in 2 groups of 2), with and without groups.
    @Test(arguments: [
        ([64, 30, 10], 10, 2, false, 1), ([100, 40, 8, 4], 9, 4, true, 1), ([64, 30, 10], 24, 2, true, 1),
        ([64, 30, 10], 10, 2, false, 2), ([100, 40, 8, 4], 9, 2, true, 3), ([64, 30, 10], 128, 2, true, 1),
        ([64, 30, 10], 256, 2, false, 2),
    ])
    func tailCopiesKeepMomentumAndGroups(sizes: [Int], batch: Int, shards: Int, nesterov: Bool, groups: Int) throws {
        #expect(UnitSchedule.tailIsSmall(sizes))
        let reference = try Self.run(
            sizes: sizes, batch: batch, shards: shards, threads: 1, schedule: .shards, steps: 23, momentum: 0.8, nesterov: nesterov,
            groups: groups)
        #expect(reference.velocity.contains { $0 != 0 } && reference.parameters.allSatisfy(\.isFinite))
        for threads in [1, 2, 3] {
            let other = try Self.run(
                sizes: sizes, batch: batch, shards: shards, threads: threads, schedule: .units, steps: 23, momentum: 0.8,
                nesterov: nesterov, groups: groups)
            let what = "units on \(threads) threads vs shards: \(sizes) m=\(batch) S=\(shards) R=\(groups)"
            #expect(Compare.bitDifference(other.parameters, reference.parameters) == nil, "\(what): weights")
            #expect(Compare.bitDifference(other.velocity, reference.velocity) == nil, "\(what): velocity")
            #expect(other.cost.bitPattern == reference.cost.bitPattern, "\(what): cost")
        }
    }
}
