import Foundation
import Testing

@testable import HDF5

/// Files whose global heap would make libhdf5 1.10 hang or segfault (found by fuzzing, kept in
/// Fuzz/regressions/hdf5) are refused by `File` before libhdf5 parses them — in-process, with
/// an error naming the file — while valid files with variable-length strings still open.
@Suite struct GlobalHeapGuardTests {
    static let regressions = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz/regressions/hdf5")

    @Test func corruptGlobalHeapsAreRefused() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.regressions.path).filter { $0.contains("global-heap") }
        #expect(files.count >= 3)
        for name in files {
            expectRefused(Self.regressions.appendingPathComponent(name).path, saying: "global heap")
        }
    }

    /// Opening `path` for reading throws an HDF5Error that names the file and says `message`.
    private func expectRefused(_ path: String, saying message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try File(path, mode: .read)
            Issue.record("\(path) opened", sourceLocation: sourceLocation)
        } catch let error as HDF5Error {
            #expect(error.file == path, sourceLocation: sourceLocation)
            #expect(error.message.contains(message), "\(error)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("\(path): \(error) is not an HDF5Error", sourceLocation: sourceLocation)
        }
    }

    /// A corrupt collection anywhere in the file is found, wherever the scan's read blocks fall:
    /// its signature across the first two blocks (starting 2 bytes before the boundary), at the
    /// last start the first block's read covers, and inside the second block.
    @Test(arguments: [-2, -1, 1000])
    func corruptCollectionPastTheFirstReadBlockIsRefused(fromBoundary: Int) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gheap-far-\(UUID().uuidString).h5").path
        defer { unlink(path) }
        do {
            let f = try File(path, mode: .create)
            try f.attrs.set("note", .string("valid"))
            try f.close()
        }
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let start = GlobalHeapCheck.readBlock + fromBoundary
        #expect(bytes.count < start)
        bytes += [UInt8](repeating: 0, count: start - bytes.count)
        // "GCOL", version 1, 3 reserved, size 4096; object 1 claims 100,000 bytes.
        var collection = [UInt8](repeating: 0, count: 4096)
        collection.replaceSubrange(0..<8, with: [0x47, 0x43, 0x4F, 0x4C, 1, 0, 0, 0])
        collection.replaceSubrange(8..<16, with: [0x00, 0x10, 0, 0, 0, 0, 0, 0])
        collection.replaceSubrange(16..<18, with: [1, 0])
        collection.replaceSubrange(24..<32, with: [0xA0, 0x86, 0x01, 0, 0, 0, 0, 0])
        bytes += collection
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        expectRefused(path, saying: "corrupt global heap collection at byte \(start)")
    }

    @Test func validVariableLengthStringsStillRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gheap-\(UUID().uuidString).h5").path
        defer { unlink(path) }
        do {
            let f = try File(path, mode: .create)
            for i in 0..<50 { try f.attrs.set("s\(i)", .string(String(repeating: "x", count: i * 7))) }
            try f.close()
        }
        let g = try File(path, mode: .read)
        #expect(try g.attrs.string("s49") == String(repeating: "x", count: 343))
    }
}
