import Foundation
import ShardNet

/// The model formats ShardNet exchanges with other tools.
public enum ExchangeFormat: String, Sendable, CaseIterable {
    /// Keras 3 `.keras` zip archive.
    case keras
    /// Legacy Keras HDF5 (tf.keras 2 layout; Keras 3 reads it too).
    case kerasH5 = "keras-h5"
    /// network2.py's JSON (Nielsen, ch. 3).
    case network2JSON = "network2-json"

    /// Tells the format of an existing file from its first bytes: a zip signature, the HDF5
    /// signature, or JSON's opening brace.
    public static func detect(path: String) throws -> ExchangeFormat {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ShardNetError.io(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw ShardNetError.io(path: path, reason: "is a folder, not a file") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ShardNetError.io(path: path, reason: "cannot open the file") }
        let head = handle.readData(ofLength: 64)
        try? handle.close()
        if head.starts(with: [0x50, 0x4b]) { return .keras }
        if head.starts(with: [0x89, 0x48, 0x44, 0x46]) { return .kerasH5 }
        if let first = head.first(where: { ![0x20, 0x09, 0x0a, 0x0d, 0xef, 0xbb, 0xbf].contains($0) }), first == UInt8(ascii: "{") {
            return .network2JSON
        }
        let what = head.isEmpty ? "an empty file" : "not a .keras archive, an HDF5 file or JSON"
        throw ShardNetError.invalidFile(path: path, object: "/", reason: "is \(what); expected a Keras model (.keras, .h5) or network2.py JSON")
    }
}

/// Export and import between ShardNet networks and the exchange formats.
public enum ModelExchange {
    /// Writes `network` to `path` in `format` (atomically: no partial file on failure).
    public static func export(_ network: Network, to path: String, format: ExchangeFormat) throws {
        switch format {
        case .keras: try Keras.save(network, to: path, format: .keras)
        case .kerasH5: try Keras.save(network, to: path, format: .kerasH5)
        case .network2JSON: try Network2JSON.save(network, to: path)
        }
    }

    /// Reads a model from `path` (format detected unless given) and checks it is a network
    /// ShardNet can run. `cost` applies where the file records none (Keras files).
    public static func importNetwork(from path: String, format: ExchangeFormat? = nil, cost: Cost = .quadratic) throws -> Network {
        let format = try format ?? ExchangeFormat.detect(path: path)
        let model: DenseModel
        switch format {
        case .keras, .kerasH5:
            if format == .kerasH5, try isShardNetCheckpoint(path) {
                throw ShardNetError.invalidFile(path: path, object: "/", reason: "is already a ShardNet checkpoint; nothing to import")
            }
            model = try Keras.load(from: path)
        case .network2JSON:
            model = try Network2JSON.load(from: path)
        }
        return try model.network(path: path, defaultCost: cost)
    }

    private static func isShardNetCheckpoint(_ path: String) throws -> Bool {
        (try? H5FileKind.detect(path: path)) == .checkpoint
    }
}
