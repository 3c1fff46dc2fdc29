import Foundation

/// Trains a `Network` with sharded mini-batch SGD (Nielsen's `SGD`), epoch after epoch, and
/// keeps the `TrainingState` a checkpoint needs to resume exactly.
///
/// Each epoch: a fresh shuffle of 0 ..< n drawn from the seeded generator, ⌈n/m⌉ mini-batch
/// steps (the last batch is partial when m ∤ n and is averaged over its own size), then an
/// evaluation pass. If the cost or any parameter becomes NaN or ±∞ the epoch is rolled back
/// and `ShardNetError.diverged` is thrown.
///
///     var options = TrainingOptions(eta: 3.0, miniBatchSize: 10)
///     let trainer = try Trainer(sizes: [784, 30, 10], options: options)
///     try trainer.train(on: data.train, evaluatingOn: data.test, epochs: 30) { record in
///         print(record.epoch, record.testAccuracy)
///     }
public final class Trainer {
    /// The network being trained.
    public private(set) var network: Network
    /// Epochs done, generator state, hyper-parameters and history.
    public internal(set) var state: TrainingState
    /// Threads that run the shards: the thread count given, or after `adapt(among:)` the one
    /// that ran most of the last finished epoch's steps.
    public var threads: Int { chooser.lastEpochChoice.threads }
    /// The kernels that run the arithmetic: "avx512", "avx2", "neon", "scalar" or "blas".
    public let kernels: String
    /// How each step is cut into work items (BLAS always runs `.shards`); after `adapt(among:)`,
    /// the schedule that ran most of the last finished epoch's steps.
    public var schedule: StepSchedule { chooser.lastEpochChoice.schedule }

    /// The choices the steps may run on: the one this trainer was made with, then those
    /// `adapt(among:)` kept.
    public var choices: [ExecutionChoice] { chooser.choices }

    /// The engines that run the steps: the one made here, and those `adapt(among:)` adds.
    private(set) var chooser: EngineChooser
    /// What an engine is made from, beside its threads and schedule (for `adapt(among:)`).
    private let kernelSet: KernelSet
    private let isRank: Bool
    let evaluator: Evaluator
    var lastGood: AlignedBuffer  // the parameters after the last finished epoch (Trainer+Stream.swift reads these)
    /// The momentum's velocity v, (parameter count) in parameter layout; nil without momentum.
    let velocityBuffer: AlignedBuffer?
    var lastGoodVelocity: AlignedBuffer?

    /// A fresh network drawn from `options.seed`, ready to train.
    public convenience init(
        sizes: [Int], cost: Cost = TrainingOptions.defaultCost, activation: Activation = .sigmoid,
        outputLayer: OutputLayer = .sigmoid, options: TrainingOptions
    ) throws {
        let (network, state) = try Self.freshStart(
            sizes: sizes, cost: cost, activation: activation, outputLayer: outputLayer, options: options)
        try self.init(
            network: network, state: state, threads: options.resolvedThreads, kernels: options.kernels,
            schedule: options.schedule ?? .shards)
    }

    /// The network and training state a new run starts from: the network drawn from
    /// `options.seed` (see `Network.init(sizes:cost:activation:outputLayer:initialization:generator:)`),
    /// no epochs done, the generator's state after the draw.
    public static func freshStart(
        sizes: [Int], cost: Cost, activation: Activation = .sigmoid, outputLayer: OutputLayer = .sigmoid,
        options: TrainingOptions
    ) throws -> (Network, TrainingState) {
        try options.validate()
        var generator = Xoshiro256StarStar(seed: options.seed)
        let network = try Network(
            sizes: sizes, cost: cost, activation: activation, outputLayer: outputLayer, initialization: options.initialization,
            generator: &generator)
        var state = TrainingState(
            epochsCompleted: 0, seed: options.seed, generatorState: generator.words,
            eta: options.eta, lambda: options.lambda, miniBatchSize: options.miniBatchSize,
            shards: options.resolvedShards, initialization: options.initialization, history: [], groups: options.groups)
        state.l1 = options.l1
        state.momentum = options.momentum
        state.nesterov = options.nesterov
        state.dropout = options.dropout
        state.etaSchedule = options.etaSchedule
        state.earlyStop = options.earlyStop
        return (network, state)
    }

