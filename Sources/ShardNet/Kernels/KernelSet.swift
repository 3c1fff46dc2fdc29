import Foundation

/// The kernels one engine calls, chosen once: ShardNet's native kernels for an instruction
/// set, or BLAS for the matrix products with Swift epilogues (`Layers`). The step and the
/// evaluator call through this and never ask which path runs.
package struct KernelSet {
    /// The native kernels, or nil for the BLAS path.
    let native: NativeKernels?
    /// The reducer's sum-and-update: elementwise, so the best native instruction set gives the
    /// same bits as any other (and as the plain formula) on either path.
    let updater = NativeKernels(isa: NativeKernels.best)!

    /// The kernels for `choice` on this CPU. Throws when the CPU cannot run the asked
    /// instruction set.
    package init(_ choice: KernelChoice) throws {
        switch choice {
        case .blas:
            native = nil
        case .auto:
            native = NativeKernels(isa: NativeKernels.best)
        case .avx512, .avx2, .neon, .scalar:
            let isa: NativeKernels.ISA = choice == .avx512 ? .avx512 : choice == .avx2 ? .avx2 : choice == .neon ? .neon : .scalar
            guard let kernels = NativeKernels(isa: isa) else {
                throw ShardNetError.invalidArgument(
                    "kernels '\(choice.rawValue)' need an instruction set this CPU (\(CPU.name)) does not have; it runs \(Self.available.map(\.rawValue).joined(separator: ", "))"
                )
            }
            native = kernels
        }
    }

    /// The kernels for `choice`, ready for a network of `layout` whose kernels see at most
    /// `rows` rows at once: BLAS is first checked against the native kernels on these shapes
    /// (`BLASSelfCheck`) and refused if it computes wrong answers.
    package static func checked(_ choice: KernelChoice, layout: ParameterLayout, rows: Int) throws -> KernelSet {
        let kernels = try KernelSet(choice)
        if kernels.native == nil { try BLASSelfCheck.run(layout: layout, rows: rows) }
        return kernels
    }

    /// The fastest native kernels of this CPU (`.auto`).
    package static var best: KernelSet { KernelSet(native: NativeKernels(isa: NativeKernels.best)) }

    private init(native: NativeKernels?) { self.native = native }

    /// The choices this CPU can run, best native first.
    package static var available: [KernelChoice] {
        var choices: [KernelChoice] = []
        for (isa, choice) in [(NativeKernels.ISA.avx512, KernelChoice.avx512), (.avx2, .avx2), (.neon, .neon), (.scalar, .scalar)]
        where NativeKernels(isa: isa) != nil { choices.append(choice) }
        return choices + [.blas]
    }

    /// "avx512", "avx2", "neon", "scalar" or "blas".
    package var name: String { native?.isa.name ?? KernelChoice.blas.rawValue }

    /// Whether the forward pass reads packed weights (`PackedWeights`).
    var usesPackedWeights: Bool { native != nil }

    /// Equation 2 for units j0 ..< j1 (j0 a multiple of 16 on the native path, which reads
    /// `packed`, the layer's panels, and skips the inputs not in `columns`; BLAS reads `weights`).
    @inline(__always)
    func forward(
        rows: Int, nIn: Int, j0: Int, j1: Int, input: UnsafePointer<Float>, ldIn: Int,
        weights: UnsafePointer<Float>, packed: UnsafePointer<Float>?, biases: UnsafePointer<Float>,
        output: UnsafeMutablePointer<Float>, ldOut: Int, function f: Nonlinearity, columns: InputColumns? = nil
    ) {
        if let native {
            native.forward(
                rows: rows, nIn: nIn, j0: j0, j1: j1, input: input, ldIn: ldIn, packed: packed!,
                biases: biases, output: output, ldOut: ldOut, function: f, columns: columns)
        } else {
            Layers.feedforward(
                rows: rows, nIn: nIn, j0: j0, j1: j1, input: input, ldIn: ldIn, weights: weights,
                biases: biases, output: output, ldOut: ldOut, function: f)
        }
    }

    /// Equation 5 for units j0 ..< j1.
    @inline(__always)
    func gradients(
        rows: Int, nIn: Int, j0: Int, j1: Int, delta: UnsafePointer<Float>, ldDelta: Int,
        input: UnsafePointer<Float>, ldIn: Int, nablaW: UnsafeMutablePointer<Float>,
        nablaB: UnsafeMutablePointer<Float>
    ) {
        if let native {
            native.gradient(
                rows: rows, nIn: nIn, j0: j0, j1: j1, delta: delta, ldDelta: ldDelta, input: input,
                ldIn: ldIn, nablaW: nablaW, nablaB: nablaB)
        } else {
            Layers.gradients(
                rows: rows, nIn: nIn, j0: j0, j1: j1, delta: delta, ldDelta: ldDelta, input: input,
                ldIn: ldIn, nablaW: nablaW, nablaB: nablaB)
        }
    }

    /// Equation 4 for units k0 ..< k1 of the earlier layer, whose function is `f`.
    @inline(__always)
    func backpropagate(
        rows: Int, nIn: Int, nOut: Int, k0: Int, k1: Int, delta: UnsafePointer<Float>, ldDelta: Int,
        weights: UnsafePointer<Float>, activation: UnsafePointer<Float>, ldA: Int,
        previousDelta: UnsafeMutablePointer<Float>, ldPrevious: Int, function f: Nonlinearity
    ) {
        if let native {
            native.backward(
                rows: rows, nIn: nIn, nOut: nOut, k0: k0, k1: k1, delta: delta, ldDelta: ldDelta,
                weights: weights, activation: activation, ldA: ldA, previous: previousDelta,
                ldPrevious: ldPrevious, function: f)
        } else {
            Layers.backpropagate(
                rows: rows, nIn: nIn, nOut: nOut, k0: k0, k1: k1, delta: delta, ldDelta: ldDelta,
                weights: weights, activation: activation, ldA: ldA, previousDelta: previousDelta,
                ldPrevious: ldPrevious, function: f)
        }
    }

    /// Refreshes the packed panels of layer l's units j0 ..< j1 (nothing on the BLAS path).
    @inline(__always)
    func pack(layer l: Int, j0: Int, j1: Int, layout: LayoutView, parameters: UnsafePointer<Float>, packed: PackedWeights?) {
        guard let native, let packed else { return }
        native.pack(
            nIn: layout.sizes[l], nOut: layout.sizes[l + 1], j0: j0, j1: j1,
            weights: parameters + layout.weightOffsets[l], packed: packed.layer(l))
    }

    /// The inverse of `pack` over all of layer l's rows: wˡ in `parameters` from its panels.
    func unpack(layer l: Int, layout: LayoutView, parameters: UnsafeMutablePointer<Float>, packed: PackedWeights?) {
        guard let native, let packed else { return }
        native.unpack(
            nIn: layout.sizes[l], nOut: layout.sizes[l + 1], j0: 0, j1: layout.sizes[l + 1],
            packed: packed.layer(l), weights: parameters + layout.weightOffsets[l])
    }

    /// Packs every layer (after the parameters were set or loaded).
    func packAll(layout: LayoutView, parameters: UnsafePointer<Float>, packed: PackedWeights?) {
        for l in 0..<layout.layerCount {
            pack(layer: l, j0: 0, j1: layout.sizes[l + 1], layout: layout, parameters: parameters, packed: packed)
        }
    }
}
