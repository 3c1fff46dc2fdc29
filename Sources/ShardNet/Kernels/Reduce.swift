/// The reducer's arithmetic: the shards' gradients summed in shard order, fused with the SGD
/// update, over one range of a layer's units:
///
///     w ← decay·w − rate·Σₛ ∇wₛ      (decay = 1 − ηλ/n: L2 weight decay, weights only)
///     b ←       b − rate·Σₛ ∇bₛ      (rate = η/m for a batch of m samples)
///
/// The sum always starts from the first shard with rows and adds the others in shard order,
/// so where the ranges are cut never changes a bit of the result. The arithmetic runs in the
/// native update kernel (vectorised, each product rounded on its own, so its bits are those of
/// the scalar formula on every instruction set and on the BLAS path too).
enum Reduce {

    /// The update of layer l's units j0 ..< j1: rows j0 ..< j1 of wˡ (with decay) and entries
    /// j0 ..< j1 of bˡ.
    /// - gradients: the shards' workspaces (their `nabla`, parameter layout), S of them
    /// - batch: rows in this step's mini-batch (shards beyond it are empty and skipped)
    @inline(__always)
    static func units(
        layer l: Int, j0: Int, j1: Int, gradients: UnsafePointer<ShardView>, shards: Int, batch: Int,
        layout: LayoutView, parameters: UnsafeMutablePointer<Float>, rate: Float, decay: Float,
        kernels: KernelSet
    ) {
        let nIn = layout.sizes[l], w0 = layout.weightOffsets[l], b0 = layout.biasOffsets[l]
        // The shards with rows, in shard order (a stack array: no allocation in the step).
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: min(shards, batch)) { list in
            var used = 0
            for s in 0..<shards
            where ShardedSGD.shardStart(s + 1, batch: batch, shards: shards)
                > ShardedSGD.shardStart(s, batch: batch, shards: shards)
            {
                list[used] = UnsafePointer(gradients[s].nabla)
                used += 1
            }
            let g = UnsafePointer(list.baseAddress!)
            kernels.updater.update(
                count: (j1 - j0) * nIn, parameters: parameters, gradients: g, gradientCount: used,
                offset: w0 + j0 * nIn, rate: rate, decay: decay)
            kernels.updater.update(
                count: j1 - j0, parameters: parameters, gradients: g, gradientCount: used,
                offset: b0 + j0, rate: rate, decay: 1)
        }
    }
}
