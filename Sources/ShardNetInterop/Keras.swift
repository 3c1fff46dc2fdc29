import Foundation
import HDF5
import ShardNet
import ZIPFoundation

/// Keras models of Dense layers, both ways, in Keras 3's zip format (`.keras`: config.json,
/// metadata.json, model.weights.h5) and in the legacy single-file HDF5 format that tf.keras 2
/// and Keras 3's `load_model` both read (`model_config` JSON attribute, `model_weights/…`).
///
/// Keras keeps a kernel as (inputs, units); ShardNet as (units, inputs): both writers transpose,
/// both readers transpose back.
public enum Keras {
    /// The two Keras file formats.
    public enum Format: String, Sendable, CaseIterable {
        /// Keras 3 `.keras` (zip).
        case keras
        /// Legacy Keras HDF5 (`.h5`), tf.keras 2 layout.
        case kerasH5 = "keras-h5"
    }

    /// Entries of a .keras archive larger than these are refused before they are extracted.
    static let maxConfigBytes = 16 << 20
    static let maxWeightsBytes = 4 << 30

    // MARK: writing

    /// Writes `network` as a Keras Sequential model. The file appears atomically.
    public static func save(_ network: Network, to path: String, format: Format) throws {
        let model = DenseModel(network: network)
        let temporary = try temporaryPath(beside: path)
        defer { unlink(temporary) }
        switch format {
        case .keras: try writeArchive(model, to: temporary)
        case .kerasH5: try writeLegacyH5(model, to: temporary)
        }
        guard rename(temporary, path) == 0 else {
            throw ShardNetError.io(path: path, reason: "cannot rename the temp file: \(String(cString: strerror(errno)))")
        }
    }

