/// A feedforward network: Nielsen's `Network`, with every weight and bias in one allocation
/// (see `ParameterLayout` for where layer l's wˡ and bˡ live). Hidden layers apply
/// `activation` (sigmoid in chapters 1–2; tanh or ReLU from chapter 3), the output layer
/// `outputLayer` (sigmoid units, or a softmax trained with the log-likelihood cost).
///
/// Value semantics: copies share storage until one of them is written (copy-on-write).
public struct Network: Sendable {
    /// Layer sizes, input first, e.g. [784, 30, 10].
    public let sizes: [Int]
    /// Where each layer's weights and biases sit in `parameters`.
    public let layout: ParameterLayout
    /// The cost the network is trained for.
    public var cost: Cost
    /// The hidden layers' activation function.
    public let activation: Activation
    /// The output layer's function.
    public let outputLayer: OutputLayer
    /// All parameters: (layout.count) floats, layer after layer, weights then biases.
    package internal(set) var storage: AlignedBuffer

    /// A network with all parameters zero. Throws when `cost` does not suit `outputLayer`
    /// (log-likelihood needs a softmax and a softmax needs log-likelihood).
    public init(sizes: [Int], cost: Cost = .quadratic, activation: Activation = .sigmoid, outputLayer: OutputLayer = .sigmoid) throws {
        try Self.validate(sizes: sizes)
        try Self.validate(cost: cost, outputLayer: outputLayer)
        self.sizes = sizes
        layout = ParameterLayout(sizes: sizes)
        self.cost = cost
        self.activation = activation
        self.outputLayer = outputLayer
        storage = AlignedBuffer(count: layout.count)
    }

    /// A network drawn from the seeded generator as in the book: weights ~ N(0, 1)
    /// (`.gaussian`), N(0, 1/n_in) (`.scaled`) or N(0, 2/n_in) (`.he`); biases ~ N(0, 1), or 0
    /// for `.he`. For each layer in order, the weights are drawn row by row (wʲₖ for j, then
    /// k), then the biases.
    public init(
        sizes: [Int], cost: Cost = .quadratic, activation: Activation = .sigmoid, outputLayer: OutputLayer = .sigmoid,
        initialization: Initialization, generator: inout Xoshiro256StarStar
    ) throws {
        try self.init(sizes: sizes, cost: cost, activation: activation, outputLayer: outputLayer)
        let p = storage.base
        for l in 0..<layout.layerCount {
            let scale = initialization.weightScale(fanIn: sizes[l])
            for i in layout.weightRange(l) { p[i] = Float(generator.gaussian() * scale) }
            for i in layout.biasRange(l) { p[i] = initialization.drawsBiases ? Float(generator.gaussian()) : 0 }
        }
    }

    /// A network with the given per-layer weights (row-major, out × in) and biases.
    public init(
        sizes: [Int], cost: Cost = .quadratic, activation: Activation = .sigmoid, outputLayer: OutputLayer = .sigmoid,
        weights: [[Float]], biases: [[Float]]
    ) throws {
        try self.init(sizes: sizes, cost: cost, activation: activation, outputLayer: outputLayer)
        guard weights.count == layout.layerCount, biases.count == layout.layerCount else {
            throw ShardNetError.invalidArgument(
                "network \(sizes): expected \(layout.layerCount) weight and bias arrays, got \(weights.count) and \(biases.count)")
        }
        for l in 0..<layout.layerCount {
            guard weights[l].count == layout.weightRange(l).count else {
                throw ShardNetError.invalidArgument(
                    "layer \(l) weights: expected \(sizes[l + 1])×\(sizes[l]) = \(layout.weightRange(l).count) values, got \(weights[l].count)")
            }
            guard biases[l].count == sizes[l + 1] else {
                throw ShardNetError.invalidArgument("layer \(l) biases: expected \(sizes[l + 1]) values, got \(biases[l].count)")
            }
            setWeights(layer: l, weights[l])
            setBiases(layer: l, biases[l])
        }
    }

