/// Equation 2 through every layer: aˡ⁺¹ = f(aˡ · wˡᵀ + bˡ) for l = 0 … L−1, from the input
/// already in `activations[0]`, f the layer's function (`LayerFunctions`), then the softmax of
/// a softmax output layer. The one forward pass, used by training shards and by evaluation
/// alike.
enum FeedForward {
    /// - view.activations[l]: (rows, sizes[l]); activations[0] holds the input.
    /// - view.inputs[l]: what layer l reads — activations[l], or with `dropout` its masked copy
    ///   (and view.masks[l] the masks drawn for it, which backpropagation reuses).
    /// - parameters: the network's parameter vector (`ParameterLayout`).
    /// - packed: the layers' packed weights when `kernels` are native (nil for BLAS).
    @inline(__always)
    static func network(
        view: ShardView, layout: LayoutView, functions: LayerFunctions, rows: Int, parameters: UnsafePointer<Float>,
        kernels: KernelSet, packed: PackedWeights?, dropout: ShardDropout? = nil
    ) {
        let sizes = layout.sizes, L = layout.layerCount
        for l in 0..<L {
            kernels.forward(
                rows: rows, nIn: sizes[l], j0: 0, j1: sizes[l + 1], input: view.inputs[l], ldIn: sizes[l],
                weights: parameters + layout.weightOffsets[l], packed: packed?.layer(l),
                biases: parameters + layout.biasOffsets[l], output: view.activations[l + 1], ldOut: sizes[l + 1],
                function: functions.layer(l, of: L))
            if let dropout, l + 1 < L {
                dropout.dropout.apply(
                    rows: rows, width: sizes[l + 1], layer: l + 1, firstPosition: dropout.firstPosition,
                    activations: view.activations[l + 1], factors: view.masks![l + 1], dropped: view.inputs[l + 1])
            }
        }
        if functions.softmax { NativeKernels.softmax(rows: rows, n: sizes[L], view.activations[L], ld: sizes[L]) }
    }
}
