/// The reducer's arithmetic: the shards' gradients summed in shard order, fused with the SGD
/// update, over one range of a layer's units:
///
///     w ← decay·w − rate·Σₛ ∇wₛ      (decay = 1 − ηλ/n: L2 weight decay, weights only)
///     b ←       b − rate·Σₛ ∇bₛ      (rate = η/m for a batch of m samples)
///
/// The sum always starts from the first shard with rows and adds the others in shard order,
/// so where the ranges are cut never changes a bit of the result.
enum Reduce {
    /// Floats summed per block: the block's partial sums stay in L1.
    static let block = 128

    /// The update of layer l's units j0 ..< j1: rows j0 ..< j1 of wˡ (with decay) and entries
    /// j0 ..< j1 of bˡ.
    /// - gradients: the shards' workspaces (their `nabla`, parameter layout), S of them
    /// - batch: rows in this step's mini-batch (shards beyond it are empty and skipped)
    @inline(__always)
    static func units(layer l: Int, j0: Int, j1: Int, gradients: UnsafePointer<ShardView>, shards: Int, batch: Int,
                      layout: LayoutView, parameters: UnsafeMutablePointer<Float>, rate: Float, decay: Float) {
        let nIn = layout.sizes[l], w0 = layout.weightOffsets[l], b0 = layout.biasOffsets[l]
        sumAndUpdate(w0 + j0 * nIn, w0 + j1 * nIn, gradients, shards, batch, parameters, rate, decay)
        sumAndUpdate(b0 + j0, b0 + j1, gradients, shards, batch, parameters, rate, 1)
    }

    /// θ[i] ← decay·θ[i] − rate·(g_first[i] + g_next[i] + …) for i in lo ..< hi, over the
    /// shards that have rows, in shard order, in blocks of `block` floats.
    @inline(__always)
    private static func sumAndUpdate(_ lo: Int, _ hi: Int, _ gradients: UnsafePointer<ShardView>, _ shards: Int,
                                     _ batch: Int, _ p: UnsafeMutablePointer<Float>, _ rate: Float, _ decay: Float) {
        func hasRows(_ s: Int) -> Bool {
            ShardedSGD.shardStart(s + 1, batch: batch, shards: shards) > ShardedSGD.shardStart(s, batch: batch, shards: shards)
        }
        var first = 0
        while !hasRows(first) { first += 1 }
        withUnsafeTemporaryAllocation(of: Float.self, capacity: block) { sum in
            let a = sum.baseAddress!
            var start = lo
            while start < hi {
                let count = min(block, hi - start)
                a.update(from: gradients[first].nabla + start, count: count)
                for s in (first + 1)..<max(first + 1, shards) where hasRows(s) {
                    let g = gradients[s].nabla + start
                    for i in 0..<count { a[i] += g[i] }
                }
                let q = p + start
                for i in 0..<count { q[i] = decay * q[i] - rate * a[i] }
                start += count
            }
        }
    }
}
