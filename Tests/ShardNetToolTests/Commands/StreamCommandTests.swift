import Foundation
import ShardNet
import ShardNetTestSupport
import Testing

/// `train --stream`, `--shuffle-window`, `--memory-budget` end to end: a streamed run writes
/// the in-memory run's checkpoint bit for bit, a split over the budget streams with one stderr
/// line, and bad values give one error line.
@Suite(.serialized, .tags(.cli)) struct StreamCommandTests {
    // Property: --stream changes memory, never the result (same window, same bits); a split over
    // --memory-budget is streamed automatically, saying so once on stderr.
    @Test func streamedRunEqualsInMemoryRun() throws {
        let dir = try Tool.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Tool.smallDataset(in: dir, train: 3_000)
        let base = [
            "train", "--data", data, "--layers", "784,16,10", "--epochs", "2", "--lambda", "1", "--threads", "2", "--seed", "3", "--batch-size", "1",
            "--shuffle-window", "500",
        ]
        let memory = dir.appendingPathComponent("memory.h5").path
        let streamed = dir.appendingPathComponent("streamed.h5").path
        let automatic = dir.appendingPathComponent("automatic.h5").path
        let r1 = try Tool.run(base + ["--output", memory])
        let r2 = try Tool.run(base + ["--stream", "--output", streamed])
        // 3,000 × 784 bytes = 2.35 MB of images; a 2 MiB budget holds the stream (two windows of
        // 500 rows, two runs of 256 rows), not the split.
        let r3 = try Tool.run(base + ["--memory-budget", "2M", "--output", automatic])
        for r in [r1, r2, r3] { #expect(r.status == 0, "\(r.all)") }
        #expect(r2.stdout.contains("streaming /train"))
        #expect(!r1.stdout.contains("streaming /train"))
        #expect(r3.stderr.split(separator: "\n").filter { $0.contains("memory budget") }.count == 1, "\(r3.stderr)")
        let reference = try Checkpoint.load(from: memory).network
        #expect(try Checkpoint.load(from: streamed).network.isBitwiseEqual(to: reference), "streamed weights differ")
        #expect(try Checkpoint.load(from: automatic).network.isBitwiseEqual(to: reference), "automatically streamed weights differ")
        #expect(try Checkpoint.load(from: streamed).training?.shuffleWindow == 500)
    }

    // Property: each bad value is one error line naming the flag, and nothing is written.
    @Test func badStreamFlags() throws {
        let dir = try Tool.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Tool.smallDataset(in: dir)
        let out = dir.appendingPathComponent("out.h5").path
        let base = ["train", "--data", data, "--output", out, "--epochs", "1"]
        for (args, phrase) in [
            (["--shuffle-window", "0"], "--shuffle-window"),
            (["--shuffle-window", "x"], "--shuffle-window"),
            (["--memory-budget", "12X"], "--memory-budget"),
            (["--memory-budget", "0"], "--memory-budget"),
            (["--stream", "--memory-budget", "100K"], "--memory-budget"),
        ] {
            let r = try Tool.run(base + args)
            #expect(r.status != 0 && r.status < 128, "\(args): \(r.all)")
            let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
            #expect(errors.count == 1 && errors[0].contains(phrase), "\(args): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        // A resume may not change the window (it fixes the epoch order).
        let first = try Tool.run(base + ["--shuffle-window", "100"])
        #expect(first.status == 0, "\(first.all)")
        let r = try Tool.run(["train", "--data", data, "--resume", out, "--output", out, "--epochs", "2", "--shuffle-window", "50"])
        #expect(r.status != 0 && r.stderr.contains("--shuffle-window 50 contradicts"), "\(r.all)")
    }

    // Property: a streamed run stopped by SIGTERM / SIGINT at random moments and resumed each time
    // with the command it printed ends with the weights and history of a straight streamed run
    // (the window comes back from the checkpoint; the resume command repeats --stream).
    @Test(.tags(.slow)) func signalledStreamedRunResumesExactly() throws {
        let dir = try Tool.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Tool.smallDataset(in: dir, train: 2_000, test: 100)
        let common = SignalStopTests.common(data: data, epochs: 6) + ["--stream", "--shuffle-window", "300"]
        let straight = dir.appendingPathComponent("straight.h5").path
        let started = Date()
        let s = try Tool.run(["train"] + common + ["--threads", "1", "--output", straight])
        #expect(s.status == 0, "\(s.all)")
        // Signals land at 10–25% of the straight run's time, whatever this machine's speed, so
        // every signalled run is stopped before it can finish (until the 4th stop).
        let straightMicroseconds = Date().timeIntervalSince(started) * 1e6
        let model = dir.appendingPathComponent("model.h5").path
        var args = ["train"] + common + ["--threads", "2", "--output", model]
        var generator = Xoshiro256StarStar(seed: 5)
        var stops = 0, midEpoch = 0, attempts = 0, finished = false
        while !finished && attempts < 20 {
            attempts += 1
            let (process, err) = try SignalStopTests.start(args)
            let signal = attempts % 2 == 0 ? SIGINT : SIGTERM
            if stops < 4 {
                usleep(UInt32(straightMicroseconds * (0.10 + 0.15 * Double(generator.uniformInt(below: 1_000)) / 1_000)))
                if process.isRunning { kill(process.processIdentifier, signal) }
            }
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            guard process.terminationReason == .exit else { continue }  // before the handler: as a kill
            if process.terminationStatus == 0 {
                finished = true
            } else {
                #expect(process.terminationStatus == 128 + signal, "\(stderr)")
                let line = try #require(stderr.split(separator: "\n").first { $0.hasPrefix("Stopped by") }, "\(stderr)")
                args = Array(try #require(line.components(separatedBy: "Resume with: ").last).split(separator: " ").map(String.init).dropFirst())
                #expect(args.contains("--stream"))
                stops += 1
                if try Checkpoint.load(from: model).training!.isMidEpoch { midEpoch += 1 }
            }
        }
        #expect(finished && stops >= 2, "\(stops) stops, finished \(finished)")
        let a = try Checkpoint.load(from: straight), b = try Checkpoint.load(from: model)
        #expect(b.training?.shuffleWindow == 300)
        #expect(a.network.isBitwiseEqual(to: b.network), "resumed streamed weights differ from the straight streamed run")
        #expect(zip(a.training!.history, b.training!.history).allSatisfy { $0.hasSameResults(as: $1) })
        print(
            "streamed signals: \(stops) stops (\(midEpoch) mid-epoch) in \(attempts) runs; final weights bitwise equal: \(a.network.isBitwiseEqual(to: b.network))"
        )
    }
}
