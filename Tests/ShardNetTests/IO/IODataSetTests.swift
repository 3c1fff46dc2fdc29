import Foundation
import HDF5
import ShardNetTestSupport
import Testing

@testable import ShardNet

@Suite("Dataset files", .tags(.io))
struct DataSetIOTests {
    // Property: write → load returns every split bit for bit (pixels v/255, labels, classes, source).
    @Test func roundTripsEverySplit() throws {
        let folder = try IOTempFolder()
        let path = folder.file("d.h5")
        let a = IO.mnistLike(count: 7, classes: 3, seed: 5), b = IO.mnistLike(count: 2, classes: 3, seed: 6),
            c = IO.mnistLike(count: 3, classes: 3, seed: 7)
        try DataSetFile.write(
            train: .init(images: a.images, labels: a.labels, features: 12),
            test: .init(images: b.images, labels: b.labels, features: 12),
            validation: .init(images: c.images, labels: c.labels, features: 12),
            classes: 3, source: "unit test ✓", to: path)
        let d = try DataSetFile.load(from: path)
        let expected = try DataSet(images: a.images.map { Float($0) / 255 }, labels: a.labels.map { Int32($0) }, features: 12, classes: 3)
        #expect(IO.same(d.train, expected))
        #expect(d.test?.count == 2 && d.validation?.count == 3)
        #expect(d.validation?.images == c.images.map { Float($0) / 255 })
        // uint8 pixels stay bytes in memory (a quarter of the floats' size).
        if case .uint8(let bytes) = d.train.storage { #expect(bytes == a.images) } else { Issue.record("uint8 images were converted") }
        #expect(d.classes == 3 && d.source == "unit test ✓")
        #expect(try H5FileKind.detect(path: path) == .dataset)
    }

    // Property: files written by other tools load too: (N, rows, cols) uint8 images, float32
    // images in [0, 1], int64 labels, no /test.
    @Test func acceptsH5pyStyleVariants() throws {
        let folder = try IOTempFolder()
        let path = folder.file("v.h5")
        try IO.handMade(path) { f in
            try f.createDataset("train/images", shape: [2, 2, 2], data: [Float(0), 0.5, 1, 0.25, 0, 0, 0, 1])
            try f.createDataset("train/labels", shape: [2], data: [Int64(9), 0])
            try f.createDataset("validation/images", shape: [1, 2, 2], data: [UInt8(255), 0, 0, 0])
            try f.createDataset("validation/labels", shape: [1], data: [Int32(3)])
        }
        let d = try DataSetFile.load(from: path)
        #expect(d.train.features == 4 && d.train.images == [0, 0.5, 1, 0.25, 0, 0, 0, 1] && d.train.labels == [9, 0])
        #expect(d.test == nil && d.validation?.images == [1, 0, 0, 0] && d.source == "")
        // Each split keeps its file's dtype in memory: float32 stays float32, uint8 stays bytes.
        if case .float32 = d.train.storage {} else { Issue.record("float32 images were not kept as float32") }
        if case .uint8(let bytes)? = d.validation?.storage { #expect(bytes == [255, 0, 0, 0]) } else { Issue.record("uint8 images were converted") }
    }

    /// load's error for a hand-made file, with the temp folder stripped.
    private func rejection(classes: Int64? = 10, _ edit: (File) throws -> Void) throws -> String {
        let folder = try IOTempFolder()
        let path = folder.file("bad.h5")
        try IO.handMade(path, classes: classes, edit)
        return IO.failure { try DataSetFile.load(from: path) }.replacingOccurrences(of: folder.path, with: "")
    }

    // Property: each malformed dataset is rejected with one line naming the file, the object and the fault.
    @Test func rejectsMalformedDatasets() throws {
        #expect(
            try rejection { try $0.createDataset("train/images", shape: [1, 1], data: [UInt8(0)]) }
                == "/bad.h5: /train/labels: missing; each split needs images and labels")
        #expect(try rejection { try $0.createGroup("nothing") }.contains("neither a ShardNet dataset"))
        #expect(
            try rejection { f in
                try f.createDataset("train/images", shape: [3], data: [UInt8(0), 1, 2])
                try f.createDataset("train/labels", shape: [3], data: [UInt8(0), 1, 2])
            } == "/bad.h5: /train/images: has shape [3] (rank 1); expected (N, features) or (N, rows, columns)")
        #expect(
            try rejection { f in
                try f.createDataset("train/images", shape: [1, 2], data: [Int16(0), 1])
                try f.createDataset("train/labels", shape: [1], data: [UInt8(0)])
            }.contains("/train/images: has dtype int16; images must be uint8 (0–255) or float32 in [0, 1]"))
        #expect(
            try rejection { f in
                try f.createDataset("train/images", shape: [3, 1], data: [UInt8(0), 1, 2])
                try f.createDataset("train/labels", shape: [2], data: [UInt8(0), 1])
            }.contains("/train/labels: has shape [2]; expected (3)"))
        #expect(
            try rejection { f in
                try f.createDataset("train/images", shape: [0, 4], data: [UInt8]())
                try f.createDataset("train/labels", shape: [0], data: [UInt8]())
            } == "/bad.h5: /train/images: has zero rows; a split needs at least one sample")
        #expect(
            try rejection { f in
                try f.createDataset("train/images", shape: [1, 2], data: [UInt8(0), 1])
                try f.createDataset("train/labels", shape: [1], data: [Float(0)])
            }.contains("/train/labels: has dtype float32; labels must be integers"))
        #expect(
            try rejection(classes: 9) { try IO.trainSplit($0) }
                == "/bad.h5: /train/labels: label 9 of sample 2 is outside 0..<9 (attribute 'classes' = 9)")
        #expect(try rejection(classes: nil) { try IO.trainSplit($0) }.contains("missing attribute 'classes'"))
        #expect(
            try rejection { f in
                try f.createDataset("train/images", shape: [2, 2], data: [Float(0), 1, .nan, 0])
                try f.createDataset("train/labels", shape: [2], data: [UInt8(0), 1])
            } == "/bad.h5: /train/images: pixel 0 of sample 1 is nan; float32 images must be finite and in [0, 1]")
        #expect(
            try rejection { f in
                try f.createDataset("train/images", shape: [1, 2], data: [Float(0), 2])
                try f.createDataset("train/labels", shape: [1], data: [UInt8(0)])
            }.contains("pixel 1 of sample 0 is 2.0"))
        #expect(
            try rejection { f in
                try IO.trainSplit(f)
                try f.createDataset("test/images", shape: [1, 3], data: [UInt8(0), 1, 2])
                try f.createDataset("test/labels", shape: [1], data: [UInt8(0)])
            }.contains("/test/images: has 3 features per sample but /train/images has 4"))
    }

    // Property: a missing file, a text file named .h5, an empty file and a truncated file are
    // clean errors naming the file.
    @Test func rejectsMissingAndNonHDF5Files() throws {
        let folder = try IOTempFolder()
        #expect(IO.failure { try DataSetFile.load(from: folder.file("none.h5")) } == "\(folder.file("none.h5")): no such file")
        try "not hdf5".write(toFile: folder.file("text.h5"), atomically: false, encoding: .utf8)
        #expect(IO.failure { try DataSetFile.load(from: folder.file("text.h5")) }.hasPrefix("\(folder.file("text.h5")): /: not an HDF5 file"))
        try IO.write([], to: folder.file("empty.h5"))
        #expect(IO.failure { try DataSetFile.load(from: folder.file("empty.h5")) }.contains("not an HDF5 file (an empty file)"))
        let (train, test) = try IO.writeMNIST(into: folder)
        _ = (train, test)
        try IDXConverter.convert(try IDXConverter.Inputs(folder: folder.path), to: folder.file("full.h5"))
        let bytes = try IO.read(folder.file("full.h5"))
        for cut in [100, bytes.count / 2, bytes.count - 10] {
            try IO.write(Array(bytes.prefix(cut)), to: folder.file("cut.h5"))
            let message = IO.failure { try DataSetFile.load(from: folder.file("cut.h5")) }
            #expect(message.hasPrefix(folder.file("cut.h5") + ": "), "\(message)")
            #expect(message != "no error")
        }
    }

    // Property: a checkpoint passed as a dataset is named as such.
    @Test func rejectsCheckpointAsDataset() throws {
        let folder = try IOTempFolder()
        try Checkpoint(network: try IO.network([4, 3]), training: nil).save(to: folder.file("c.h5"))
        let message = IO.failure { try DataSetFile.load(from: folder.file("c.h5")) }
        #expect(message.contains("is a checkpoint, not a dataset"), "\(message)")
    }

    // Property: write refuses inconsistent input before touching the disk.
    @Test func writeValidatesInput() throws {
        let folder = try IOTempFolder()
        let path = folder.file("w.h5")
        let bad = DataSetFile.ByteSplit(images: [1, 2, 3], labels: [0, 1], features: 2)
        #expect(IO.failure { try DataSetFile.write(train: bad, test: nil, classes: 2, source: "", to: path) }.contains("3 pixels for 2 labels"))
        let high = DataSetFile.ByteSplit(images: [1, 2], labels: [5], features: 2)
        #expect(IO.failure { try DataSetFile.write(train: high, test: nil, classes: 5, source: "", to: path) }.contains("label 5"))
        #expect(folder.contents().isEmpty)
    }
}
