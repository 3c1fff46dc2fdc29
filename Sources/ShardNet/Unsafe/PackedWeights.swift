/// The native forward kernel's copy of every layer's weights, in panels of 16 units
/// ((nIn, 16) blocks, k-major): one allocation, refreshed by whoever updates the rows — or, for
/// layer 0 in a `sgdPacked` run, the weights themselves until the run unpacks them.
///
///     layer l   packedCount(sizes[l], sizes[l+1]) floats at offsets[l]
///
/// `@unchecked Sendable`: the reducer item that updates rows j0 ..< j1 of a layer (whole
/// panels) is the only writer of their panels in a step, and shards read them only after the
/// team's barrier.
package final class PackedWeights: @unchecked Sendable {
    private let floats: AlignedBuffer
    let offsets: UnsafeMutablePointer<Int>

    init(layout: ParameterLayout) {
        let layerCount = layout.layerCount
        offsets = .allocate(capacity: max(layerCount, 1))
        var total = 0
        for l in 0..<layerCount {
            (offsets + l).initialize(to: total)
            total += paddedToCacheLine(NativeKernels.packedCount(nIn: layout.sizes[l], nOut: layout.sizes[l + 1]))
        }
        floats = AlignedBuffer(count: total)
    }

    deinit { offsets.deallocate() }

    /// Layer l's panels.
    @inline(__always)
    func layer(_ l: Int) -> UnsafeMutablePointer<Float> { floats.base + offsets[l] }
}
