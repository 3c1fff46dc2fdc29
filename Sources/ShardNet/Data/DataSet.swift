/// A labelled data set in memory: `count` samples of `features` pixel values each, read as
/// floats in [0, 1].
///
/// Departure from the book: network.py keeps a list of (x, y) column vectors with y one-hot.
/// ShardNet stores the images as one row-major (count, features) matrix — one sample per row,
/// as in the HDF5 file — and the labels as class indices; the one-hot target y appears only
/// inside the output-error kernel (δᴸ = a − y subtracts 1 at the label).
///
/// The images stay in the dtype they were given (`Storage`): uint8 images (as read from a
/// uint8 dataset file) take a quarter of the memory of floats and are scaled to [0, 1] as
/// Float(v) / 255 (correctly rounded) only when a shard or an evaluation chunk gathers its
/// rows — the same operation, so the same bits, as converting them all up front.
public struct DataSet: Sendable {
    /// How the images are held in memory.
    public enum Storage: Sendable {
        /// Floats in [0, 1], (count, features) row-major.
        case float32([Float])
        /// Bytes 0…255, (count, features) row-major, read as Float(v) / 255.
        case uint8([UInt8])
    }

    /// The images as stored, (count, features) row-major.
    public let storage: Storage
    /// Class index of each sample, in 0..<classes.
    public let labels: [Int32]
    /// Number of samples.
    public let count: Int
    /// Values per sample (784 for MNIST).
    public let features: Int
    /// Number of classes (the output layer's size).
    public let classes: Int

    /// The images as floats in [0, 1], (count, features) row-major. For uint8 storage this
    /// builds a new array (Float(v) / 255 per value) on every access.
    public var images: [Float] {
        switch storage {
        case .float32(let values): return values
        case .uint8(let bytes): return bytes.map(Self.scaled)
        }
    }

    /// The scaling of a uint8 pixel: Float(v) / 255, correctly rounded.
    @inline(__always)
    static func scaled(_ v: UInt8) -> Float { Float(v) / 255 }

    /// Validates shapes, finiteness and label range.
    public init(images: [Float], labels: [Int32], features: Int, classes: Int, name: String = "data set") throws {
        try Self.validate(values: images.count, labels: labels, features: features, classes: classes, name: name)
        if let bad = images.firstIndex(where: { !$0.isFinite }) {
            throw ShardNetError.invalidArgument(
                "\(name): pixel \(bad % features) of sample \(bad / features) is \(images[bad]); images must be finite")
        }
        self.init(unchecked: .float32(images), labels: labels, features: features, classes: classes)
    }

    /// uint8 images (0…255, read as Float(v) / 255), kept as bytes in memory; validates shapes
    /// and label range.
    public init(bytes: [UInt8], labels: [Int32], features: Int, classes: Int, name: String = "data set") throws {
        try Self.validate(values: bytes.count, labels: labels, features: features, classes: classes, name: name)
        self.init(unchecked: .uint8(bytes), labels: labels, features: features, classes: classes)
    }

    private static func validate(values: Int, labels: [Int32], features: Int, classes: Int, name: String) throws {
        guard features > 0 else { throw ShardNetError.invalidArgument("\(name): features must be positive") }
        guard classes >= 1 else { throw ShardNetError.invalidArgument("\(name): classes must be at least 1") }
        guard values == labels.count * features else {
            throw ShardNetError.invalidArgument("\(name): \(values) image values for \(labels.count) labels of \(features) features")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classes }) {
            throw ShardNetError.invalidArgument("\(name): label \(labels[bad]) of sample \(bad) is outside 0..<\(classes)")
        }
    }

    /// Calls `body` with the images ((count, features) row-major, in their stored dtype) and
    /// the labels ((count)), valid for the call's duration. An empty set passes pointers that
    /// must not be read (there is nothing to read).
    @inline(__always)
    func withUnsafePointers<R>(_ body: (ImageRows, UnsafePointer<Int32>) throws -> R) rethrows -> R {
        try labels.withUnsafeBufferPointer { labels in
            let l = labels.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Int32>.alignment)!
            switch storage {
            case .float32(let values):
                return try values.withUnsafeBufferPointer { p in
                    try body(.float32(p.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Float>.alignment)!), l)
                }
            case .uint8(let bytes):
                return try bytes.withUnsafeBufferPointer { p in
                    try body(.uint8(p.baseAddress ?? UnsafePointer(bitPattern: 1)!), l)
                }
            }
        }
    }

    /// The first `n` samples (all of them if n ≥ count).
    public func prefix(_ n: Int) -> DataSet {
        let k = max(0, min(n, count))
        // Safe: a prefix of a validated data set is valid.
        let kept: Storage
        switch storage {
        case .float32(let values): kept = .float32(Array(values[0..<(k * features)]))
        case .uint8(let bytes): kept = .uint8(Array(bytes[0..<(k * features)]))
        }
        return DataSet(unchecked: kept, labels: Array(labels[0..<k]), features: features, classes: classes)
    }

    /// Samples `range` (clamped to 0..<count), in order.
    public func samples(_ range: Range<Int>) -> DataSet {
        let lo = max(0, min(range.lowerBound, count)), hi = max(lo, min(range.upperBound, count))
        // Safe: a slice of a validated data set is valid.
        let kept: Storage
        switch storage {
        case .float32(let values): kept = .float32(Array(values[(lo * features)..<(hi * features)]))
        case .uint8(let bytes): kept = .uint8(Array(bytes[(lo * features)..<(hi * features)]))
        }
        return DataSet(unchecked: kept, labels: Array(labels[lo..<hi]), features: features, classes: classes)
    }

    /// The split network2.py uses for validation: the first count − n samples to train on and
    /// the last n held out (e.g. MNIST's 60,000 as 50,000 + 10,000).
    public func holdingOut(last n: Int) -> (training: DataSet, validation: DataSet) {
        let cut = max(0, count - max(0, n))
        return (samples(0..<cut), samples(cut..<count))
    }

    private init(unchecked storage: Storage, labels: [Int32], features: Int, classes: Int) {
        self.storage = storage
        self.labels = labels
        self.count = labels.count
        self.features = features
        self.classes = classes
    }
}

/// A data set's image matrix as raw pointers, in its stored dtype (a trivial value that
/// worker threads can share).
enum ImageRows {
    case float32(UnsafePointer<Float>)
    case uint8(UnsafePointer<UInt8>)

    /// The rows from `row` on.
    @inline(__always)
    func advanced(byRows row: Int, features: Int) -> ImageRows {
        switch self {
        case .float32(let p): return .float32(p + row * features)
        case .uint8(let p): return .uint8(p + row * features)
        }
    }

    /// Copies `count` consecutive values from offset `at` into `output` as floats in [0, 1]
    /// (uint8: Float(v) / 255, exactly as `DataSet.images`).
    @inline(__always)
    func copy(at offset: Int, count: Int, into output: UnsafeMutablePointer<Float>) {
        switch self {
        case .float32(let p):
            output.update(from: p + offset, count: count)
        case .uint8(let p):
            NativeKernels.scaleBytes(p + offset, count: count, into: output)
        }
    }
}
