import HDF5

/// The checkpoint file layout, described once as data: the writer (`Checkpoint.save`) and the
/// reader (`Checkpoint.load`) both walk these names, and docs/file-formats.md describes the
/// same.
///
///     /                          attrs: format, version, sizes, cost, activation (v3: + output_layer)
///     /layers/<i>                v3: attr activation (the hidden activation, or the output layer's)
///     /layers/<i>/weights        float32 (sizes[i+1], sizes[i]), row-major   i = 0 … L−2
///     /layers/<i>/biases         float32 (sizes[i+1])
///     /training                  optional; attrs: `TrainingAttribute` (v2: + epoch_steps_done, epoch_cost_sum;
///                                v3: + the optimiser, dropout and schedule state, `OptimiserAttribute`)
///     /training/velocity         v3, with momentum only: float32 (parameter count), parameter layout
///     /training/history/<name>   one entry per completed epoch: `historyColumns` (v3: + `historyColumnsV3`)
enum CheckpointSchema {
    /// The root attribute `format`'s value.
    static let format = "shardnet-checkpoint"
    /// The layout version this build writes. Version 2 adds the mid-epoch position to
    /// /training (`TrainingAttribute.midEpoch`); version 3 the chapter-3 model and optimiser
    /// (activations, output layer, momentum and its velocity, L1, dropout, the η schedule and
    /// validation state). Version-1 and -2 files still load (sigmoid networks, plain SGD).
    static let version: Int64 = 3
    /// The oldest layout version this build reads.
    static let oldestReadable: Int64 = 1
    /// The activation of every layer of a version-1 or -2 file.
    static let activation = "sigmoid"

    /// Root attributes, all required (`outputLayer` from version 3 on).
    enum RootAttribute: String, CaseIterable {
        case format, version, sizes, cost, activation
        case outputLayer = "output_layer"

        /// The attributes a file of `version` must have.
        static func required(version: Int64) -> [RootAttribute] { version >= 3 ? allCases : allCases.filter { $0 != .outputLayer } }
    }

    /// The attribute of each /layers/<i> group naming its function (version 3).
    static let layerActivation = "activation"

    /// Attributes of /training added in version 3, all required there: the optimiser, dropout,
    /// the η schedule and what it watches.
    enum OptimiserAttribute: String, CaseIterable {
        case l1
        case momentum
        case nesterov  // int64 0 or 1
        case dropout
        case initialEta = "initial_eta"
        case etaSchedule = "eta_schedule"  // "constant" or "plateau:N"
        case earlyStop = "early_stop"  // int64, 0: none
        case bestValidationCorrect = "best_validation_correct"  // int64, −1: none yet
        case bestEpoch = "best_epoch"
        case epochsWithoutImprovement = "epochs_without_improvement"
        case epochsSinceEtaChange = "epochs_since_eta_change"
    }

    /// The velocity dataset in /training (version 3, with momentum).
    static let velocity = "velocity"

    /// The group holding one group per weight layer.
    static let layers = "layers"
    /// Layer l's group, relative to the root.
    static func layer(_ l: Int) -> String { "\(layers)/\(l)" }
    /// The two datasets of a layer group, with their shapes for a layer of `nIn` → `nOut`.
    enum LayerMember: String, CaseIterable {
        case weights, biases
        func shape(nIn: Int, nOut: Int) -> [Int] { self == .weights ? [nOut, nIn] : [nOut] }
    }

    /// The optional training state group and its history subgroup.
    static let training = "training"
    static let history = "history"

    /// Attributes of /training, all required when the group exists.
    enum TrainingAttribute: String, CaseIterable {
        case epochsCompleted = "epochs_completed"
        case seed
        case generatorState = "generator_state"
        case eta
        case lambda
        case miniBatchSize = "mini_batch_size"
        case shards
        case initialization
        /// Version 2: mini-batch steps done in the epoch after `epochs_completed` (0 at a boundary).
        case epochStepsDone = "epoch_steps_done"
        /// Version 2: the cost summed over those steps' samples, in step order.
        case epochCostSum = "epoch_cost_sum"

        /// The attributes added in version 2 (absent from version-1 files).
        static let midEpoch: [TrainingAttribute] = [.epochStepsDone, .epochCostSum]
        /// The attributes a file of `version` must have.
        static func required(version: Int64) -> [TrainingAttribute] {
            version >= 2 ? allCases : allCases.filter { !midEpoch.contains($0) }
        }
    }

    /// Optional attribute of /training: the group (rank) count R; absent means 1.
    static let groups = "groups"

    /// Optional attribute of /training: the epoch order's shuffle window (`EpochOrder`); absent
    /// means the whole split.
    static let shuffleWindow = "shuffle_window"

    /// A column of /training/history: an int64 or a float64 field of `EpochRecord`.
    enum HistoryColumn {
        case integer(String, WritableKeyPath<EpochRecord, Int>)
        case real(String, WritableKeyPath<EpochRecord, Double>)
        var name: String {
            switch self {
            case .integer(let name, _), .real(let name, _): return name
            }
        }
    }

    /// The history's columns, in the order they are written (every version).
    static var historyColumns: [HistoryColumn] {
        [
            .integer("epoch", \.epoch), .real("training_cost", \.trainingCost),
            .integer("test_correct", \.testCorrect), .integer("test_total", \.testTotal),
            .real("test_cost", \.testCost), .real("seconds", \.seconds), .real("samples_per_second", \.samplesPerSecond),
        ]
    }

    /// The columns version 3 adds (absent from older files: their records keep the defaults).
    static var historyColumnsV3: [HistoryColumn] {
        [
            .integer("training_correct", \.trainingCorrect), .integer("training_total", \.trainingTotal),
            .integer("validation_correct", \.validationCorrect), .integer("validation_total", \.validationTotal),
            .real("validation_cost", \.validationCost), .real("eta", \.eta),
        ]
    }

    /// The columns a file of `version` has.
    static func historyColumns(version: Int64) -> [HistoryColumn] {
        version >= 3 ? historyColumns + historyColumnsV3 : historyColumns
    }

    /// A stored dataset must hold at least 1/`maximumDeflateRatio` of its declared bytes:
    /// deflate cannot compress better than about 1032:1, so a dataset that declares more than
    /// that is truncated or forged, and is refused before anything is allocated for it.
    static let maximumDeflateRatio = 1100
}
