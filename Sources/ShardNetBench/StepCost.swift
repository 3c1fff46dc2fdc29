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
    /// Training samples per second at `stepSeconds`.
    package var samplesPerSecond: Double { Double(miniBatchSize) / stepSeconds }

    package init(
        sizes: [Int], miniBatchSize: Int, threads: Int, shards: Int, schedule: StepSchedule = .shards, stepSeconds: Double,
        singleCallStepSeconds: Double, backpropSeconds: Double, reduceSeconds: Double, waitSeconds: Double
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
    }

    /// What `measure` times when not told otherwise: Nielsen's setup on 1 and 2 threads.
    package static let defaultSizes = [784, 30, 10], defaultMiniBatchSize = 10, defaultThreads = [1, 2]
    package static let defaultRepetitions = 5, defaultSeconds = 3.0

    /// Measures each thread count in `threads` (S = T unless `shards` is given) with each
    /// schedule in `schedules`, thread counts outer: a warm-up,
    /// then `repetitions` repetitions of about `seconds / (repetitions + 1)` each, for both the
    /// long-run and the one-step-per-call figure. BLAS is made single-threaded.
    package static func measure(
        sizes: [Int] = defaultSizes, miniBatchSize: Int = defaultMiniBatchSize, threads: [Int] = defaultThreads,
        shards: Int? = nil, schedules: [StepSchedule] = [.shards], samples: Int = 10_000, repetitions: Int = defaultRepetitions,
        seconds: Double = defaultSeconds, seed: UInt64 = 1
    ) throws -> [StepCost] {
        try Network.validate(sizes: sizes)
        guard miniBatchSize >= 1, repetitions >= 1, seconds > 0, threads.allSatisfy({ $0 >= 1 }) else {
            throw ShardNetError.invalidArgument("step cost: batch size, repetitions, seconds and threads must be positive")
        }
        BLAS.useSingleThread()
        let data = try SyntheticData.make(count: max(samples, miniBatchSize), features: sizes[0], classes: sizes.last!, seed: seed)
        let share = seconds / Double(repetitions + 1) / 2
        return try threads.flatMap { t in schedules.map { schedule in (t, schedule) } }.map { t, schedule in
            let s = shards ?? t
            let engine = try TimedEngine(
                sizes: sizes, miniBatchSize: miniBatchSize, shards: s, threads: t, data: data, seed: seed, schedule: schedule)
            let steps = engine.calibrate(warmUp: share, target: share)
            var long: [Double] = [], single: [Double] = []
            var backprop = 0.0, reduce = 0.0, wait = 0.0
            for _ in 0..<repetitions {
                engine.reset()
                let a = engine.time(steps: steps)
                long.append(a.seconds / Double(steps))
                backprop += a.backprop
                reduce += a.reduce
                wait += a.wait
                engine.reset()
                let b = engine.time(steps: steps, callsOfOneStep: true)
                single.append(b.seconds / Double(steps))
            }
            let total = Double(steps * repetitions)
            return StepCost(
                sizes: sizes, miniBatchSize: miniBatchSize, threads: t, shards: s, schedule: schedule,
                stepSeconds: SampleSummary(long).median, singleCallStepSeconds: SampleSummary(single).median,
                backpropSeconds: backprop / total, reduceSeconds: reduce / total, waitSeconds: wait / total)
        }
    }

    /// A Markdown table of step costs, for the README. Kind 0 / kind 1: thread time in the
    /// phases of each kind (see `backpropSeconds`): shards — backprop / reduce; units' one-phase
    /// plan — the whole step / nothing.
    package static func markdownTable(_ costs: [StepCost]) -> String {
        var out =
            "| network | m | T | S | schedule | step (µs) | step as its own run call (µs) | kind 0 (µs·threads) | kind 1 (µs·threads) | wait (µs·threads) | samples/s |\n"
        out += "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|\n"
        for c in costs {
            out += String(
                format: "| %@ | %d | %d | %d | %@ | %.2f | %.2f | %.2f | %.2f | %.2f | %.0f |\n",
                c.sizes.map(String.init).joined(separator: "-"), c.miniBatchSize, c.threads, c.shards, c.schedule.rawValue,
                c.stepSeconds * 1e6, c.singleCallStepSeconds * 1e6, c.backpropSeconds * 1e6,
                c.reduceSeconds * 1e6, c.waitSeconds * 1e6, c.samplesPerSecond)
        }
        return out
    }
}
