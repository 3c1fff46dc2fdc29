/// Equation 2 through every layer: aˡ⁺¹ = σ(aˡ · wˡᵀ + bˡ) for l = 0 … L−1, from the input
/// already in `activations[0]`. The one forward pass, used by training shards and by
/// evaluation alike.
enum FeedForward {
    /// - view.activations[l]: (rows, sizes[l]); activations[0] holds the input.
    /// - parameters: the network's parameter vector (`ParameterLayout`).
    /// - packed: the layers' packed weights when `kernels` are native (nil for BLAS).
    @inline(__always)
    static func network(
        view: ShardView, layout: LayoutView, rows: Int, parameters: UnsafePointer<Float>,
        kernels: KernelSet, packed: PackedWeights?
    ) {
        let sizes = layout.sizes
        for l in 0..<layout.layerCount {
            kernels.forward(
                rows: rows, nIn: sizes[l], j0: 0, j1: sizes[l + 1], input: view.activations[l], ldIn: sizes[l],
                weights: parameters + layout.weightOffsets[l], packed: packed?.layer(l),
                biases: parameters + layout.biasOffsets[l], output: view.activations[l + 1], ldOut: sizes[l + 1])
        }
    }
}
