import Foundation
import HDF5
import ShardNet
import Testing
import ZIPFoundation

@testable import ShardNetInterop

/// Every import is untrusted input.
@Suite struct HostileImportTests {
    static let network: Network = {
        var generator = Xoshiro256StarStar(seed: 4)
        return try! Network(sizes: [4, 3, 2], initialization: .gaussian, generator: &generator)
    }()

    /// A hostile file: its name, its bytes (written by `make`), and a phrase the error must contain.
    struct Case: CustomStringConvertible, Sendable {
        let name: String
        let expect: String
        let make: @Sendable (String) throws -> Void
        var description: String { name }
    }

    static func zip(_ path: String, _ entries: [(String, Data)], compress: Bool = false) throws {
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
        for (name, data) in entries {
            try archive.addEntry(
                with: name, type: .file, uncompressedSize: Int64(data.count),
                compressionMethod: compress ? .deflate : .none
            ) { position, size in
                data.subdata(in: Int(position)..<(Int(position) + size))
            }
        }
    }

    static func kerasConfig(_ edit: (inout [String: Any]) -> Void = { _ in }) -> Data {
        var root = try! JSONSerialization.jsonObject(with: Data(KerasConfig.keras3(DenseModel(network: network)).utf8)) as! [String: Any]
        edit(&root)
        return try! JSONSerialization.data(withJSONObject: root)
    }

    /// Edits Dense layer `index` (0-based among the Dense layers) of a Keras 3 config.
    static func editDense(_ index: Int, _ edit: @escaping (inout [String: Any]) -> Void) -> Data {
        kerasConfig { root in
            var config = root["config"] as! [String: Any]
            var layers = config["layers"] as! [[String: Any]]
            var layerConfig = layers[index + 1]["config"] as! [String: Any]
            edit(&layerConfig)
            layers[index + 1]["config"] = layerConfig
            config["layers"] = layers
            root["config"] = config
        }
    }

    static func weightsH5(_ model: DenseModel = DenseModel(network: network)) throws -> Data {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("w-\(UUID().uuidString).h5").path
        defer { unlink(path) }
        try Keras.writeWeightsH5(model, to: path)
        return try Data(contentsOf: URL(fileURLWithPath: path))
    }

    static func archive(config: Data? = kerasConfig(), weights: Data? = nil, metadata: Bool = true) -> @Sendable (String) throws -> Void {
        { path in
            var entries: [(String, Data)] = []
            if metadata { entries.append(("metadata.json", Data("{\"keras_version\": \"3.15.1\"}".utf8))) }
            if let config { entries.append(("config.json", config)) }
            entries.append(("model.weights.h5", try weights ?? weightsH5()))
            try zip(path, entries)
        }
    }

    static func legacy(_ edit: @escaping @Sendable (File) throws -> Void) -> @Sendable (String) throws -> Void {
        { path in
            try Keras.writeLegacyH5(DenseModel(network: network), to: path)
            let f = try File(path, mode: .readWrite)
            try edit(f)
            try f.close()
        }
    }

    static func text(_ s: String) -> @Sendable (String) throws -> Void {
        { path in try Data(s.utf8).write(to: URL(fileURLWithPath: path)) }
    }

    static var nanModel: DenseModel {
        var model = DenseModel(network: network)
        model.layers[1].weights[3] = .nan
        return model
    }

