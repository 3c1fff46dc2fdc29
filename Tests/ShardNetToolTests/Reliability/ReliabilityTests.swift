import Foundation
import ShardNet
import ShardNetTestSupport
import Testing

/// A killed run loses nothing and resumes exactly; a full disk never damages a checkpoint.
@Suite(.serialized, .tags(.cli, .slow)) struct ReliabilityTests {
    /// Temp files that an interrupted save can leave next to the checkpoint.
    static func strayTemporaries(in dir: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }
    }

    /// kill -9 at ≥ 20 random moments of a run that checkpoints every epoch, resuming after
    /// each kill: every checkpoint left on disk opens and validates, at most the one save
    /// that was interrupted leaves a temp file (and the next save removes it), and the final
    /// weights and history equal, bit for bit, those of an uninterrupted run — with a
    /// different thread count and the same shard count.
    @Test func killedAndResumedRunEqualsStraightRun() throws {
        let dir = try Tool.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Tool.smallDataset(in: dir, train: 100, test: 50)
        // Long enough that the run outlasts 20 kills: each random kill lets a run progress for
        // up to half a second after its start-up (300 epochs ran out after 16 kills once
        // `--threads auto`'s start-up calibration shrank from 0.1 to 0.03 s a choice).
        let epochs = 800
        let common = [
            "--data", data, "--layers", "784,256,10", "--epochs", String(epochs), "--shards", "2",
            "--batch-size", "10", "--seed", "3", "--quiet", "--checkpoint-every", "1",
        ]
        let straight = dir.appendingPathComponent("straight.h5").path
        let s = try Tool.run(["train"] + common + ["--threads", "1", "--output", straight])
        #expect(s.status == 0, "\(s.all)")

        let killedDir = dir.appendingPathComponent("killed")
        try FileManager.default.createDirectory(at: killedDir, withIntermediateDirectories: true)
        let model = killedDir.appendingPathComponent("model.h5").path
        var generator = Xoshiro256StarStar(seed: 2024)
        var kills = 0, attempts = 0, finished = false, killsMidSave = 0
        while !finished && attempts < 200 {
            attempts += 1
            let resume = FileManager.default.fileExists(atPath: model) ? ["--resume", model] : []
            let process = Process()
            process.executableURL = Tool.executable
            process.arguments = ["train"] + common + resume + ["--threads", "2", "--output", model]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            if kills < 20 {
                if kills % 2 == 0 {
                    // Every other kill at a random moment, 50–550 ms in: start-up, mid-epoch or mid-save.
                    usleep(UInt32(50_000 + generator.uniformInt(below: 500_000)))
                } else {
                    // The others the moment this process's temp file appears: always mid-save.
                    let marker = ".tmp-\(process.processIdentifier)-"
                    let deadline = Date().addingTimeInterval(5)
                    while process.isRunning && Date() < deadline,
                        !((try? Self.strayTemporaries(in: killedDir))?.contains { $0.contains(marker) } ?? false)
                    {
                        usleep(100)
                    }
                }
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    kills += 1
                }
            }
            process.waitUntilExit()
            if process.terminationReason == .exit {
                #expect(process.terminationStatus == 0)
                finished = process.terminationStatus == 0
            }
            if FileManager.default.fileExists(atPath: model) {
                let checkpoint = try Checkpoint.load(from: model)  // never a broken file
                #expect(checkpoint.training != nil)
            }
            let stray = try Self.strayTemporaries(in: killedDir)
            if !stray.isEmpty { killsMidSave += 1 }
            #expect(stray.count <= 1, "temp files pile up: \(stray)")
        }
        #expect(kills >= 20, "only \(kills) kills")
        #expect(killsMidSave >= 5, "only \(killsMidSave) kills landed in a save; the test no longer exercises atomic saving")
        #expect(finished, "the run never finished after \(attempts) attempts")
        #expect(try Self.strayTemporaries(in: killedDir).isEmpty)
        let a = try Checkpoint.load(from: straight), b = try Checkpoint.load(from: model)
        #expect(b.training?.epochsCompleted == epochs)
        #expect(a.network.isBitwiseEqual(to: b.network), "resumed weights differ from the straight run")
        #expect(a.training!.history.count == b.training!.history.count)
        #expect(zip(a.training!.history, b.training!.history).allSatisfy { $0.hasSameResults(as: $1) })
        print(
            "reliability: \(kills) kills survived (\(killsMidSave) in the middle of a save) in \(attempts) runs; final weights bitwise equal to the straight run"
        )
    }

    /// A full disk: the save fails with a clear error naming the file, the process exits
    /// non-zero, and the previous checkpoint survives unchanged. Needs root (a small tmpfs).
    @Test(.enabled(if: getuid() == 0, "needs root to mount a small tmpfs"))
    func fullDiskKeepsPreviousCheckpoint() throws {
        let dir = try Tool.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Tool.smallDataset(in: dir, train: 100, test: 50)
        let mount = dir.appendingPathComponent("small")
        try FileManager.default.createDirectory(at: mount, withIntermediateDirectories: true)
        let mounted = Process()
        mounted.executableURL = URL(fileURLWithPath: "/bin/mount")
        mounted.arguments = ["-t", "tmpfs", "-o", "size=512k", "tmpfs", mount.path]
        try mounted.run()
        mounted.waitUntilExit()
        guard mounted.terminationStatus == 0 else {
            print("reliability: tmpfs mount refused here; full-disk test not run")
            return
        }
        defer {
            let u = Process()
            u.executableURL = URL(fileURLWithPath: "/bin/umount")
            u.arguments = [mount.path]
            try? u.run()
            u.waitUntilExit()
        }
        let model = mount.appendingPathComponent("model.h5").path
        let common = ["--data", data, "--layers", "784,100,10", "--quiet", "--threads", "1", "--output", model]
        let first = try Tool.run(["train"] + common + ["--epochs", "1"])
        #expect(first.status == 0, "\(first.all)")
        let before = try Data(contentsOf: URL(fileURLWithPath: model))
        // Fill the file system, leaving less room than one checkpoint (~320 KB).
        let filler = mount.appendingPathComponent("filler")
        #expect(
            FileManager.default.createFile(atPath: filler.path, contents: Data(count: 512 * 1024 - before.count - 100 * 1024)),
            "could not write the filler that leaves less room than a checkpoint")
        let r = try Tool.run(["train", "--data", data, "--resume", model, "--epochs", "3", "--quiet", "--threads", "1", "--output", model])
        #expect(r.status != 0 && r.status < 128, "\(r.all)")
        #expect(r.stderr.contains(model), "error does not name the file: \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }.count == 1, "\(r.stderr)")
        let after = try Data(contentsOf: URL(fileURLWithPath: model))
        // Compared with Compare.difference, not `==`: Swift Testing would diff ~320 KB byte by byte.
        #expect(Compare.difference(after, before) == nil, "the previous checkpoint changed: \(Compare.difference(after, before) ?? "")")
        #expect(try Checkpoint.load(from: model).training?.epochsCompleted == 1)
        #expect(try Self.strayTemporaries(in: mount).isEmpty)
    }
}
