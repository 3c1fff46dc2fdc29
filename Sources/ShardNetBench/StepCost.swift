import Foundation
import ShardNet

/// What one mini-batch step costs at a given thread count: the per-step figures quoted in the
/// README (784-30-10, m = 10, 1 and 2 threads by default).
package struct StepCost: Sendable, Equatable, Codable {
    package let sizes: [Int]
    package let miniBatchSize: Int
    package let threads: Int
    package let shards: Int
    /// How the step is cut into items (native kernels).
    package let schedule: StepSchedule
    /// Mean wall time of a step when many steps run in one `ShardedSGD.run` call (as in an
    /// epoch of training), seconds; median over the repetitions.
    package let stepSeconds: Double
    /// Mean wall time of a step when each step is its own `run` call: adds one fork-join
    /// (DispatchQueue.concurrentPerform) per step when threads > 1.
    package let singleCallStepSeconds: Double
    /// Thread time per step, summed over threads, split by the phases' kind, seconds: kind 0 —
    /// the shards' backprop (shard schedule), or the forward, output-error and δ phases (unit
    /// schedule; in its one-phase plan with the tail, all of the step); kind 1 — the reducer's
    /// sum and update, or the gradient and update phases.
    package let backpropSeconds: Double
    package let reduceSeconds: Double
    package let waitSeconds: Double
    /// The side-by-side speed-up: the step of the first thread count measured with the same
    /// schedule over this point's step, repetition by repetition (the points take turns, so a
    /// slow spell of a shared machine hits all of them), median over the repetitions; 1 for the
    /// first thread count itself.
    package let speedup: Double
    /// Training samples per second at `stepSeconds`.
    package var samplesPerSecond: Double { Double(miniBatchSize) / stepSeconds }

    package init(
        sizes: [Int], miniBatchSize: Int, threads: Int, shards: Int, schedule: StepSchedule = .shards, stepSeconds: Double,
        singleCallStepSeconds: Double, backpropSeconds: Double, reduceSeconds: Double, waitSeconds: Double, speedup: Double = 1
    ) {
        self.sizes = sizes
        self.miniBatchSize = miniBatchSize
        self.threads = threads
        self.shards = shards
        self.schedule = schedule
        self.stepSeconds = stepSeconds
        self.singleCallStepSeconds = singleCallStepSeconds
        self.backpropSeconds = backpropSeconds
        self.reduceSeconds = reduceSeconds
        self.waitSeconds = waitSeconds
        self.speedup = speedup
    }

    /// What `measure` times when not told otherwise: Nielsen's setup on 1 and 2 threads.
    package static let defaultSizes = [784, 30, 10], defaultMiniBatchSize = 10, defaultThreads = [1, 2]
    package static let defaultRepetitions = 5, defaultSeconds = 3.0

    /// Measures each thread count in `threads` (S = T unless `shards` is given) with each
    /// schedule in `schedules`: a warm-up of each point, then `repetitions` rounds in which every
    /// point takes its turn — about `seconds / (repetitions + 1)` each, for both the long-run and
    /// the one-step-per-call figure — so that each round compares the points side by side
    /// (`speedup`). BLAS is made single-threaded.
    package static func measure(
        sizes: [Int] = defaultSizes, miniBatchSize: Int = defaultMiniBatchSize, threads: [Int] = defaultThreads,
        shards: Int? = nil, schedules: [StepSchedule] = [.shards], samples: Int = 10_000, repetitions: Int = defaultRepetitions,
        seconds: Double = defaultSeconds, seed: UInt64 = 1, pixels: SyntheticPixels = .float32
    ) throws -> [StepCost] {
        try Network.validate(sizes: sizes)
        guard miniBatchSize >= 1, repetitions >= 1, seconds > 0, !threads.isEmpty, threads.allSatisfy({ $0 >= 1 }) else {
            throw ShardNetError.invalidArgument("step cost: batch size, repetitions, seconds and threads must be positive")
        }
        BLAS.useSingleThread()
        let data = try SyntheticData.make(
            count: max(samples, miniBatchSize), features: sizes[0], classes: sizes.last!, seed: seed, pixels: pixels)
        let share = seconds / Double(repetitions + 1) / 2
        let points = threads.flatMap { t in schedules.map { schedule in (threads: t, shards: shards ?? t, schedule: schedule) } }
        let engines = try points.map { point in
            try TimedEngine(
                sizes: sizes, miniBatchSize: miniBatchSize, shards: point.shards, threads: point.threads, data: data, seed: seed,
                schedule: point.schedule)
        }
        let steps = engines.map { $0.calibrate(warmUp: share, target: share) }
        var long = [[Double]](repeating: [], count: points.count), single = long
        var backprop = [Double](repeating: 0, count: points.count), reduce = backprop, wait = backprop
        for _ in 0..<repetitions {
            for (i, engine) in engines.enumerated() {
                engine.reset()
                let a = engine.time(steps: steps[i])
                long[i].append(a.seconds / Double(steps[i]))
                backprop[i] += a.backprop
                reduce[i] += a.reduce
                wait[i] += a.wait
                engine.reset()
                let b = engine.time(steps: steps[i], callsOfOneStep: true)
                single[i].append(b.seconds / Double(steps[i]))
            }
        }
        return points.indices.map { i in
            let total = Double(steps[i] * repetitions)
            // The first thread count's point of the same schedule, round by round.
            let base = points.firstIndex { $0.schedule == points[i].schedule }!
            let ratios = zip(long[base], long[i]).map { $0 / $1 }
            return StepCost(
                sizes: sizes, miniBatchSize: miniBatchSize, threads: points[i].threads, shards: points[i].shards,
                schedule: points[i].schedule, stepSeconds: SampleSummary(long[i]).median,
                singleCallStepSeconds: SampleSummary(single[i]).median, backpropSeconds: backprop[i] / total,
                reduceSeconds: reduce[i] / total, waitSeconds: wait[i] / total, speedup: SampleSummary(ratios).median)
        }
    }

    /// A Markdown table of step costs, for the README. Kind 0 / kind 1: thread time in the
    /// phases of each kind (see `backpropSeconds`): shards — backprop / reduce; units' one-phase
    /// plan — the whole step / nothing. Speed-up: `speedup`, against the first thread count.
    package static func markdownTable(_ costs: [StepCost]) -> String {
        var out =
            "| network | m | T | S | schedule | step (µs) | step as its own run call (µs) | kind 0 (µs·threads) | kind 1 (µs·threads) | wait (µs·threads) | samples/s | speed-up, side by side |\n"
        out += "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|\n"
        for c in costs {
            out += String(
                format: "| %@ | %d | %d | %d | %@ | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f | %.2f× |\n",
                c.sizes.map(String.init).joined(separator: "-"), c.miniBatchSize, c.threads, c.shards, c.schedule.rawValue,
                c.stepSeconds * 1e6, c.singleCallStepSeconds * 1e6, c.backpropSeconds * 1e6,
                c.reduceSeconds * 1e6, c.waitSeconds * 1e6, c.samplesPerSecond, c.speedup)
        }
        return out
    }
}