    static let cases: [Case] = [
        // .keras archives
        Case(name: "truncated.keras", expect: "not a readable zip archive") { path in
            try archive()(path)
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        },
        Case(name: "no-weights.keras", expect: "model.weights.h5: is missing from the archive") { path in
            try zip(path, [("metadata.json", Data("{}".utf8)), ("config.json", kerasConfig())])
        },
        Case(name: "no-config.keras", expect: "config.json: is missing", make: archive(config: nil)),
        Case(name: "no-config-no-metadata.keras", expect: "config.json: is missing", make: archive(config: nil, metadata: false)),
        Case(
            name: "input-mismatch.keras", expect: "takes 5 inputs but the InputLayer declares 4",
            make: archive(
                config: kerasConfig { root in
                    var config = root["config"] as! [String: Any]
                    var layers = config["layers"] as! [[String: Any]]
                    layers[1]["build_config"] = ["input_shape": [NSNull(), 5]]
                    config["layers"] = layers
                    root["config"] = config
                })),
        Case(name: "config-not-json.keras", expect: "config.json: is not valid JSON", make: archive(config: Data("{\"class_name\": \"Seq".utf8))),
        Case(name: "functional.keras", expect: "only Sequential", make: archive(config: kerasConfig { $0["class_name"] = "Functional" })),
        Case(
            name: "no-layers.keras", expect: "has no 'layers' key",
            make: archive(
                config: kerasConfig { root in
                    var c = root["config"] as! [String: Any]; c.removeValue(forKey: "layers"); root["config"] = c
                })),
        Case(
            name: "units-string.keras", expect: "units: is a string; expected an integer", make: archive(config: editDense(0) { $0["units"] = "3" })),
        Case(name: "units-huge.keras", expect: "units: is 1000000000000", make: archive(config: editDense(0) { $0["units"] = 1_000_000_000_000 })),
        Case(
            name: "units-wrong.keras", expect: "model.weights.h5:/layers/dense/vars/0: has shape [4, 3]; the model config implies [4, 5]",
            make: archive(config: editDense(0) { $0["units"] = 5 })),
        Case(
            name: "relu.keras", expect: "layer 'dense_1': activation 'relu' is not supported",
            make: archive(config: editDense(1) { $0["activation"] = "relu" })),
        Case(
            name: "swish.keras", expect: "layer 'dense': activation 'swish' is not supported",
            make: archive(config: editDense(0) { $0["activation"] = "swish" })),
        Case(name: "nan.keras", expect: "parameters must be finite", make: archive(weights: try! weightsH5(nanModel))),
        Case(name: "weights-garbage.keras", expect: "model.weights.h5", make: archive(weights: Data(repeating: 0x41, count: 4096))),
        Case(
            name: "huge-config.keras", expect: "at most 16777216",
            make: { path in
                try zip(
                    path,
                    [
                        ("metadata.json", Data("{}".utf8)), ("config.json", Data(repeating: 0x20, count: (16 << 20) + 1)),
                        ("model.weights.h5", try weightsH5()),
                    ], compress: true)
            }),
        Case(name: "deep.keras", expect: "nested deeper than 64", make: archive(config: Data((String(repeating: "[", count: 100_000)).utf8))),
        // legacy Keras HDF5
        Case(name: "no-config.h5", expect: "has no 'model_config' attribute", make: legacy { try $0.attrs.delete("model_config") }),
        Case(name: "config-int.h5", expect: "model_config", make: legacy { try $0.attrs.set("model_config", .int64(3)) }),
        Case(name: "config-garbage.h5", expect: "model_config: is not valid JSON", make: legacy { try $0.attrs.set("model_config", .string("{{{")) }),
        Case(
            name: "no-weights.h5", expect: "/model_weights/extra: is missing",
            make: legacy { f in
                try f.attrs.set(
                    "model_config",
                    .string(
                        KerasConfig.keras2(
                            DenseModel(
                                layers: DenseModel(network: network).layers + [
                                    DenseLayer(name: "extra", inputs: 2, units: 2, activation: .sigmoid, weights: [0, 0, 0, 0], biases: [0, 0])
                                ]))))
            }),
        Case(
            name: "kernel-shape.h5", expect: "the model config implies [3, 2]",
            make: { path in
                var model = DenseModel(network: network)
                model.layers[1].units = 1; model.layers[1].weights = [1, 2, 3]; model.layers[1].biases = [0]
                try Keras.writeLegacyH5(model, to: path)
                let f = try File(path, mode: .readWrite)
                try f.attrs.set("model_config", .string(KerasConfig.keras2(DenseModel(network: network))))
                try f.close()
            }),
        Case(name: "nan.h5", expect: "parameters must be finite", make: { path in try Keras.writeLegacyH5(nanModel, to: path) }),
        Case(
            name: "truncated.h5", expect: "truncated.h5: /",
            make: { path in
                try Keras.writeLegacyH5(DenseModel(network: network), to: path)
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
            }),
        // network2.py JSON
        Case(
            name: "truncated.json", expect: "is not valid JSON",
            make: { path in
                try Data(Network2JSON.encode(network).utf8.prefix(40)).write(to: URL(fileURLWithPath: path))
            }),
        Case(
            name: "no-biases.json", expect: "has no 'biases' key",
            make: text("{\"sizes\": [2, 1], \"weights\": [[[1, 2]]], \"cost\": \"QuadraticCost\"}")),
        Case(
            name: "huge-sizes.json", expect: "more than 2147483648 parameters",
            make: text("{\"sizes\": [16777216, 16777216, 16777216], \"weights\": [], \"biases\": [], \"cost\": \"QuadraticCost\"}")),
        Case(
            name: "wrong-rows.json", expect: "weights[0]: has 2 rows; expected 1",
            make: text("{\"sizes\": [2, 1], \"weights\": [[[1, 2], [3, 4]]], \"biases\": [[[0]]], \"cost\": \"QuadraticCost\"}")),
        Case(
            name: "infinite.json", expect: "parameters must be finite",
            make: text("{\"sizes\": [2, 1], \"weights\": [[[1, 1e39]]], \"biases\": [[[0]]], \"cost\": \"QuadraticCost\"}")),
        Case(
            name: "sizes-strings.json", expect: "sizes[0]: is a string; expected an integer",
            make: text("{\"sizes\": [\"2\", 1], \"weights\": [[[1, 2]]], \"biases\": [[[0]]], \"cost\": \"QuadraticCost\"}")),
        Case(
            name: "bias-row.json", expect: "biases[0][0]: has 2 entries; expected 1",
            make: text("{\"sizes\": [2, 1], \"weights\": [[[1, 2]]], \"biases\": [[[0, 1]]], \"cost\": \"QuadraticCost\"}")),
        Case(
            name: "cost.json", expect: "cost: is 'LogCost'",
            make: text("{\"sizes\": [2, 1], \"weights\": [[[1, 2]]], \"biases\": [[[0]]], \"cost\": \"LogCost\"}")),
        Case(name: "empty.json", expect: "is an empty file", make: text("")),
        Case(
            name: "checkpoint.h5", expect: "already a ShardNet checkpoint",
            make: { path in
                try Checkpoint(network: network, training: nil).save(to: path)
            }),
    ]

