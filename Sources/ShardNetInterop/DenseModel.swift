import ShardNet

/// An activation function as other tools name it (Keras's names). ShardNet runs sigmoid, tanh
/// and ReLU hidden layers and a sigmoid or softmax output layer; `linear` is recognised so that
/// an import can name what it refuses.
public enum DenseActivation: String, Sendable, CaseIterable {
    case sigmoid, tanh, relu, softmax, linear

    /// Keras's activation names (`"sigmoid"`, …; Keras 2 and 3 agree on these).
    public init?(kerasName: String) {
        self.init(rawValue: kerasName)
    }

    /// What ShardNet runs in a hidden layer.
    public static let shardNetHidden: Set<DenseActivation> = [.sigmoid, .tanh, .relu]
    /// What ShardNet runs in the output layer.
    public static let shardNetOutput: Set<DenseActivation> = [.sigmoid, .softmax]
    /// Every activation ShardNet runs somewhere.
    public static var shardNetSupports: Set<DenseActivation> { shardNetHidden.union(shardNetOutput) }
}

/// One fully connected layer: `units` outputs from `inputs` inputs.
public struct DenseLayer: Sendable, Equatable {
    public var name: String
    public var inputs: Int
    public var units: Int
    public var activation: DenseActivation
    /// Row-major (units × inputs), ShardNet's and network2.py's orientation (Keras stores the
    /// transpose).
    public var weights: [Float]
    public var biases: [Float]

    public init(name: String, inputs: Int, units: Int, activation: DenseActivation, weights: [Float], biases: [Float]) {
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

    /// The model of a ShardNet network: its layers named dense, dense_1, … as Keras names them,
    /// the hidden activation on each hidden layer and the output layer's on the last.
    public init(network: Network) {
        let hidden = DenseActivation(rawValue: network.activation.rawValue)!
        let output = DenseActivation(rawValue: network.outputLayer.rawValue)!
        layers = (0..<network.layerCount).map { l in
            DenseLayer(
                name: l == 0 ? "dense" : "dense_\(l)", inputs: network.sizes[l], units: network.sizes[l + 1],
                activation: l == network.layerCount - 1 ? output : hidden, weights: network.weights(layer: l),
                biases: network.biases(layer: l))
        }
        cost = network.cost
    }

    /// A ShardNet network with these parameters. `path` names the source file in errors.
    /// Checks the chain of shapes, finite values and that the activations are ones ShardNet runs:
    /// one of sigmoid, tanh or ReLU on every hidden layer (the same on all), sigmoid or softmax
    /// on the last. A softmax output layer is trained with the log-likelihood cost; otherwise
    /// the recorded cost, or `defaultCost`.
    public func network(path: String, defaultCost: Cost = .quadratic) throws -> Network {
        try validate(path: path)
        let last = layers.count - 1
        for (i, layer) in layers.enumerated() {
            let allowed = i == last ? DenseActivation.shardNetOutput : DenseActivation.shardNetHidden
            guard allowed.contains(layer.activation) else {
                let supported = allowed.map(\.rawValue).sorted().joined(separator: ", ")
                throw ShardNetError.invalidFile(
                    path: path, object: "layer '\(layer.name)'",
                    reason:
                        "activation '\(layer.activation.rawValue)' is not supported \(i == last ? "in the output layer" : "in a hidden layer"); ShardNet runs \(supported) there"
                )
            }
            if i > 0, i < last, layer.activation != layers[0].activation {
                throw ShardNetError.invalidFile(
                    path: path, object: "layer '\(layer.name)'",
                    reason:
                        "activation '\(layer.activation.rawValue)' differs from the first hidden layer's '\(layers[0].activation.rawValue)'; ShardNet's hidden layers share one activation"
                )
            }
        }
        let output = OutputLayer(rawValue: layers[last].activation.rawValue)!
        let hidden = last > 0 ? Activation(rawValue: layers[0].activation.rawValue)! : .sigmoid
        let chosen = output == .softmax ? Cost.logLikelihood : (cost ?? defaultCost)
        do {
            return try Network(
                sizes: sizes, cost: chosen, activation: hidden, outputLayer: output, weights: layers.map(\.weights),
                biases: layers.map(\.biases))
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
