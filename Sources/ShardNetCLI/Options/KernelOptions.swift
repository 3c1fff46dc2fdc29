import ArgumentParser
import ShardNet

extension KernelChoice: ExpressibleByArgument {}

/// `--kernels`: which kernels run the arithmetic (train, evaluate, predict, bench).
public struct KernelOptions: ParsableArguments {
    public init() {}

    @Option(
        help: ArgumentHelp(
            "Kernels: auto (the fastest native instruction set), avx512, avx2, neon, scalar, or blas. Native kernels give the same weights on every CPU. Default: auto.",
            valueName: "name"))
    public var kernels: KernelChoice = .auto

    public func validate() throws {
        guard kernels == .auto || KernelSet.available.contains(kernels) else {
            throw ValidationError(
                "--kernels \(kernels.rawValue): this CPU (\(CPU.name)) has no \(kernels.rawValue) instructions; it runs \(KernelSet.available.map(\.rawValue).joined(separator: ", "))"
            )
        }
    }

    /// The kernels, resolved for this CPU.
    package func set() throws -> KernelSet { try KernelSet(kernels) }
}
