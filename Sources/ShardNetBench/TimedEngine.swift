import ShardNet

/// One `ShardedSGD` on synthetic data, run for a chosen number of full mini-batch steps and
/// timed. Used by the scaling sweep and the step-cost probe; not part of training.
///
/// Steps walk through a fixed shuffled order of the samples, wrapping around at the end of
/// the epoch, and only whole batches of m samples are used (so every step costs the same).
/// `reset()` restores the initial parameters, so that repetitions start alike. BLAS runs
/// single-threaded, as in training.
public final class TimedEngine {
    let engine: ShardedSGD
    let data: DataSet
    let eta: Float
    private let order: [Int32]
    private let initial: AlignedBuffer
    private let parameters: AlignedBuffer
    private var cursor: StepCursor

    /// What one timed call of `time(steps:)` measured.
    public struct Sample {
        public var seconds: Double
        public var backprop: Double
        public var reduce: Double
        public var wait: Double
    }

    public init(
        sizes: [Int], miniBatchSize: Int, shards: Int, threads: Int, data: DataSet,
        eta: Float = 3.0, seed: UInt64 = 1, kernels: KernelChoice = .auto, schedule: StepSchedule = .shards
    ) throws {
        guard data.count >= miniBatchSize else {
            throw ShardNetError.invalidArgument("benchmark data has \(data.count) samples, fewer than the mini-batch size \(miniBatchSize)")
        }
        BLAS.useSingleThread()
        var generator = Xoshiro256StarStar(seed: seed)
        let network = try Network(sizes: sizes, cost: .quadratic, initialization: .gaussian, generator: &generator)
        var order = (0..<data.count).map { Int32($0) }
        generator.shuffle(&order)
        self.order = order
        self.data = data
        self.eta = eta
        initial = network.storage.copy()
        parameters = network.storage.copy()
        cursor = StepCursor(samples: data.count, miniBatchSize: miniBatchSize)
        engine = ShardedSGD(
            layout: network.layout, cost: .quadratic, miniBatchSize: miniBatchSize,
            shards: shards, threads: threads,
            kernels: try KernelSet.checked(kernels, layout: network.layout, rows: (miniBatchSize + shards - 1) / shards), schedule: schedule)
    }

    /// Restores the initial parameters.
    public func reset() {
        parameters.base.update(from: initial.base, count: initial.count)
    }

    /// Runs `steps` steps, in as few `ShardedSGD.run` calls as the epoch allows
    /// (`callsOfOneStep`: one call per step, which adds a fork-join per step), and times them.
    public func time(steps: Int, callsOfOneStep: Bool = false) -> Sample {
        let b0 = engine.backpropSeconds, r0 = engine.reduceSeconds, w0 = engine.waitSeconds
        let seconds = order.withUnsafeBufferPointer {
            cursor.run(steps, runLength: callsOfOneStep ? 1 : .max, on: engine, order: $0, data: data, parameters: parameters, eta: eta, lambda: 0)
        }
        return Sample(
            seconds: seconds, backprop: engine.backpropSeconds - b0,
            reduce: engine.reduceSeconds - r0, wait: engine.waitSeconds - w0)
    }

    /// Warms up for about `seconds` (doubling the step count from 1) and returns the step
    /// count that takes about `target` seconds, at least `minimum`.
    func calibrate(warmUp seconds: Double, target: Double, minimum: Int = 2) -> Int {
        var steps = 1, spent = 0.0, perStep = 0.0
        repeat {
            let sample = time(steps: steps)
            spent += sample.seconds
            perStep = sample.seconds / Double(steps)
            if spent >= seconds { break }
            steps *= 2
        } while steps < 1 << 30
        reset()
        return max(minimum, Int((target / max(perStep, 1e-9)).rounded()))
    }
}
