import Foundation
import HDF5
import ShardNetTestSupport
import Testing

@testable import ShardNet

@Suite("IDX reading and conversion", .tags(.io))
struct IDXIOTests {
    // Property: converting raw IDX files stores every byte and label, classes = max label + 1,
    // uint8 (N, rows·cols) chunked + gzip, and the file loads as the same values scaled by 1/255.
    @Test func convertsRawIDXFiles() throws {
        let folder = try IOTempFolder()
        let (train, test) = try IO.writeMNIST(into: folder)
        let output = folder.file("mnist.h5")
        let summary = try IDXConverter.convert(try IDXConverter.Inputs(folder: folder.path), to: output)
        #expect(summary.trainCount == 6 && summary.testCount == 4 && summary.features == 12 && summary.classes == 10)

        let data = try DataSetFile.load(from: output)
        #expect(data.classes == 10)
        #expect(data.source.contains("train-images-idx3-ubyte") && data.source.contains("t10k-labels-idx1-ubyte"))
        #expect(data.train.images == train.images.map { Float($0) / 255 })
        #expect(data.train.labels == train.labels.map { Int32($0) })
        #expect(data.test?.images == test.images.map { Float($0) / 255 })
        #expect(data.test?.labels == test.labels.map { Int32($0) })
        #expect(data.validation == nil)

        let file = try File(output)
        let images = try file.dataset("train/images")
        #expect(images.shape == [6, 12] && images.elementType == .uint8)
        #expect(try images.gzipLevel != nil && images.chunks != nil)
        #expect(try file.dataset("test/labels").elementType == .uint8)
        #expect(try file.dataset("train/images").read(as: UInt8.self) == train.images)
        #expect(folder.contents().filter { $0.contains(".tmp-") }.isEmpty)
    }

