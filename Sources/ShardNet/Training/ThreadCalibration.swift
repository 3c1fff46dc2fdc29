import Foundation

/// `threads = auto`: times mini-batch steps for each candidate thread count and step schedule,
/// with the shard count fixed, and picks the fastest. Because shards fix the arithmetic (and
/// the native kernels make both schedules compute the same bits), the choice changes only the
/// speed, never the trained weights. `--threads auto` passes 1 … cores, so auto is never
/// slower than one thread (up to timing noise).
package enum ThreadCalibration {
    /// The fastest (threads, schedule) of `candidates` × the schedules `kernels` can run, for
    /// this network, batch size and shard count, each timed for about `secondsPerCandidate`
    /// (best of 3 rounds of runs of up to 64 steps, as training runs many steps per fork), on
    /// a scratch copy of `network`.
    package static func fastest(
        network: Network, data: DataSet, miniBatchSize: Int, shards: Int, kernels: KernelSet,
        candidates: [Int], secondsPerCandidate: Double = 0.1
    ) -> (threads: Int, schedule: StepSchedule) {
        let threadCounts = Array(Set(candidates)).sorted()
        let schedules: [StepSchedule] = kernels.usesPackedWeights ? [.shards, .units] : [.shards]
        guard threadCounts.count * schedules.count > 1, data.count > 0 else { return (threadCounts.first ?? 1, .shards) }
        let steps = max(1, data.count / miniBatchSize)
        let order = (0..<data.count).map { Int32($0) }
        var best = (threads: 1, schedule: StepSchedule.shards, secondsPerStep: Double.infinity)
        for threads in threadCounts {
            for schedule in schedules {
                let engine = ShardedSGD(
                    layout: network.layout, cost: network.cost, activation: network.activation, outputLayer: network.outputLayer,
                    miniBatchSize: miniBatchSize,
                    shards: shards, threads: threads, kernels: kernels, schedule: schedule)
                let parameters = network.storage.copy()
                var fastest = Double.infinity
                for _ in 0..<3 {
                    var done = 0, elapsed = 0.0
                    var sink = 0.0
                    // Small eta: the scratch parameters must stay finite while we time.
                    while elapsed < secondsPerCandidate / 3 {
                        let run = (done % steps)..<min(steps, done % steps + 64)
                        let t0 = DispatchTime.now().uptimeNanoseconds
                        order.withUnsafeBufferPointer {
                            engine.run(steps: run, order: $0, data: data, parameters: parameters, eta: 1e-6, lambda: 0, costSum: &sink)
                        }
                        elapsed += Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
                        done += run.count
                    }
                    fastest = min(fastest, elapsed / Double(done))
                }
                if fastest < best.secondsPerStep { best = (threads, schedule, fastest) }
            }
        }
        return (best.threads, best.schedule)
    }
}
