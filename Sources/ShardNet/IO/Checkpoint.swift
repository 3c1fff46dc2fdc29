import HDF5

/// A trained network, and optionally the state to resume its training, in HDF5; the layout
/// is `CheckpointSchema` (and docs/file-formats.md).
///
/// `save` is atomic (see `AtomicFile`); `load` validates everything and rejects NaN parameters.
public struct Checkpoint: Sendable {
    public var network: Network
    public var training: TrainingState?

    public init(network: Network, training: TrainingState?) {
        self.network = network
        self.training = training
    }

    /// The layout version this build writes (it also reads every older version).
    public static var version: Int64 { CheckpointSchema.version }

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
        typealias Root = CheckpointSchema.RootAttribute
        let attrs = file.attrs
        try attrs.set(Root.format.rawValue, .string(CheckpointSchema.format))
        try attrs.set(Root.version.rawValue, .int64(CheckpointSchema.version))
        try attrs.set(Root.sizes.rawValue, .int64Array(network.sizes.map { Int64($0) }))
        try attrs.set(Root.cost.rawValue, .string(network.cost.rawValue))
        try attrs.set(Root.activation.rawValue, .string(CheckpointSchema.activation))
        let sizes = network.sizes, layout = network.layout
        try network.storage.withUnsafeBufferPointer { p in
            for l in 0..<network.layerCount {
                let layer = try file.createGroup(CheckpointSchema.layer(l))
                for member in CheckpointSchema.LayerMember.allCases {
                    let range = member == .weights ? layout.weightRange(l) : layout.biasRange(l)
                    try layer.createDataset(
                        member.rawValue, shape: member.shape(nIn: sizes[l], nOut: sizes[l + 1]),
                        data: UnsafeBufferPointer(rebasing: p[range]))
                }
            }
        }
        guard let training else { return }
        typealias Attribute = CheckpointSchema.TrainingAttribute
        let group = try file.createGroup(CheckpointSchema.training)
        let t = group.attrs
        try t.set(Attribute.epochsCompleted.rawValue, .int64(Int64(training.epochsCompleted)))
        try t.set(Attribute.seed.rawValue, .int64(Int64(bitPattern: training.seed)))
        try t.set(Attribute.generatorState.rawValue, .int64Array(training.generatorState.map { Int64(bitPattern: $0) }))
        try t.set(Attribute.eta.rawValue, .double(Double(training.eta)))
        try t.set(Attribute.lambda.rawValue, .double(Double(training.lambda)))
        try t.set(Attribute.miniBatchSize.rawValue, .int64(Int64(training.miniBatchSize)))
        try t.set(Attribute.shards.rawValue, .int64(Int64(training.shards)))
        try t.set(CheckpointSchema.groups, .int64(Int64(training.groups)))
        try t.set(Attribute.initialization.rawValue, .string(training.initialization.rawValue))
        try t.set(Attribute.epochStepsDone.rawValue, .int64(Int64(training.epochStepsDone)))
        try t.set(Attribute.epochCostSum.rawValue, .double(training.epochCostSum))
        if let window = training.shuffleWindow { try t.set(CheckpointSchema.shuffleWindow, .int64(Int64(window))) }
        let history = try group.createGroup(CheckpointSchema.history)
        let records = training.history
        for column in CheckpointSchema.historyColumns {
            switch column {
            case .integer(let name, let field):
                try history.createDataset(name, shape: [records.count], data: records.map { Int64($0[keyPath: field]) })
            case .real(let name, let field):
                try history.createDataset(name, shape: [records.count], data: records.map { $0[keyPath: field] })
            }
        }
    }

    // MARK: loading

    /// Reads and validates a checkpoint.
    public static func load(from path: String) throws -> Checkpoint {
        try HDF5ErrorMapping.run(path) {
            let file = try File(path, mode: .read)
            if try H5FileKind.detect(file) == .dataset {
                throw ShardNetError.wrongKind(path: path, found: .dataset)
            }
            let (network, version) = try readNetwork(file, path: path)
            let training =
                try file.contains(CheckpointSchema.training)
                ? try readTraining(try file.group(CheckpointSchema.training), version: version, path: path) : nil
            return Checkpoint(network: network, training: training)
        }
    }

    private static func bad(_ path: String, _ object: String, _ reason: String) -> ShardNetError {
        .invalidFile(path: path, object: object, reason: reason)
    }

    private static func readNetwork(_ file: File, path: String) throws -> (Network, version: Int64) {
        typealias Root = CheckpointSchema.RootAttribute
        let attrs = file.attrs
        for name in Root.allCases where !(try attrs.contains(name.rawValue)) {
            throw bad(path, "/", "missing attribute '\(name.rawValue)'; not a complete ShardNet checkpoint")
        }
        let version = try attrs.int64(Root.version.rawValue)
        guard version <= CheckpointSchema.version else {
            throw bad(path, "/", "written by a newer ShardNet (version \(version)); this build reads version \(CheckpointSchema.version)")
        }
        guard version >= CheckpointSchema.oldestReadable else {
            throw bad(
                path, "/",
                "attribute 'version' is \(version); this build reads versions \(CheckpointSchema.oldestReadable)…\(CheckpointSchema.version)")
        }
        let activation = try attrs.string(Root.activation.rawValue)
        guard activation == CheckpointSchema.activation else {
            throw bad(path, "/", "activation '\(activation)' is not supported; ShardNet networks are \(CheckpointSchema.activation)")
        }
        let costName = try attrs.string(Root.cost.rawValue)
        guard let cost = Cost(rawValue: costName) else {
            throw bad(path, "/", "cost '\(costName)' is unknown; expected \(Cost.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or "))")
        }
        let rawSizes = try attrs.int64Array(Root.sizes.rawValue)
        let layerSize = TrainingOptions.limits.layerSize
        guard rawSizes.allSatisfy({ $0 >= layerSize.lowerBound && $0 <= layerSize.upperBound }) else {
            throw bad(path, "/", "attribute 'sizes' \(rawSizes) has a size outside \(layerSize)")
        }
        let sizes = rawSizes.map { Int($0) }
        do { try Network.validate(sizes: sizes) } catch { throw bad(path, "/", "attribute 'sizes': \(error)") }

        let layersName = CheckpointSchema.layers
        guard try file.kind(of: layersName) == .group else {
            throw bad(path, "/\(layersName)", "missing; a checkpoint stores /\(layersName)/<i>/weights and biases")
        }
        let layers = try file.group(layersName)
        let expected = (0..<(sizes.count - 1)).map(String.init)
        if let extra = try layers.keys().first(where: { !expected.contains($0) }) {
            throw bad(path, "/\(layersName)/\(extra)", "unexpected: sizes \(sizes) has \(expected.count) weight layers (0...\(expected.count - 1))")
        }
        // Every matrix's kind, shape, dtype and storage, checked before allocating what `sizes` declares.
        var datasets: [(member: CheckpointSchema.LayerMember, layer: Int, dataset: Dataset)] = []
        for l in 0..<(sizes.count - 1) {
            guard try layers.kind(of: "\(l)") == .group else {
                throw bad(path, "/\(layersName)/\(l)", "missing; sizes \(sizes) needs \(sizes.count - 1) layers")
            }
            for member in CheckpointSchema.LayerMember.allCases {
                let object = "/\(layersName)/\(l)/\(member.rawValue)"
                guard try layers.kind(of: "\(l)/\(member.rawValue)") == .dataset else { throw bad(path, object, "missing") }
                let ds = try layers.dataset("\(l)/\(member.rawValue)")
                let shape = member.shape(nIn: sizes[l], nOut: sizes[l + 1])
                guard ds.shape == shape else { throw bad(path, object, "has shape \(ds.shape) but sizes \(sizes) needs \(shape)") }
                guard ds.elementType == .float32 else { throw bad(path, object, "has dtype \(ds.elementType); checkpoints store float32") }
                guard ds.storageSize > 0, ds.storageSize >= ds.count * ds.elementType.size / CheckpointSchema.maximumDeflateRatio else {
                    throw bad(path, object, "declares \(ds.shape) but stores only \(ds.storageSize) bytes; the file is truncated or corrupt")
                }
                datasets.append((member, l, ds))
            }
        }
        let network = try Network(sizes: sizes, cost: cost)
        let layout = network.layout
        try network.storage.withUnsafeMutableBufferPointer { p in
            for (member, l, ds) in datasets {
                let range = member == .weights ? layout.weightRange(l) : layout.biasRange(l)
                let slice = UnsafeMutableBufferPointer(rebasing: p[range])
                try ds.read(into: slice)
                if let i = slice.firstIndex(where: { !$0.isFinite }) {
                    let k = i - slice.startIndex
                    let at = member == .weights ? "(\(k / sizes[l]), \(k % sizes[l]))" : "(\(k))"
                    throw bad(
                        path, "/\(layersName)/\(l)/\(member.rawValue)",
                        "layer \(l) \(member.rawValue) value at \(at) is \(slice[i]); parameters must be finite (the run diverged?)")
                }
            }
        }
        return (network, version)
    }

    private static func readTraining(_ group: Group, version: Int64, path: String) throws -> TrainingState {
        typealias Attribute = CheckpointSchema.TrainingAttribute
        let object = group.name
        let a = group.attrs
        for name in Attribute.required(version: version) where !(try a.contains(name.rawValue)) {
            throw bad(path, object, "missing attribute '\(name.rawValue)'")
        }
        let limits = TrainingOptions.limits
        let epochs = try a.int64(Attribute.epochsCompleted.rawValue)
        guard epochs >= 0, epochs <= limits.epochs.upperBound else { throw bad(path, object, "attribute 'epochs_completed' is \(epochs)") }
        let seed = UInt64(bitPattern: try a.int64(Attribute.seed.rawValue))
        let words = try a.int64Array(Attribute.generatorState.rawValue).map { UInt64(bitPattern: $0) }
        guard Xoshiro256StarStar(words: words) != nil else {
            throw bad(path, object, "attribute 'generator_state' must be 4 or 5 words, not all of the first four zero; got \(words.count)")
        }
        let eta = try a.double(Attribute.eta.rawValue), lambda = try a.double(Attribute.lambda.rawValue)
        guard eta.isFinite, eta > 0 else { throw bad(path, object, "attribute 'eta' is \(eta); expected a positive learning rate") }
        guard lambda.isFinite, lambda >= 0 else { throw bad(path, object, "attribute 'lambda' is \(lambda); expected ≥ 0") }
        let batch = try a.int64(Attribute.miniBatchSize.rawValue), shards = try a.int64(Attribute.shards.rawValue)
        guard batch >= limits.miniBatchSize.lowerBound, batch <= limits.miniBatchSize.upperBound else {
            throw bad(path, object, "attribute 'mini_batch_size' is \(batch); expected \(limits.miniBatchSize)")
        }
        guard shards >= limits.shards.lowerBound, shards <= limits.shards.upperBound else {
            throw bad(path, object, "attribute 'shards' is \(shards); expected \(limits.shards)")
        }
        let groups = try a.contains(CheckpointSchema.groups) ? try a.int64(CheckpointSchema.groups) : 1
        guard groups >= limits.groups.lowerBound, groups <= limits.groups.upperBound, groups * shards <= limits.shards.upperBound else {
            throw bad(path, object, "attribute 'groups' is \(groups); expected \(limits.groups) with groups × shards ≤ \(limits.shards.upperBound)")
        }
        let initName = try a.string(Attribute.initialization.rawValue)
        guard let initialization = Initialization(rawValue: initName) else {
            throw bad(
                path, object,
                "initialization '\(initName)' is unknown; expected \(Initialization.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or "))")
        }
        var stepsDone: Int64 = 0, costSum = 0.0
        if version >= 2 {
            stepsDone = try a.int64(Attribute.epochStepsDone.rawValue)
            costSum = try a.double(Attribute.epochCostSum.rawValue)
            guard stepsDone >= 0, stepsDone <= 1 << 40 else {
                throw bad(path, object, "attribute 'epoch_steps_done' is \(stepsDone); expected a step count from 0 to 2^40")
            }
            guard costSum.isFinite, costSum >= 0, stepsDone > 0 || costSum == 0 else {
                throw bad(
                    path, object,
                    "attribute 'epoch_cost_sum' is \(costSum) after \(stepsDone) steps; expected a finite sum ≥ 0 (0 when no step is done)")
            }
        }
        guard try group.kind(of: CheckpointSchema.history) == .group else { throw bad(path, "\(object)/\(CheckpointSchema.history)", "missing") }
        let history = try group.group(CheckpointSchema.history)
        let n = Int(epochs)
        var records = (0..<n).map { _ in
            EpochRecord(epoch: 0, trainingCost: 0, testCorrect: 0, testTotal: 0, testCost: 0, seconds: 0, samplesPerSecond: 0)
        }
        for column in CheckpointSchema.historyColumns {
            let o = "\(history.name)/\(column.name)"
            guard try history.kind(of: column.name) == .dataset else { throw bad(path, o, "missing") }
            let ds = try history.dataset(column.name)
            guard ds.shape == [n] else {
                throw bad(path, o, "has shape \(ds.shape); expected (\(n)), one entry per completed epoch (epochs_completed = \(n))")
            }
            switch column {
            case .integer(_, let field):
                guard ds.elementType.isInteger else { throw bad(path, o, "has dtype \(ds.elementType); expected int64") }
                for (i, v) in try ds.read(as: Int64.self).enumerated() {
                    guard v >= 0, v <= 1 << 40 else { throw bad(path, o, "entry \(i) is \(v); expected a count from 0 to 2^40") }
                    records[i][keyPath: field] = Int(v)
                }
            case .real(_, let field):
                guard ds.elementType.isFloat else { throw bad(path, o, "has dtype \(ds.elementType); expected float64") }
                for (i, v) in try ds.read(as: Double.self).enumerated() { records[i][keyPath: field] = v }
            }
        }
        for (i, r) in records.enumerated() {
            guard r.epoch == i + 1 else {
                throw bad(path, "\(history.name)/epoch", "entry \(i) is \(r.epoch); epochs must run 1, 2, …, \(n)")
            }
            guard r.testTotal >= r.testCorrect else {
                throw bad(path, "\(history.name)/test_correct", "entry \(i): \(r.testCorrect) correct of \(r.testTotal)")
            }
        }
        var state = TrainingState(
            epochsCompleted: n, seed: seed, generatorState: words, eta: Float(eta), lambda: Float(lambda),
            miniBatchSize: Int(batch), shards: Int(shards), initialization: initialization, history: records,
            epochStepsDone: Int(stepsDone), epochCostSum: costSum, groups: Int(groups))
        if try a.contains(CheckpointSchema.shuffleWindow) {
            let window = try a.int64(CheckpointSchema.shuffleWindow)
            guard window >= 1, window <= Int64(Int32.max) else {
                throw bad(path, object, "attribute '\(CheckpointSchema.shuffleWindow)' is \(window); expected a sample count from 1 to 2^31 − 1")
            }
            state.shuffleWindow = Int(window)
        }
        return state
    }
}
