/// Equations 1–5 for one shard of a mini-batch: gather its samples, feed forward, compute
/// δᴸ, then walk back through the layers writing ∂C/∂w and ∂C/∂b, summed over the shard's
/// samples, into the shard's own gradient buffer (`view.nabla`, parameter layout).
enum Backprop {
    /// - order: (rows) the shard's sample indices; images: (n, sizes[0]); labels: (n)
    /// - parameters (and their packed copy for native kernels): read only; view: the shard's
    ///   workspace, overwritten.
    /// - dropout: the masks of the shard's rows (nil: none).
    /// - returns the summed cost of the shard's samples.
    @inline(__always)
    static func shard(
        view: ShardView, layout: LayoutView, functions: LayerFunctions, cost: Cost, rows: Int, order: UnsafePointer<Int32>,
        images: ImageRows, labels: UnsafePointer<Int32>,
        parameters: UnsafePointer<Float>, kernels: KernelSet, packed: PackedWeights?, dropout: ShardDropout?
    ) -> Double {
        let L = layout.layerCount
        let sizes = layout.sizes
        // 1. input x sets a⁰.
        Gather.samples(
            rows: rows, features: sizes[0], order: order, images: images, labels: labels,
            input: view.activations[0], labelsOut: view.labels)
        // 2. feedforward (with the dropout masks of the hidden layers).
        FeedForward.network(
            view: view, layout: layout, functions: functions, rows: rows, parameters: parameters, kernels: kernels, packed: packed,
            dropout: dropout)
        // 3. output error δᴸ.
        let shardCost = NativeKernels.outputError(
            cost: cost, rows: rows, nOut: sizes[L], output: view.activations[L],
            labels: view.labels, delta: view.delta0)
        // 4–5. gradients of each layer, then δ of the layer before (not needed for the input).
        var delta = view.delta0, previous = view.delta1
        for l in stride(from: L - 1, through: 0, by: -1) {
            let (nIn, nOut) = (sizes[l], sizes[l + 1])
            kernels.gradients(
                rows: rows, nIn: nIn, j0: 0, j1: nOut, delta: delta, ldDelta: nOut,
                input: view.inputs[l], ldIn: nIn,
                nablaW: view.nabla + layout.weightOffsets[l], nablaB: view.nabla + layout.biasOffsets[l])
            if l > 0 {
                kernels.backpropagate(
                    rows: rows, nIn: nIn, nOut: nOut, k0: 0, k1: nIn, delta: delta, ldDelta: nOut,
                    weights: parameters + layout.weightOffsets[l], activation: view.activations[l], ldA: nIn,
                    previousDelta: previous, ldPrevious: nIn, function: functions.hidden)
                if dropout != nil {
                    // The masks the forward pass drew for layer l.
                    Dropout.mask(count: rows * nIn, factors: view.masks![l], delta: previous)
                }
                swap(&delta, &previous)
            }
        }
        return shardCost
    }
}
