import Foundation

/// What this machine runs ShardNet's arithmetic with: the CPU, its vector features, the
/// kernels available and chosen, and the BLAS library with the kernel it picked — for
/// `shardnet info --system`, the first lines of `train`, the bench header and every JSONL
/// record. Also the warning when OpenBLAS runs a generic kernel on a CPU that has AVX2 or
/// AVX-512.
package enum SystemReport {
    /// "AVX-512, AVX2+FMA" style list of the CPU's vector features.
    package static var features: String {
        var names: [String] = []
        if CPU.features.contains(.avx512) { names.append("avx512f") }
        if CPU.features.contains(.avx2) { names.append("avx2 fma") }
        if CPU.features.contains(.neon) { names.append("neon") }
        return names.isEmpty ? "no vector extension ShardNet uses" : names.joined(separator: " ")
    }

    /// OpenBLAS cores that use none of AVX2/AVX-512 (its generic and pre-AVX2 x86 kernels).
    static let genericCores: Set<String> = [
        "prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "katmai",
        "coppermine", "northwood", "banias", "opteron", "barcelona", "bobcat",
        "sandybridge", "bulldozer", "piledriver", "generic",
    ]

    /// A warning when the BLAS runs a kernel that ignores this CPU's AVX2/AVX-512, with how to
    /// pick a better one; nil when there is nothing to warn about.
    package static var blasWarning: String? {
        let core = BLAS.core
        guard genericCores.contains(core.lowercased()),
            CPU.features.contains(.avx2) || CPU.features.contains(.avx512)
        else { return nil }
        let better = CPU.features.contains(.avx512) ? "SkylakeX" : "Haswell"
        return "OpenBLAS runs its \(core) kernels on this CPU, which has \(features): its GEMM is several times slower "
            + "than it could be. The native kernels (--kernels auto, the default) do not depend on it; for --kernels blas, "
            + "run with OPENBLAS_CORETYPE=\(better) in the environment, or install a newer OpenBLAS that knows this CPU."
    }

    /// One line naming the kernels in use: "avx512 (native, Intel(R) Xeon(R) Processor (family 6,
    /// model 207))" or "blas (OpenBLAS core Cooperlake)".
    package static func kernelLine(_ name: String) -> String {
        name == KernelChoice.blas.rawValue
            ? "blas (\(BLAS.name.hasPrefix("OpenBLAS") ? "OpenBLAS" : BLAS.name) core \(BLAS.core))"
            : "\(name) (native, \(CPU.name))"
    }

    /// How many probes `handoff` takes by default.
    package static let handoffProbes = 5

    /// What passing a cache line between two cores costs here, in ns: the median, least and
    /// most of the probes of `CPU.handoffNanoseconds` that measured (`count` of `probes`), or
    /// nil when none did (fewer than two CPUs, or a machine too loaded). What each barrier of a
    /// two-thread step costs at least; on a VM it changes when the host moves the vCPUs, so it
    /// is measured, never stored.
    package static func handoff(probes: Int = handoffProbes) -> (median: Double, low: Double, high: Double, count: Int)? {
        let values = (0..<max(1, probes)).compactMap { _ in CPU.handoffNanoseconds() }.sorted()
        guard let low = values.first, let high = values.last else { return nil }
        return (values[values.count / 2], low, high, values.count)
    }

    /// "core hand-off: 35 ns one way (median of 5 probes, 34–41 ns; …)", or nil when `handoff` is.
    package static func handoffLine(probes: Int = handoffProbes) -> String? {
        handoff(probes: probes).map {
            String(
                format: "core hand-off: %.0f ns one way (median of %d probes, %.0f–%.0f ns; between the first two CPUs)",
                $0.median, $0.count, $0.low, $0.high)
        }
    }

    /// The full report, one fact per line.
    package static var lines: [String] {
        var lines = [
            "CPU: \(CPU.name)",
            "vector features: \(features)",
            "cores: \(TrainingOptions.activeCores) active, \(ProcessInfo.processInfo.processorCount) online",
            "kernels available: \(KernelSet.available.map(\.rawValue).joined(separator: ", "))",
            "kernels chosen by auto: \(KernelSet.best.name)",
            "BLAS: \(BLAS.name)",
            "BLAS core: \(BLAS.core)",
        ]
        if let blasWarning { lines.append("warning: \(blasWarning)") }
        return lines
    }
}