    static func temporaryPath(beside path: String) throws -> String {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ShardNetError.io(path: path, reason: "the output folder \(folder) does not exist")
        }
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ShardNetError.io(path: path, reason: "is a folder; name a file inside it")
        }
        return path + ".tmp-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    }

    private static func hdf5<R>(_ path: String, _ body: () throws -> R) throws -> R {
        do { return try body() } catch let error as HDF5Error {
            let detail = error.detail.isEmpty ? "" : " (HDF5: \(error.detail))"
            throw ShardNetError.invalidFile(path: path, object: error.object, reason: error.message + detail)
        }
    }

    /// The weights file of a .keras archive: /layers/<name>/vars/0 = kernel (in, units),
    /// /layers/<name>/vars/1 = bias, each `vars` group with a `name` attribute; /vars for the model.
    static func writeWeightsH5(_ model: DenseModel, to path: String) throws {
        try hdf5(path) {
            let file = try File(path, mode: .createExclusive)
            for layer in model.layers {
                let vars = try file.createGroup("layers/\(layer.name)/vars")
                try vars.attrs.set("name", .string(layer.name))
                try vars.createDataset(
                    "0", shape: [layer.inputs, layer.units],
                    data: transpose(layer.weights, rows: layer.units, cols: layer.inputs))
                try vars.createDataset("1", shape: [layer.units], data: layer.biases)
            }
            try file.createGroup("vars").attrs.set("name", .string("sequential"))
            try file.flush()
            try file.close()
        }
    }

    static func writeArchive(_ model: DenseModel, to path: String) throws {
        let weights = path + ".weights.h5"
        defer { unlink(weights) }
        try writeWeightsH5(model, to: weights)
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd@HH:mm:ss"
        formatter.timeZone = TimeZone(identifier: "UTC")
        let metadata = "{\"keras_version\": \"\(KerasConfig.keras3Version)\", \"date_saved\": \"\(formatter.string(from: Date()))\"}"
        do {
            let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .create)
            for (name, text) in [("metadata.json", metadata), ("config.json", KerasConfig.keras3(model))] {
                let data = Data(text.utf8)
                try archive.addEntry(with: name, type: .file, uncompressedSize: Int64(data.count)) { position, size in
                    data.subdata(in: Int(position)..<(Int(position) + size))
                }
            }
            try archive.addEntry(with: "model.weights.h5", fileURL: URL(fileURLWithPath: weights))
        } catch let error as ShardNetError {
            throw error
        } catch {
            throw ShardNetError.io(path: path, reason: "cannot write the zip archive: \(error)")
        }
    }

    /// tf.keras 2's layout: root attrs model_config, keras_version, backend;
    /// /model_weights attrs layer_names, keras_version, backend;
    /// /model_weights/<layer> attr weight_names ["<layer>/kernel:0", "<layer>/bias:0"];
    /// /model_weights/<layer>/<layer>/kernel:0 (in, units), …/bias:0 (units).
    static func writeLegacyH5(_ model: DenseModel, to path: String) throws {
        try hdf5(path) {
            let file = try File(path, mode: .createExclusive)
            // Every group and attribute handle is released before close (a file with open
            // objects refuses to close).
            try writeLegacyContents(model, file)
            try file.flush()
            try file.close()
        }
    }

    private static func writeLegacyContents(_ model: DenseModel, _ file: File) throws {
        let root = file.attrs
        try root.set("model_config", .string(KerasConfig.keras2(model)))
        try root.setFixedString("keras_version", KerasConfig.keras2Version)
        try root.setFixedString("backend", "tensorflow")
        let weights = try file.createGroup("model_weights")
        try weights.attrs.setFixedStringArray("layer_names", model.layers.map(\.name))
        try weights.attrs.setFixedString("keras_version", KerasConfig.keras2Version)
        try weights.attrs.setFixedString("backend", "tensorflow")
        for layer in model.layers {
            let group = try weights.createGroup(layer.name)
            try group.attrs.setFixedStringArray("weight_names", ["\(layer.name)/kernel:0", "\(layer.name)/bias:0"])
            try group.createDataset(
                "\(layer.name)/kernel:0", shape: [layer.inputs, layer.units],
                data: transpose(layer.weights, rows: layer.units, cols: layer.inputs))
            try group.createDataset("\(layer.name)/bias:0", shape: [layer.units], data: layer.biases)
        }
    }

    // MARK: reading

    /// Reads a Keras Sequential of Dense layers from either format (told apart by content:
    /// a zip signature or the HDF5 signature). Every error is one line naming `path` and the
    /// object at fault.
    public static func load(from path: String) throws -> DenseModel {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ShardNetError.io(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw ShardNetError.io(path: path, reason: "is a folder, not a file") }
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ShardNetError.io(path: path, reason: "cannot open the file") }
        let head = handle.readData(ofLength: 8)
        try? handle.close()
        if head.starts(with: [0x50, 0x4b, 0x03, 0x04]) || head.starts(with: [0x50, 0x4b, 0x05, 0x06]) {
            return try loadArchive(path)
        }
        if head.starts(with: [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]) {
            return try loadLegacyH5(path)
        }
        let what = head.isEmpty ? "an empty file" : "neither a .keras zip archive nor an HDF5 file"
        throw ShardNetError.invalidFile(path: path, object: "/", reason: "is \(what); expected a Keras model (.keras or .h5)")
    }

    /// Extracts entry `name` (listed by ZIPFoundation, read by `ZipEntryReader`), handing its
    /// contents to `sink` chunk by chunk. The entry may declare at most `limit` bytes, and it may
    /// not extract to more than it declares (counted as extracted, not as the archive says: a
    /// deflate stream can inflate far beyond its header, so a zip bomb stops at the declared
    /// size, with nothing more allocated).
    private static func extract(_ archive: Archive, _ name: String, limit: Int, path: String, into sink: (Data) throws -> Void) throws {
        guard let entry = archive[name] else {
            throw ShardNetError.invalidFile(
                path: path, object: name,
                reason: "is missing from the archive; a .keras file holds config.json and model.weights.h5 (and metadata.json)")
        }
        guard entry.type == .file else { throw ShardNetError.invalidFile(path: path, object: name, reason: "is not a file entry") }
        guard entry.uncompressedSize <= UInt64(limit) else {
            throw ShardNetError.invalidFile(
                path: path, object: name, reason: "declares \(entry.uncompressedSize) bytes; at most \(limit) are accepted")
        }
        try ZipEntryReader.extract(name, from: path, limit: limit, into: sink)
    }

    /// Extracts entry `name` into memory (small entries: config.json, metadata.json).
    private static func extract(_ archive: Archive, _ name: String, limit: Int, path: String) throws -> Data {
        var data = Data()
        try extract(archive, name, limit: limit, path: path) { data.append($0) }
        return data
    }

    /// The most bytes a model.weights.h5 for `declared` may take: every parameter as float64
    /// four times over (the weights and up to three optimizer slots per parameter, e.g. Adam's
    /// m, v and AMSGrad's v̂: Keras saves a compiled model's optimizer state in the same file),
    /// plus generous room for HDF5's structures (groups, object headers, attributes); at most
    /// `maxWeightsBytes`. Without a stated input width the first kernel's rows are unknown, and
    /// only `maxWeightsBytes` bounds it.
    static func weightsLimit(_ declared: [KerasConfig.DeclaredLayer]) -> Int {
        guard var width = declared.first?.inputs else { return maxWeightsBytes }
        var parameters = 0
        for layer in declared {
            // At most 1,024 layers of at most 2^24 units: no overflow.
            parameters += width * layer.units + layer.units
            width = layer.units
        }
        return min(maxWeightsBytes, parameters * 32 + declared.count * (256 << 10) + (4 << 20))
    }

    static func loadArchive(_ path: String) throws -> DenseModel {
        let archive: Archive
        do { archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read) } catch {
            throw ShardNetError.invalidFile(path: path, object: "/", reason: "is not a readable zip archive (truncated or damaged?)")
        }
        let config = try extract(archive, "config.json", limit: maxConfigBytes, path: path)
        // metadata.json (Keras version, date) is informative only: Keras itself does not need it.
        if archive["metadata.json"] != nil { _ = try extract(archive, "metadata.json", limit: maxConfigBytes, path: path) }
        let declared = try KerasConfig.parse(config, file: path, object: "config.json")
        // The weights go to a private temp file (libhdf5 reads files), streamed: never whole in memory.
        let folder = FileManager.default.temporaryDirectory.path
        let weightsPath = folder + "/shardnet-import-\(getpid())-\(String(UInt32.random(in: 0...UInt32.max), radix: 16)).weights.h5"
        let fd = open(weightsPath, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw ShardNetError.io(path: weightsPath, reason: "cannot create a temp file for model.weights.h5: \(String(cString: strerror(errno)))")
        }
        defer { unlink(weightsPath) }
        do {
            defer { close(fd) }
            try extract(archive, "model.weights.h5", limit: weightsLimit(declared), path: path) { chunk in
                try chunk.withUnsafeBytes { bytes in
                    var offset = 0
                    while offset < bytes.count {
                        let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                        guard n > 0 else {
                            let reason = String(cString: strerror(errno))
                            throw ShardNetError.io(path: weightsPath, reason: "cannot write the temp file for model.weights.h5: \(reason)")
                        }
                        offset += n
                    }
                }
            }
        }
        // Errors inside the weights name the archive and the entry, not the temp file.
        do {
            return try hdf5(weightsPath) {
                let file = try File(weightsPath, mode: .read)
                return try assemble(declared, path: path, objectPrefix: "model.weights.h5:") { layer in
                    let vars = "layers/\(layer.name)/vars"
                    guard try file.contains(vars) else {
                        throw ShardNetError.invalidFile(path: weightsPath, object: "/" + vars, reason: "is missing")
                    }
                    return (try file.dataset(vars + "/0"), layer.useBias ? try file.dataset(vars + "/1") : nil)
                }
            }
        } catch let ShardNetError.invalidFile(file, object, reason) where file == weightsPath {
            throw ShardNetError.invalidFile(path: path, object: "model.weights.h5:\(object)", reason: reason)
        }
    }

    static func loadLegacyH5(_ path: String) throws -> DenseModel {
        try hdf5(path) {
            let file = try File(path, mode: .read)
            let root = file.attrs
            guard try root.contains("model_config") else {
                throw ShardNetError.invalidFile(
                    path: path, object: "/",
                    reason: "has no 'model_config' attribute; a weights-only file (save_weights) holds no architecture to import")
            }
            let info = try root.info("model_config")
            guard info.type == .string else {
                throw ShardNetError.invalidFile(path: path, object: "/", reason: "attribute 'model_config' is \(info.type); expected a JSON string")
            }
            let config = try root.string("model_config")
            guard config.utf8.count <= maxConfigBytes else {
                throw ShardNetError.invalidFile(path: path, object: "/", reason: "attribute 'model_config' is too large")
            }
            let declared = try KerasConfig.parse(Data(config.utf8), file: path, object: "model_config")
            guard try file.kind(of: "model_weights") == .group else {
                throw ShardNetError.invalidFile(path: path, object: "/model_weights", reason: "is missing; the file holds no weights")
            }
            let weights = try file.group("model_weights")
            let layerNames = try weights.attrs.contains("layer_names") ? try weights.attrs.stringArray("layer_names", limit: 4096) : []
            return try assemble(declared, path: path) { layer in
                guard layerNames.isEmpty || layerNames.contains(layer.name), try weights.kind(of: layer.name) == .group else {
                    throw ShardNetError.invalidFile(
                        path: path, object: "/model_weights/\(layer.name)", reason: "is missing (model_config declares layer '\(layer.name)')")
                }
                let group = try weights.group(layer.name)
                guard try group.attrs.contains("weight_names") else {
                    throw ShardNetError.invalidFile(path: path, object: group.name, reason: "has no 'weight_names' attribute")
                }
                let names = try group.attrs.stringArray("weight_names", limit: 16)
                let kernel = names.first { $0.hasSuffix("kernel:0") || $0.hasSuffix("kernel") } ?? names.first
                let bias = names.first { $0.hasSuffix("bias:0") || $0.hasSuffix("bias") } ?? (names.count > 1 ? names[1] : nil)
                guard let kernel else { throw ShardNetError.invalidFile(path: path, object: group.name, reason: "attribute 'weight_names' is empty") }
                guard try group.kind(of: kernel) == .dataset else {
                    throw ShardNetError.invalidFile(path: path, object: group.name + "/" + kernel, reason: "is missing (named in weight_names)")
                }
                var biasSet: Dataset?
                if layer.useBias {
                    guard let bias, try group.kind(of: bias) == .dataset else {
                        throw ShardNetError.invalidFile(path: path, object: group.name, reason: "has no bias dataset in weight_names")
                    }
                    biasSet = try group.dataset(bias)
                }
                return (try group.dataset(kernel), biasSet)
            }
        }
    }

    /// Builds the model from declared layers and their kernel/bias datasets, checking every
    /// shape against the configuration before reading, and every value after.
    private static func assemble(
        _ declared: [KerasConfig.DeclaredLayer], path: String, objectPrefix: String = "",
        datasets: (KerasConfig.DeclaredLayer) throws -> (kernel: Dataset, bias: Dataset?)
    ) throws -> DenseModel {
        guard let first = declared.first else { throw ShardNetError.invalidFile(path: path, object: "model", reason: "declares no Dense layers") }
        var inputs = first.inputs
        if inputs == nil {
            // No InputLayer or input shape: the first kernel's rows say it.
            let (kernel, _) = try datasets(first)
            guard kernel.shape.count == 2, kernel.shape[0] >= 1 else {
                throw ShardNetError.invalidFile(
                    path: path, object: objectPrefix + kernel.name, reason: "has shape \(kernel.shape); expected (inputs, \(first.units))")
            }
            inputs = kernel.shape[0]
        }
        let sizes = [inputs!] + declared.map(\.units)
        do { try Network.validate(sizes: sizes) } catch let error as ShardNetError {
            throw ShardNetError.invalidFile(path: path, object: "model", reason: error.description)
        }
        var layers: [DenseLayer] = []
        for (l, layer) in declared.enumerated() {
            let (kernel, bias) = try datasets(layer)
            let kernelValues = try readFloats(kernel, shape: [sizes[l], sizes[l + 1]], path: path, prefix: objectPrefix)
            let biasValues =
                try bias.map { try readFloats($0, shape: [sizes[l + 1]], path: path, prefix: objectPrefix) }
                ?? [Float](repeating: 0, count: sizes[l + 1])
            layers.append(
                DenseLayer(
                    name: layer.name, inputs: sizes[l], units: sizes[l + 1], activation: layer.activation,
                    weights: transpose(kernelValues, rows: sizes[l], cols: sizes[l + 1]), biases: biasValues))
        }
        let model = DenseModel(layers: layers)
        try model.validate(path: path)
        return model
    }

    private static func readFloats(_ dataset: Dataset, shape: [Int], path: String, prefix: String) throws -> [Float] {
        guard dataset.shape == shape else {
            throw ShardNetError.invalidFile(
                path: path, object: prefix + dataset.name, reason: "has shape \(dataset.shape); the model config implies \(shape)")
        }
        guard dataset.elementType.isFloat else {
            throw ShardNetError.invalidFile(
                path: path, object: prefix + dataset.name, reason: "has type \(dataset.elementType); expected float32 or float64")
        }
        // A dataset that claims far more elements than its stored bytes could hold (even
        // compressed) is refused before the read allocates for it. A forged storage size reads
        // as up to Int.max, so the bound saturates rather than overflow (FuzzKerasH5 found the trap).
        let (bound, overflow) = max(1, dataset.storageSize).multipliedReportingOverflow(by: 1032)
        guard overflow || dataset.count <= bound else {
            throw ShardNetError.invalidFile(
                path: path, object: prefix + dataset.name, reason: "declares \(dataset.count) values but stores only \(dataset.storageSize) bytes")
        }
        let values = try dataset.read(as: Float.self)
        if let k = values.firstIndex(where: { !$0.isFinite }) {
            throw ShardNetError.invalidFile(
                path: path, object: prefix + dataset.name, reason: "value \(k) is \(values[k]); parameters must be finite")
        }
        return values
    }
}
