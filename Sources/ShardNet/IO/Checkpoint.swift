import HDF5

/// A trained network, and optionally the state to resume its training, in HDF5.
///
///     /                          attrs: format = "shardnet-checkpoint", version = 1 (int64),
///                                       sizes (int64[L]), cost ("quadratic" | "cross-entropy"),
///                                       activation = "sigmoid"
///     /layers/<i>/weights        float32 (sizes[i+1], sizes[i]), row-major   i = 0 … L−2
///     /layers/<i>/biases         float32 (sizes[i+1])
///     /training                  optional; attrs: epochs_completed, seed, generator_state
///                                (int64[4|5], UInt64 bit patterns), eta, lambda (float64),
///                                mini_batch_size, shards (int64), initialization (string)
///     /training/history/<name>   1-D, epochs_completed long: epoch (int64), training_cost,
///                                test_cost, seconds, samples_per_second (float64),
///                                test_correct, test_total (int64)
///
/// `save` is atomic (see `AtomicFile`); `load` validates everything and rejects NaN parameters.
public struct Checkpoint: Sendable {
    public var network: Network
    public var training: TrainingState?

    public init(network: Network, training: TrainingState?) {
        self.network = network
        self.training = training
    }

    /// The layout version this build writes and reads.
    public static let version: Int64 = 1

    // MARK: saving

    /// Writes the checkpoint atomically: the previous file at `path` survives any failure.
    public func save(to path: String) throws {
        try save(to: path, failingAt: nil)
    }

    /// `save` with an injected failure, for tests of the atomic protocol.
    func save(to path: String, failingAt stage: AtomicFile.Stage?) throws {
        try AtomicFile.write(to: path, failingAt: stage) { temporary in
            try HDF5ErrorMapping.run(path) {
                let file = try File(temporary, mode: .createExclusive)
                try writeContents(file)
                try file.flush()
                try file.close()
            }
        }
    }

    private func writeContents(_ file: File) throws {
        let attrs = try file.attrs
        try attrs.set("format", .string(H5FileKind.checkpointFormat))
        try attrs.set("version", .int64(Self.version))
        try attrs.set("sizes", .int64Array(network.sizes.map { Int64($0) }))
        try attrs.set("cost", .string(network.cost.rawValue))
        try attrs.set("activation", .string("sigmoid"))
        let sizes = network.sizes, layout = network.layout
        try network.storage.withUnsafeBufferPointer { p in
            for l in 0..<network.layerCount {
                let layer = try file.createGroup("layers/\(l)")
                try layer.createDataset("weights", shape: [sizes[l + 1], sizes[l]], data: UnsafeBufferPointer(rebasing: p[layout.weightRange(l)]))
                try layer.createDataset("biases", shape: [sizes[l + 1]], data: UnsafeBufferPointer(rebasing: p[layout.biasRange(l)]))
            }
        }
        guard let training else { return }
        let group = try file.createGroup("training")
        let t = group.attrs
        try t.set("epochs_completed", .int64(Int64(training.epochsCompleted)))
        try t.set("seed", .int64(Int64(bitPattern: training.seed)))
        try t.set("generator_state", .int64Array(training.generatorState.map { Int64(bitPattern: $0) }))
        try t.set("eta", .double(Double(training.eta)))
        try t.set("lambda", .double(Double(training.lambda)))
        try t.set("mini_batch_size", .int64(Int64(training.miniBatchSize)))
        try t.set("shards", .int64(Int64(training.shards)))
        try t.set("initialization", .string(training.initialization.rawValue))
        let history = try group.createGroup("history")
        let h = training.history, n = h.count
        try history.createDataset("epoch", shape: [n], data: h.map { Int64($0.epoch) })
        try history.createDataset("training_cost", shape: [n], data: h.map(\.trainingCost))
        try history.createDataset("test_correct", shape: [n], data: h.map { Int64($0.testCorrect) })
        try history.createDataset("test_total", shape: [n], data: h.map { Int64($0.testTotal) })
        try history.createDataset("test_cost", shape: [n], data: h.map(\.testCost))
        try history.createDataset("seconds", shape: [n], data: h.map(\.seconds))
        try history.createDataset("samples_per_second", shape: [n], data: h.map(\.samplesPerSecond))
    }

    // MARK: loading

    /// Reads and validates a checkpoint.
    public static func load(from path: String) throws -> Checkpoint {
        try HDF5ErrorMapping.run(path) {
            let file = try File(path, mode: .read)
            if try H5FileKind.detect(file) == .dataset {
                throw ShardNetError.wrongKind(path: path, found: .dataset)
            }
            let network = try readNetwork(file, path: path)
            let training = try file.contains("training") ? try readTraining(try file.group("training"), path: path) : nil
            return Checkpoint(network: network, training: training)
        }
    }

