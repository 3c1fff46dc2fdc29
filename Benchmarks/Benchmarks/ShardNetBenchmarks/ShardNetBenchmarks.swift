// ShardNet micro-benchmarks: one training step and one evaluation pass per configuration and
// thread count, with wall clock, throughput and malloc counts (package-benchmark's malloc
// interposer). A training step must not touch the heap: the `mallocCountTotal` threshold of
// the "train" benchmarks is 0 (tolerance 0), checked by
//
//     swift package benchmark thresholds check
//
// against Thresholds/ShardNetBenchmarks.<name>.p90.json (mallocCountTotal: 0 for every
// train-* benchmark).
//
// "train step" runs one step per `ShardedSGD.run` call, as a micro-benchmark must; with
// T > 1 every call forks and joins the team through DispatchQueue.concurrentPerform, so
// whatever Dispatch allocates per call is counted there. "train 100 steps" runs 100 steps in
// one call, as an epoch does, and "dispatch concurrentPerform" measures Dispatch alone.
import Benchmark
import Dispatch
import ShardNet
import ShardNetBench

/// Everything one benchmark needs, built in its setup (outside the measurement).
final class Fixture: @unchecked Sendable {
    let engine: TimedEngine
    let evaluator: Evaluator
    let network: Network
    let test: DataSet

    init(sizes: [Int], miniBatchSize: Int, threads: Int, schedule: StepSchedule = .shards) throws {
        let training = try SyntheticData.make(count: 10_000, features: sizes[0], classes: sizes.last!, seed: 2)
        test = try SyntheticData.make(count: 10_000, features: sizes[0], classes: sizes.last!, seed: 3)
        engine = try TimedEngine(
            sizes: sizes, miniBatchSize: miniBatchSize, shards: threads, threads: threads,
            data: training, eta: 0.5, seed: 1, schedule: schedule)
        var generator = Xoshiro256StarStar(seed: 1)
        network = try Network(sizes: sizes, initialization: .gaussian, generator: &generator)
        evaluator = Evaluator(layout: network.layout, threads: threads)
    }

    /// Runs `steps` consecutive steps in one `ShardedSGD.run` call (wrapping at the epoch's end).
    @inline(__always)
    func train(steps: Int) { blackHole(engine.time(steps: steps)) }
}

let benchmarks: @Sendable () -> Void = {
    let zeroMallocs: [BenchmarkMetric: BenchmarkThresholds] = [
        .mallocCountTotal: .init(absolute: [.p0: 0, .p25: 0, .p50: 0, .p75: 0, .p90: 0, .p99: 0, .p100: 0])
    ]
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal],
        warmupIterations: 10,
        maxDuration: .seconds(1),
        maxIterations: 100_000
    )

    let configurations: [(sizes: [Int], batch: Int)] = [([784, 30, 10], 10), ([784, 100, 10], 128), ([784, 512, 512, 10], 128)]
    for (sizes, batch) in configurations {
        let net = sizes.map(String.init).joined(separator: "-")
        for threads in [1, 2] {
            Benchmark(
                "train-step-\(net)-b\(batch)-T\(threads)",
                configuration: .init(thresholds: zeroMallocs)
            ) { benchmark, fixture in
                for _ in benchmark.scaledIterations { fixture.train(steps: 1) }
            } setup: {
                try Fixture(sizes: sizes, miniBatchSize: batch, threads: threads)
            }

            Benchmark(
                "train-100-steps-\(net)-b\(batch)-T\(threads)",
                configuration: .init(warmupIterations: 2, thresholds: zeroMallocs)
            ) { benchmark, fixture in
                for _ in benchmark.scaledIterations { fixture.train(steps: 100) }
            } setup: {
                try Fixture(sizes: sizes, miniBatchSize: batch, threads: threads)
            }

            Benchmark(
                "evaluate-10k-\(net)-T\(threads)",
                configuration: .init(warmupIterations: 1)
            ) { benchmark, fixture in
                for _ in benchmark.scaledIterations { blackHole(fixture.evaluator.evaluate(fixture.network, on: fixture.test)) }
            } setup: {
                try Fixture(sizes: sizes, miniBatchSize: batch, threads: threads)
            }
        }
    }

    // The unit schedule, one thread, 0 mallocs per step too: its one-phase plan (784-30-10 at
    // m = 10: the later layers recomputed per item on its own copies, the tail of a step run with
    // the next step's forward) and its row phase (784-100-10 at m = 128, shards of 64 rows or
    // more: forward, output error and δ back by shard rows, then the update by unit ranges).
    for (net, sizes, batch) in [("784-30-10", [784, 30, 10], 10), ("784-100-10", [784, 100, 10], 128)] {
        Benchmark(
            "train-100-steps-\(net)-b\(batch)-T1-units",
            configuration: .init(warmupIterations: 2, thresholds: zeroMallocs)
        ) { benchmark, fixture in
            for _ in benchmark.scaledIterations { fixture.train(steps: 100) }
        } setup: {
            try Fixture(sizes: sizes, miniBatchSize: batch, threads: 1, schedule: .units)
        }
    }

    // Dispatch alone: the fork-join that ShardedSGD.run does once per call when T > 1.
    Benchmark("dispatch-concurrentPerform-2-empty", configuration: .init(warmupIterations: 100)) { benchmark in
        for _ in benchmark.scaledIterations {
            DispatchQueue.concurrentPerform(iterations: 2) { blackHole($0) }
        }
    }
}
