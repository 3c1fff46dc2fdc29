/// `threads = auto`: times mini-batch steps for each candidate thread count and step schedule,
/// with the shard count fixed, fastest first (`measure`). Because shards fix the arithmetic (and
/// the native kernels make both schedules compute the same bits), the choice changes only the
/// speed, never the trained weights. `--threads auto` passes 1 … cores, so auto is never
/// slower than one thread (up to timing noise).
package enum ThreadCalibration {
    /// The most memory the candidates' engines may hold at once while they take turns (a
    /// parameter-sized buffer per shard and about four more per engine): 256 MiB.
    static let defaultInterleavedBytes = 256 << 20

    /// About what one engine holds: a parameter-sized buffer per shard and about four more.
    static func engineBytes(parameters: Int, shards: Int) -> Int {
        parameters * MemoryLayout<Float>.size * (shards + 4)
    }

    /// Every (threads, schedule) of `candidates` × the schedules `kernels` can run, fastest first,
    /// with its seconds per step for this network, batch size and shard count, each timed for
    /// about `secondsPerCandidate` (best of 3 rounds of runs of 64 steps, as training runs many
    /// steps per fork; the candidates take turns within each round, up to `interleavedBytes` of
    /// engines), each on its own scratch copy of `network`. A single choice (or no data) is
    /// not timed: its seconds per step are ∞.
    package static func measure(
        network: Network, data: DataSet, miniBatchSize: Int, shards: Int, kernels: KernelSet,
        candidates: [Int], secondsPerCandidate: Double = 0.1, interleavedBytes: Int = defaultInterleavedBytes
    ) -> [(choice: ExecutionChoice, secondsPerStep: Double)] {
        let threadCounts = Array(Set(candidates)).sorted()
        let schedules: [StepSchedule] = kernels.usesPackedWeights ? [.shards, .units] : [.shards]
        guard threadCounts.count * schedules.count > 1, data.count > 0 else {
            return [(ExecutionChoice(threads: threadCounts.first ?? 1, schedule: .shards), .infinity)]
        }
        let order = (0..<data.count).map { Int32($0) }
        let candidates = threadCounts.flatMap { threads in schedules.map { ExecutionChoice(threads: threads, schedule: $0) } }
        // The candidates take turns in each of three rounds, so that a slow spell of a shared
        // machine (tens of milliseconds) does not land on one candidate only; each candidate's
        // best round counts. Taking turns keeps every candidate's engine alive at once: when
        // those would hold more than `interleavedBytes` (a large network), the candidates run
        // one after another instead, each its three rounds.
        let engineBytes = Self.engineBytes(parameters: network.layout.count, shards: shards)
        let perGroup = engineBytes * candidates.count <= interleavedBytes ? candidates.count : 1
        var fastest = [Double](repeating: .infinity, count: candidates.count)
        for first in stride(from: 0, to: candidates.count, by: perGroup) {
            let group = first..<min(first + perGroup, candidates.count)
            let engines = group.map { i in
                ShardedSGD(
                    layout: network.layout, cost: network.cost, activation: network.activation, outputLayer: network.outputLayer,
                    miniBatchSize: miniBatchSize, shards: shards, threads: candidates[i].threads, kernels: kernels,
                    schedule: candidates[i].schedule)
            }
            let parameters = group.map { _ in network.storage.copy() }
            var cursors = group.map { _ in StepCursor(samples: data.count, miniBatchSize: miniBatchSize) }
            for _ in 0..<3 {
                for (k, engine) in engines.enumerated() {
                    var ran = 0, elapsed = 0.0
                    // Small eta: the scratch parameters must stay finite while we time.
                    while elapsed < secondsPerCandidate / 3 {
                        elapsed += order.withUnsafeBufferPointer {
                            cursors[k].run(64, runLength: 64, on: engine, order: $0, data: data, parameters: parameters[k], eta: 1e-6, lambda: 0)
                        }
                        ran += 64
                    }
                    fastest[group.lowerBound + k] = min(fastest[group.lowerBound + k], elapsed / Double(ran))
                }
            }
        }
        // Sorted by time; ties keep the candidates' order (fewer threads first).
        return fastest.indices.sorted { (fastest[$0], $0) < (fastest[$1], $1) }.map { (candidates[$0], fastest[$0]) }
    }
}
