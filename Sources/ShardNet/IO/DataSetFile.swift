import HDF5

/// A data set file: the splits of a labelled image data set in HDF5.
///
///     /                    attrs: classes (int), source (string)
///     /train/images        uint8 (N, 784) or (N, 28, 28) — or float32 in [0, 1]
///     /train/labels        uint8 or any integer type, (N), each in 0..<classes
///     /test/…              same, optional
///     /validation/…        same, optional
///
/// Reading keeps uint8 pixels as bytes in memory (`DataSet.Storage.uint8`, read as Float(v) / 255,
/// correctly rounded, when rows are gathered); float32 pixels must be finite and in [0, 1] and
/// stay float32. `write` stores uint8 (N, features) images, chunked and gzip-compressed,
/// and uint8 labels, atomically (see `AtomicFile`).
public struct DataSetFile: Sendable {
    public var train: DataSet
    public var test: DataSet?
    public var validation: DataSet?
    /// Number of classes (the output layer's size); every label is below it.
    public var classes: Int
    /// Where the data came from (free text).
    public var source: String

    public init(train: DataSet, test: DataSet?, validation: DataSet?, classes: Int, source: String) {
        self.train = train
        self.test = test
        self.validation = validation
        self.classes = classes
        self.source = source
    }

    /// Split names, in file order.
    public static let splitNames = ["train", "test", "validation"]
    /// Largest split accepted: 2³¹ pixel values.
    public static let maximumElements = 1 << 31
    /// Largest `classes` accepted.
    public static let maximumClasses = 1 << 24

    /// One split as stored by `write`: uint8 images (count, features) row-major and uint8 labels.
    public struct ByteSplit: Sendable {
        /// (count, features) row-major.
        public var images: [UInt8]
        /// (count).
        public var labels: [UInt8]
        public var features: Int
        public var count: Int { labels.count }

        public init(images: [UInt8], labels: [UInt8], features: Int) {
            self.images = images
            self.labels = labels
            self.features = features
        }
    }

    // MARK: reading

    /// Loads every split present in `path`, validating shapes, types and values.
    public static func load(from path: String) throws -> DataSetFile {
        try HDF5ErrorMapping.run(path) {
            let file = try File(path, mode: .read)
            if try H5FileKind.detect(file) == .checkpoint {
                throw ShardNetError.wrongKind(path: path, found: .checkpoint)
            }
            let attrs = file.attrs
            guard try attrs.contains("classes") else {
                throw ShardNetError.invalidFile(
                    path: path, object: "/",
                    reason: "missing attribute 'classes'; add it, e.g. in h5py: f.attrs['classes'] = 10")
            }
            let classes = try attrs.int64("classes")
            guard classes >= 1, classes <= maximumClasses else {
                throw ShardNetError.invalidFile(path: path, object: "/", reason: "attribute 'classes' is \(classes); expected 1...\(maximumClasses)")
            }
            let source = try attrs.contains("source") ? try attrs.string("source") : ""
            var splits: [String: DataSet] = [:]
            for name in splitNames {
                guard let kind = try file.kind(of: name) else { continue }
                guard kind == .group else {
                    throw ShardNetError.invalidFile(
                        path: path, object: "/" + name, reason: "is a \(kind); expected a group holding images and labels")
                }
                splits[name] = try readSplit(try file.group(name), classes: Int(classes), path: path)
            }
            guard let train = splits["train"] else {
                throw ShardNetError.invalidFile(path: path, object: "/train", reason: "missing; a dataset needs /train/images and /train/labels")
            }
            for (name, split) in splits where split.features != train.features {
                throw ShardNetError.invalidFile(
                    path: path, object: "/\(name)/images",
                    reason: "has \(split.features) features per sample but /train/images has \(train.features)")
            }
            return DataSetFile(
                train: train, test: splits["test"], validation: splits["validation"],
                classes: Int(classes), source: source)
        }
    }

