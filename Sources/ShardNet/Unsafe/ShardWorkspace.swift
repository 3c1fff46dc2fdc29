/// One shard's memory: its gradient buffer and its scratch, in one cache-line-aligned
/// allocation made before training starts ("allocate once, point many times").
///
///     nabla        (layout.count)          ∂C/∂w and ∂C/∂b summed over the shard, parameter layout
///     activations  (rows, sizes[l]) for l = 0 … L (L = layout.layerCount); a⁰ is the gathered input
///     dropped      (rows, sizes[l]) for l = 1 … L−1, with dropout only: the masked hidden
///                  activations the next layer reads (without dropout, inputs[l] = activations[l])
///     masks        (rows, sizes[l]) for l = 1 … L−1, with dropout only: each hidden unit's mask
///                  factor (0 or 1/(1 − p)), drawn by the forward pass and reused by the backward
///     delta        2 × (rows, maxWidth)    δ ping-pong between layers
///     labels       (rows) Int32            the shard's labels, gathered
///
/// Each region starts on its own cache line, so two workers never write the same line.
/// `@unchecked Sendable`: a workspace is written by one work item at a time (the team's
/// claims give each shard item to exactly one worker per phase) and read by the reducer only after
/// the barrier that ends the step's backprop phase.
package final class ShardWorkspace: @unchecked Sendable {
    /// Largest number of samples the shard holds.
    package let rows: Int
    private let floats: AlignedBuffer
    private let labelBase: UnsafeMutablePointer<Int32>
    private let activationPointers: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    private let inputPointers: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    private let maskPointers: UnsafeMutablePointer<UnsafeMutablePointer<Float>>?
    /// Raw pointers to every region, for the kernels (a trivial value: no reference counting
    /// on the worker threads).
    let view: ShardView

    package init(layout: ParameterLayout, rows: Int, gradients: Bool, dropout: Bool = false) {
        self.rows = rows
        var offset = gradients ? paddedToCacheLine(layout.count) : 0
        var acts: [Int] = []
        for size in layout.sizes {
            acts.append(offset)
            offset += paddedToCacheLine(rows * size)
        }
        var inputs = acts
        var masks: [Int]? = nil
        if dropout {
            masks = acts  // entries 0 and L unused: only hidden layers have masks
            for l in 1..<max(1, layout.sizes.count - 1) {
                inputs[l] = offset
                offset += paddedToCacheLine(rows * layout.sizes[l])
                masks![l] = offset
                offset += paddedToCacheLine(rows * layout.sizes[l])
            }
        }
        let maxWidth = layout.sizes.dropFirst().max() ?? 1
        let d0 = offset
        offset += paddedToCacheLine(rows * maxWidth)
        let d1 = offset
        offset += paddedToCacheLine(rows * maxWidth)
        floats = AlignedBuffer(count: offset)
        labelBase = .allocate(capacity: max(rows, 1))
        labelBase.initialize(repeating: 0, count: max(rows, 1))
        activationPointers = .allocate(capacity: acts.count)
        for (l, o) in acts.enumerated() { (activationPointers + l).initialize(to: floats.base + o) }
        inputPointers = .allocate(capacity: inputs.count)
        for (l, o) in inputs.enumerated() { (inputPointers + l).initialize(to: floats.base + o) }
        if let masks {
            let pointers = UnsafeMutablePointer<UnsafeMutablePointer<Float>>.allocate(capacity: masks.count)
            for (l, o) in masks.enumerated() { (pointers + l).initialize(to: floats.base + o) }
            maskPointers = pointers
        } else {
            maskPointers = nil
        }
        view = ShardView(
            nabla: floats.base, activations: activationPointers, inputs: inputPointers, masks: maskPointers,
            delta0: floats.base + d0, delta1: floats.base + d1, labels: labelBase)
    }

    deinit {
        labelBase.deallocate()
        activationPointers.deallocate()
        inputPointers.deallocate()
        maskPointers?.deallocate()
    }
}

/// Raw pointers into a `ShardWorkspace`. Valid while the workspace lives.
struct ShardView: @unchecked Sendable {
    /// ∂C/∂θ, (layout.count).
    let nabla: UnsafeMutablePointer<Float>
    /// activations[l] = aˡ, (rows, sizes[l]).
    let activations: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    /// inputs[l]: what layer l reads, (rows, sizes[l]) — aˡ, or its dropout-masked copy.
    let inputs: UnsafeMutablePointer<UnsafeMutablePointer<Float>>
    /// masks[l]: hidden layer l's dropout mask factors, (rows, sizes[l]); nil without dropout.
    let masks: UnsafeMutablePointer<UnsafeMutablePointer<Float>>?
    /// δ ping-pong buffers, (rows, maxWidth) each.
    let delta0: UnsafeMutablePointer<Float>
    let delta1: UnsafeMutablePointer<Float>
    /// Gathered labels, (rows).
    let labels: UnsafeMutablePointer<Int32>
}

/// The network's shape as raw integers for the worker threads: sizes, and each layer's weight
/// and bias offsets in the parameter vector (see `ParameterLayout`) — or, for a buffer that
/// holds only the layers from one on (the unit plan's tail copies), in that buffer.
final class LayoutView: @unchecked Sendable {
    let layerCount: Int
    let parameterCount: Int
    let sizes: UnsafeMutablePointer<Int>
    let weightOffsets: UnsafeMutablePointer<Int>
    let biasOffsets: UnsafeMutablePointer<Int>

    /// - from: the first layer the view addresses: with first > 0 the offsets count from that
    ///   layer's weights (a buffer that holds only layers first … L−1, `parameterCount` floats),
    ///   and the earlier layers' offsets are 0 and must not be used.
    init(_ layout: ParameterLayout, from first: Int = 0) {
        precondition(first >= 0 && first < layout.layerCount)
        let start = layout.weightOffsets[first]
        layerCount = layout.layerCount
        parameterCount = layout.count - start
        sizes = .allocate(capacity: layout.sizes.count)
        sizes.initialize(from: layout.sizes, count: layout.sizes.count)
        weightOffsets = .allocate(capacity: layerCount)
        weightOffsets.initialize(from: layout.weightOffsets.indices.map { $0 < first ? 0 : layout.weightOffsets[$0] - start }, count: layerCount)
        biasOffsets = .allocate(capacity: layerCount)
        biasOffsets.initialize(from: layout.biasOffsets.indices.map { $0 < first ? 0 : layout.biasOffsets[$0] - start }, count: layerCount)
    }

    deinit {
        sizes.deallocate()
        weightOffsets.deallocate()
        biasOffsets.deallocate()
    }
}

/// A fixed array of `ShardView`s, one per shard or per evaluation worker.
final class ShardViews: @unchecked Sendable {
    let base: UnsafeMutablePointer<ShardView>
    let count: Int
    init(_ workspaces: [ShardWorkspace]) {
        count = workspaces.count
        base = .allocate(capacity: max(count, 1))
        for (i, w) in workspaces.enumerated() { (base + i).initialize(to: w.view) }
    }
    deinit { base.deallocate() }
}
