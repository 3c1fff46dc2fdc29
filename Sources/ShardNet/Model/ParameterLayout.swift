/// Where each layer's weights and biases live in the flat parameter vector.
///
/// Departure from the book: Nielsen's network.py keeps one numpy array per layer and numbers
/// layers from 1 (the input is layer 1). ShardNet numbers weight layers from 0: layer `l`
/// maps activations of size `sizes[l]` to size `sizes[l+1]`, so Nielsen's wˡ⁺² is ShardNet's
/// `l`. All parameters sit in one vector, layer after layer, each layer as
///
///     weights  (sizes[l+1], sizes[l])  row-major: w[j][k] at weights + j*sizes[l] + k
///     biases   (sizes[l+1])
///
/// The same layout is used for every gradient buffer (nablaW, nablaB), so the reducer can sum
/// shard gradients and update parameters in one pass over flat slices.
public struct ParameterLayout: Sendable, Equatable {
    /// Layer sizes, input first, e.g. [784, 30, 10].
    public let sizes: [Int]
    /// Offset of layer l's weight matrix in the parameter vector.
    public let weightOffsets: [Int]
    /// Offset of layer l's bias vector in the parameter vector.
    public let biasOffsets: [Int]
    /// Total number of parameters (weights + biases).
    public let count: Int

    public init(sizes: [Int]) {
        precondition(sizes.count >= 2 && sizes.allSatisfy { $0 > 0 }, "ParameterLayout: need >= 2 positive sizes")
        self.sizes = sizes
        var w: [Int] = [], b: [Int] = [], offset = 0
        for l in 0..<(sizes.count - 1) {
            w.append(offset); offset += sizes[l + 1] * sizes[l]
            b.append(offset); offset += sizes[l + 1]
        }
        weightOffsets = w
        biasOffsets = b
        count = offset
    }

    /// Number of weight layers (L − 1 in the book's numbering).
    public var layerCount: Int { sizes.count - 1 }

    /// Range of layer l's weights in the flat vector.
    public func weightRange(_ l: Int) -> Range<Int> { weightOffsets[l]..<(weightOffsets[l] + sizes[l + 1] * sizes[l]) }

    /// Range of layer l's biases in the flat vector.
    public func biasRange(_ l: Int) -> Range<Int> { biasOffsets[l]..<(biasOffsets[l] + sizes[l + 1]) }

    /// Number of weights W (biases excluded): Σₗ sizes[l+1]·sizes[l]. A training step costs
    /// about 6·W floating-point operations per sample (2·W each for the forward product, ∇w
    /// and δ of the earlier layer).
    public var weightCount: Int { (0..<layerCount).reduce(0) { $0 + sizes[$1 + 1] * sizes[$1] } }
}
