import Foundation

extension Trainer {
    /// Sets the epoch order's shuffle window (`EpochOrder`; nil: the whole split) of a run
    /// that has not started; a resumed run keeps the window its checkpoint records.
    public func useShuffleWindow(_ window: Int?) throws {
        guard state.epochsCompleted == 0 && !state.isMidEpoch else {
            throw ShardNetError.invalidArgument("the shuffle window of a started run cannot change (it fixes the epoch order)")
        }
        if let window, window < 1 {
            throw ShardNetError.invalidArgument("the shuffle window must hold at least 1 sample, got \(window)")
        }
        state.shuffleWindow = window
    }

    /// `train(streaming:…)` when `stream` is given, else `train(on:…)`; `training` is then
    /// only checked for compatibility (e.g. the stream's `head`).
    @discardableResult
    public func train(
        on training: DataSet, streaming stream: TrainingStream?, validatingOn validation: DataSet? = nil, evaluatingOn test: DataSet?,
        epochs: Int, monitorTraining: Bool = false,
        progressInterval: Int = 0, progress: (Int, Int) -> Void = { _, _ in },
        stepsPerRun: Int = Trainer.defaultStepsPerRun,
        shouldStop: () -> Bool = { false },
        afterRun: (TrainingState) throws -> Void = { _ in },
        onImprovement: (EpochRecord) throws -> Void = { _ in },
        onEpoch: (EpochRecord) throws -> Void = { _ in }
    ) throws -> Outcome {
        guard let stream else {
            return try train(
                on: training, validatingOn: validation, evaluatingOn: test, epochs: epochs, monitorTraining: monitorTraining,
                progressInterval: progressInterval, progress: progress, stepsPerRun: stepsPerRun, shouldStop: shouldStop,
                afterRun: afterRun, onImprovement: onImprovement, onEpoch: onEpoch)
        }
        return try train(
            streaming: stream, validatingOn: validation, evaluatingOn: test, epochs: epochs, progressInterval: progressInterval,
            progress: progress, stepsPerRun: stepsPerRun, shouldStop: shouldStop, afterRun: afterRun, onImprovement: onImprovement,
            onEpoch: onEpoch)
    }

    /// As `train(on:evaluatingOn:epochs:…)`, reading the training split from `stream` instead
    /// of memory, in the same order (`EpochOrder` with `state.shuffleWindow`): the weights, the
    /// history's costs and accuracies, and every mid-epoch stop and resume are bitwise those
    /// of the in-memory run. Each run of steps trains on a buffer the prefetch thread filled
    /// while the previous run trained; `afterRun` and `onEpoch` run while the prefetch thread
    /// makes no HDF5 call, so they may save checkpoints. Chapter 3's optimiser, dropout (each
    /// sample keyed by its position in the epoch, as in memory), validation, early stopping and
    /// the η schedule work as in memory; the training split's accuracy is not monitored.
    @discardableResult
    public func train(
        streaming stream: TrainingStream, validatingOn validation: DataSet? = nil, evaluatingOn test: DataSet?, epochs: Int,
        progressInterval: Int = 0, progress: (Int, Int) -> Void = { _, _ in },
        stepsPerRun: Int = Trainer.defaultStepsPerRun,
        shouldStop: () -> Bool = { false },
        afterRun: (TrainingState) throws -> Void = { _ in },
        onImprovement: (EpochRecord) throws -> Void = { _ in },
        onEpoch: (EpochRecord) throws -> Void = { _ in }
    ) throws -> Outcome {
        defer { stream.halt() }  // no HDF5 call from the prefetch thread once this returns (the caller may save)
        if let ended = try checkStart(training: stream.head, test: test, validation: validation, stepsPerRun: stepsPerRun) {
            return ended
        }
        let n = stream.count, m = state.miniBatchSize
        let steps = try stepsPerEpoch(samples: n)
        let perRun = min(stepsPerRun, progressInterval > 0 ? max(1, progressInterval / m) : steps)
        // The engine walks each run buffer in order: position k of the buffer is row k.
        let identity = (0..<min(n, perRun * m)).map { Int32($0) }
        while state.epochsCompleted < epochs {
            let epoch = state.epochsCompleted + 1
            var generator = Xoshiro256StarStar(words: state.generatorState)!
            var order = [Int32](repeating: 0, count: n)
            let layout = EpochOrder.draw(&order, window: state.shuffleWindow, generator: &generator)
            let start = DispatchTime.now().uptimeNanoseconds
            chooser.startEpoch()
            var totalCost = state.epochCostSum
            var done = state.epochStepsDone
            let resumedAt = done, resumedCost = totalCost
            stream.begin(
                order: consume order, layout: layout, window: state.shuffleWindow, miniBatchSize: m, firstStep: done,
                stepsPerRun: perRun)
            while done < steps {
                let run = done..<min(steps, done + perRun)
                let buffer = try stream.next()
                precondition(buffer.steps == run, "the prefetch thread gathered steps \(buffer.steps), not \(run)")
                var settings = stepSettings(epoch: epoch)
                settings.sampleCount = n
                settings.firstPosition = run.lowerBound * m
                try trainRun(buffer, steps: run.count, identity: identity, features: stream.features, settings: settings, costSum: &totalCost)
                stream.recycle(consume buffer)
                done = run.upperBound
                if progressInterval > 0 { progress(min(done * m, n), n) }
                if done < steps {
                    // A diverged run is never handed to `afterRun` (it could save it): the epoch ends here and fails below.
                    guard totalCost.isFinite, network.isFinite else { break }
                    state.epochStepsDone = done
                    state.epochCostSum = totalCost
                    try stream.exclusively { try afterRun(state) }
                    if shouldStop() { return .stopped }
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            chooser.finishEpoch()
            let trainingCost = totalCost / Double(n)
            try rollBackIfDiverged(epoch: epoch, trainingCost: trainingCost, resumedAt: resumedAt, resumedCost: resumedCost)
            let samplesTimed = min(n, (steps - resumedAt) * m)
            let ending = try stream.exclusively {
                try finishEpoch(
                    epoch: epoch, trainingCost: trainingCost, seconds: seconds,
                    samplesPerSecond: Double(resumedAt == 0 ? n : samplesTimed) / max(seconds, 1e-9), generator: generator,
                    test: test, validation: validation, monitored: nil, onImprovement: onImprovement, onEpoch: onEpoch)
            }
            if let ending { return .finishedEarly(reason: ending) }
            if state.epochsCompleted < epochs && shouldStop() { return .stopped }
        }
        return .completed
    }

    /// Trains steps 0 ..< `steps` of one run buffer (its rows in order), adding the cost to `costSum`.
    private func trainRun(
        _ buffer: borrowing RunBuffer, steps: Int, identity: [Int32], features: Int, settings: StepSettings, costSum: inout Double
    ) throws {
        // No copy: the DataSet holds the buffer's two arrays (copy-on-write storage, shared until
        // written; ByteStorageTests checks it) and ends with this call, before `recycle` hands
        // the buffer back to be refilled in place. What it costs is the label range check.
        let data = try DataSet(bytes: buffer.images, labels: buffer.labels, features: features, classes: network.sizes.last!)
        let rows = buffer.rows
        identity.withUnsafeBufferPointer { identity in
            chooser.run(
                steps: 0..<steps, order: UnsafeBufferPointer(rebasing: identity[0..<rows]), data: data,
                parameters: network.storage, settings: settings, costSum: &costSum)
        }
    }
}
