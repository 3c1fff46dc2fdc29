import Foundation
import HDF5
import Testing

@Suite("HDF5 errors")
struct HDF5ErrorTests {
    // Property: a missing file is `.noSuchFile` and the message names the path.
    @Test func missingFile() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("missing.h5")
        do {
            _ = try File(path)
            Issue.record("opened a missing file")
        } catch let error as HDF5Error {
            #expect(error.kind == .noSuchFile)
            #expect(error.description == "\(path): /: no such file")
        }
    }

    // Property: files that are not HDF5 (text, empty, a folder) are rejected cleanly as `.notHDF5`.
    @Test func notHDF5() throws {
        let folder = try TemporaryFolder()
        let text = folder.file("text.h5")
        try "hello, not hdf5\n".write(toFile: text, atomically: false, encoding: .utf8)
        let empty = folder.file("empty.h5")
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        for path in [text, empty, folder.path] {
            do {
                _ = try File(path)
                Issue.record("opened \(path)")
            } catch let error as HDF5Error {
                #expect(error.kind == .notHDF5, "\(error)")
                #expect(error.description.hasPrefix(path), "\(error)")
            }
        }
        #expect(!File.isHDF5(text))
    }

    // Property: a truncated HDF5 file gives an HDF5Error carrying HDF5's own message, never a crash.
    @Test func truncatedFileReportsHDF5Message() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("t.h5")
        do {
            let f = try File(path, mode: .create)
            try f.createDataset("big", shape: [1000], data: (0..<1000).map { Double($0) })
            try f.close()
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(data.count / 2).write(to: URL(fileURLWithPath: path))
        do {
            let f = try File(path)
            _ = try f.dataset("big").read(as: Double.self)
            Issue.record("read a truncated file")
        } catch let error as HDF5Error {
            #expect(error.file == path)
            #expect(!error.detail.isEmpty, "HDF5's message from the error stack: \(error)")
        }
    }

    // Property: a missing object is `.noSuchObject`, naming the file and the full object path.
    @Test func missingObjectNamesFileAndObject() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("m.h5")
        let f = try File(path, mode: .create)
        let g = try f.createGroup("train")
        do {
            _ = try g.dataset("images")
            Issue.record("opened a missing dataset")
        } catch let error as HDF5Error {
            #expect(error.kind == .noSuchObject)
            #expect(error.object == "/train/images")
            #expect(error.description.hasPrefix("\(path): /train/images: "), "\(error)")
        }
        #expect(failure { try f.group("train/images/deeper") }.contains("/train/images/deeper"))
        let wrong = failure { try f.dataset("train") }
        #expect(wrong.contains("is a group, not a dataset"), "\(wrong)")
    }

    // Property: shape and type misuse is reported, not undefined behaviour.
    @Test func shapeAndTypeMisuse() throws {
        let folder = try TemporaryFolder()
        let f = try File(folder.file("s.h5"), mode: .create)
        #expect(failure { try f.createDataset("x", shape: [2, 2], data: [Float(1)]) }.contains("does not hold 1 elements"))
        let ds = try f.createDataset("y", shape: [4], data: [Float](repeating: 0, count: 4))
        var small = [Float](repeating: 0, count: 3)
        let message = small.withUnsafeMutableBufferPointer { b in failure { try ds.read(into: b) } }
        #expect(message.contains("buffer of 3 elements"), "\(message)")
        #expect(failure { try f.createDataset("y", shape: [1], data: [Float(1)]) }.contains("already exists"))
        #expect(failure { try f.createDataset("z", shape: [1], data: [Float(1)], gzip: 12) }.contains("gzip level 12"))
    }

    // Property: create-exclusive refuses an existing file; create truncates it; a missing folder
    // is `.noSuchFile`.
    @Test func createModes() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("e.h5")
        do {
            let f = try File(path, mode: .create)
            try f.createGroup("old")
            try f.close()
        }
        do {
            _ = try File(path, mode: .createExclusive)
            Issue.record("createExclusive replaced a file")
        } catch let error as HDF5Error {
            #expect(error.kind == .alreadyExists)
        }
        #expect(try File(path).contains("old"))
        do {
            let f = try File(path, mode: .create)
            #expect(try f.keys() == [])
        }
        do {
            _ = try File(folder.file("no/such/folder.h5"), mode: .create)
            Issue.record("created in a missing folder")
        } catch let error as HDF5Error {
            #expect(error.kind == .noSuchFile)
            #expect(error.description.contains("no such folder"))
        }
    }

    // Property: a read-only file refuses writes with an HDF5Error (and HDF5's message).
    @Test func readOnlyFileRefusesWrites() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("r.h5")
        do { try File(path, mode: .create).close() }
        let f = try File(path, mode: .read)
        do {
            try f.createGroup("g")
            Issue.record("wrote to a read-only file")
        } catch let error as HDF5Error {
            #expect(error.kind == .library)
            #expect(!error.detail.isEmpty, "\(error)")
        }
    }

    // Property: failures on a thread other than the first are reported the same way (the
    // per-thread error-stack setup runs on every thread).
    @Test func errorsOnAnotherThread() async throws {
        let folder = try TemporaryFolder()
        let path = folder.file("missing.h5")
        let message = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let thread = Thread { continuation.resume(returning: failure { try File(path) }) }
            thread.start()
        }
        #expect(message == "\(path): /: no such file")
    }
}