    // Property: gzipped IDX files give exactly the same dataset as the raw ones.
    @Test func convertsGzippedIDXFiles() throws {
        let raw = try IOTempFolder(), gz = try IOTempFolder()
        _ = try IO.writeMNIST(into: raw)
        for name in ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"] {
            let zipped = try IO.gzip(raw.file(name))
            try FileManager.default.moveItem(atPath: zipped, toPath: gz.file(name + ".gz"))
        }
        let inputs = try IDXConverter.Inputs(folder: gz.path)
        #expect(inputs.trainImages.hasSuffix(".gz"))
        try IDXConverter.convert(inputs, to: gz.file("z.h5"))
        try IDXConverter.convert(try IDXConverter.Inputs(folder: raw.path), to: raw.file("r.h5"))
        let a = try DataSetFile.load(from: gz.file("z.h5")), b = try DataSetFile.load(from: raw.file("r.h5"))
        #expect(IO.same(a.train, b.train) && IO.same(a.test, b.test))
        let zipped = try IDXFile.read(from: gz.file("train-images-idx3-ubyte.gz")).bytes
        #expect(try Compare.difference(zipped, IDXFile.read(from: raw.file("train-images-idx3-ubyte")).bytes) == nil)
    }

    // Property: concatenated gzip members are read as one stream (as gzip(1) does).
    @Test func readsConcatenatedGzipMembers() throws {
        let folder = try IOTempFolder()
        let all = IO.idx([6], [0, 1, 2, 3, 4, 5])
        try IO.write(Array(all[..<7]), to: folder.file("a"))
        try IO.write(Array(all[7...]), to: folder.file("b"))
        let joined = try IO.read(try IO.gzip(folder.file("a"))) + IO.read(try IO.gzip(folder.file("b")))
        try IO.write(joined, to: folder.file("labels.gz"))
        #expect(try IDXFile.read(from: folder.file("labels.gz"), expecting: .labels).bytes == [0, 1, 2, 3, 4, 5])
    }

    // Property: a folder missing one of the four files is an error naming the file.
    @Test func missingInputIsNamed() throws {
        let folder = try IOTempFolder()
        _ = try IO.writeMNIST(into: folder)
        try FileManager.default.removeItem(atPath: folder.file("t10k-labels-idx1-ubyte"))
        let message = IO.failure { try IDXConverter.Inputs(folder: folder.path) }
        #expect(message.contains("t10k-labels-idx1-ubyte") && message.contains("no such file"), "\(message)")
    }

    /// Writes `bytes` (gzipped when `gzip`) and returns IDXFile.read's error message.
    private func rejection(_ bytes: [UInt8], gzip: Bool = false, expecting kind: IDXFile.Kind? = nil) throws -> String {
        let folder = try IOTempFolder()
        var path = folder.file("file-idx")
        try IO.write(bytes, to: path)
        if gzip { path = try IO.gzip(path) }
        return IO.failure { try IDXFile.read(from: path, expecting: kind) }.replacingOccurrences(of: folder.path, with: "")
    }

    // Property: corrupt headers are rejected with a message saying what is wrong.
    @Test func rejectsCorruptHeaders() throws {
        #expect(try rejection([0x1f, 0, 0, 0, 0, 0, 0, 1, 0]).contains("bad magic 0x1F000000"))
        #expect(try rejection([]).contains("too short"))
        #expect(try rejection([0, 0, 8]).contains("too short"))
        #expect(try rejection(IO.idx([2], [1, 2], type: 0x0D)).contains("element type 0xd is not supported"))
        #expect(try rejection(IO.idx([2, 1, 1], [1, 2]), expecting: .labels).contains("swapped"))
        #expect(try rejection(Array(IO.idx([2, 1, 1], [1, 2]).prefix(9))).contains("truncated header"))
        #expect(try rejection(IO.idx([0], [])).contains("holds no data"))
    }

    // Property: payload sizes must match the header exactly, raw or gzipped.
    @Test func rejectsTruncatedAndOverlongData() throws {
        let good = IO.idx([3, 2, 2], Array(0..<12))
        #expect(try rejection(Array(good.dropLast())).contains("truncated"))
        #expect(try rejection(good + [0]).contains("trailing bytes"))
        #expect(try rejection(Array(good.dropLast()), gzip: true).contains("truncated: extents [3, 2, 2] promise 12 bytes of data, found 11"))
        #expect(try rejection(good + [7], gzip: true).contains("more data than extents"))
        // A gzip file cut short inside its compressed stream.
        let folder = try IOTempFolder()
        try IO.write(IO.idx([1000], (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7919) }), to: folder.file("l"))
        let zipped = try IO.read(try IO.gzip(folder.file("l")))
        try IO.write(Array(zipped.prefix(zipped.count / 2)), to: folder.file("cut.gz"))
        let message = IO.failure { try IDXFile.read(from: folder.file("cut.gz")) }
        #expect(message.contains("truncated"), "\(message)")
        try IO.write([0x1f, 0x8b] + Array(repeating: 0x55, count: 40), to: folder.file("junk.gz"))
        #expect(IO.failure { try IDXFile.read(from: folder.file("junk.gz")) }.contains("corrupt compressed data"))
    }

    // Property: absurd declared sizes are refused before any allocation (raw: > 2 GiB; gzip:
    // more than deflate's 1032:1 ratio allows), so a 20-byte file cannot ask for gigabytes.
    @Test func rejectsHugeDeclaredSizesWithoutAllocating() throws {
        let huge = IO.idx([0xFFFF_FFFF, 0xFFFF_FFFF, 28], [])
        #expect(try rejection(huge).contains("more than 2147483648 bytes"))
        #expect(try rejection(huge, gzip: true).contains("more than 2147483648 bytes"))
        let big = IO.idx([1_000_000, 28, 28], [1, 2, 3])  // 784 MB declared, under the 2 GiB cap
        #expect(try rejection(big).contains("promise 784000016 bytes but the file has 19"))
        #expect(try rejection(big, gzip: true).contains("gzip file can hold"))
    }

    // Property: image and label counts must agree; the error names both files.
    @Test func rejectsDisagreeingCounts() throws {
        let folder = try IOTempFolder()
        _ = try IO.writeMNIST(into: folder)
        try IO.write(IO.idx([5], [0, 1, 2, 3, 4]), to: folder.file("train-labels-idx1-ubyte"))
        let message = IO.failure { try IDXConverter.convert(try IDXConverter.Inputs(folder: folder.path), to: folder.file("o.h5")) }
        #expect(message.contains("5 labels but") && message.contains("train-images-idx3-ubyte has 6 images"), "\(message)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("o.h5")))
    }

    // Property: a missing IDX file is "no such file", not a crash.
    @Test func missingIDXFile() throws {
        let folder = try IOTempFolder()
        #expect(IO.failure { try IDXFile.read(from: folder.file("nope")) } == "\(folder.file("nope")): no such file")
    }
}