    private static func bad(_ path: String, _ object: String, _ reason: String) -> ShardNetError {
        .invalidFile(path: path, object: object, reason: reason)
    }

    private static func readNetwork(_ file: File, path: String) throws -> Network {
        let attrs = try file.attrs
        for name in ["format", "version", "sizes", "cost", "activation"] where !(try attrs.contains(name)) {
            throw bad(path, "/", "missing attribute '\(name)'; not a complete ShardNet checkpoint")
        }
        let version = try attrs.int64("version")
        guard version <= Self.version else {
            throw bad(path, "/", "written by a newer ShardNet (version \(version)); this build reads version \(Self.version)")
        }
        guard version == Self.version else { throw bad(path, "/", "attribute 'version' is \(version); this build reads version \(Self.version)") }
        let activation = try attrs.string("activation")
        guard activation == "sigmoid" else { throw bad(path, "/", "activation '\(activation)' is not supported; ShardNet networks are sigmoid") }
        let costName = try attrs.string("cost")
        guard let cost = Cost(rawValue: costName) else {
            throw bad(path, "/", "cost '\(costName)' is unknown; expected \(Cost.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or "))")
        }
        let rawSizes = try attrs.int64Array("sizes")
        guard rawSizes.allSatisfy({ $0 > 0 && $0 <= 1 << 24 }) else { throw bad(path, "/", "attribute 'sizes' \(rawSizes) has a size outside 1...16777216") }
        let sizes = rawSizes.map { Int($0) }
        do { try Network.validate(sizes: sizes) } catch { throw bad(path, "/", "attribute 'sizes': \(error)") }

