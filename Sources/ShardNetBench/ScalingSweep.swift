import Foundation
import ShardNet

/// The scaling study: for each network × mini-batch size × thread count, times
/// `ShardedSGD.run` on synthetic data and reports samples/s, speedup, efficiency, where the
/// threads' time goes (backprop, reducer, barrier wait), achieved GFLOP/s against the BLAS
/// GEMM ceiling measured in the same run, and an Amdahl serial fraction per series.
///
///     let sweep = try ScalingSweep(options: .quick)
///     let report = sweep.run { print($0) }          // progress lines
///     print(report.table())
///     let files = try report.write(to: "bench-out") // CSV, JSON, two SVG plots
///
/// Each point: build the engine (all allocation happens here), warm up for one repetition's
/// share of `secondsPerPoint` while calibrating the step count, then `repetitions` timed
/// repetitions of that many steps (round-robin over the thread counts of a series), each from
/// the same initial parameters. BLAS is kept single-threaded (`BLAS.useSingleThread()`), as in
/// training.
package struct ScalingSweep: Sendable {
    package let options: ScalingSweepOptions

    package init(options: ScalingSweepOptions = ScalingSweepOptions()) throws {
        try options.validate()
        self.options = options
    }

    /// Runs the whole sweep; `progress` receives one line per measured point.
    package func run(progress: (String) -> Void = { _ in }) throws -> ScalingReport {
        let started = Date()
        let clockStart = DispatchTime.now().uptimeNanoseconds
        let loadBefore = Self.loadAverage()
        let handoffBefore = SystemReport.handoff()?.median
        let cores = TrainingOptions.activeCores
        let threadList = Array(Set(options.threads)).sorted()
        let maxThreads = threadList.last!
        BLAS.useSingleThread()

        var ceiling: MachineCeiling?
        if options.gemmSize > 0 {
            let c = MachineCeiling.measure(n: options.gemmSize, repetitions: options.gemmRepetitions, threads: cores)
            progress(
                String(
                    format: "GEMM ceiling (n=%d): %.1f GFLOP/s on 1 thread, %.1f GFLOP/s on %d threads",
                    c.n, c.singleThread.median, c.allThreads.median, c.threads))
            ceiling = c
        }

        var dataCache: [String: DataSet] = [:]
        var series: [ScalingSeries] = []
        let share = options.secondsPerPoint / Double(options.repetitions + 1)
        for sizes in options.networks {
            let key = "\(sizes.first!)x\(sizes.last!)"
            let data: DataSet
            if let cached = dataCache[key] {
                data = cached
            } else {
                data = try SyntheticData.make(
                    count: options.samples, features: sizes.first!, classes: sizes.last!,
                    seed: options.seed, pixels: options.pixels)
                dataCache[key] = data
            }
            let layout = ParameterLayout(sizes: sizes)
            let flopsPerSample = 6 * Double(layout.weightCount)
            for m in options.batchSizes {
                for kernel in options.kernels {
                    for schedule in options.schedules where schedule == .shards || kernel != .blas {
                        let kernelName = try KernelSet(kernel).name + (schedule == .units ? "/units" : "")
                        var raw: [(threads: Int, shards: Int, steps: Int, rates: SampleSummary, shares: (Double, Double, Double))] = []
                        // Every thread count's engine first, then the repetitions round-robin over
                        // them (1, 2, …, 1, 2, …): on a shared machine a slow spell then hits every
                        // thread count alike instead of one series, and the ratios hold.
                        var engines: [(threads: Int, shards: Int, engine: TimedEngine, steps: Int)] = []
                        for t in threadList {
                            let s = options.shards.shards(threads: t, maxThreads: maxThreads)
                            let engine = try TimedEngine(
                                sizes: sizes, miniBatchSize: m, shards: s, threads: t, data: data,
                                eta: options.eta, seed: options.seed, kernels: kernel, schedule: schedule)
                            engines.append((t, s, engine, engine.calibrate(warmUp: share, target: share)))
                        }
                        var rates = [[Double]](repeating: [], count: engines.count)
                        var times = [(backprop: Double, reduce: Double, wait: Double)](repeating: (0, 0, 0), count: engines.count)
                        for _ in 0..<options.repetitions {
                            for (k, e) in engines.enumerated() {
                                e.engine.reset()
                                let sample = e.engine.time(steps: e.steps)
                                rates[k].append(Double(e.steps * m) / max(sample.seconds, 1e-12))
                                times[k].backprop += sample.backprop
                                times[k].reduce += sample.reduce
                                times[k].wait += sample.wait
                            }
                        }
                        for (k, e) in engines.enumerated() {
                            let (backprop, reduce, wait) = times[k]
                            let busy = max(backprop + reduce + wait, 1e-300)
                            let summary = SampleSummary(rates[k])
                            raw.append((e.threads, e.shards, e.steps, summary, (backprop / busy, reduce / busy, wait / busy)))
                            progress(
                                String(
                                    format: "%@ b%d %@ T=%d S=%d: %.0f samples/s (min %.0f, max %.0f), %d steps × %d",
                                    sizes.map(String.init).joined(separator: "-"), m, kernelName, e.threads, e.shards,
                                    summary.median, summary.min, summary.max, e.steps, options.repetitions))
                        }
                        let baseline = raw[0]
                        let points = raw.map { r -> ScalingPoint in
                            let speedup = r.rates.median / baseline.rates.median * Double(baseline.threads)
                            let gflops = flopsPerSample * r.rates.median / 1e9
                            return ScalingPoint(
                                sizes: sizes, miniBatchSize: m, threads: r.threads, shards: r.shards,
                                stepsPerRepetition: r.steps, samplesPerSecond: r.rates,
                                stepSeconds: Double(m) / r.rates.median,
                                speedup: speedup, efficiency: speedup / Double(r.threads),
                                backpropShare: r.shares.0, reduceShare: r.shares.1, waitShare: r.shares.2,
                                gflops: gflops, ceilingShare: ceiling.map { gflops / $0.ceiling(threads: r.threads) })
                        }
                        let fitted = points.filter { $0.threads <= cores }
                        let f = AmdahlFit.serialFraction(threads: fitted.map(\.threads), speedups: fitted.map(\.speedup))
                        series.append(
                            ScalingSeries(
                                sizes: sizes, miniBatchSize: m, points: points,
                                baselineThreads: baseline.threads, serialFraction: f, kernels: kernelName))
                    }
                }
            }
        }
        BLAS.useSingleThread()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - clockStart) * 1e-9
        return ScalingReport(
            date: started, cores: cores, host: ProcessInfo.processInfo.hostName,
            loadAverageBefore: loadBefore, loadAverageAfter: Self.loadAverage(),
            handoffBefore: handoffBefore, handoffAfter: SystemReport.handoff()?.median,
            ceiling: ceiling, options: options, series: series, seconds: seconds)
    }

    /// The 1-minute load average (/proc/loadavg on Linux, getloadavg elsewhere), or nil.
    static func loadAverage() -> Double? {
        var values = [Double](repeating: 0, count: 3)
        let n = values.withUnsafeMutableBufferPointer { getloadavg($0.baseAddress!, 3) }
        return n >= 1 ? values[0] : nil
    }
}
