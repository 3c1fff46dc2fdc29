import Foundation
import ShardNet
import ShardNetTestSupport
import Testing

/// `shardnet train`'s chapter-3 flags: every contradictory or invalid combination is refused
/// before training starts — a non-zero exit (not a signal), one error line naming the flag,
/// and no checkpoint (nor --keep-best file) written.
@Suite(.serialized, .tags(.cli)) struct Chapter3OptionErrorTests {
    // Property: an output layer and a cost that do not go together (softmax needs
    // log-likelihood, log-likelihood needs softmax), Nesterov without momentum, a dropout
    // probability of 1, a zero-epoch plateau, early stopping, the plateau schedule or
    // --keep-best without a validation split are each one clear error, with nothing written.
    @Test func contradictoryChapter3Flags() throws {
        let dir = try Tool.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Tool.smallDataset(in: dir, train: 60, test: 20)
        let out = dir.appendingPathComponent("out.h5").path
        let best = dir.appendingPathComponent("best.h5").path
        let base = ["train", "--data", data, "--output", out, "--epochs", "1", "--layers", "784,10,10", "--quiet"]
        let none = [out, best]
        try Tool.expectFailure(base + ["--output-layer", "softmax", "--cost", "quadratic"], mentions: "--output-layer softmax", mustNotExist: none)
        try Tool.expectFailure(base + ["--output-layer", "softmax", "--cost", "cross-entropy"], mentions: "log-likelihood", mustNotExist: none)
        try Tool.expectFailure(
            base + ["--cost", "log-likelihood", "--output-layer", "sigmoid"], mentions: "--output-layer softmax", mustNotExist: none)
        try Tool.expectFailure(base + ["--nesterov"], mentions: "--nesterov needs --momentum", mustNotExist: none)
        try Tool.expectFailure(base + ["--nesterov", "--momentum", "0"], mentions: "--nesterov needs --momentum", mustNotExist: none)
        try Tool.expectFailure(base + ["--momentum", "1"], mentions: "--momentum", mustNotExist: none)
        try Tool.expectFailure(base + ["--dropout", "1"], mentions: "--dropout", mustNotExist: none)
        try Tool.expectFailure(base + ["--dropout", "-0.1"], mentions: "--dropout", mustNotExist: none)
        try Tool.expectFailure(base + ["--l1", "-1"], mentions: "--l1", mustNotExist: none)
        try Tool.expectFailure(base + ["--activation", "swish"], mentions: "swish", mustNotExist: none)
        try Tool.expectFailure(base + ["--schedule", "plateau:0", "--validation", "10"], mentions: "--schedule", mustNotExist: none)
        try Tool.expectFailure(base + ["--schedule", "plateau"], mentions: "--schedule", mustNotExist: none)
        try Tool.expectFailure(base + ["--early-stop", "0", "--validation", "10"], mentions: "--early-stop", mustNotExist: none)
        try Tool.expectFailure(base + ["--early-stop", "3"], mentions: "--early-stop watches the validation accuracy", mustNotExist: none)
        try Tool.expectFailure(
            base + ["--schedule", "plateau:2"], mentions: "--schedule plateau:2 watches the validation accuracy", mustNotExist: none)
        try Tool.expectFailure(base + ["--keep-best", best], mentions: "--keep-best", mustNotExist: none)
        try Tool.expectFailure(base + ["--keep-best", out, "--validation", "10"], mentions: "--keep-best must differ", mustNotExist: none)
        try Tool.expectFailure(base + ["--validation", "60"], mentions: "--validation 60", mustNotExist: none)
    }

    // Property: the same flags in a valid combination do train and write the checkpoint, so the
    // refusals above are about the combinations, not the flags.
    @Test func validChapter3FlagsTrain() throws {
        let dir = try Tool.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = try Tool.smallDataset(in: dir, train: 60, test: 20)
        let out = dir.appendingPathComponent("out.h5").path
        let best = dir.appendingPathComponent("best.h5").path
        let r = try Tool.run([
            "train", "--data", data, "--output", out, "--epochs", "2", "--layers", "784,10,10", "--quiet",
            "--activation", "relu", "--cost", "log-likelihood", "--init", "he", "--momentum", "0.9", "--nesterov", "--l1", "0.1",
            "--dropout", "0.2", "--validation", "10", "--early-stop", "5", "--schedule", "plateau:1", "--keep-best", best,
            "--eta", "0.05", "--batch-size", "10",
        ])
        #expect(r.status == 0, "\(r.all)")
        let checkpoint = try Checkpoint.load(from: out)
        #expect(checkpoint.network.activation == .relu && checkpoint.network.outputLayer == .softmax)
        let state = try #require(checkpoint.training)
        #expect(state.momentum == 0.9 && state.nesterov && state.l1 == 0.1 && state.dropout == 0.2)
        #expect(state.etaSchedule == .plateau(epochs: 1) && state.earlyStop == 5)
        #expect(checkpoint.velocity?.count == checkpoint.network.parameterCount)
        #expect(FileManager.default.fileExists(atPath: best))
    }
}
