import Foundation
import ShardNetTestSupport
import Testing

/// `shardnet info --system` (issue #9): the machine as the arithmetic sees it, one fact a line.
@Suite(.tags(.cli)) struct InfoSystemTests {
    /// Every fact has its line (the core hand-off where there are two CPUs), the kernels listed
    /// include the portable ones, auto's choice is one of them, and on Linux x86 the CPU line names the family and model that /proc/cpuinfo gives
    /// (a VM's brand string alone can be as generic as "Intel(R) Xeon(R) Processor").
    @Test func describesThisMachine() throws {
        let result = try Tool.run(["info", "--system"])
        #expect(result.status == 0, "\(result.all)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        func value(_ key: String) -> String? {
            lines.first { $0.hasPrefix(key + ": ") }.map { String($0.dropFirst(key.count + 2)) }
        }
        let cpu = try #require(value("CPU"), "no CPU line: \(result.stdout)")
        for key in ["vector features", "cores", "kernels available", "kernels chosen by auto", "BLAS", "BLAS core"] {
            #expect(value(key) != nil, "no \(key) line: \(result.stdout)")
        }
        // On two or more CPUs, what a hand-off between two of them costs, measured now.
        if ProcessInfo.processInfo.activeProcessorCount >= 2 {
            let handoff = try #require(value("core hand-off"), "no core hand-off line: \(result.stdout)")
            let ns = Double(handoff.prefix { $0 != " " }) ?? -1
            #expect(ns > 0 && handoff.contains(" ns one way (median of 5 probes"), "\(handoff)")
        }
        let available = (value("kernels available") ?? "").components(separatedBy: ", ")
        #expect(available.contains("scalar") && available.contains("blas"), "\(available)")
        #expect(available.contains(value("kernels chosen by auto") ?? "?"), "\(result.stdout)")
        #if os(Linux) && arch(x86_64)
            let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8).split(separator: "\n")
            func field(_ prefix: String) -> String? {
                cpuinfo.first { $0.hasPrefix(prefix) }.flatMap { $0.split(separator: ":", maxSplits: 1).last }
                    .map { $0.trimmingCharacters(in: .whitespaces) }
            }
            let family = try #require(field("cpu family")), model = try #require(field("model\t"))
            #expect(cpu.hasSuffix(" (family \(family), model \(model))"), "\(cpu) against /proc/cpuinfo's family \(family), model \(model)")
        #endif
    }
}