    /// Checks that `sizes` describes a network: at least an input and an output layer, all positive.
    public static func validate(sizes: [Int]) throws {
        guard sizes.count >= 2 else {
            throw ShardNetError.invalidArgument("layer sizes \(sizes): need at least an input and an output layer, e.g. 784,30,10")
        }
        let limits = TrainingOptions.limits
        guard sizes.allSatisfy({ limits.layerSize.contains($0) }) else {
            throw ShardNetError.invalidArgument(
                "layer sizes \(sizes): every size must be between \(limits.layerSize.lowerBound) and \(limits.layerSize.upperBound)")
        }
        let total = ParameterLayout.countWithoutOverflow(sizes: sizes)
        guard let total, limits.parameters.contains(total) else {
            throw ShardNetError.invalidArgument("layer sizes \(sizes): more than \(limits.parameters.upperBound) parameters")
        }
    }

    /// Checks that `cost` suits `outputLayer`; the message says which pairs work.
    public static func validate(cost: Cost, outputLayer: OutputLayer) throws {
        guard outputLayer.accepts(cost) else {
            throw ShardNetError.invalidArgument(
                outputLayer == .softmax
                    ? "a softmax output layer is trained with the log-likelihood cost, not \(cost.rawValue); use --cost log-likelihood"
                    : "the \(cost.rawValue) cost needs a softmax output layer; use --output-layer softmax (or --cost quadratic|cross-entropy)")
        }
    }

    /// The function layer l (0-based) applies: the hidden activation, or the output layer's.
    var layerFunctions: LayerFunctions { LayerFunctions(activation: activation, outputLayer: outputLayer) }

    /// Number of weight layers.
    public var layerCount: Int { layout.layerCount }

    /// Total number of parameters.
    public var parameterCount: Int { layout.count }

    /// Layer l's weights wˡ, (sizes[l+1], sizes[l]) row-major.
    public func weights(layer l: Int) -> [Float] { storage.array(layout.weightRange(l)) }

    /// Layer l's biases bˡ, (sizes[l+1]).
    public func biases(layer l: Int) -> [Float] { storage.array(layout.biasRange(l)) }

    /// All parameters in layout order.
    public var parameters: [Float] { storage.array(0..<layout.count) }

    /// Replaces layer l's weights (row-major, out × in).
    public mutating func setWeights(layer l: Int, _ values: [Float]) {
        let range = layout.weightRange(l)
        precondition(values.count == range.count, "setWeights: wrong count")
        makeUnique()
        values.withUnsafeBufferPointer { storage.base.advanced(by: range.lowerBound).update(from: $0.baseAddress!, count: range.count) }
    }

    /// Replaces layer l's biases.
    public mutating func setBiases(layer l: Int, _ values: [Float]) {
        let range = layout.biasRange(l)
        precondition(values.count == range.count, "setBiases: wrong count")
        makeUnique()
        values.withUnsafeBufferPointer { storage.base.advanced(by: range.lowerBound).update(from: $0.baseAddress!, count: range.count) }
    }

    /// Replaces every parameter (layout order).
    public mutating func setParameters(_ values: [Float]) {
        precondition(values.count == layout.count, "setParameters: wrong count")
        makeUnique()
        values.withUnsafeBufferPointer { storage.base.update(from: $0.baseAddress!, count: layout.count) }
    }

    /// True when every weight and bias is finite (no NaN, no ±∞).
    public var isFinite: Bool {
        storage.withUnsafeBufferPointer { p in p.allSatisfy { $0.isFinite } }
    }

    /// Ensures this value owns its storage before a write (copy-on-write).
    package mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// Bitwise equality of sizes, functions, cost and every parameter.
    public func isBitwiseEqual(to other: Network) -> Bool {
        guard sizes == other.sizes, cost == other.cost, activation == other.activation, outputLayer == other.outputLayer else {
            return false
        }
        return storage.withUnsafeBufferPointer { a in
            other.storage.withUnsafeBufferPointer { b in
                zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
            }
        }
    }
}

extension ParameterLayout {
    /// Parameter count, or nil if it would overflow Int.
    static func countWithoutOverflow(sizes: [Int]) -> Int? {
        var total = 0
        for l in 0..<(sizes.count - 1) {
            let (w, o1) = sizes[l + 1].multipliedReportingOverflow(by: sizes[l])
            let (t1, o2) = total.addingReportingOverflow(w)
            let (t2, o3) = t1.addingReportingOverflow(sizes[l + 1])
            if o1 || o2 || o3 { return nil }
            total = t2
        }
        return total
    }
}
