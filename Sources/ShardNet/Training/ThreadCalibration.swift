import Foundation

/// `threads = auto`: times a few mini-batch steps at each candidate thread count, with the
/// shard count fixed, and picks the fastest. Because shards fix the arithmetic, the choice
/// changes only the speed, never the trained weights. 1 is always a candidate, so auto is
/// never slower than one thread (up to timing noise).
package enum ThreadCalibration {
    /// The fastest of `candidates` for this network, batch size and shard count, each timed
    /// for about `secondsPerCandidate` (best of 3 rounds), on a scratch copy of `network`.
    package static func fastestThreadCount(network: Network, data: DataSet, miniBatchSize: Int, shards: Int,
                                           kernels: KernelSet, candidates: [Int], secondsPerCandidate: Double = 0.1) -> Int {
        let candidates = Array(Set(candidates + [1])).sorted()
        guard candidates.count > 1, data.count > 0 else { return candidates.first ?? 1 }
        let steps = max(1, data.count / miniBatchSize)
        let order = (0..<data.count).map { Int32($0) }
        var best = (threads: 1, secondsPerStep: Double.infinity)
        for threads in candidates {
            let engine = ShardedSGD(layout: network.layout, cost: network.cost, miniBatchSize: miniBatchSize,
                                    shards: shards, threads: threads, kernels: kernels)
            let parameters = network.storage.copy()
            var fastest = Double.infinity
            for _ in 0..<3 {
                var done = 0, elapsed = 0.0
                var sink = 0.0
                // Small eta: the scratch parameters must stay finite while we time.
                while elapsed < secondsPerCandidate / 3 {
                    let run = (done % steps)..<min(steps, done % steps + 8)
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    order.withUnsafeBufferPointer {
                        engine.run(steps: run, order: $0, data: data, parameters: parameters, eta: 1e-6, lambda: 0, costSum: &sink)
                    }
                    elapsed += Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
                    done += run.count
                }
                fastest = min(fastest, elapsed / Double(done))
            }
            if fastest < best.secondsPerStep { best = (threads, fastest) }
        }
        return best.threads
    }
}