    /// Continues from a saved network and training state (e.g. a checkpoint), on `threads`
    /// threads (nil: active cores) with `kernels`. The shard count comes from the state, so the
    /// result is the same whatever the thread count, and whichever native kernels run.
    /// `velocity` is the momentum's saved velocity (parameter layout; nil: zeros), as a
    /// checkpoint of a run with momentum keeps it.
    public convenience init(
        network: Network, state: TrainingState, threads: Int? = nil, kernels: KernelChoice = .auto,
        schedule: StepSchedule = .shards, velocity: [Float]? = nil
    ) throws {
        try self.init(
            network: network, state: state, threads: threads, kernels: kernels, schedule: schedule, rank: nil, velocity: velocity)
    }

    /// As the public init; with `rank`, this process is one rank of `state.groups` and runs its
    /// group's shards only (`shardnet-mpi`).
    package init(
        network: Network, state: TrainingState, threads: Int?, kernels: KernelChoice,
        schedule: StepSchedule, rank: (any RankExchange)?, velocity: [Float]? = nil
    ) throws {
        let threads = threads ?? TrainingOptions.activeCores
        var options = TrainingOptions(
            eta: state.eta, lambda: state.lambda, miniBatchSize: state.miniBatchSize,
            shards: state.shards, threads: threads, seed: state.seed,
            initialization: state.initialization, groups: state.groups)
        options.l1 = state.l1
        options.momentum = state.momentum
        options.nesterov = state.nesterov
        options.dropout = state.dropout
        options.etaSchedule = state.etaSchedule
        options.earlyStop = state.earlyStop
        try options.validate()
        try Network.validate(cost: network.cost, outputLayer: network.outputLayer)
        if let velocity {
            guard state.momentum > 0 else { throw ShardNetError.invalidArgument("a velocity was given for a run without momentum") }
            guard velocity.count == network.parameterCount, velocity.allSatisfy(\.isFinite) else {
                throw ShardNetError.invalidArgument(
                    "velocity: expected \(network.parameterCount) finite values (one per parameter), got \(velocity.count)")
            }
        }
        if let rank, rank.ranks != state.groups {
            throw ShardNetError.invalidArgument("the run has \(state.groups) groups but \(rank.ranks) ranks")
        }
        guard Xoshiro256StarStar(words: state.generatorState) != nil else {
            throw ShardNetError.invalidArgument("training state: generator state must be 4 or 5 words, not all zero")
        }
        self.network = network
        self.network.makeUnique()
        self.state = state
        let kernelSet = try KernelSet.checked(
            kernels, layout: network.layout,
            rows: (state.miniBatchSize + state.shards * state.groups - 1) / (state.shards * state.groups))
        self.kernels = kernelSet.name
        self.kernelSet = kernelSet
        isRank = rank != nil
        let engine = ShardedSGD(
            layout: network.layout, cost: network.cost, activation: network.activation, outputLayer: network.outputLayer,
            miniBatchSize: state.miniBatchSize, shards: state.shards, threads: threads, kernels: kernelSet,
            schedule: kernelSet.usesPackedWeights && rank == nil && state.dropout == 0 ? schedule : .shards,
            exchange: rank.map { .ranks($0) } ?? .local(groups: state.groups), dropout: state.dropout > 0)
        chooser = EngineChooser(engines: [engine], policy: ChoicePolicy(count: 1))
        evaluator = Evaluator(layout: network.layout, threads: threads, kernels: kernelSet)
        lastGood = self.network.storage.copy()
        if state.momentum > 0 {
            let v = AlignedBuffer(count: network.parameterCount)
            if let velocity { velocity.withUnsafeBufferPointer { v.base.update(from: $0.baseAddress!, count: velocity.count) } }
            velocityBuffer = v
            lastGoodVelocity = v.copy()
        } else {
            velocityBuffer = nil
        }
    }

    /// The momentum's velocity v (parameter layout), or nil without momentum: what a
    /// checkpoint must keep besides the network for an exact resume.
    public var velocity: [Float]? { velocityBuffer.map { $0.array(0..<$0.count) } }

    /// Checks that `data` fits the network: features = sizes[0], classes ≤ sizes.last.
    public func checkCompatible(_ data: DataSet, name: String) throws {
        try Self.checkCompatible(data, name: name, sizes: network.sizes)
    }

