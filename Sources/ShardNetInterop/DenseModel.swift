import ShardNet

/// An activation function as other tools name it. ShardNet computes sigmoid only; the others
/// are recognised so that an import can name what it refuses, and so that a later ShardNet
/// with more activations needs only to widen `shardNetSupports`.
public enum Activation: String, Sendable, CaseIterable {
    case sigmoid, tanh, relu, softmax, linear

    /// Keras's activation names (`"sigmoid"`, …; Keras 2 and 3 agree on these).
    public init?(kerasName: String) {
        self.init(rawValue: kerasName)
    }

    /// The activations ShardNet's engine can run today.
    public static let shardNetSupports: Set<Activation> = [.sigmoid]
}

/// One fully connected layer: `units` outputs from `inputs` inputs.
public struct DenseLayer: Sendable, Equatable {
    public var name: String
    public var inputs: Int
    public var units: Int
    public var activation: Activation
    /// Row-major (units × inputs), ShardNet's and network2.py's orientation (Keras stores the
    /// transpose).
    public var weights: [Float]
    public var biases: [Float]

    public init(name: String, inputs: Int, units: Int, activation: Activation, weights: [Float], biases: [Float]) {
        self.name = name
        self.inputs = inputs
        self.units = units
        self.activation = activation
        self.weights = weights
        self.biases = biases
    }
}

/// A stack of dense layers: what every interchange format here describes, before it becomes
/// a ShardNet `Network` (or after it was one).
public struct DenseModel: Sendable, Equatable {
    public var layers: [DenseLayer]
    /// The cost, where the format records one (network2.py's JSON); `nil` otherwise.
    public var cost: Cost?

    public init(layers: [DenseLayer], cost: Cost? = nil) {
        self.layers = layers
        self.cost = cost
    }

    /// Layer sizes, input first.
    public var sizes: [Int] { layers.isEmpty ? [] : [layers[0].inputs] + layers.map(\.units) }

    /// The model of a ShardNet network: sigmoid layers named dense, dense_1, … as Keras names them.
    public init(network: Network) {
        layers = (0..<network.layerCount).map { l in
            DenseLayer(
                name: l == 0 ? "dense" : "dense_\(l)", inputs: network.sizes[l], units: network.sizes[l + 1],
                activation: .sigmoid, weights: network.weights(layer: l), biases: network.biases(layer: l))
        }
        cost = network.cost
    }

    /// A ShardNet network with these parameters. `path` names the source file in errors.
    /// Checks the chain of shapes, finite values and that every activation is one ShardNet runs.
    public func network(path: String, defaultCost: Cost = .quadratic) throws -> Network {
        try validate(path: path)
        for layer in layers where !Activation.shardNetSupports.contains(layer.activation) {
            let supported = Activation.shardNetSupports.map(\.rawValue).sorted().joined(separator: ", ")
            throw ShardNetError.invalidFile(
                path: path, object: "layer '\(layer.name)'",
                reason: "activation '\(layer.activation.rawValue)' is not supported; ShardNet runs \(supported) layers only")
        }
        do {
            return try Network(sizes: sizes, cost: cost ?? defaultCost, weights: layers.map(\.weights), biases: layers.map(\.biases))
        } catch let error as ShardNetError {
            throw ShardNetError.invalidFile(path: path, object: "model", reason: error.description)
        }
    }

    /// Structural checks every reader runs before building a network.
    public func validate(path: String) throws {
        guard !layers.isEmpty else {
            throw ShardNetError.invalidFile(path: path, object: "model", reason: "has no Dense layers; expected at least one")
        }
        do { try Network.validate(sizes: sizes) } catch let error as ShardNetError {
            throw ShardNetError.invalidFile(path: path, object: "model", reason: error.description)
        }
        for (i, layer) in layers.enumerated() {
            let object = "layer '\(layer.name)'"
            if i > 0, layer.inputs != layers[i - 1].units {
                throw ShardNetError.invalidFile(
                    path: path, object: object,
                    reason: "takes \(layer.inputs) inputs but the previous layer has \(layers[i - 1].units) units")
            }
            guard layer.weights.count == layer.units * layer.inputs else {
                throw ShardNetError.invalidFile(
                    path: path, object: object,
                    reason: "has \(layer.weights.count) weights; expected \(layer.inputs)×\(layer.units)")
            }
            guard layer.biases.count == layer.units else {
                throw ShardNetError.invalidFile(path: path, object: object, reason: "has \(layer.biases.count) biases; expected \(layer.units)")
            }
            if let k = layer.weights.firstIndex(where: { !$0.isFinite }) {
                throw ShardNetError.invalidFile(
                    path: path, object: object,
                    reason: "weight (row \(k / layer.inputs), column \(k % layer.inputs)) is \(layer.weights[k]); parameters must be finite")
            }
            if let k = layer.biases.firstIndex(where: { !$0.isFinite }) {
                throw ShardNetError.invalidFile(path: path, object: object, reason: "bias \(k) is \(layer.biases[k]); parameters must be finite")
            }
        }
    }
}

/// Transposes a row-major rows × cols matrix.
func transpose(_ m: [Float], rows: Int, cols: Int) -> [Float] {
    precondition(m.count == rows * cols)
    var t = [Float](repeating: 0, count: m.count)
    for r in 0..<rows { for c in 0..<cols { t[c * rows + r] = m[r * cols + c] } }
    return t
}
