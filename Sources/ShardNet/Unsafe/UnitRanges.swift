/// Every layer's output units cut into at most `parts` ranges whose boundaries are multiples of
/// 16 units (the native kernels' panel width; a cache line of floats), as a flat table of
/// items (layer, j0, j1), layer after layer. The reducer updates one item's rows of wˡ and
/// entries of bˡ and refreshes their packed panels, so no two items ever write the same panel.
///
///     items  (count × 3)  layer, j0, j1 of item i at 3i, 3i+1, 3i+2
///
/// `@unchecked Sendable`: written only in `init`, read-only afterwards.
package final class UnitRanges: @unchecked Sendable {
    /// Number of items.
    let count: Int
    private let items: UnsafeMutablePointer<Int>

    init(layout: ParameterLayout, parts: Int) {
        var flat: [Int] = []
        for l in 0..<layout.layerCount {
            let b = Self.split(units: layout.sizes[l + 1], parts: parts)
            for r in 0..<(b.count - 1) { flat += [l, b[r], b[r + 1]] }
        }
        count = flat.count / 3
        items = .allocate(capacity: flat.count)
        items.initialize(from: flat, count: flat.count)
    }

    deinit { items.deallocate() }

    /// Item i: its layer and unit range.
    @inline(__always)
    subscript(i: Int) -> (layer: Int, j0: Int, j1: Int) { (items[3 * i], items[3 * i + 1], items[3 * i + 2]) }

    /// Boundaries of at most `parts` ranges of `units`, cut at multiples of 16 and as even as
    /// that allows: [0, …, units].
    static func split(units: Int, parts: Int) -> [Int] {
        let panels = (units + 15) / 16
        let n = max(1, min(parts, panels))
        return (0...n).map { min(units, ($0 * panels / n) * 16) }
    }
}
