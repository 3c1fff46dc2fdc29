import Foundation
import ShardNet
import ShardNetTestSupport
import Testing

/// `shardnet-mpi train` takes every option of `shardnet train` (one declaration, one driver):
/// a fresh chapter-3 run across 2 ranks against `shardnet train --groups 2` with the same flags,
/// which files rank 0 alone writes, streaming across ranks, and flags refused under MPI.
/// Skipped, with the reason printed, when `mpirun` or the built `shardnet-mpi` is missing.
@Suite(.tags(.mpi, .cli), .serialized) struct MPIParityTests {
    /// A wrapper that runs each rank in its own folder r<rank> under `folder`, so that what a
    /// rank writes to a relative path lands in its folder.
    static func rankFolders(in folder: URL, ranks: Int) throws -> String {
        for r in 0..<ranks {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("r\(r)"), withIntermediateDirectories: true)
        }
        return try MPITests.script(
            "in-rank-folder.sh", in: folder,
            """
            cd "\(folder.path)/r$OMPI_COMM_WORLD_RANK" || exit 1
            exec "\(MPITests.mpiTool.path)" "$@"
            """)
    }

    /// Chapter 3 from scratch on 2 ranks: ReLU, softmax, momentum, dropout, a validation split
    /// and early stopping, with --log, --tensorboard and --keep-best. The checkpoint (weights,
    /// velocity, history) and the best model equal `shardnet train --groups 2`'s bit for bit, and
    /// rank 0 alone wrote the files.
    @Test func freshChapterThreeRunEqualsTwoGroups() throws {
        try MPITests.inFolder("MPIParityTests") { folder in
            let data = try Tool.smallDataset(in: folder)
            let common = [
                "--data", data, "--limit", "397", "--layers", "784,16,10", "--activation", "relu", "--output-layer", "softmax",
                "--batch-size", "10", "--eta", "0.1", "--momentum", "0.9", "--dropout", "0.2", "--validation", "100", "--early-stop", "2",
                "--seed", "5", "--shards", "1", "--threads", "1", "--epochs", "4",
            ]
            let wrapper = try Self.rankFolders(in: folder, ranks: 2)
            let rank0 = folder.appendingPathComponent("r0"), rank1 = folder.appendingPathComponent("r1")
            guard
                let both = try MPITests.trainBoth(
                    ranks: 2, common, mpiExtra: ["--log", "mpi.jsonl", "--tensorboard", "tb", "--keep-best", "best.h5"],
                    localExtra: ["--groups", "2", "--keep-best", "one-best.h5", "--quiet"], in: folder, program: wrapper, mpiFolder: rank0)
            else { return }
            let (mpi, a, b) = both
            #expect(a.network.isBitwiseEqual(to: b.network), "2 ranks differ from --groups 2 on a fresh chapter-3 run")
            #expect(a.velocity != nil && a.velocity == b.velocity, "the velocity differs")
            #expect(a.network.activation == .relu && a.network.outputLayer == .softmax && a.training?.dropout == 0.2)
            #expect(a.training?.groups == 2 && a.training?.earlyStop == 2 && a.training?.momentum == 0.9)
            let ha = a.training?.history ?? [], hb = b.training?.history ?? []
            #expect(!ha.isEmpty && ha.count == hb.count && zip(ha, hb).allSatisfy { $0.hasSameResults(as: $1) }, "the histories differ")
            #expect(ha.allSatisfy { $0.validationTotal == 100 }, "no validation figures in the history")
            let bestA = try Checkpoint.load(from: rank0.appendingPathComponent("best.h5").path)
            let bestB = try Checkpoint.load(from: folder.appendingPathComponent("one-best.h5").path)
            #expect(bestA.network.isBitwiseEqual(to: bestB.network), "--keep-best models differ")
            // Rank 0 alone writes the checkpoint, the best model, the log and the event file.
            let log = try String(contentsOf: rank0.appendingPathComponent("mpi.jsonl"), encoding: .utf8)
            let lines = log.split(separator: "\n")
            #expect(lines.count == ha.count, "\(log)")
            #expect(lines.allSatisfy { $0.contains("\"ranks\": 2") && $0.contains("\"bytesSentPerStep\"") && $0.contains("\"validationAccuracy\"") })
            let events = try FileManager.default.contentsOfDirectory(atPath: rank0.appendingPathComponent("tb").path)
            #expect(events.contains { $0.hasPrefix("events.out.tfevents") }, "\(events)")
            let left = try FileManager.default.contentsOfDirectory(atPath: rank1.path)
            #expect(left.isEmpty, "rank 1 wrote \(left)")
            // Only rank 0 prints: the header and one line per epoch, once.
            #expect(mpi.stdout.components(separatedBy: "Epoch 1/4").count == 2, "\(mpi.stdout)")
            #expect(mpi.stdout.components(separatedBy: "relu hidden layers, softmax output").count == 2, "\(mpi.stdout)")
            #expect(mpi.stdout.contains("× 2 ranks"), "\(mpi.stdout)")
        }
    }

    /// More of chapter 3 from scratch on 2 ranks: tanh, cross-entropy, L1, Nesterov momentum, the
    /// plateau η schedule, --monitor-training and mid-epoch checkpoints every 7 steps: bitwise the
    /// checkpoint (weights, velocity, history with its η) of `shardnet train --groups 2`.
    @Test func plateauScheduleAndStepCheckpointsEqualTwoGroups() throws {
        try MPITests.inFolder("MPIParityTests") { folder in
            let data = try Tool.smallDataset(in: folder)
            let common = [
                "--data", data, "--limit", "397", "--layers", "784,16,10", "--activation", "tanh", "--cost", "cross-entropy", "--eta", "0.5",
                "--l1", "0.001", "--momentum", "0.5", "--nesterov", "--validation", "97", "--schedule", "plateau:1", "--monitor-training",
                "--seed", "5", "--shards", "2", "--threads", "1", "--epochs", "4", "--checkpoint-every", "7steps", "--quiet",
            ]
            guard let both = try MPITests.trainBoth(ranks: 2, common, localExtra: ["--groups", "2"], in: folder) else { return }
            let (a, b) = (both.mpi, both.local)
            #expect(a.network.isBitwiseEqual(to: b.network), "2 ranks differ from --groups 2 with the plateau schedule")
            #expect(a.velocity != nil && a.velocity == b.velocity, "the velocity differs")
            let ha = a.training?.history ?? [], hb = b.training?.history ?? []
            #expect(!ha.isEmpty && ha.count == hb.count && zip(ha, hb).allSatisfy { $0.hasSameResults(as: $1) && $0.eta == $1.eta })
            #expect(a.training?.etaSchedule == b.training?.etaSchedule && a.training?.eta == b.training?.eta)
        }
    }

    /// --stream across 2 ranks (each rank streams the file itself) equals `shardnet train --stream
    /// --groups 2` bit for bit.
    @Test func streamingAcrossRanksEqualsTwoGroups() throws {
        try MPITests.inFolder("MPIParityTests") { folder in
            let data = try Tool.smallDataset(in: folder)
            let common = [
                "--data", data, "--limit", "397", "--layers", "784,16,10", "--batch-size", "10", "--lambda", "0.5", "--seed", "5",
                "--shards", "2", "--threads", "1", "--epochs", "2", "--stream", "--shuffle-window", "128", "--quiet",
            ]
            guard let both = try MPITests.trainBoth(ranks: 2, common, localExtra: ["--groups", "2"], in: folder) else { return }
            let (a, b) = (both.mpi, both.local)
            #expect(a.network.isBitwiseEqual(to: b.network), "streaming on 2 ranks differs from --stream --groups 2")
            #expect(a.training?.shuffleWindow == 128 && a.training?.groups == 2)
        }
    }

    /// Flags that cannot work across ranks: one error line (from rank 0 only), a non-zero exit,
    /// and no checkpoint.
    @Test(arguments: [
        (["--groups", "3"], "--groups 3 contradicts the 2 ranks"),
        (["--threads", "auto"], "--threads auto"),
        (["--step-schedule", "units"], "--step-schedule units"),
    ])
    func refusedFlags(flags: [String], message: String) throws {
        try MPITests.inFolder("MPIParityTests") { folder in
            let data = try Tool.smallDataset(in: folder)
            var args = ["train", "--data", data, "--layers", "784,8,10", "--epochs", "1", "--shards", "1", "--output", "x.h5"] + flags
            if !flags.contains("--threads") { args += ["--threads", "1"] }
            let result = try MPITests.mpi(ranks: 2, args, in: folder)
            #expect(result.status != 0)
            let lines = result.stderr.split(separator: "\n").filter { $0.contains(message) }
            #expect(lines.count == 1 && lines[0].hasPrefix("Error: "), "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("x.h5").path))
        }
    }

    /// Without --data: refused (every rank reads the file; the embedded digits ship with shardnet).
    @Test func dataIsRequired() throws {
        try MPITests.inFolder("MPIParityTests") { folder in
            let result = try MPITests.mpi(ranks: 2, ["train", "--epochs", "1", "--output", "x.h5"], in: folder)
            #expect(result.status != 0)
            #expect(result.stderr.components(separatedBy: "needs --data").count == 2, "\(result.stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("x.h5").path))
        }
    }
}
