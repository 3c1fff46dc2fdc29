import Foundation
import ShardNetTestSupport
import Synchronization
import Testing

@testable import ShardNet

/// `CPU.handoffNanoseconds`, the probe behind `info --system`'s and the bench header's core
/// hand-off: it measures something on a machine with two CPUs, and it leaves the calling thread
/// where it was — the probe pins the caller to a CPU while it runs, and a trainer or bench that
/// calls it must not stay pinned after.
@Suite(.tags(.concurrency)) struct HandoffProbeTests {
    /// Two or more CPUs: a positive hand-off below a millisecond (a cache line between two
    /// cores takes tens to hundreds of nanoseconds; a millisecond is a descheduled thread every
    /// round); too few rounds to time: nothing.
    @Test func measuresAHandOffBetweenTwoCPUs() throws {
        #expect(CPU.handoffNanoseconds(rounds: 4) == nil)
        guard ProcessInfo.processInfo.activeProcessorCount >= 2 else {
            #expect(CPU.handoffNanoseconds() == nil)
            return
        }
        let ns = try #require(CPU.handoffNanoseconds())
        #expect(ns > 0 && ns < 1_000_000, "\(ns) ns")
        let line = try #require(SystemReport.handoffLine(probes: 3))
        #expect(line.hasPrefix("core hand-off: ") && line.contains(" ns one way (median of 3 probes"), "\(line)")
    }

    #if os(Linux)
        /// The calling thread's CPU affinity (its `Cpus_allowed_list` in /proc/thread-self/status,
        /// read on that thread) is the same after a probe as before it. On a thread of its own,
        /// so that no earlier test's thread state decides what it sees.
        @Test func restoresTheCallersAffinity() throws {
            @Sendable func affinity() -> String {
                let status = (try? String(contentsOfFile: "/proc/thread-self/status", encoding: .utf8)) ?? ""
                return status.split(separator: "\n").first { $0.hasPrefix("Cpus_allowed_list:") }.map(String.init) ?? "none"
            }
            let seen = Mutex<(before: String, after: String, ns: Double?)>(("", "", nil))
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                let before = affinity()
                let ns = CPU.handoffNanoseconds()
                seen.withLock { $0 = (before, affinity(), ns) }
                done.signal()
            }
            thread.start()
            done.wait()
            let (before, after, ns) = seen.withLock { $0 }
            #expect(before != "none", "no Cpus_allowed_list in /proc/thread-self/status")
            #expect(after == before, "before the probe \(before), after it \(after)")
            if ProcessInfo.processInfo.activeProcessorCount >= 2 { #expect(ns != nil) }
        }
    #endif
}
