import Foundation
import ShardNet
import ShardNetTestSupport
import Testing

/// Every bad flag, file or value: a non-zero exit, one clear error line naming the problem,
/// no crash (exit by signal), and no output file left behind.
@Suite(.serialized, .tags(.cli)) struct ErrorTests {
    @Test func badFlagsAndValues() throws {
        let dir = try Tool.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Tool.smallDataset(in: dir)
        let out = dir.appendingPathComponent("out.h5").path
        let base = ["train", "--data", data, "--output", out, "--epochs", "1"]
        try Tool.expectFailure(base + ["--frobnicate"], mentions: "--frobnicate", mustNotExist: [out])
        try Tool.expectFailure(base + ["--eta", "0"], mentions: "--eta", mustNotExist: [out])
        try Tool.expectFailure(base + ["--eta", "-1"], mentions: "--eta", mustNotExist: [out])
        try Tool.expectFailure(base + ["--batch-size", "0"], mentions: "--batch-size", mustNotExist: [out])
        try Tool.expectFailure(base + ["--layers", "100,30,10"], mentions: "784 features", mustNotExist: [out])
        try Tool.expectFailure(base + ["--layers", "784,30,7"], mentions: "10 classes", mustNotExist: [out])
        try Tool.expectFailure(base + ["--layers", "784,x,10"], mentions: "--layers", mustNotExist: [out])
        try Tool.expectFailure(base + ["--threads", "zero"], mentions: "--threads", mustNotExist: [out])
        try Tool.expectFailure(base + ["--cost", "hinge"], mentions: "hinge", mustNotExist: [out])
    }

    @Test func badFiles() throws {
        let dir = try Tool.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Tool.smallDataset(in: dir)
        let noTest = try Tool.smallDataset(in: dir, withTest: false)
        let model = dir.appendingPathComponent("model.h5").path
        #expect(try Tool.run(["train", "--data", data, "--epochs", "1", "--layers", "784,10,10", "--output", model, "--quiet"]).status == 0)
        let out = dir.appendingPathComponent("out.h5").path
        try Tool.expectFailure(["train", "--data", noTest, "--output", out, "--epochs", "1"], mentions: "no test split", mustNotExist: [out])
        try Tool.expectFailure(
            ["train", "--data", dir.appendingPathComponent("missing.h5").path, "--output", out], mentions: "missing.h5", mustNotExist: [out])
        try Tool.expectFailure(["evaluate", "--model", data, "--data", data], mentions: "dataset, not a checkpoint")
        try Tool.expectFailure(
            ["train", "--data", model, "--output", out, "--epochs", "1"], mentions: "checkpoint, not a dataset", mustNotExist: [out])
        let text = dir.appendingPathComponent("text.h5").path
        try "hello".write(toFile: text, atomically: true, encoding: .utf8)
        try Tool.expectFailure(["evaluate", "--model", text, "--data", data], mentions: "text.h5")
        try Tool.expectFailure(["info", text], mentions: "text.h5")
        // convert never overwrites a file that is not a dataset.
        try Tool.expectFailure(["convert", Tool.mnistFolder, "--output", text], mentions: "refusing to overwrite")
        #expect(try String(contentsOfFile: text, encoding: .utf8) == "hello")
        try Tool.expectFailure(["convert", Tool.mnistFolder, "--output", model], mentions: "refusing to overwrite")
        // Output folder problems are found before training starts.
        try Tool.expectFailure(
            ["train", "--data", data, "--output", dir.path + "/no/such/folder/m.h5", "--epochs", "50"], mentions: "does not exist")
        try Tool.expectFailure(["train", "--data", data, "--output", data, "--epochs", "1"], mentions: "refusing to overwrite")
        try Tool.expectFailure(["predict", "--model", model, "--data", data, "--index", "100000"], mentions: "out of range")
        try Tool.expectFailure(["convert", dir.path, "--output", out], mentions: "train-images", mustNotExist: [out])
    }

    /// η so large that the weights overflow: a clear 'diverged' error naming the epoch,
    /// non-zero exit, and the previous checkpoint left as it was.
    @Test func divergenceKeepsLastGoodCheckpoint() throws {
        let dir = try Tool.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Tool.smallDataset(in: dir)
        let model = dir.appendingPathComponent("model.h5").path
        let common = ["--data", data, "--layers", "784,10,10", "--output", model, "--quiet", "--cost", "cross-entropy"]
        #expect(try Tool.run(["train"] + common + ["--epochs", "1"]).status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: model))
        let r = try Tool.run(["train", "--data", data, "--resume", model, "--output", model, "--epochs", "2", "--quiet"])
        #expect(r.status == 0)
        let good = try Data(contentsOf: URL(fileURLWithPath: model))
        #expect(good != before)
        let fresh = dir.appendingPathComponent("fresh.h5").path
        try Tool.expectFailure(
            ["train", "--data", data, "--layers", "784,10,10", "--eta", "3e38", "--epochs", "2", "--output", fresh, "--cost", "cross-entropy"],
            mentions: "diverged in epoch 1", mustNotExist: [fresh])
    }
}
