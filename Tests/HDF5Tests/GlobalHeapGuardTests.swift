import Foundation
import HDF5
import Testing

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
            let path = Self.regressions.appendingPathComponent(name).path
            do {
                _ = try File(path, mode: .read)
                Issue.record("\(name) opened")
            } catch let error as HDF5Error {
                #expect(error.file == path)
                #expect(error.message.contains("global heap"), "\(error)")
            }
        }
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