    static func readSplit(_ group: Group, classes: Int, path: String) throws -> DataSet {
        let object = group.name
        func bad(_ o: String, _ reason: String) -> ShardNetError { .invalidFile(path: path, object: o, reason: reason) }
        for member in ["images", "labels"] where try group.kind(of: member) == nil {
            throw bad("\(object)/\(member)", "missing; each split needs images and labels")
        }
        let images = try group.dataset("images")
        let labels = try group.dataset("labels")
        // images: (N, features...) with rank 2 or 3.
        guard images.shape.count == 2 || images.shape.count == 3 else {
            throw bad(images.name, "has shape \(images.shape) (rank \(images.shape.count)); expected (N, features) or (N, rows, columns)")
        }
        let count = images.shape[0]
        let features = images.rowLength
        guard count > 0 else { throw bad(images.name, "has zero rows; a split needs at least one sample") }
        guard features > 0 else { throw bad(images.name, "has shape \(images.shape): zero features per sample") }
        guard images.count <= maximumElements else {
            throw bad(images.name, "has \(images.count) values, more than \(maximumElements); split the data set")
        }
        // A file cannot hold more data than it stores: deflate compresses at most ~1032:1, so a
        // dataset that declares far more than its storage could hold (unwritten chunks, a forged
        // shape) is corrupt — reject it before allocating what it declares.
        for ds in [images, labels] {
            let declared = ds.count * ds.elementType.size
            guard ds.storageSize > 0 && declared / 1100 <= ds.storageSize else {
                throw bad(
                    ds.name,
                    "declares \(ds.shape) (\(declared) bytes) but stores only \(ds.storageSize) bytes in the file; the file is truncated or corrupt")
            }
        }
        guard labels.shape == [count] else {
            throw bad(labels.name, "has shape \(labels.shape); expected (\(count)), one label per row of \(images.name)")
        }
        guard labels.elementType.isInteger else {
            throw bad(labels.name, "has dtype \(labels.elementType); labels must be integers (uint8, int32, int64, …)")
        }
        // pixels: (count, features), bytes or floats in [0, 1].
        let pixels: DataSet.Storage
        switch images.elementType {
        case .uint8:
            pixels = .uint8(try images.read())
        case .float32:
            let values: [Float] = try images.read()
            pixels = .float32(values)
            if let i = values.firstIndex(where: { !($0.isFinite && $0 >= 0 && $0 <= 1) }) {
                throw bad(images.name, "pixel \(i % features) of sample \(i / features) is \(values[i]); float32 images must be finite and in [0, 1]")
            }
        default:
            throw bad(images.name, "has dtype \(images.elementType); images must be uint8 (0–255) or float32 in [0, 1]")
        }
        let rawLabels: [Int64] = try labels.read()
        if let i = rawLabels.firstIndex(where: { $0 < 0 || $0 >= Int64(classes) }) {
            throw bad(labels.name, "label \(rawLabels[i]) of sample \(i) is outside 0..<\(classes) (attribute 'classes' = \(classes))")
        }
        do {
            let labels = rawLabels.map { Int32($0) }, name = "\(path) \(object)"
            switch pixels {
            case .uint8(let bytes):
                return try DataSet(bytes: bytes, labels: labels, features: features, classes: classes, name: name)
            case .float32(let values):
                return try DataSet(images: values, labels: labels, features: features, classes: classes, name: name)
            }
        } catch let error as ShardNetError {
            throw bad(object, "\(error)")
        }
    }

    // MARK: writing

    /// Writes a dataset file atomically: uint8 images (count, features) in chunks of
    /// `EpochOrder.blockRows` rows (what a stream reads at once) + gzip level 4,
    /// uint8 labels, root attributes `classes` and `source`.
    public static func write(
        train: ByteSplit, test: ByteSplit?, validation: ByteSplit? = nil,
        classes: Int, source: String, to path: String
    ) throws {
        try write(train: train, test: test, validation: validation, classes: classes, source: source, to: path, failingAt: nil)
    }

    static func write(
        train: ByteSplit, test: ByteSplit?, validation: ByteSplit?, classes: Int, source: String,
        to path: String, failingAt stage: AtomicFile.Stage?
    ) throws {
        guard (1...256).contains(classes) else {
            throw ShardNetError.invalidArgument("\(path): classes = \(classes); uint8 labels allow 1...256")
        }
        let splits: [(String, ByteSplit)] = [("train", train), ("test", test), ("validation", validation)].compactMap { name, split in
            split.map { (name, $0) }
        }
        for (name, split) in splits {
            guard split.count > 0, split.features > 0, split.images.count == split.count * split.features else {
                throw ShardNetError.invalidArgument(
                    "\(path) /\(name): \(split.images.count) pixels for \(split.count) labels of \(split.features) features (need at least one sample)"
                )
            }
            guard split.features == train.features else {
                throw ShardNetError.invalidArgument("\(path) /\(name): \(split.features) features, but train has \(train.features)")
            }
            if let i = split.labels.firstIndex(where: { Int($0) >= classes }) {
                throw ShardNetError.invalidArgument("\(path) /\(name): label \(split.labels[i]) of sample \(i) is not below classes = \(classes)")
            }
        }
        try AtomicFile.write(to: path, failingAt: stage) { temporary in
            try HDF5ErrorMapping.run(path) {
                let file = try File(temporary, mode: .createExclusive)
                try writeContents(file, splits: splits, classes: classes, source: source)
                try file.flush()
                try file.close()
            }
        }
    }

    /// Everything but the file itself, so all groups and datasets are closed on return.
    private static func writeContents(_ file: File, splits: [(String, ByteSplit)], classes: Int, source: String) throws {
        let attrs = file.attrs
        try attrs.set("classes", .int64(Int64(classes)))
        try attrs.set("source", .string(source))
        for (name, split) in splits {
            let group = try file.createGroup(name)
            // Chunks of whole blocks (`EpochOrder.blockRows` rows): a stream reads one chunk per piece.
            try group.createDataset(
                "images", shape: [split.count, split.features], data: split.images,
                chunks: [min(split.count, EpochOrder.blockRows), split.features], gzip: 4)
            try group.createDataset("labels", shape: [split.count], data: split.labels, gzip: 4)
        }
    }
}
