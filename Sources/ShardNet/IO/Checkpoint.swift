import HDF5

/// A trained network, and optionally the state to resume its training, in HDF5; the layout
/// is `CheckpointSchema` (and docs/file-formats.md).
///
/// `save` is atomic (see `AtomicFile`); `load` validates everything and rejects NaN parameters.
public struct Checkpoint: Sendable {
    public var network: Network
    public var training: TrainingState?
    /// The momentum's velocity (parameter layout), when `training` uses momentum: part of what
    /// an exact resume needs (`Trainer.velocity`).
    public var velocity: [Float]?

    public init(network: Network, training: TrainingState?, velocity: [Float]? = nil) {
        self.network = network
        self.training = training
        self.velocity = velocity
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
        try attrs.set(Root.activation.rawValue, .string(network.activation.rawValue))
        try attrs.set(Root.outputLayer.rawValue, .string(network.outputLayer.rawValue))
        let sizes = network.sizes, layout = network.layout
        try network.storage.withUnsafeBufferPointer { p in
            for l in 0..<network.layerCount {
                let layer = try file.createGroup(CheckpointSchema.layer(l))
                let function = l == network.layerCount - 1 ? network.outputLayer.rawValue : network.activation.rawValue
                try layer.attrs.set(CheckpointSchema.layerActivation, .string(function))
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
        typealias Optimiser = CheckpointSchema.OptimiserAttribute
        try t.set(Optimiser.l1.rawValue, .double(Double(training.l1)))
        try t.set(Optimiser.momentum.rawValue, .double(Double(training.momentum)))
        try t.set(Optimiser.nesterov.rawValue, .int64(training.nesterov ? 1 : 0))
        try t.set(Optimiser.dropout.rawValue, .double(Double(training.dropout)))
        try t.set(Optimiser.initialEta.rawValue, .double(Double(training.initialEta)))
        try t.set(Optimiser.etaSchedule.rawValue, .string(training.etaSchedule.description))
        try t.set(Optimiser.earlyStop.rawValue, .int64(Int64(training.earlyStop ?? 0)))
        try t.set(Optimiser.bestValidationCorrect.rawValue, .int64(Int64(training.bestValidationCorrect ?? -1)))
        try t.set(Optimiser.bestEpoch.rawValue, .int64(Int64(training.bestEpoch)))
        try t.set(Optimiser.epochsWithoutImprovement.rawValue, .int64(Int64(training.epochsWithoutImprovement)))
        try t.set(Optimiser.epochsSinceEtaChange.rawValue, .int64(Int64(training.epochsSinceEtaChange)))
        if training.momentum > 0 {
            let v = velocity ?? [Float](repeating: 0, count: network.parameterCount)
            precondition(v.count == network.parameterCount, "velocity: one value per parameter")
            try group.createDataset(CheckpointSchema.velocity, shape: [v.count], data: v)
        }
        if let window = training.shuffleWindow { try t.set(CheckpointSchema.shuffleWindow, .int64(Int64(window))) }
        let history = try group.createGroup(CheckpointSchema.history)
        let records = training.history
        for column in CheckpointSchema.historyColumns(version: CheckpointSchema.version) {
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
            guard try file.contains(CheckpointSchema.training) else { return Checkpoint(network: network, training: nil) }
            let group = try file.group(CheckpointSchema.training)
            let training = try readTraining(group, version: version, path: path)
            let velocity = training.momentum > 0 ? try readVelocity(group, count: network.parameterCount, path: path) : nil
            return Checkpoint(network: network, training: training, velocity: velocity)
        }
    }

    private static func bad(_ path: String, _ object: String, _ reason: String) -> ShardNetError {
        .invalidFile(path: path, object: object, reason: reason)
    }

    private static func readNetwork(_ file: File, path: String) throws -> (Network, version: Int64) {
        typealias Root = CheckpointSchema.RootAttribute
        let attrs = file.attrs
        for name in Root.required(version: 1) where !(try attrs.contains(name.rawValue)) {
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
        for name in Root.required(version: version) where !(try attrs.contains(name.rawValue)) {
            throw bad(path, "/", "missing attribute '\(name.rawValue)'; a version-\(version) checkpoint has it")
        }
        let activationName = try attrs.string(Root.activation.rawValue)
        let activation: Activation, outputLayer: OutputLayer
        if version >= 3 {
            guard let a = Activation(rawValue: activationName) else {
                throw bad(
                    path, "/",
                    "activation '\(activationName)' is unknown; expected \(Activation.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))")
            }
            let outputName = try attrs.string(Root.outputLayer.rawValue)
            guard let o = OutputLayer(rawValue: outputName) else {
                throw bad(
                    path, "/",
                    "output_layer '\(outputName)' is unknown; expected \(OutputLayer.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or "))")
            }
            (activation, outputLayer) = (a, o)
        } else {
            guard activationName == CheckpointSchema.activation else {
                throw bad(path, "/", "activation '\(activationName)' is not valid in a version-\(version) checkpoint (sigmoid only)")
            }
            (activation, outputLayer) = (.sigmoid, .sigmoid)
        }
        let costName = try attrs.string(Root.cost.rawValue)
        guard let cost = Cost(rawValue: costName) else {
            throw bad(path, "/", "cost '\(costName)' is unknown; expected \(Cost.allCases.map { "'\($0.rawValue)'" }.joined(separator: " or "))")
        }
        do { try Network.validate(cost: cost, outputLayer: outputLayer) } catch { throw bad(path, "/", "attribute 'cost': \(error)") }
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
            if version >= 3 {
                let group = try layers.group("\(l)")
                let expected = l == sizes.count - 2 ? outputLayer.rawValue : activation.rawValue
                guard try group.attrs.contains(CheckpointSchema.layerActivation) else {
                    throw bad(path, "/\(layersName)/\(l)", "missing attribute 'activation' (expected '\(expected)')")
                }
                let found = try group.attrs.string(CheckpointSchema.layerActivation)
                guard found == expected else {
                    throw bad(
                        path, "/\(layersName)/\(l)",
                        "attribute 'activation' is '\(found)' but the root's activation and output_layer make it '\(expected)'")
                }
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
        let network = try Network(sizes: sizes, cost: cost, activation: activation, outputLayer: outputLayer)
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
        var state = TrainingState(
            epochsCompleted: 0, seed: seed, generatorState: words, eta: Float(eta), lambda: Float(lambda),
            miniBatchSize: Int(batch), shards: Int(shards), initialization: initialization, history: [],
            epochStepsDone: Int(stepsDone), epochCostSum: costSum, groups: Int(groups))
        if version >= 3 { try readOptimiser(a, into: &state, object: object, path: path) }
        guard try group.kind(of: CheckpointSchema.history) == .group else { throw bad(path, "\(object)/\(CheckpointSchema.history)", "missing") }
        let history = try group.group(CheckpointSchema.history)
        let n = Int(epochs)
        var records = (0..<n).map { _ in
            EpochRecord(epoch: 0, trainingCost: 0, testCorrect: 0, testTotal: 0, testCost: 0, seconds: 0, samplesPerSecond: 0)
        }
        for column in CheckpointSchema.historyColumns(version: version) {
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
        state.epochsCompleted = n
        state.history = records
        if try a.contains(CheckpointSchema.shuffleWindow) {
            let window = try a.int64(CheckpointSchema.shuffleWindow)
            guard window >= 1, window <= Int64(Int32.max) else {
                throw bad(path, object, "attribute '\(CheckpointSchema.shuffleWindow)' is \(window); expected a sample count from 1 to 2^31 − 1")
            }
            state.shuffleWindow = Int(window)
        }
        return state
    }

    /// The version-3 attributes of /training: optimiser, dropout, η schedule and its watch.
    private static func readOptimiser(_ a: Attributes, into state: inout TrainingState, object: String, path: String) throws {
        typealias Optimiser = CheckpointSchema.OptimiserAttribute
        for name in Optimiser.allCases where !(try a.contains(name.rawValue)) {
            throw bad(path, object, "missing attribute '\(name.rawValue)'; a version-3 checkpoint has it")
        }
        func real(_ name: Optimiser, _ valid: (Double) -> Bool, _ expected: String) throws -> Float {
            let v = try a.double(name.rawValue)
            guard v.isFinite, valid(v) else { throw bad(path, object, "attribute '\(name.rawValue)' is \(v); expected \(expected)") }
            return Float(v)
        }
        func count(_ name: Optimiser, from lowest: Int64 = 0) throws -> Int {
            let v = try a.int64(name.rawValue)
            guard v >= lowest, v <= 1 << 40 else {
                throw bad(path, object, "attribute '\(name.rawValue)' is \(v); expected a count from \(lowest) to 2^40")
            }
            return Int(v)
        }
        state.l1 = try real(.l1, { $0 >= 0 }, "≥ 0")
        state.momentum = try real(.momentum, { $0 >= 0 && $0 < 1 }, "a momentum in [0, 1)")
        state.nesterov = try count(.nesterov) != 0
        state.dropout = try real(.dropout, { $0 >= 0 && $0 < 1 }, "a probability in [0, 1)")
        state.initialEta = try real(.initialEta, { $0 > 0 }, "a positive learning rate")
        let scheduleName = try a.string(Optimiser.etaSchedule.rawValue)
        guard let schedule = EtaSchedule(scheduleName) else {
            throw bad(path, object, "attribute 'eta_schedule' is '\(scheduleName)'; expected 'constant' or 'plateau:N'")
        }
        state.etaSchedule = schedule
        let earlyStop = try count(.earlyStop)
        state.earlyStop = earlyStop == 0 ? nil : earlyStop
        let best = try count(.bestValidationCorrect, from: -1)
        state.bestValidationCorrect = best < 0 ? nil : best
        state.bestEpoch = try count(.bestEpoch)
        state.epochsWithoutImprovement = try count(.epochsWithoutImprovement)
        state.epochsSinceEtaChange = try count(.epochsSinceEtaChange)
        guard !state.nesterov || state.momentum > 0 else { throw bad(path, object, "attribute 'nesterov' is set but momentum is 0") }
    }

    /// /training/velocity: float32, one finite value per parameter.
    private static func readVelocity(_ group: Group, count: Int, path: String) throws -> [Float] {
        let object = "\(group.name)/\(CheckpointSchema.velocity)"
        guard try group.kind(of: CheckpointSchema.velocity) == .dataset else {
            throw bad(path, object, "missing; a checkpoint of a run with momentum keeps the velocity, one float32 per parameter")
        }
        let ds = try group.dataset(CheckpointSchema.velocity)
        guard ds.shape == [count] else { throw bad(path, object, "has shape \(ds.shape); expected (\(count)), one value per parameter") }
        guard ds.elementType == .float32 else { throw bad(path, object, "has dtype \(ds.elementType); expected float32") }
        guard ds.storageSize > 0, ds.storageSize >= count * 4 / CheckpointSchema.maximumDeflateRatio else {
            throw bad(path, object, "declares (\(count)) but stores only \(ds.storageSize) bytes; the file is truncated or corrupt")
        }
        var values = [Float](repeating: 0, count: count)
        try values.withUnsafeMutableBufferPointer { try ds.read(into: $0) }
        if let i = values.firstIndex(where: { !$0.isFinite }) { throw bad(path, object, "value \(i) is \(values[i]); the velocity must be finite") }
        return values
    }
}