    // Property: each hostile file makes `shardnet import` exit 1 with exactly one error line that
    // names the file (and the object at fault), and no output file is left behind.
    @Test(arguments: cases)
    func refusedWithOneLine(_ c: Case) throws {
        let folder = try Interop.folder()
        defer { Interop.remove(folder) }
        let input = folder.appendingPathComponent(c.name).path
        try c.make(input)
        let output = folder.appendingPathComponent("out.h5").path
        let r = try Interop.tool(["import", input, "--output", output])
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(r.status == 1, "\(c.name): \(r.all)")
        #expect(lines.count == 1, "\(c.name): \(r.stderr)")
        #expect(r.stderr.contains(input), "\(c.name): \(r.stderr)")
        #expect(r.stderr.contains(c.expect), "\(c.name): expected '\(c.expect)' in \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output), "\(c.name) left \(output)")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != c.name }
        #expect(left.isEmpty, "\(c.name) left \(left)")
        print("hostile \(c.name): \(lines.first ?? "")")
    }

    // Property: the checks refuse damaged files, not valid ones: a .keras without the
    // informative metadata.json still imports, to the exact parameters.
    @Test func archiveWithoutMetadataImports() throws {
        let folder = try Interop.folder()
        defer { Interop.remove(folder) }
        let path = folder.appendingPathComponent("no-metadata.keras").path
        try Self.archive(metadata: false)(path)
        #expect(try ModelExchange.importNetwork(from: path).isBitwiseEqual(to: Self.network))
    }
}