        guard try file.kind(of: "layers") == .group else { throw bad(path, "/layers", "missing; a checkpoint stores /layers/<i>/weights and biases") }
        let layers = try file.group("layers")
        let expected = (0..<(sizes.count - 1)).map(String.init)
        let found = try layers.keys()
        if let extra = found.first(where: { !expected.contains($0) }) {
            throw bad(path, "/layers/\(extra)", "unexpected: sizes \(sizes) has \(expected.count) weight layers (0...\(expected.count - 1))")
        }
        // Check every matrix's shape and storage before allocating what `sizes` declares.
        for l in 0..<(sizes.count - 1) {
            for (member, shape) in [("weights", [sizes[l + 1], sizes[l]]), ("biases", [sizes[l + 1]])] {
                let object = "/layers/\(l)/\(member)"
                guard try layers.kind(of: "\(l)") == .group else { throw bad(path, "/layers/\(l)", "missing; sizes \(sizes) needs \(sizes.count - 1) layers") }
                guard try layers.kind(of: "\(l)/\(member)") == .dataset else { throw bad(path, object, "missing") }
                let ds = try layers.dataset("\(l)/\(member)")
                guard ds.shape == shape else { throw bad(path, object, "has shape \(ds.shape) but sizes \(sizes) needs \(shape)") }
                guard ds.storageSize >= ds.count * ds.elementType.size / 1100, ds.storageSize > 0 else {
                    throw bad(path, object, "declares \(ds.shape) but stores only \(ds.storageSize) bytes; the file is truncated or corrupt")
                }
            }
        }
        let network = try Network(sizes: sizes, cost: cost)
        let layout = network.layout
        try network.storage.withUnsafeMutableBufferPointer { p in
            for l in 0..<layout.layerCount {
                guard try layers.kind(of: "\(l)") == .group else { throw bad(path, "/layers/\(l)", "missing; sizes \(sizes) needs \(layout.layerCount) layers") }
                for (member, shape, range) in [("weights", [sizes[l + 1], sizes[l]], layout.weightRange(l)),
                                               ("biases", [sizes[l + 1]], layout.biasRange(l))] {
                    let object = "/layers/\(l)/\(member)"
                    guard try layers.kind(of: "\(l)/\(member)") == .dataset else { throw bad(path, object, "missing") }
                    let ds = try layers.dataset("\(l)/\(member)")
                    guard ds.shape == shape else {
                        throw bad(path, object, "has shape \(ds.shape) but sizes \(sizes) needs \(shape)")
                    }
                    guard ds.elementType == .float32 else { throw bad(path, object, "has dtype \(ds.elementType); checkpoints store float32") }
                    let slice = UnsafeMutableBufferPointer(rebasing: p[range])
                    try ds.read(into: slice)
                    if let i = slice.firstIndex(where: { !$0.isFinite }) {
                        let k = i - slice.startIndex
                        let at = member == "weights" ? "(\(k / sizes[l]), \(k % sizes[l]))" : "(\(k))"
                        throw bad(path, object, "layer \(l) \(member) value at \(at) is \(slice[i]); parameters must be finite (the run diverged?)")
                    }
                }
            }
        }
        return network
    }

    private static func readTraining(_ group: Group, path: String) throws -> TrainingState {
        let object = group.name
        let a = group.attrs
        for name in ["epochs_completed", "seed", "generator_state", "eta", "lambda", "mini_batch_size", "shards", "initialization"]
        where !(try a.contains(name)) {
            throw bad(path, object, "missing attribute '\(name)'")
        }
        let epochs = try a.int64("epochs_completed")
        guard epochs >= 0, epochs <= 1 << 31 else { throw bad(path, object, "attribute 'epochs_completed' is \(epochs)") }
        let seed = UInt64(bitPattern: try a.int64("seed"))
        let words = try a.int64Array("generator_state").map { UInt64(bitPattern: $0) }
        guard Xoshiro256StarStar(words: words) != nil else {
            throw bad(path, object, "attribute 'generator_state' must be 4 or 5 words, not all of the first four zero; got \(words.count)")
        }
        let eta = try a.double("eta"), lambda = try a.double("lambda")
        guard eta.isFinite, eta > 0 else { throw bad(path, object, "attribute 'eta' is \(eta); expected a positive learning rate") }
        guard lambda.isFinite, lambda >= 0 else { throw bad(path, object, "attribute 'lambda' is \(lambda); expected ≥ 0") }
        let batch = try a.int64("mini_batch_size"), shards = try a.int64("shards")
        guard batch >= 1, batch <= 1 << 31 else { throw bad(path, object, "attribute 'mini_batch_size' is \(batch); expected ≥ 1") }
        guard shards >= 1, shards <= 1 << 16 else { throw bad(path, object, "attribute 'shards' is \(shards); expected ≥ 1") }
        let initName = try a.string("initialization")
        guard let initialization = Initialization(rawValue: initName) else {
            throw bad(path, object, "initialization '\(initName)' is unknown; expected 'gaussian' or 'scaled'")
        }
        guard try group.kind(of: "history") == .group else { throw bad(path, "\(object)/history", "missing") }
        let history = try group.group("history")
        let n = Int(epochs)
        func column<T: HDF5Element>(_ name: String, _ type: T.Type) throws -> [T] {
            let o = "\(history.name)/\(name)"
            guard try history.kind(of: name) == .dataset else { throw bad(path, o, "missing") }
            let ds = try history.dataset(name)
            guard ds.shape == [n] else {
                throw bad(path, o, "has shape \(ds.shape); expected (\(n)), one entry per completed epoch (epochs_completed = \(n))")
            }
            guard T.self == Double.self ? ds.elementType.isFloat : ds.elementType.isInteger else {
                throw bad(path, o, "has dtype \(ds.elementType); expected \(T.self == Double.self ? "float64" : "int64")")
            }
            return try ds.read(as: T.self)
        }
        let epoch = try column("epoch", Int64.self)
        let trainingCost = try column("training_cost", Double.self)
        let testCorrect = try column("test_correct", Int64.self)
        let testTotal = try column("test_total", Int64.self)
        let testCost = try column("test_cost", Double.self)
        let seconds = try column("seconds", Double.self)
        let rate = try column("samples_per_second", Double.self)
        var records: [EpochRecord] = []
        for i in 0..<n {
            guard epoch[i] == Int64(i + 1) else {
                throw bad(path, "\(history.name)/epoch", "entry \(i) is \(epoch[i]); epochs must run 1, 2, …, \(n)")
            }
            guard testCorrect[i] >= 0, testTotal[i] >= testCorrect[i], testTotal[i] <= 1 << 40 else {
                throw bad(path, "\(history.name)/test_correct", "entry \(i): \(testCorrect[i]) correct of \(testTotal[i])")
            }
            records.append(EpochRecord(epoch: i + 1, trainingCost: trainingCost[i], testCorrect: Int(testCorrect[i]),
                                       testTotal: Int(testTotal[i]), testCost: testCost[i], seconds: seconds[i], samplesPerSecond: rate[i]))
        }
        return TrainingState(epochsCompleted: n, seed: seed, generatorState: words, eta: Float(eta), lambda: Float(lambda),
                             miniBatchSize: Int(batch), shards: Int(shards), initialization: initialization, history: records)
    }
}