    /// Checks that `data` fits a network of `sizes`: features = sizes[0], classes ≤ sizes.last.
    public static func checkCompatible(_ data: DataSet, name: String, sizes: [Int]) throws {
        guard data.features == sizes[0] else {
            throw ShardNetError.invalidArgument("\(name) has \(data.features) features per sample but the network's input layer has \(sizes[0])")
        }
        guard data.classes <= sizes.last! else {
            throw ShardNetError.invalidArgument("\(name) has \(data.classes) classes but the network's output layer has \(sizes.last!)")
        }
    }

    /// Longest run of steps between two checks of `shouldStop` (and calls of `afterRun`):
    /// a stop request is honoured within this many mini-batch steps.
    public static let defaultStepsPerRun = 256

    /// How a call of `train` ended.
    public enum Outcome: Sendable, Equatable {
        /// `epochs` epochs are complete.
        case completed
        /// `shouldStop` returned true; `state` records where (possibly mid-epoch), and a
        /// checkpoint of `network` and `state` resumes exactly there.
        case stopped
        /// Early stopping or the η schedule ended the run at an epoch boundary; the reason says
        /// which.
        case finishedEarly(reason: String)
    }

    /// Trains until `epochs` epochs are complete in total (a resumed trainer continues from
    /// `state.epochsCompleted`, and from `state.epochStepsDone` steps into the next epoch),
    /// calling `onEpoch` after each one with its record.
    /// `evaluatingOn` (optional, the test split) is evaluated after every epoch, and so is
    /// `validatingOn` (optional), which drives early stopping and the plateau schedule; after an
    /// epoch that improves the best validation accuracy `onImprovement` is called (e.g. to save
    /// the best model). `monitorTraining` also measures the training split's accuracy after
    /// each epoch. `progress(samplesDone, n)` is called about every `progressInterval` samples
    /// within an epoch.
    ///
    /// Each epoch is split into runs of at most `stepsPerRun` steps (fewer when
    /// `progressInterval` asks for it); splitting never changes the arithmetic. After each run
    /// `state` is brought up to date (`epochStepsDone`, `epochCostSum`), `afterRun(state)` is
    /// called (e.g. to save a mid-epoch checkpoint), and then `shouldStop()`: when it returns
    /// true, training stops there and `.stopped` is returned — a checkpoint saved then resumes
    /// bitwise where an uninterrupted run would be. A run that ends an epoch finishes that
    /// epoch (evaluation and `onEpoch`) before stopping.
    @discardableResult
    public func train(
        on training: DataSet, validatingOn validation: DataSet? = nil, evaluatingOn test: DataSet?, epochs: Int,
        monitorTraining: Bool = false,
        progressInterval: Int = 0, progress: (Int, Int) -> Void = { _, _ in },
        stepsPerRun: Int = Trainer.defaultStepsPerRun,
        shouldStop: () -> Bool = { false },
        afterRun: (TrainingState) throws -> Void = { _ in },
        onImprovement: (EpochRecord) throws -> Void = { _ in },
        onEpoch: (EpochRecord) throws -> Void = { _ in }
    ) throws -> Outcome {
        guard training.count > 0 else { throw ShardNetError.invalidArgument("training data has no samples") }
        if let ended = try checkStart(training: training, test: test, validation: validation, stepsPerRun: stepsPerRun) { return ended }
        var order = [Int32](repeating: 0, count: training.count)
        let steps = try stepsPerEpoch(samples: training.count)
        while state.epochsCompleted < epochs {
            let epoch = state.epochsCompleted + 1
            var generator = Xoshiro256StarStar(words: state.generatorState)!
            for i in order.indices { order[i] = Int32(i) }
            EpochOrder.draw(&order, window: state.shuffleWindow, generator: &generator)
            let start = DispatchTime.now().uptimeNanoseconds
            chooser.startEpoch()
            let perRun = min(stepsPerRun, progressInterval > 0 ? max(1, progressInterval / state.miniBatchSize) : steps)
            var totalCost = state.epochCostSum
            var done = state.epochStepsDone
            let resumedAt = done, resumedCost = totalCost
            while done < steps {
                let run = done..<min(steps, done + perRun)
                order.withUnsafeBufferPointer { order in
                    chooser.run(
                        steps: run, order: order, data: training, parameters: network.storage,
                        settings: stepSettings(epoch: epoch), costSum: &totalCost)
                }
                done = run.upperBound
                if progressInterval > 0 { progress(min(done * state.miniBatchSize, training.count), training.count) }
                if done < steps {
                    // A diverged run is never handed to `afterRun` (it could save it): the epoch ends here and fails below.
                    guard totalCost.isFinite, network.isFinite else { break }
                    state.epochStepsDone = done
                    state.epochCostSum = totalCost
                    try afterRun(state)
                    if shouldStop() { return .stopped }
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            chooser.finishEpoch()
            let trainingCost = totalCost / Double(training.count)
            try rollBackIfDiverged(epoch: epoch, trainingCost: trainingCost, resumedAt: resumedAt, resumedCost: resumedCost)
            // A resumed epoch's timing covers only the steps run since the resume.
            let samplesTimed = min(training.count, (steps - resumedAt) * state.miniBatchSize)
            let ending = try finishEpoch(
                epoch: epoch, trainingCost: trainingCost, seconds: seconds,
                samplesPerSecond: Double(resumedAt == 0 ? training.count : samplesTimed) / max(seconds, 1e-9), generator: generator,
                test: test, validation: validation, monitored: monitorTraining ? training : nil,
                onImprovement: onImprovement, onEpoch: onEpoch)
            if let ending { return .finishedEarly(reason: ending) }
            if state.epochsCompleted < epochs && shouldStop() { return .stopped }
        }
        return .completed
    }

    /// What the steps of `epoch` use: η, the regularisation, the optimiser and its velocity, dropout.
    func stepSettings(epoch: Int) -> StepSettings {
        StepSettings(
            eta: state.eta, lambda: state.lambda, l1: state.l1, momentum: state.momentum, nesterov: state.nesterov,
            dropout: state.dropout, seed: state.seed, epoch: epoch, velocity: velocityBuffer)
    }

    /// When an epoch ended with a non-finite cost or parameter: restores the last finished
    /// epoch's parameters (and velocity) and the epoch's position, and throws `.diverged`.
    func rollBackIfDiverged(epoch: Int, trainingCost: Double, resumedAt: Int, resumedCost: Double) throws {
        guard !(trainingCost.isFinite && network.isFinite) else { return }
        network.storage.base.update(from: lastGood.base, count: lastGood.count)
        if let velocityBuffer, let lastGoodVelocity { velocityBuffer.base.update(from: lastGoodVelocity.base, count: velocityBuffer.count) }
        state.epochStepsDone = resumedAt
        state.epochCostSum = resumedCost
        throw ShardNetError.diverged(
            epoch: epoch,
            reason: trainingCost.isFinite
                ? "a weight or bias became NaN or infinite; lower eta (now \(state.eta))"
                : "the training cost became \(trainingCost); lower eta (now \(state.eta))")
    }

    /// The end of an epoch: the test, validation and (when `monitored`) training splits
    /// evaluated, the record appended, the state moved to the next epoch's start, the validation
    /// watch (`watchValidation`), `onImprovement` after a better validation accuracy, then
    /// `onEpoch`. Returns why the run ends here, if it does.
    func finishEpoch(
        epoch: Int, trainingCost: Double, seconds: Double, samplesPerSecond: Double, generator: Xoshiro256StarStar,
        test: DataSet?, validation: DataSet?, monitored: DataSet?,
        onImprovement: (EpochRecord) throws -> Void, onEpoch: (EpochRecord) throws -> Void
    ) throws -> String? {
        let evaluation = test.map { evaluator.evaluate(network, on: $0) }
        let validated = validation.map { evaluator.evaluate(network, on: $0) }
        let training = monitored.map { evaluator.evaluate(network, on: $0) }
        let record = EpochRecord(
            epoch: epoch, trainingCost: trainingCost,
            testCorrect: evaluation?.correct ?? 0, testTotal: evaluation?.total ?? 0,
            testCost: evaluation?.cost ?? .nan, seconds: seconds, samplesPerSecond: samplesPerSecond,
            trainingCorrect: training?.correct ?? 0, trainingTotal: training?.total ?? 0,
            validationCorrect: validated?.correct ?? 0, validationTotal: validated?.total ?? 0,
            validationCost: validated?.cost ?? .nan, eta: Double(state.eta))
        state.generatorState = generator.words
        state.epochsCompleted = epoch
        state.epochStepsDone = 0
        state.epochCostSum = 0
        state.history.append(record)
        let ending = validated.flatMap { watchValidation(correct: $0.correct) }
        lastGood.base.update(from: network.storage.base, count: lastGood.count)
        if let velocityBuffer, let lastGoodVelocity { lastGoodVelocity.base.update(from: velocityBuffer.base, count: velocityBuffer.count) }
        if state.bestEpoch == epoch { try onImprovement(record) }
        try onEpoch(record)
        return ending
    }

    /// Checks a run's data and `stepsPerRun` before its first step; `.finishedEarly` when the
    /// state says the run has already ended, nil when it may train.
    func checkStart(training: DataSet, test: DataSet?, validation: DataSet?, stepsPerRun: Int) throws -> Outcome? {
        try checkCompatible(training, name: "training data")
        if let test { try checkCompatible(test, name: "evaluation data") }
        try checkValidation(validation)
        guard stepsPerRun >= 1 else { throw ShardNetError.invalidArgument("stepsPerRun must be at least 1, got \(stepsPerRun)") }
        if let ended = endedEarly { return .finishedEarly(reason: "the run had already ended: \(ended)") }
        return nil
    }

    /// ⌈samples / m⌉, the steps of an epoch over `samples` training samples, after checking
    /// that the state's place in its epoch (a resumed run's) lies within such an epoch.
    func stepsPerEpoch(samples: Int) throws -> Int {
        let steps = (samples + state.miniBatchSize - 1) / state.miniBatchSize
        guard state.epochStepsDone >= 0, state.epochStepsDone < steps, state.epochCostSum.isFinite else {
            throw ShardNetError.invalidArgument(
                "training state: \(state.epochStepsDone) steps done in epoch \(state.epochsCompleted + 1), but the training data (\(samples) samples, batch \(state.miniBatchSize)) has \(steps) steps per epoch; resume on the data the run was stopped on"
            )
        }
        return steps
    }

    /// Checks the validation split, and that a run whose schedule or early stopping watches it has one.
    func checkValidation(_ validation: DataSet?) throws {
        if let validation {
            try checkCompatible(validation, name: "validation data")
            guard validation.count > 0 else { throw ShardNetError.invalidArgument("the validation split has no samples") }
        } else if state.etaSchedule != .constant || state.earlyStop != nil {
            throw ShardNetError.invalidArgument(
                "\(state.etaSchedule != .constant ? "the plateau schedule" : "early stopping") watches the validation accuracy; give a validation split (--validation N, or a /validation split in the data file)"
            )
        }
    }

    /// Why the run has already ended, when its state says so (a resumed run that early stopping
    /// or the plateau schedule ended stays ended): nil otherwise.
    var endedEarly: String? {
        guard !state.isMidEpoch else { return nil }
        if state.etaSchedule.plateauEpochs != nil, state.eta <= state.initialEta / EtaSchedule.stopRatio {
            return "η fell to η₀/\(Int(EtaSchedule.stopRatio)) (\(state.eta))"
        }
        if let n = state.earlyStop, state.epochsWithoutImprovement >= n {
            return "no better validation accuracy in \(n) epochs (best: epoch \(state.bestEpoch))"
        }
        return nil
    }

    /// After an epoch's validation: records a better accuracy, or counts an epoch without one;
    /// halves η after `plateau` such epochs (chapter 3's schedule) and returns why the run ends,
    /// if it does: η fell to η₀/128, or `earlyStop` epochs passed without a better accuracy.
    private func watchValidation(correct: Int) -> String? {
        if state.bestValidationCorrect.map({ correct > $0 }) ?? true {
            state.bestValidationCorrect = correct
            state.bestEpoch = state.epochsCompleted
            state.epochsWithoutImprovement = 0
            state.epochsSinceEtaChange = 0
            return nil
        }
        state.epochsWithoutImprovement += 1
        state.epochsSinceEtaChange += 1
        if let n = state.etaSchedule.plateauEpochs, state.epochsSinceEtaChange >= n {
            state.eta /= 2
            state.epochsSinceEtaChange = 0
            if state.eta <= state.initialEta / EtaSchedule.stopRatio {
                return "η fell to η₀/\(Int(EtaSchedule.stopRatio)) (\(state.eta)) after \(n) epochs without a better validation accuracy"
            }
        }
        if let n = state.earlyStop, state.epochsWithoutImprovement >= n {
            return "no better validation accuracy in \(n) epochs (best: epoch \(state.bestEpoch))"
        }
        return nil
    }

    /// Accuracy and mean cost of the current network on `data`.
    public func evaluate(_ data: DataSet) throws -> Evaluation {
        try checkCompatible(data, name: "evaluation data")
        return evaluator.evaluate(network, on: data)
    }

    /// Time spent so far in backprop, in the reducer and waiting at barriers (summed over threads).
    public var timeProfile: (backprop: Double, reduce: Double, wait: Double) { chooser.timeProfile }

    /// Keeps measuring while it trains (`--threads auto`): each run of steps is cut into slices
    /// that run on the engine this trainer was made with or on one for each of `choices`; the
    /// fastest by its recent slices runs most of them and the others run a short probe slice in
    /// turn (`ChoicePolicy`), so the run follows the machine when the fastest choice changes
    /// under it. Every choice trains the same bits (the shard count fixes the arithmetic), so
    /// this changes the speed only. `secondsPerStep` (one per choice, e.g. from the start's
    /// calibration) sizes the first slices. With dropout every choice runs the shard schedule
    /// (choices that then coincide count once); the unit schedule with BLAS kernels is an error.
    /// Nothing is added on a rank of `shardnet-mpi`, or when the engines would hold more than
    /// 256 MiB.
    public func adapt(among choices: [ExecutionChoice], secondsPerStep: [Double]? = nil) throws {
        try adapt(among: choices, secondsPerStep: secondsPerStep) { ChoicePolicy(count: $0, secondsPerStep: $1) }
    }

    /// As `adapt(among:secondsPerStep:)`, with the policy `makePolicy(choices, secondsPerStep)`
    /// (tests switch every few steps).
    package func adapt(
        among choices: [ExecutionChoice], secondsPerStep: [Double]?, makePolicy: (Int, [Double]) -> ChoicePolicy
    ) throws {
        guard secondsPerStep == nil || secondsPerStep!.count == choices.count else {
            throw ShardNetError.invalidArgument("adapt: \(secondsPerStep!.count) times for \(choices.count) choices")
        }
        if let bad = choices.first(where: { !TrainingOptions.limits.threads.contains($0.threads) }) {
            throw ShardNetError.invalidArgument(
                "adapt: \(bad.threads) threads is outside \(TrainingOptions.limits.threads.lowerBound)...\(TrainingOptions.limits.threads.upperBound)"
            )
        }
        if let bad = choices.first(where: { $0.schedule == .units && !kernelSet.usesPackedWeights }) {
            throw ShardNetError.invalidArgument("adapt: \(bad) needs the native kernels, and this trainer runs \(kernels)")
        }
        guard !isRank else { return }
        let start = chooser.choices[0]
        let schedulesDiffer = state.dropout == 0
        var kept = [start], times = [secondsPerStep.flatMap { t in choices.firstIndex(of: start).map { t[$0] } } ?? .infinity]
        for (i, choice) in choices.enumerated() {
            let effective = ExecutionChoice(threads: choice.threads, schedule: schedulesDiffer ? choice.schedule : .shards)
            guard !kept.contains(effective) else { continue }
            kept.append(effective)
            times.append(secondsPerStep?[i] ?? .infinity)
        }
        let bytes = ThreadCalibration.engineBytes(parameters: network.parameterCount, shards: state.shards * state.groups)
        guard kept.count > 1, bytes * kept.count <= ThreadCalibration.defaultInterleavedBytes else { return }
        let engines =
            [chooser.engine(0)]
            + kept.dropFirst().map { choice in
                ShardedSGD(
                    layout: network.layout, cost: network.cost, activation: network.activation, outputLayer: network.outputLayer,
                    miniBatchSize: state.miniBatchSize, shards: state.shards, threads: choice.threads, kernels: kernelSet,
                    schedule: choice.schedule, exchange: .local(groups: state.groups), dropout: state.dropout > 0)
            }
        chooser = EngineChooser(engines: engines, policy: makePolicy(engines.count, times))
    }
}
