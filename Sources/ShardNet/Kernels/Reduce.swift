/// The reducer's arithmetic: the shards' gradients summed in shard order, fused with the SGD
/// update, over one range of a layer's units:
///
///     w ← decay·w − rate·Σₛ ∇wₛ      (decay = 1 − ηλ/n: L2 weight decay, weights only)
///     b ←       b − rate·Σₛ ∇bₛ      (rate = η/m for a batch of m samples)
///
/// or, with L1 or momentum, the rule `UpdateRule` states.
///
/// The sum always starts from the first shard with rows and adds the others in shard order,
/// so where the ranges are cut never changes a bit of the result. The arithmetic runs in the
/// native update kernel (vectorised, each product rounded on its own, so its bits are those of
/// the scalar formula on every instruction set and on the BLAS path too).
enum Reduce {

    /// The update of layer l's units j0 ..< j1: rows j0 ..< j1 of wˡ (with decay) and entries
    /// j0 ..< j1 of bˡ.
    /// - gradients: the shards' workspaces (their `nabla`, parameter layout), groups × shards of them
    /// - shards: S, shards per group; groups: R (1: today's single sum of S shards, see
    ///   `GradientExchange`)
    /// - batch: rows in this step's mini-batch (shards beyond it are empty and skipped)
    @inline(__always)
    static func units(
        layer l: Int, j0: Int, j1: Int, gradients: UnsafePointer<ShardView>, shards: Int, groups: Int = 1, batch: Int,
        layout: LayoutView, parameters: UnsafeMutablePointer<Float>, rules: UpdateRules,
        kernels: KernelSet
    ) {
        let total = shards * groups
        // The shards (R = 1) or group sums (R > 1) with rows, in order (a stack array: no
        // allocation in the step).
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: min(total, batch)) { list in
            var used = 0
            if groups == 1 {
                for s in 0..<shards where hasRows(s, batch: batch, shards: total) {
                    list[used] = UnsafePointer(gradients[s].nabla)
                    used += 1
                }
            } else {
                for r in 0..<groups {
                    if let k = groupSum(
                        layer: l, j0: j0, j1: j1, gradients: gradients, local: r * shards, first: r * shards,
                        shards: shards, total: total, batch: batch, layout: layout)
                    {
                        list[used] = UnsafePointer(gradients[k].nabla)
                        used += 1
                    }
                }
            }
            update(
                layer: l, j0: j0, j1: j1, gradients: UnsafePointer(list.baseAddress!), count: used, layout: layout,
                parameters: parameters, rules: rules, kernels: kernels)
        }
    }

    /// The update kernel over layer l's units j0 ..< j1 (rows of wˡ with the weight rule,
    /// entries of bˡ with the bias rule), the `count` gradients summed in the order given.
    @inline(__always)
    private static func update(
        layer l: Int, j0: Int, j1: Int, gradients g: UnsafePointer<UnsafePointer<Float>?>, count: Int, layout: LayoutView,
        parameters: UnsafeMutablePointer<Float>, rules: UpdateRules, kernels: KernelSet
    ) {
        let nIn = layout.sizes[l], w0 = layout.weightOffsets[l], b0 = layout.biasOffsets[l]
        kernels.updater.update(
            count: (j1 - j0) * nIn, parameters: parameters, gradients: g, gradientCount: count,
            offset: w0 + j0 * nIn, rule: rules.weights, velocity: rules.velocity)
        kernels.updater.update(
            count: j1 - j0, parameters: parameters, gradients: g, gradientCount: count,
            offset: b0 + j0, rule: rules.biases, velocity: rules.velocity)
    }

    /// The update of layer l's units j0 ..< j1 from one buffer that already holds the shards'
    /// gradients summed in shard order (the unit schedule sums them as it computes them,
    /// `NativeKernels.gradientAdd`): the same bits as `units` over the separate shard buffers.
    @inline(__always)
    static func unitsFromSum(
        layer l: Int, j0: Int, j1: Int, sum: UnsafePointer<Float>, layout: LayoutView,
        parameters: UnsafeMutablePointer<Float>, rules: UpdateRules, kernels: KernelSet
    ) {
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: 1) { list in
            list[0] = sum
            update(
                layer: l, j0: j0, j1: j1, gradients: UnsafePointer(list.baseAddress!), count: 1, layout: layout,
                parameters: parameters, rules: rules, kernels: kernels)
        }
    }

    /// Whether global shard g of `shards` has rows in a batch of `batch` rows.
    @inline(__always)
    static func hasRows(_ g: Int, batch: Int, shards: Int) -> Bool {
        ShardedSGD.shardStart(g + 1, batch: batch, shards: shards) > ShardedSGD.shardStart(g, batch: batch, shards: shards)
    }

    /// One group's local sum over layer l's units j0 ..< j1: global shards first ..< first +
    /// shards (of `total`; their workspaces at gradients[local ...]) that have rows, added in
    /// shard order into the first of them, in place — ((∇₀ + ∇₁) + ∇₂) …, each addition rounded
    /// on its own, the same bits as the update kernel's sum. Returns the index (into
    /// `gradients`) of the shard that holds the sum, or nil when the group has no rows.
    @inline(__always)
    static func groupSum(
        layer l: Int, j0: Int, j1: Int, gradients: UnsafePointer<ShardView>, local: Int, first: Int, shards: Int,
        total: Int, batch: Int, layout: LayoutView
    ) -> Int? {
        let nIn = layout.sizes[l], w = layout.weightOffsets[l] + j0 * nIn, b = layout.biasOffsets[l] + j0
        var head: Int?
        for s in 0..<shards where hasRows(first + s, batch: batch, shards: total) {
            guard let h = head else { head = local + s; continue }
            add(gradients[local + s].nabla + w, into: gradients[h].nabla + w, count: (j1 - j0) * nIn)
            add(gradients[local + s].nabla + b, into: gradients[h].nabla + b, count: j1 - j0)
        }
        return head
    }

    /// acc[i] = acc[i] + x[i], elementwise (never reassociated: each element is one addition).
    @inline(__always)
    static func add(_ x: UnsafeMutablePointer<Float>, into acc: UnsafeMutablePointer<Float>, count: Int) {
        for i in 0..<count { acc[i] = acc[i] + x[i] }
    }

    /// The update of parameters range.lowerBound ..< range.upperBound (any cut of the vector,
    /// e.g. one rank's slice) from `sums` in order (the group sums with rows), where sums[k]
    /// points at the sum's value for parameter range.lowerBound: weights with decay, biases
    /// without — elementwise, so the bits are those of `units` over the same parameters.
    package static func slice(
        _ range: Range<Int>, layout: ParameterLayout, parameters: UnsafeMutablePointer<Float>,
        sums: UnsafePointer<UnsafePointer<Float>?>, count: Int, rules: UpdateRules, kernels: KernelSet
    ) {
        withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: max(count, 1)) { list in
            for l in 0..<layout.layerCount {
                for part in 0..<2 {
                    let segment = part == 0 ? layout.weightRange(l) : layout.biasRange(l)
                    let lo = max(segment.lowerBound, range.lowerBound), hi = min(segment.upperBound, range.upperBound)
                    guard hi > lo else { continue }
                    for k in 0..<count { list[k] = sums[k]! + (lo - range.lowerBound) }
                    kernels.updater.update(
                        count: hi - lo, parameters: parameters + lo, gradients: UnsafePointer(list.baseAddress!),
                        gradientCount: count, offset: 0, rule: part == 0 ? rules.weights : rules.biases,
                        velocity: rules.velocity.map { $0 + lo })
                }
            }
        }
    }
}
