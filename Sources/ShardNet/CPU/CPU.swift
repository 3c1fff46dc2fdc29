import CCPU

/// The processor as the engine sees it: the spin-wait hint used at the worker team's
/// barriers, denormal flushing for every worker, the brand and vector features that decide
/// which kernels can run, and what a hand-off between two cores costs. The only file that
/// imports the CCPU shim.
package enum CPU {
    /// Spin-wait hint (PAUSE on x86, YIELD on Arm).
    @inline(__always)
    package static func relax() { shardnet_cpu_relax() }

    /// Runs `body` with denormal floats flushed to zero on the calling thread (FTZ/DAZ), then
    /// restores the thread's floating-point mode. Every worker runs its kernels this way, so
    /// results do not depend on which thread ran what.
    @inline(__always)
    package static func withDenormalsFlushed<R>(_ body: () throws -> R) rethrows -> R {
        let saved = shardnet_cpu_flush_denormals()
        defer { shardnet_cpu_restore_fp(saved) }
        return try body()
    }

    /// The processor's brand string, e.g. "AMD EPYC 9R14 96-Core Processor".
    package static var brand: String {
        var buffer = [CChar](repeating: 0, count: 64)
        shardnet_cpu_brand(&buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The x86 family and model (CPUID leaf 1, as /proc/cpuinfo numbers them), nil elsewhere:
    /// a cloud VM's brand string can be as generic as "Intel(R) Xeon(R) Processor".
    package static let signature: (family: Int, model: Int)? = {
        var family: UInt32 = 0, model: UInt32 = 0
        return shardnet_cpu_signature(&family, &model) != 0 ? (Int(family), Int(model)) : nil
    }()

    /// The brand with the family and model where known: "Intel(R) Xeon(R) Processor (family 6,
    /// model 207)" — how every figure names its CPU.
    package static var name: String {
        signature.map { "\(brand) (family \($0.family), model \($0.model))" } ?? brand
    }

    /// Vector instruction sets the kernels can use here (the OS's register support checked).
    package struct Features: OptionSet, Sendable {
        package let rawValue: UInt32
        package init(rawValue: UInt32) { self.rawValue = rawValue }
        package static let avx2 = Features(rawValue: UInt32(SHARDNET_CPU_AVX2_FMA))
        package static let avx512 = Features(rawValue: UInt32(SHARDNET_CPU_AVX512F))
        package static let neon = Features(rawValue: UInt32(SHARDNET_CPU_NEON))
    }

    /// The one-way hand-off of a cache line between two cores, in nanoseconds (two threads
    /// pass a counter back and forth `rounds` times each; on Linux pinned to the first two CPUs
    /// the process may use), or nil with fewer than two CPUs or when the probe gave up (over
    /// 0.25 s: a loaded machine). The least each barrier of a multi-thread step costs; on a VM
    /// it moves as the host moves the vCPUs (15, 35 or 170 ns within a minute on the project's
    /// AMD EPYC VM). Takes 1–10 ms on an idle machine.
    package static func handoffNanoseconds(rounds: Int = 20_000) -> Double? {
        let ns = shardnet_cpu_handoff_ns(rounds)
        return ns > 0 ? ns : nil
    }

    /// What this processor offers, read once.
    package static let features = Features(rawValue: UInt32(shardnet_cpu_features()))
}
