import Dispatch

/// A place in an epoch of whole mini-batches that wraps around at the epoch's end: how the
/// timing harnesses (`ThreadCalibration`, the bench's `TimedEngine`) run any number of steps
/// over one fixed sample order, every step a full batch while the data holds one. Training
/// does not use it: its epochs end, and reshuffle.
package struct StepCursor {
    /// Mini-batches in the epoch: the whole ones, at least 1.
    package let stepsPerEpoch: Int
    /// The next step to run, 0 ..< stepsPerEpoch.
    package private(set) var step = 0

    package init(samples: Int, miniBatchSize: Int) {
        stepsPerEpoch = max(1, samples / miniBatchSize)
    }

    /// Runs `count` steps of `engine` from the cursor on, in calls of at most `runLength` steps
    /// (a call never crosses the epoch's end; each is one fork-join of the engine's team), and
    /// returns the seconds the calls took, wall clock.
    package mutating func run(
        _ count: Int, runLength: Int = .max, on engine: ShardedSGD, order: UnsafeBufferPointer<Int32>, data: DataSet,
        parameters: AlignedBuffer, eta: Float, lambda: Float
    ) -> Double {
        precondition(runLength >= 1)
        var left = count, cost = 0.0
        let t0 = DispatchTime.now().uptimeNanoseconds
        while left > 0 {
            let chunk = min(left, runLength, stepsPerEpoch - step)
            engine.run(
                steps: step..<(step + chunk), order: order, data: data, parameters: parameters, eta: eta, lambda: lambda, costSum: &cost)
            left -= chunk
            step += chunk
            if step == stepsPerEpoch { step = 0 }
        }
        return Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
    }
}
