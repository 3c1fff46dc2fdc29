import Dispatch
import ShardNet

/// The machine's arithmetic ceiling as the BLAS in use sees it: single-precision n×n GEMM
/// GFLOP/s with one BLAS thread and with all cores, measured in the same process as the
/// sweep so that every training figure can be read as a share of it.
package struct MachineCeiling: Sendable, Equatable, Codable {
    /// BLAS build description (`BLAS.name`).
    package let blas: String
    /// Matrix size of the GEMM.
    package let n: Int
    /// Threads used for the "all threads" figure (the active cores).
    package let threads: Int
    /// GFLOP/s of one n×n SGEMM (2n³ flops) with BLAS on one thread.
    package let singleThread: SampleSummary
    /// GFLOP/s with BLAS on `threads` threads.
    package let allThreads: SampleSummary

    /// The ceiling for a training run on `t` threads: one BLAS thread's GEMM rate times the
    /// threads that can run at once (min(t, cores)), capped by the measured all-threads rate.
    package func ceiling(threads t: Int) -> Double {
        let p = Swift.min(t, threads)
        return p <= 1 ? singleThread.median : Swift.min(allThreads.median, singleThread.median * Double(p))
    }

    package init(blas: String, n: Int, threads: Int, singleThread: SampleSummary, allThreads: SampleSummary) {
        self.blas = blas
        self.n = n
        self.threads = threads
        self.singleThread = singleThread
        self.allThreads = allThreads
    }

    /// Measures the ceiling: `repetitions` timed GEMMs after one warm-up, on 1 and on
    /// `threads` BLAS threads. Leaves BLAS single-threaded afterwards (`BLAS.useSingleThread()`),
    /// as ShardNet's training requires.
    package static func measure(
        n: Int = 1024, repetitions: Int = 5,
        threads: Int = TrainingOptions.activeCores
    ) -> MachineCeiling {
        precondition(n >= 1 && repetitions >= 1 && threads >= 1)
        let a = AlignedBuffer(count: n * n), b = AlignedBuffer(count: n * n), c = AlignedBuffer(count: n * n)
        var generator = Xoshiro256StarStar(seed: 7)
        for i in 0..<(n * n) {
            a.base[i] = Float(generator.uniform()) - 0.5
            b.base[i] = Float(generator.uniform()) - 0.5
        }
        let flops = 2 * Double(n) * Double(n) * Double(n)
        func rates(_ blasThreads: Int) -> SampleSummary {
            BLAS.setThreads(blasThreads)
            BLAS.benchmarkGEMM(n: n, a: a, b: b, c: c)  // warm-up: thread pool, caches, clocks
            var values: [Double] = []
            for _ in 0..<repetitions {
                let t0 = DispatchTime.now().uptimeNanoseconds
                BLAS.benchmarkGEMM(n: n, a: a, b: b, c: c)
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
                values.append(flops / max(seconds, 1e-12) / 1e9)
            }
            return SampleSummary(values)
        }
        let one = rates(1)
        let all = threads > 1 ? rates(threads) : one
        BLAS.useSingleThread()
        return MachineCeiling(blas: BLAS.name, n: n, threads: threads, singleThread: one, allThreads: all)
    }
}
