import Foundation
import ShardNet

/// The JSON that network2.py's `Network.save` writes and `load` reads (Nielsen, ch. 3):
///
///     {"sizes": [784, 30, 10],
///      "weights": [ per layer: sizes[l+1] rows of sizes[l] floats ],
///      "biases":  [ per layer: sizes[l+1] one-element lists (column vectors) ],
///      "cost": "QuadraticCost" | "CrossEntropyCost"}
///
/// Every layer is sigmoid (network2.py has no other activation).
public enum Network2JSON {
    /// Files larger than this are refused before they are read (a 784-1000-10 network is ~17 MB).
    public static let maxFileBytes = 1 << 30

    /// network2.py's class name for a cost (nil: network2.py has no such cost).
    public static func costName(_ cost: Cost) -> String? {
        switch cost {
        case .quadratic: return "QuadraticCost"
        case .crossEntropy: return "CrossEntropyCost"
        case .logLikelihood: return nil
        }
    }

    /// The JSON text for `network`. Floats are written with Float's shortest round-trip
    /// representation, so reading the file back gives the same bits. Throws for a network
    /// network2.py cannot hold (tanh/ReLU layers, a softmax output).
    public static func encode(_ network: Network) throws -> String {
        guard network.activation == .sigmoid, network.outputLayer == .sigmoid, let costName = costName(network.cost) else {
            throw ShardNetError.invalidArgument(
                "network2.py's JSON holds sigmoid networks with the quadratic or cross-entropy cost; this one has \(network.activation.rawValue) hidden layers, a \(network.outputLayer.rawValue) output layer and the \(network.cost.rawValue) cost — export it with --format keras or keras-h5"
            )
        }
        var out = "{\"sizes\": [" + network.sizes.map(String.init).joined(separator: ", ") + "], \"weights\": ["
        for l in 0..<network.layerCount {
            let w = network.weights(layer: l), cols = network.sizes[l], rows = network.sizes[l + 1]
            if l > 0 { out += ", " }
            out += "["
            for r in 0..<rows {
                if r > 0 { out += ", " }
                out += "[" + w[(r * cols)..<((r + 1) * cols)].map { "\($0)" }.joined(separator: ", ") + "]"
            }
            out += "]"
        }
        out += "], \"biases\": ["
        for l in 0..<network.layerCount {
            if l > 0 { out += ", " }
            out += "[" + network.biases(layer: l).map { "[\($0)]" }.joined(separator: ", ") + "]"
        }
        out += "], \"cost\": \"\(costName)\"}\n"
        return out
    }

    /// Writes `network` to `path` atomically (temp file in the same folder, then rename).
    public static func save(_ network: Network, to path: String) throws {
        try writeAtomically(Data(try encode(network).utf8), to: path)
    }

    /// Reads and validates a network2.py JSON file.
    public static func load(from path: String) throws -> DenseModel {
        let data = try readFileLimited(path, limit: maxFileBytes)
        return try decode(data, path: path)
    }

    /// Parses network2.py JSON; `path` names the source in errors.
    public static func decode(_ data: Data, path: String) throws -> DenseModel {
        let root = try JSONNode.parse(data, file: path, object: "JSON")
        let sizesNode = try root["sizes"]
        let sizes = try sizesNode.array(maxCount: 1024).map { try $0.int(in: 1...(1 << 24)) }
        do { try Network.validate(sizes: sizes) } catch let error as ShardNetError {
            throw sizesNode.fail(error.description)
        }
        let costNode = try root["cost"]
        let cost: Cost
        switch try costNode.string() {
        case "QuadraticCost": cost = .quadratic
        case "CrossEntropyCost": cost = .crossEntropy
        case let other: throw costNode.fail("is '\(other)'; expected QuadraticCost or CrossEntropyCost")
        }
        let layerCount = sizes.count - 1
        let weights = try root["weights"].array()
        let biases = try root["biases"].array()
        guard weights.count == layerCount else { throw try root["weights"].fail("has \(weights.count) layers; sizes \(sizes) imply \(layerCount)") }
        guard biases.count == layerCount else { throw try root["biases"].fail("has \(biases.count) layers; sizes \(sizes) imply \(layerCount)") }
        var layers: [DenseLayer] = []
        for l in 0..<layerCount {
            let rows = sizes[l + 1], cols = sizes[l]
            let wRows = try weights[l].array()
            guard wRows.count == rows else { throw weights[l].fail("has \(wRows.count) rows; expected \(rows) (sizes[\(l + 1)])") }
            var w = [Float]()
            w.reserveCapacity(rows * cols)
            for row in wRows { w += try row.floats(count: cols) }
            let bRows = try biases[l].array()
            guard bRows.count == rows else { throw biases[l].fail("has \(bRows.count) entries; expected \(rows) (sizes[\(l + 1)])") }
            let b = try bRows.map { try $0.floats(count: 1)[0] }
            layers.append(DenseLayer(name: "layer \(l)", inputs: cols, units: rows, activation: .sigmoid, weights: w, biases: b))
        }
        let model = DenseModel(layers: layers, cost: cost)
        try model.validate(path: path)
        return model
    }
}

/// Writes `data` to `path` through a temp file in the same folder and a rename, so a failed
/// write leaves no partial file under the target name.
func writeAtomically(_ data: Data, to path: String) throws {
    let url = URL(fileURLWithPath: path)
    let folder = url.deletingLastPathComponent().path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw ShardNetError.io(path: path, reason: "the output folder \(folder) does not exist")
    }
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        throw ShardNetError.io(path: path, reason: "is a folder; name a file inside it")
    }
    let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    do {
        try data.write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, path) == 0 else {
            throw ShardNetError.io(path: path, reason: "cannot rename the temp file: \(String(cString: strerror(errno)))")
        }
    } catch let error as ShardNetError {
        unlink(temporary)
        throw error
    } catch {
        unlink(temporary)
        throw ShardNetError.io(path: path, reason: "cannot write: \(error.localizedDescription)")
    }
}
