/// A labelled data set in memory: `count` samples of `features` floats each, in [0, 1].
///
/// Departure from the book: network.py keeps a list of (x, y) column vectors with y one-hot.
/// ShardNet stores the images as one row-major (count, features) matrix — one sample per row,
/// as in the HDF5 file — and the labels as class indices; the one-hot target y appears only
/// inside the output-error kernel (δᴸ = a − y subtracts 1 at the label).
public struct DataSet: Sendable {
    /// Images, (count, features) row-major.
    public let images: [Float]
    /// Class index of each sample, in 0..<classes.
    public let labels: [Int32]
    /// Number of samples.
    public let count: Int
    /// Floats per sample (784 for MNIST).
    public let features: Int
    /// Number of classes (the output layer's size).
    public let classes: Int

    /// Validates shapes, finiteness and label range.
    public init(images: [Float], labels: [Int32], features: Int, classes: Int, name: String = "data set") throws {
        guard features > 0 else { throw ShardNetError.invalidArgument("\(name): features must be positive") }
        guard classes >= 1 else { throw ShardNetError.invalidArgument("\(name): classes must be at least 1") }
        guard images.count == labels.count * features else {
            throw ShardNetError.invalidArgument("\(name): \(images.count) image values for \(labels.count) labels of \(features) features")
        }
        if let bad = images.firstIndex(where: { !$0.isFinite }) {
            throw ShardNetError.invalidArgument(
                "\(name): pixel \(bad % features) of sample \(bad / features) is \(images[bad]); images must be finite")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classes }) {
            throw ShardNetError.invalidArgument("\(name): label \(labels[bad]) of sample \(bad) is outside 0..<\(classes)")
        }
        self.images = images
        self.labels = labels
        self.count = labels.count
        self.features = features
        self.classes = classes
    }

    /// Calls `body` with pointers to the images ((count, features) row-major) and labels
    /// ((count)), valid for the call's duration. An empty set passes pointers that must not be
    /// read (there is nothing to read).
    @inline(__always)
    func withUnsafePointers<R>(_ body: (UnsafePointer<Float>, UnsafePointer<Int32>) throws -> R) rethrows -> R {
        try images.withUnsafeBufferPointer { images in
            try labels.withUnsafeBufferPointer { labels in
                try body(
                    images.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Float>.alignment)!,
                    labels.baseAddress ?? UnsafePointer(bitPattern: MemoryLayout<Int32>.alignment)!)
            }
        }
    }

    /// The first `n` samples (all of them if n ≥ count).
    public func prefix(_ n: Int) -> DataSet {
        let k = max(0, min(n, count))
        // Safe: a prefix of a validated data set is valid.
        return DataSet(unchecked: Array(images[0..<(k * features)]), labels: Array(labels[0..<k]), features: features, classes: classes)
    }

    private init(unchecked images: [Float], labels: [Int32], features: Int, classes: Int) {
        self.images = images
        self.labels = labels
        self.count = labels.count
        self.features = features
        self.classes = classes
    }
}
