import Foundation
import ShardNet

/// Keras model configurations (the JSON in a .keras archive's config.json and in a legacy
/// HDF5 file's `model_config` attribute): writing a Sequential of Dense layers, and reading
/// one back from Keras 2 or Keras 3.
enum KerasConfig {
    /// The Keras release whose layout each writer follows (Keras reads these only to decide
    /// on conversions of much older files).
    static let keras3Version = "3.15.1"
    static let keras2Version = "2.15.0"

    // MARK: writing

    private static func json(_ object: Any) -> String {
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return String(decoding: data, as: UTF8.self)
    }

    private static func denseConfig(_ layer: DenseLayer, keras3: Bool) -> [String: Any] {
        func initializer(_ name: String, _ config: [String: Any]) -> [String: Any] {
            keras3
                ? ["module": "keras.initializers", "class_name": name, "config": config, "registered_name": NSNull()]
                : ["class_name": name, "config": config]
        }
        return [
            "name": layer.name, "trainable": true, "dtype": "float32",
            "units": layer.units, "activation": layer.activation.rawValue, "use_bias": true,
            "kernel_initializer": initializer("GlorotUniform", ["seed": NSNull()]),
            "bias_initializer": initializer("Zeros", [:]),
            "kernel_regularizer": NSNull(), "bias_regularizer": NSNull(), "activity_regularizer": NSNull(),
            "kernel_constraint": NSNull(), "bias_constraint": NSNull(),
        ]
    }

    /// Keras 3's serialized Sequential (config.json of a .keras archive).
    static func keras3(_ model: DenseModel) -> String {
        let inputs = model.layers[0].inputs
        var layers: [[String: Any]] = [
            [
                "module": "keras.layers", "class_name": "InputLayer", "registered_name": NSNull(),
                "config": ["batch_shape": [NSNull(), inputs], "dtype": "float32", "sparse": false, "name": "input_layer"],
            ]
        ]
        for layer in model.layers {
            var config = denseConfig(layer, keras3: true)
            config.removeValue(forKey: "activity_regularizer")
            layers.append([
                "module": "keras.layers", "class_name": "Dense", "registered_name": NSNull(),
                "config": config, "build_config": ["input_shape": [NSNull(), layer.inputs]],
            ])
        }
        return json([
            "module": "keras", "class_name": "Sequential", "registered_name": NSNull(),
            "config": [
                "name": "sequential", "trainable": true, "dtype": "float32", "layers": layers,
                "build_input_shape": [NSNull(), inputs],
            ],
            "build_config": ["input_shape": [NSNull(), inputs]],
            "compile_config": NSNull(),
        ])
    }

    /// Keras 2's (tf.keras) Sequential config, as the legacy HDF5 format's `model_config`.
    static func keras2(_ model: DenseModel) -> String {
        var layers: [[String: Any]] = [
            [
                "class_name": "InputLayer",
                "config": [
                    "batch_input_shape": [NSNull(), model.layers[0].inputs], "dtype": "float32",
                    "sparse": false, "ragged": false, "name": "input_1",
                ],
            ]
        ]
        for layer in model.layers {
            layers.append(["class_name": "Dense", "config": denseConfig(layer, keras3: false)])
        }
        return json([
            "class_name": "Sequential", "config": ["name": "sequential", "layers": layers],
            "keras_version": keras2Version, "backend": "tensorflow",
        ])
    }

    // MARK: reading

    /// A Dense layer as the configuration declares it (weights come from elsewhere).
    struct DeclaredLayer {
        var name: String
        var units: Int
        var activation: DenseActivation
        var useBias: Bool
        /// The input width, when the configuration states it.
        var inputs: Int?
    }

    /// The most layers and the widest layer a configuration may declare (larger is refused
    /// before anything is allocated from it).
    static let maxLayers = 1024
    static let maxUnits = 1 << 24

