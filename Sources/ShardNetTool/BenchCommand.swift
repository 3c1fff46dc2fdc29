import ArgumentParser
import Foundation
import ShardNet
import ShardNetBench
import ShardNetCLI

/// `shardnet bench`: the scaling sweep — samples/s, speedup, efficiency, reducer and barrier
/// shares, GFLOP/s against the BLAS's own GEMM ceiling, Amdahl fit; table, CSV, JSON, SVG.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure training throughput and how it scales with threads.",
        discussion: """
            Times mini-batch SGD steps on synthetic data for each network × batch size × thread count
            (median of several repetitions after warm-up), and the BLAS's single-precision GEMM rate with
            1 and all threads in the same run. Writes scaling.txt/.csv/.json and speedup.svg /
            throughput.svg into --output. Run it on a quiet machine: the load average is recorded.

            Examples:
              shardnet bench                       # default sweep (~5 min on 2 cores)
              shardnet bench --quick               # smoke test (~15 s)
              shardnet bench --network 784-100-10 --batch-sizes 128 --threads 1,2,4,8
              shardnet bench --step-cost           # per-step cost of Nielsen's setup at 1 and 2 threads
              shardnet bench --step-cost --network 784-100-10 --batch-sizes 128 --schedules units
              shardnet bench --step-cost --pixels uint8   # the gather of byte pixels, as for converted MNIST data
            """)

    @Flag(help: "A short sweep: 2 networks, 2 batch sizes, 1 and all cores.")
    var quick = false

    @Option(name: .customLong("network"), help: ArgumentHelp("Network to sweep, e.g. 784-30-10 (repeatable).", valueName: "sizes"))
    var networks: [String] = []

    @Option(name: .customLong("batch-sizes"), help: ArgumentHelp("Mini-batch sizes, e.g. 10,32,128,512.", valueName: "list"))
    var batchSizes: String?

    @Option(help: ArgumentHelp("Thread counts, e.g. 1-4,8. Default: 1 … cores and 2 × cores.", valueName: "list"))
    var threads: String?

    @Option(help: ArgumentHelp("Shards per batch: threads (S = T), max (S = largest T) or a number.", valueName: "policy"))
    var shards: String?

    @Option(help: "Timed repetitions per point (the median is reported).")
    var repetitions: Int?

    @Option(name: .customLong("seconds-per-point"), help: "Time budget per point, in seconds.")
    var secondsPerPoint: Double?

    @Option(help: "Synthetic training samples per point.")
    var samples: Int?

    @Option(
        help: ArgumentHelp(
            "How the synthetic pixels are stored: float32 (default), or uint8 as `shardnet convert` stores MNIST-style data (each batch's bytes converted to [0, 1] as it is gathered).",
            valueName: "float32|uint8"))
    var pixels: String?

    @Option(
        help: ArgumentHelp(
            "Kernels to compare, each a series of its own: auto, avx512, avx2, neon, scalar, blas. Default: auto,blas.",
            valueName: "list"))
    var kernels: String?

    @Option(help: ArgumentHelp("Step schedules to compare with native kernels: shards, units. Default: shards,units.", valueName: "list"))
    var schedules: String?

    @Option(help: ArgumentHelp("Folder for scaling.csv, .json, .txt and the SVG plots.", valueName: "dir"))
    var output: String = "bench-out"

    @Flag(
        name: .customLong("step-cost"),
        help: ArgumentHelp(
            "Only measure the per-step cost and where its time goes, for each of --schedules: 784-30-10 at batch 10 on 1 and 2 threads, or the --network, --batch-sizes, --threads and --shards given (--repetitions, default 5; --seconds-per-point, default 3)."
        ))
    var stepCost = false

    func options() throws -> ScalingSweepOptions {
        var o = quick ? ScalingSweepOptions.quick : ScalingSweepOptions()
        if !networks.isEmpty { o.networks = try networks.map(ScalingSweepOptions.parseNetwork) }
        if let batchSizes { o.batchSizes = try ScalingSweepOptions.parseIntegerList(batchSizes, name: "--batch-sizes") }
        if let threads { o.threads = try ScalingSweepOptions.parseIntegerList(threads, name: "--threads") }
        if let shards { o.shards = try ShardPolicy(parsing: shards) }
        if let repetitions { o.repetitions = repetitions }
        if let secondsPerPoint { o.secondsPerPoint = secondsPerPoint }
        if let samples { o.samples = samples }
        if let pixels {
            guard let storage = SyntheticPixels(rawValue: pixels) else {
                throw ValidationError("--pixels: '\(pixels)' is not float32 or uint8")
            }
            o.pixels = storage
        }
        if let schedules {
            o.schedules = try schedules.split(separator: ",").map { name in
                guard let schedule = StepSchedule(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--schedules: '\(name)' is not shards or units")
                }
                return schedule
            }
        }
        if let kernels {
            o.kernels = try kernels.split(separator: ",").map { name in
                guard let choice = KernelChoice(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw ValidationError("--kernels: '\(name)' is not one of \(KernelChoice.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                guard choice == .auto || KernelSet.available.contains(choice) else {
                    throw ValidationError(
                        "--kernels: this CPU has no \(choice.rawValue) instructions; it runs \(KernelSet.available.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                return choice
            }
        }
        try o.validate()
        return o
    }

    func validate() throws {
        do { _ = try options() } catch { throw ValidationError("\(error)") }
    }

    func run() throws {
        BLAS.useSingleThread()
        if stepCost {
            // StepCost's defaults (Nielsen's setup on 1 and 2 threads) unless the flags say otherwise.
            let o = try options()
            let threadCounts = threads == nil ? StepCost.defaultThreads : o.threads
            // S = T unless --shards says otherwise (e.g. --shards 2: one and two threads on the same arithmetic).
            let fixedShards = shards == nil || o.shards == .matchThreads ? nil : o.shards.shards(threads: 1, maxThreads: threadCounts.max()!)
            var costs: [StepCost] = []
            for sizes in networks.isEmpty ? [StepCost.defaultSizes] : o.networks {
                for m in batchSizes == nil ? [StepCost.defaultMiniBatchSize] : o.batchSizes {
                    costs += try StepCost.measure(
                        sizes: sizes, miniBatchSize: m, threads: threadCounts, shards: fixedShards, schedules: o.schedules,
                        repetitions: repetitions ?? StepCost.defaultRepetitions,
                        seconds: secondsPerPoint ?? StepCost.defaultSeconds, pixels: o.pixels)
                }
            }
            print(StepCost.markdownTable(costs))
            return
        }
        let report = try ScalingSweep(options: try options()).run { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        print(report.table())
        let written = try report.write(to: output)
        print("Wrote \(written.joined(separator: ", "))")
    }
}
