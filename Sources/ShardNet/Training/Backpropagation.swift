/// Backpropagation on its own, outside the training loop: the cost and the gradient
/// ∂C/∂θ summed over a set of samples, in parameter layout. Uses the same kernels as the
/// trainer's shards (one shard holding all the samples). Meant for gradient checks and tools;
/// it allocates its own workspace on every call.
public enum Backpropagation {
    /// (Σ C, Σ ∂C/∂θ) over the samples `indices` of `data` (all of them when nil), computed by
    /// `kernels`. With `dropout` p > 0 the hidden units are masked as in training, the sample
    /// at position i of `indices` drawing the masks of position i of epoch `epoch` with `seed`
    /// (`Dropout`). Throws when the CPU cannot run the asked kernels.
    public static func gradient(
        of network: Network, on data: DataSet, indices: [Int]? = nil,
        kernels: KernelChoice = .auto, dropout: Float = 0, seed: UInt64 = 0, epoch: Int = 1
    ) throws -> (cost: Double, gradient: [Float]) {
        guard dropout >= 0, dropout < 1 else { throw ShardNetError.invalidArgument("dropout must be in [0, 1), got \(dropout)") }
        precondition(data.features == network.sizes[0] && data.classes <= network.sizes.last!)
        let kernels = try KernelSet.checked(kernels, layout: network.layout, rows: data.count)
        let packed = kernels.usesPackedWeights ? PackedWeights(layout: network.layout) : nil
        let order = (indices ?? Array(0..<data.count)).map { Int32($0) }
        let workspace = ShardWorkspace(layout: network.layout, rows: max(order.count, 1), gradients: true, dropout: dropout > 0)
        let masks = dropout > 0 ? ShardDropout(dropout: Dropout(probability: dropout, seed: seed, epoch: epoch), firstPosition: 0) : nil
        let layout = LayoutView(network.layout)
        kernels.packAll(layout: layout, parameters: network.storage.base, packed: packed)
        let cost = order.withUnsafeBufferPointer { order in
            data.withUnsafePointers { images, labels in
                CPU.withDenormalsFlushed {
                    Backprop.shard(
                        view: workspace.view, layout: layout, functions: network.layerFunctions, cost: network.cost,
                        rows: order.count, order: order.baseAddress!, images: images, labels: labels,
                        parameters: network.storage.base, kernels: kernels, packed: packed, dropout: masks)
                }
            }
        }
        let gradient = Array(UnsafeBufferPointer(start: workspace.view.nabla, count: network.layout.count))
        return (cost, gradient)
    }
}
