import Foundation
import ShardNet

/// What a scaling sweep measures and how long it may take.
///
/// The defaults measure 784-30-10, 784-100-10 and 784-512-512-10 at mini-batch sizes 10, 32,
/// 128 and 512, on 1 … all cores threads plus 2 × cores (oversubscribed), one shard per thread
/// (S = T, the trainer's default). With 6 s per point the whole default sweep takes about
/// 4–5 minutes on 2 cores (36 points).
package struct ScalingSweepOptions: Sendable, Equatable, Codable {
    /// Layer sizes of each network, input first.
    package var networks: [[Int]] = [[784, 30, 10], [784, 100, 10], [784, 512, 512, 10]]
    /// Mini-batch sizes m.
    package var batchSizes: [Int] = [10, 32, 128, 512]
    /// Thread counts T, ascending; include 1 so speedups are over one thread.
    package var threads: [Int] = ScalingSweepOptions.defaultThreads()
    /// Shard count per point.
    package var shards: ShardPolicy = .matchThreads
    /// Timed repetitions per point (after the warm-up); the median is reported.
    package var repetitions: Int = 5
    /// Wall-clock budget of one point, warm-up included: the warm-up takes about one
    /// repetition's share, and each repetition runs as many steps as fit in its share.
    package var secondsPerPoint: Double = 6
    /// Synthetic training samples (random pixels and labels).
    package var samples: Int = 12_000
    /// How the synthetic pixels are stored (float32, or uint8 as `shardnet convert` stores
    /// MNIST-style data).
    package var pixels: SyntheticPixels = .float32
    /// Learning rate of the timed steps (the book's 3.0; the parameters are reset before each
    /// repetition, so they do not drift over the sweep).
    package var eta: Float = 3.0
    /// Matrix size and repetitions of the GEMM ceiling measurement (0: skip it).
    package var gemmSize: Int = 1024
    package var gemmRepetitions: Int = 5
    /// Seed of the synthetic data and initial weights.
    package var seed: UInt64 = 1
    /// The kernels to measure, each a series of its own (native and BLAS side by side).
    package var kernels: [KernelChoice] = [.auto, .blas]
    /// The step schedules to measure with native kernels (BLAS runs `.shards` only).
    package var schedules: [StepSchedule] = [.shards, .units]

    package init() {}

    /// A fast sweep for smoke tests and development: two small networks, batch sizes 10 and
    /// 128, threads 1 and all cores, 3 repetitions, 1.5 s per point (about 15 s on 2 cores).
    package static var quick: ScalingSweepOptions {
        var options = ScalingSweepOptions()
        options.networks = [[784, 30, 10], [784, 100, 10]]
        options.batchSizes = [10, 128]
        let cores = TrainingOptions.activeCores
        options.threads = cores > 1 ? [1, cores] : [1]
        options.repetitions = 3
        options.secondsPerPoint = 1.5
        options.samples = 8_000
        options.gemmSize = 512
        options.gemmRepetitions = 3
        return options
    }

    /// 1 … cores (every count up to 8 cores, then powers of two and the core count), then 2 × cores.
    package static func defaultThreads(cores: Int = TrainingOptions.activeCores) -> [Int] {
        var list: [Int]
        if cores <= 8 {
            list = Array(1...cores)
        } else {
            list = []
            var t = 1
            while t < cores { list.append(t); t *= 2 }
            list.append(cores)
        }
        list.append(2 * cores)
        return list
    }

    /// Checks every value; the message names the option.
    package func validate() throws {
        guard !networks.isEmpty else { throw ShardNetError.invalidArgument("bench: no networks given") }
        for sizes in networks { try Network.validate(sizes: sizes) }
        guard !batchSizes.isEmpty, batchSizes.allSatisfy({ $0 >= 1 }) else {
            throw ShardNetError.invalidArgument("bench: batch sizes must be positive, got \(batchSizes)")
        }
        guard !threads.isEmpty, threads.allSatisfy({ $0 >= 1 && $0 <= 1024 }) else {
            throw ShardNetError.invalidArgument("bench: thread counts must be between 1 and 1024, got \(threads)")
        }
        if case .fixed(let s) = shards, s < 1 || s > 4096 {
            throw ShardNetError.invalidArgument("bench: shards must be between 1 and 4096, got \(s)")
        }
        guard repetitions >= 1 else { throw ShardNetError.invalidArgument("bench: repetitions must be at least 1, got \(repetitions)") }
        guard secondsPerPoint > 0, secondsPerPoint.isFinite else {
            throw ShardNetError.invalidArgument("bench: seconds per point must be positive, got \(secondsPerPoint)")
        }
        guard samples >= batchSizes.max()! else {
            throw ShardNetError.invalidArgument("bench: \(samples) samples is fewer than the largest batch size \(batchSizes.max()!)")
        }
        guard samples <= 1 << 22 else { throw ShardNetError.invalidArgument("bench: at most \(1 << 22) samples, got \(samples)") }
        guard gemmSize >= 0, gemmSize <= 8192, gemmRepetitions >= 1 else {
            throw ShardNetError.invalidArgument("bench: GEMM size must be 0...8192 and repetitions ≥ 1")
        }
    }

    /// Parses a network written "784-30-10" or "784,30,10".
    package static func parseNetwork(_ text: String) throws -> [Int] {
        let parts = text.split(whereSeparator: { $0 == "-" || $0 == "," || $0 == "x" })
        let sizes = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard sizes.count == parts.count, sizes.count >= 2 else {
            throw ShardNetError.invalidArgument("network '\(text)': write layer sizes like 784-30-10")
        }
        try Network.validate(sizes: sizes)
        return sizes
    }

    /// Parses a list of positive integers: "1,2,4" or "1-4" (a range) or a mix: "1-4,8".
    package static func parseIntegerList(_ text: String, name: String) throws -> [Int] {
        var result: [Int] = []
        for part in text.split(separator: ",") {
            let bounds = part.split(separator: "-", maxSplits: 1).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            if bounds.count == 2, let lo = bounds[0], let hi = bounds[1], lo >= 1, lo <= hi {
                result.append(contentsOf: lo...hi)
            } else if bounds.count == 1, let v = bounds[0], v >= 1 {
                result.append(v)
            } else {
                throw ShardNetError.invalidArgument("\(name) '\(text)': write positive integers like 1,2,4 or 1-4")
            }
        }
        guard !result.isEmpty else { throw ShardNetError.invalidArgument("\(name): empty list") }
        return result
    }
}