    /// Parses a Keras 2 or 3 Sequential of Dense layers (an optional InputLayer first).
    static func parse(_ data: Data, file: String, object: String) throws -> [DeclaredLayer] {
        let root = try JSONNode.parse(data, file: file, object: object)
        let className = try root["class_name"].string()
        guard className == "Sequential" else {
            throw root.fail("is a '\(className)' model; only Sequential models of Dense layers can be imported")
        }
        let config = try root["config"]
        // Keras ≤ 2.1 stored the layer list directly as the config.
        let layerNodes = config.value is [Any] ? try config.array(maxCount: maxLayers) : try config["layers"].array(maxCount: maxLayers)
        var declared: [DeclaredLayer] = []
        var inputWidth: Int?
        for (index, node) in layerNodes.enumerated() {
            let layerClass = try node["class_name"].string()
            let layerConfig = try node["config"]
            let name = try layerConfig.optional("name")?.string() ?? "#\(index)"
            if layerClass == "InputLayer" {
                guard index == 0 else { throw node.fail("InputLayer '\(name)' must come first") }
                inputWidth = try batchShape(layerConfig, required: true)
                continue
            }
            guard layerClass == "Dense" else {
                throw node.fail("layer '\(name)' is a \(layerClass); only Dense layers (and a first InputLayer) can be imported")
            }
            let units = try layerConfig["units"].int(in: 1...maxUnits)
            let activationNode = try layerConfig["activation"]
            let activationName: String
            if let s = activationNode.value as? String {
                activationName = s
            } else if activationNode.value is [String: Any] {
                // Keras 3 may serialize an activation as an object.
                activationName = try activationNode["class_name"].string()
            } else {
                throw activationNode.fail("is neither an activation name nor an activation object")
            }
            guard let activation = DenseActivation(kerasName: activationName) else {
                let supported = DenseActivation.shardNetSupports.map(\.rawValue).sorted().joined(separator: ", ")
                throw ShardNetError.invalidFile(
                    path: file, object: "layer '\(name)'",
                    reason: "activation '\(activationName)' is not supported; ShardNet runs \(supported) layers only")
            }
            let useBiasNode = try layerConfig.optional("use_bias")
            let useBias =
                try useBiasNode.map { node -> Bool in
                    guard let n = node.value as? NSNumber, n.isBool else { throw node.fail("is not true or false") }
                    return n.boolValue
                } ?? true
            // The input width matters for the first Dense layer only (later ones take the
            // previous layer's units): its own batch shape (Keras 2 without an InputLayer), its
            // build_config (Keras 3), or the InputLayer's. Without any, the kernel's rows say it.
            var inputs: Int?
            if declared.isEmpty {
                inputs = try batchShape(layerConfig, required: false)
                if inputs == nil, let build = try node.optional("build_config"), let shape = try build.optional("input_shape") {
                    inputs = try lastDimension(shape)
                }
                if let declaredWidth = inputWidth, let own = inputs, own != declaredWidth {
                    throw node.fail("layer '\(name)' takes \(own) inputs but the InputLayer declares \(declaredWidth)")
                }
                inputs = inputs ?? inputWidth
            }
            declared.append(DeclaredLayer(name: name, units: units, activation: activation, useBias: useBias, inputs: inputs))
        }
        guard !declared.isEmpty else { throw config.fail("declares no Dense layers") }
        return declared
    }

    /// The feature width from `batch_shape` (Keras 3) or `batch_input_shape` (Keras 2): [null, n].
    private static func batchShape(_ config: JSONNode, required: Bool) throws -> Int? {
        let node = try config.optional("batch_shape") ?? config.optional("batch_input_shape")
        guard let node else {
            if required { throw config.fail("has no 'batch_shape' (or 'batch_input_shape')") }
            return nil
        }
        return try lastDimension(node)
    }

    private static func lastDimension(_ node: JSONNode) throws -> Int {
        let dims = try node.array(maxCount: 8)
        guard dims.count == 2 else {
            throw node.fail("has \(dims.count) dimensions; expected [batch, features] (flat inputs only)")
        }
        return try dims[1].int(in: 1...maxUnits)
    }
}
