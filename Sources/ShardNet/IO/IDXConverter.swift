#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Converts the four MNIST IDX files into a dataset file (see `DataSetFile`):
/// train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
/// t10k-labels-idx1-ubyte, each raw or with a .gz suffix.
///
/// Images (N, rows, columns) are stored as uint8 (N, rows × columns); labels as uint8.
/// `classes` is max(label) + 1 over both splits (10 for MNIST) and is stored as an attribute.
public enum IDXConverter {
    /// The four input files.
    public struct Inputs: Sendable, Equatable {
        public var trainImages: String
        public var trainLabels: String
        public var testImages: String
        public var testLabels: String

        public init(trainImages: String, trainLabels: String, testImages: String, testLabels: String) {
            self.trainImages = trainImages
            self.trainLabels = trainLabels
            self.testImages = testImages
            self.testLabels = testLabels
        }

        /// The standard names in `folder`, each raw or .gz (raw preferred when both exist).
        public init(folder: String) throws {
            func find(_ base: String) throws -> String {
                for candidate in ["\(folder)/\(base)", "\(folder)/\(base).gz"] {
                    var st = stat()
                    if stat(candidate, &st) == 0 { return candidate }
                }
                throw ShardNetError.io(
                    path: "\(folder)/\(base)", reason: "no such file (nor \(base).gz); download MNIST's four IDX files into \(folder)")
            }
            self.init(
                trainImages: try find("train-images-idx3-ubyte"), trainLabels: try find("train-labels-idx1-ubyte"),
                testImages: try find("t10k-images-idx3-ubyte"), testLabels: try find("t10k-labels-idx1-ubyte"))
        }
    }

    /// What a conversion wrote.
    public struct Summary: Sendable, Equatable {
        public var trainCount: Int
        public var testCount: Int
        public var features: Int
        public var classes: Int
        public var source: String
    }

    /// Reads and validates the four files, then writes `output` atomically.
    @discardableResult
    public static func convert(_ inputs: Inputs, to output: String) throws -> Summary {
        let train = try split(images: inputs.trainImages, labels: inputs.trainLabels)
        let test = try split(images: inputs.testImages, labels: inputs.testLabels)
        guard train.features == test.features else {
            throw ShardNetError.invalidFile(
                path: inputs.testImages, object: "IDX header",
                reason: "\(test.features) pixels per image, but \(inputs.trainImages) has \(train.features)")
        }
        let classes = Int(max(train.labels.max() ?? 0, test.labels.max() ?? 0)) + 1
        let name = { (p: String) in p.split(separator: "/").last.map(String.init) ?? p }
        let source =
            "converted from MNIST IDX files: \(name(inputs.trainImages)), \(name(inputs.trainLabels)), \(name(inputs.testImages)), \(name(inputs.testLabels))"
        try DataSetFile.write(train: train, test: test, classes: classes, source: source, to: output)
        return Summary(trainCount: train.count, testCount: test.count, features: train.features, classes: classes, source: source)
    }

    private static func split(images imagesPath: String, labels labelsPath: String) throws -> DataSetFile.ByteSplit {
        let images = try IDXFile.read(from: imagesPath, expecting: .images)
        let labels = try IDXFile.read(from: labelsPath, expecting: .labels)
        guard images.count == labels.count else {
            throw ShardNetError.invalidFile(
                path: labelsPath, object: "IDX header",
                reason: "\(labels.count) labels but \(imagesPath) has \(images.count) images; the files do not belong together")
        }
        return DataSetFile.ByteSplit(images: images.bytes, labels: labels.bytes, features: images.itemSize)
    }
}
