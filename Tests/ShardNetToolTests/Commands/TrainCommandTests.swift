import Foundation
import ShardNet
import ShardNetTestSupport
import Testing

/// End to end: the built `shardnet` trains, logs, saves, evaluates, resumes and converts.
@Suite(.serialized, .tags(.cli)) struct TrainCommandTests {
    /// Training writes a loadable checkpoint with its history, one log line per epoch, plain
    /// lines (no control characters) when stdout is not a terminal, and evaluate --json agrees.
    @Test func trainThenEvaluate() throws {
        let dir = try Tool.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Tool.smallDataset(in: dir)
        let model = dir.appendingPathComponent("m.h5").path, log = dir.appendingPathComponent("log.jsonl").path
        let r = try Tool.run(["train", "--data", data, "--epochs", "3", "--layers", "784,20,10", "--output", model, "--log", log, "--threads", "2"])
        #expect(r.status == 0, "\(r.all)")
        #expect(!r.stdout.contains("\u{1B}") && !r.stdout.contains("\r"), "control characters in piped output")
        #expect(r.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("Epoch ") }.count == 3)
        #expect(r.stdout.contains("model saved to \(model)"))
        // --step-schedule auto: both schedules on 2 threads, measured again while it trains.
        #expect(r.stdout.contains("threads 2 (re-measured as it trains), step schedule"), "\(r.stdout)")
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        let last = try JSONSerialization.jsonObject(with: Data(lines[2].utf8)) as! [String: Any]
        #expect(
            last["epoch"] as? Int == 3 && last["threads"] as? Int == 2 && last["shards"] as? Int != nil
                && last["groups"] as? Int == 1 && last["schedule"] as? String != nil
                && (last["kernels"] as? String).map { ["avx512", "avx2", "neon", "scalar"].contains($0) } == true)

        let checkpoint = try Checkpoint.load(from: model)
        #expect(checkpoint.network.sizes == [784, 20, 10])
        #expect(checkpoint.training?.epochsCompleted == 3)
        #expect(checkpoint.training?.history.count == 3)

        let e = try Tool.run(["evaluate", "--model", model, "--data", data, "--json"])
        #expect(e.status == 0, "\(e.all)")
        let json = try JSONSerialization.jsonObject(with: Data(e.stdout.utf8)) as! [String: Any]
        #expect(json["total"] as? Int == 200)
        #expect(json["correct"] as? Int == last["testCorrect"] as? Int)
        #expect(abs((json["accuracy"] as! Double) - (last["testAccuracy"] as! Double)) < 1e-12)
        #expect(json["cost"] is Double)

        let p = try Tool.run(["predict", "--model", model, "--data", data, "--index", "0", "--index", "5"])
        #expect(p.status == 0 && p.stdout.contains("sample 0: predicted") && p.stdout.contains("sample 5: predicted"), "\(p.all)")
        let info = try Tool.run(["info", model])
        #expect(info.status == 0 && info.stdout.contains("checkpoint, network 784-20-10"), "\(info.all)")
    }

    /// Resuming k epochs into an N-epoch run gives bitwise the weights and history of the
    /// straight run, also with a different thread count (same shards).
    @Test func resumeIsExact() throws {
        let dir = try Tool.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Tool.smallDataset(in: dir)
        let straight = dir.appendingPathComponent("straight.h5").path, split = dir.appendingPathComponent("split.h5").path
        let common = ["--data", data, "--layers", "784,16,10", "--shards", "3", "--batch-size", "7", "--seed", "5", "--quiet"]
        #expect(try Tool.run(["train"] + common + ["--epochs", "3", "--threads", "1", "--output", straight]).status == 0)
        #expect(try Tool.run(["train"] + common + ["--epochs", "1", "--threads", "2", "--output", split]).status == 0)
        let resumed = try Tool.run(["train", "--data", data, "--resume", split, "--epochs", "3", "--threads", "3", "--output", split, "--quiet"])
        #expect(resumed.status == 0, "\(resumed.all)")
        let a = try Checkpoint.load(from: straight), b = try Checkpoint.load(from: split)
        #expect(a.network.isBitwiseEqual(to: b.network))
        let ha = a.training!.history, hb = b.training!.history
        #expect(ha.count == 3 && hb.count == 3)
        #expect(zip(ha, hb).allSatisfy { $0.hasSameResults(as: $1) })
        #expect(a.training!.generatorState == b.training!.generatorState)
        // A flag that contradicts the checkpoint is refused.
        let conflict = try Tool.run(["train", "--data", data, "--resume", split, "--epochs", "4", "--eta", "0.1", "--output", split])
        #expect(conflict.status != 0 && conflict.stderr.contains("contradicts"), "\(conflict.all)")
    }

    /// convert turns the four IDX files into a dataset that info describes.
    @Test func convertIDXFolder() throws {
        let dir = try Tool.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("mnist.h5").path
        let r = try Tool.run(["convert", Tool.mnistFolder, "--output", out])
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("train 4,000") && r.stdout.contains("test 1,000"))
        let f = try DataSetFile.load(from: out)
        #expect(f.train.count == 4000 && f.test?.count == 1000 && f.classes == 10)
        let info = try Tool.run(["info", out])
        #expect(info.stdout.contains("/train: 4,000 samples × 784 features"), "\(info.all)")
        let explicit = dir.appendingPathComponent("explicit.h5").path
        let m = Tool.mnistFolder
        let e = try Tool.run([
            "convert", "--train-images", m + "/train-images-idx3-ubyte.gz", "--train-labels", m + "/train-labels-idx1-ubyte.gz",
            "--test-images", m + "/t10k-images-idx3-ubyte.gz", "--test-labels", m + "/t10k-labels-idx1-ubyte.gz", "--output", explicit,
        ])
        #expect(e.status == 0, "\(e.all)")
        let g = try DataSetFile.load(from: explicit)
        // 3.1 M pixels: compared with Compare, as `==` would make Swift Testing diff them element by element.
        #expect(Compare.bitDifference(g.train.images, f.train.images) == nil)
        #expect(Compare.difference(g.test!.labels, f.test!.labels) == nil)
    }

    /// With no flags at all, `train` uses the embedded MNIST-5k (here for 1 epoch).
    @Test func embeddedDatasetTrainsWithoutFlags() throws {
        let dir = try Tool.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try Tool.run(["train", "--epochs", "1"], in: dir)
        #expect(r.status == 0, "\(r.all)")
        #expect(r.stdout.contains("on 4,000 samples") && r.stdout.contains("/1,000"))
        #expect(r.stdout.contains("(auto, re-measured as it trains)"), "\(r.stdout)")
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("model.h5").path))
    }
}
