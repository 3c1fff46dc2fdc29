import Foundation
import HDF5
import ShardNetTestSupport
import Testing

@testable import ShardNet

@Suite("Atomic saves", .tags(.io))
struct AtomicSaveIOTests {
    /// A folder holding checkpoint "c.h5" of network A; returns (folder, path, bytes of A).
    private func folderWithOldCheckpoint() throws -> (IOTempFolder, String, [UInt8]) {
        let folder = try IOTempFolder()
        let path = folder.file("c.h5")
        try Checkpoint(network: try IO.network([4, 3], seed: 1), training: nil).save(to: path)
        return (folder, path, try IO.read(path))
    }

    // Property: saving over an existing checkpoint replaces it and leaves no temp file.
    @Test func replacesTheTarget() throws {
        let (folder, path, old) = try folderWithOldCheckpoint()
        let b = try IO.network([4, 3], seed: 2)
        try Checkpoint(network: b, training: IO.training(epochs: 1)).save(to: path)
        #expect(try Compare.difference(IO.read(path), old) != nil)
        #expect(try Checkpoint.load(from: path).network.isBitwiseEqual(to: b))
        #expect(folder.contents() == ["c.h5"])
    }

    // Property: a failure after writing or before the rename leaves the old file byte-identical
    // and removes the temp file.
    @Test(arguments: [AtomicFile.Stage.afterWrite, .beforeRename])
    func failureKeepsTheOldFile(stage: AtomicFile.Stage) throws {
        let (folder, path, old) = try folderWithOldCheckpoint()
        let checkpoint = Checkpoint(network: try IO.network([4, 3], seed: 2), training: nil)
        #expect(IO.failure { try checkpoint.save(to: path, failingAt: stage) }.contains("injected failure"))
        #expect(try Compare.difference(IO.read(path), old) == nil)
        #expect(folder.contents() == ["c.h5"])
        // The same for dataset files.
        let split = DataSetFile.ByteSplit(images: [1, 2], labels: [0], features: 2)
        try DataSetFile.write(train: split, test: nil, classes: 1, source: "old", to: folder.file("d.h5"))
        let oldData = try IO.read(folder.file("d.h5"))
        #expect(
            IO.failure {
                try DataSetFile.write(
                    train: split, test: nil, validation: nil, classes: 2, source: "new",
                    to: folder.file("d.h5"), failingAt: stage)
            }.contains("injected"))
        #expect(try Compare.difference(IO.read(folder.file("d.h5")), oldData) == nil)
        #expect(folder.contents() == ["c.h5", "d.h5"])
    }

    // Property: a target whose folder does not exist fails cleanly, naming the folder, creating nothing.
    @Test func missingFolderFails() throws {
        let folder = try IOTempFolder()
        let path = folder.file("no/such/c.h5")
        let message = IO.failure { try Checkpoint(network: try IO.network([2, 1]), training: nil).save(to: path) }
        #expect(message == "\(path): cannot save: folder \(folder.file("no/such")) does not exist; create it first")
        #expect(folder.contents().isEmpty)
    }

    // Property: a target path that is a folder is refused before anything is written (rename(2)
    // could not replace it), leaving the folder alone and no temp file behind.
    @Test func folderTargetFails() throws {
        let folder = try IOTempFolder()
        try FileManager.default.createDirectory(atPath: folder.file("c.h5/inner"), withIntermediateDirectories: true)
        let message = IO.failure { try Checkpoint(network: try IO.network([2, 1]), training: nil).save(to: folder.file("c.h5")) }
        #expect(message.contains("is a folder"), "\(message)")
        #expect(folder.contents() == ["c.h5"])
    }

    // Property: in a read-only folder the save fails and the old file survives. Root ignores
    // folder permissions, so this runs only as a normal user (the injected failures above cover root).
    @Test(.enabled(if: getuid() != 0, "root ignores folder permissions"))
    func readOnlyFolderKeepsTheOldFile() throws {
        let (folder, path, old) = try folderWithOldCheckpoint()
        chmod(folder.path, 0o555)
        defer { chmod(folder.path, 0o755) }
        #expect(IO.failure { try Checkpoint(network: try IO.network([4, 3], seed: 2), training: nil).save(to: path) } != "no error")
        #expect(try Compare.difference(IO.read(path), old) == nil)
        #expect(folder.contents() == ["c.h5"])
    }
}
