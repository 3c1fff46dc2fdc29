import Foundation
import ShardNet
import ShardNetTestSupport
import Testing

/// `mpirun -np R shardnet-mpi train --shards S` against `shardnet train --groups R --shards S`:
/// the checkpoints' weights (and history) bit for bit. Skipped, with the reason printed, when
/// `mpirun` or the built `shardnet-mpi` is missing (scripts/bootstrap installs Open MPI).
@Suite(.tags(.mpi, .cli), .serialized) struct MPITests {
    static var mpirun: String? {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let path = "\(folder)/mpirun"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static var mpiTool: URL { Tool.executable.deletingLastPathComponent().appendingPathComponent("shardnet-mpi") }

    /// Why the suite cannot run here, or nil.
    static var missing: String? {
        if mpirun == nil { return "mpirun is not on PATH (scripts/bootstrap installs openmpi-bin)" }
        if !FileManager.default.isExecutableFile(atPath: mpiTool.path) { return "\(mpiTool.path) is not built" }
        return nil
    }

    /// Runs `mpirun … -np ranks shardnet-mpi args…` (or `program args…`, e.g. a wrapper script).
    static func mpi(ranks: Int, _ args: [String], in folder: URL, program: String? = nil) throws -> Tool.Result {
        var environment = ProcessInfo.processInfo.environment
        // Tests only: shared memory and loopback TCP, no network probing or warnings about it.
        environment["OMPI_MCA_btl"] = "self,vader,tcp"
        environment["OMPI_MCA_btl_tcp_if_include"] = "lo"
        environment["OMPI_MCA_oob_tcp_if_include"] = "lo"
        environment["OMPI_MCA_btl_vader_single_copy_mechanism"] = "none"
        environment["OMPI_MCA_rmaps_base_oversubscribe"] = "1"
        return try Tool.run(
            ["--allow-run-as-root", "--oversubscribe", "-np", "\(ranks)", program ?? mpiTool.path] + args, in: folder,
            program: URL(fileURLWithPath: mpirun!), environment: environment)
    }

    /// Runs `body` in a fresh temporary folder, removed afterwards; when this machine cannot run
    /// MPI (`missing`), prints why, naming `suite`, and returns without running it.
    static func inFolder(_ suite: String, _ body: (URL) throws -> Void) throws {
        if let missing {
            print("\(suite) skipped: \(missing)")
            return
        }
        let folder = try Tool.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try body(folder)
    }

    /// Trains twice in `folder` with the same `args`: `mpirun -np ranks` (through `program`, by
    /// default shardnet-mpi) with `--output mpi.h5` and `mpiExtra`, written under `mpiFolder`
    /// (default `folder`), and `shardnet train` in one process with `--output one.h5` and
    /// `localExtra` (e.g. `--groups R`). Expects both to succeed; returns the MPI run's output and
    /// the two checkpoints, or nil when either failed.
    static func trainBoth(
        ranks: Int, _ args: [String], mpiExtra: [String] = [], localExtra: [String], in folder: URL, program: String? = nil,
        mpiFolder: URL? = nil
    ) throws -> (run: Tool.Result, mpi: Checkpoint, local: Checkpoint)? {
        let mpi = try self.mpi(ranks: ranks, ["train"] + args + ["--output", "mpi.h5"] + mpiExtra, in: folder, program: program)
        #expect(mpi.status == 0, "shardnet-mpi: \(mpi.all)")
        let local = try Tool.run(["train"] + args + ["--output", "one.h5"] + localExtra, in: folder)
        #expect(local.status == 0, "shardnet: \(local.all)")
        guard mpi.status == 0, local.status == 0 else { return nil }
        return (
            mpi, try Checkpoint.load(from: (mpiFolder ?? folder).appendingPathComponent("mpi.h5").path),
            try Checkpoint.load(from: folder.appendingPathComponent("one.h5").path)
        )
    }

    /// Writes an executable shell script `name` in `folder` whose body is `lines`; returns its path
    /// (a per-rank wrapper for `mpi(ranks:_:in:program:)`: mpirun sets OMPI_COMM_WORLD_RANK).
    static func script(_ name: String, in folder: URL, _ lines: String) throws -> String {
        let script = folder.appendingPathComponent(name)
        try ("#!/bin/sh\n" + lines).write(to: script, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return script.path
    }

    /// R ranks of S shards vs --groups R --shards S in one process, 2 epochs of 400 samples,
    /// batch 10 and a partial last batch via --limit 397.
    func compare(ranks: Int, shards: Int, threads: Int) throws {
        try Self.inFolder("MPITests") { folder in
            let data = try Tool.smallDataset(in: folder)
            let common = [
                "--data", data, "--layers", "784,16,10", "--epochs", "2", "--batch-size", "10", "--eta", "3.0", "--lambda", "0.5",
                "--limit", "397", "--seed", "5", "--shards", "\(shards)", "--threads", "\(threads)",
            ]
            guard
                let both = try Self.trainBoth(
                    ranks: ranks, common, mpiExtra: ["--log", "mpi.jsonl"], localExtra: ["--groups", "\(ranks)", "--quiet"], in: folder)
            else { return }
            let (mpi, a, b) = both
            #expect(a.network.isBitwiseEqual(to: b.network), "\(ranks) ranks × \(shards) shards: weights differ from --groups \(ranks)")
            #expect(a.training?.groups == ranks && b.training?.groups == ranks && a.training?.shards == shards)
            let ha = a.training?.history ?? [], hb = b.training?.history ?? []
            #expect(ha.count == 2 && zip(ha, hb).allSatisfy { $0.hasSameResults(as: $1) }, "per-epoch costs and accuracies differ")
            // Rank 0 writes the log: one record per epoch.
            let log = try String(contentsOf: folder.appendingPathComponent("mpi.jsonl"), encoding: .utf8)
            #expect(log.split(separator: "\n").count == 2 && log.contains("\"ranks\": \(ranks)"), "\(log)")
            // Only rank 0 prints: one line per epoch, once.
            #expect(mpi.stdout.components(separatedBy: "Epoch 1/2").count == 2, "\(mpi.stdout)")
        }
    }

    @Test func twoRanksOfOneShardEqualTwoGroups() throws { try compare(ranks: 2, shards: 1, threads: 1) }

    @Test func threeRanksOfTwoShardsEqualThreeGroups() throws { try compare(ranks: 3, shards: 2, threads: 1) }

    /// Threads per rank execute the rank's shards; they never change the result.
    @Test func twoRanksOfThreeShardsOnTwoThreadsEqualTwoGroups() throws { try compare(ranks: 2, shards: 3, threads: 2) }

    /// Different data on one rank: the start-up check stops the job and names the rank.
    @Test func disagreeingRanksStop() throws {
        try Self.inFolder("MPITests") { folder in
            let data = try Tool.smallDataset(in: folder)
            // --limit differs by rank through the rank's environment: a wrapper script.
            let wrapper = try Self.script(
                "wrap.sh", in: folder,
                """
                if [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then exec "\(Self.mpiTool.path)" "$@" --limit 300; fi
                exec "\(Self.mpiTool.path)" "$@" --limit 200
                """)
            let result = try Self.mpi(
                ranks: 2, ["train", "--data", data, "--layers", "784,8,10", "--epochs", "1", "--threads", "1", "--output", "x.h5"],
                in: folder, program: wrapper)
            #expect(result.status != 0)
            #expect(result.stderr.contains("rank 1 has different training data"), "\(result.stderr)")
        }
    }

    /// A rank killed mid-run (SIGKILL, as a crashed machine) ends the whole job promptly with a
    /// message naming it, instead of leaving rank 0 waiting in a collective.
    @Test func deadRankEndsTheJob() throws {
        try Self.inFolder("MPITests") { folder in
            let data = try Tool.smallDataset(in: folder, train: 2_000, test: 100)
            let wrapper = try Self.script(
                "kill.sh", in: folder,
                """
                if [ "$OMPI_COMM_WORLD_RANK" = 1 ]; then
                  "\(Self.mpiTool.path)" "$@" & pid=$!
                  sleep 1; kill -9 $pid; exit 137
                fi
                exec "\(Self.mpiTool.path)" "$@"
                """)
            let started = Date()
            let result = try Self.mpi(
                ranks: 2,
                ["train", "--data", data, "--layers", "784,100,10", "--epochs", "1000", "--threads", "1", "--output", "x.h5", "--quiet"],
                in: folder, program: wrapper)
            let seconds = Date().timeIntervalSince(started)
            #expect(result.status != 0)
            #expect(seconds < 60, "the job took \(seconds) s to end after rank 1 died")
            #expect(result.stderr.contains("[[") && result.stderr.contains(",1]") || result.stderr.contains("rank 1"), "\(result.stderr)")
            print("MPITests: rank 1 killed after 1 s; job ended after \(String(format: "%.1f", seconds)) s")
        }
    }

    /// An MPI run stopped after epoch 1 and resumed (by MPI, or by `shardnet` in one process, which
    /// takes R from the checkpoint) ends where a straight `--groups 2` run does; a resume on
    /// another rank count changes the grouping from there on, says so, and ends bitwise where
    /// `shardnet train --resume --groups 3` does.
    @Test func resumeKeepsTheGroups() throws {
        try Self.inFolder("MPITests") { folder in
            let data = try Tool.smallDataset(in: folder)
            let common = ["--data", data, "--limit", "397", "--threads", "1"]
            let model = ["--layers", "784,16,10", "--batch-size", "10", "--lambda", "0.5", "--seed", "5", "--shards", "2"]
            let half = try Self.mpi(ranks: 2, ["train"] + common + model + ["--epochs", "1", "--output", "half.h5", "--quiet"], in: folder)
            #expect(half.status == 0, "\(half.all)")
            let resumed = try Self.mpi(
                ranks: 2, ["train"] + common + ["--resume", "half.h5", "--epochs", "2", "--output", "resumed.h5", "--quiet"], in: folder)
            #expect(resumed.status == 0, "\(resumed.all)")
            let local = try Tool.run(["train"] + common + ["--resume", "half.h5", "--epochs", "2", "--output", "local.h5", "--quiet"], in: folder)
            #expect(local.status == 0, "\(local.all)")
            let straight = try Tool.run(
                ["train"] + common + model + ["--groups", "2", "--epochs", "2", "--output", "straight.h5", "--quiet"], in: folder)
            #expect(straight.status == 0, "\(straight.all)")
            let regrouped = try Self.mpi(
                ranks: 3, ["train"] + common + ["--resume", "half.h5", "--epochs", "2", "--output", "three.h5", "--quiet"], in: folder)
            #expect(regrouped.status == 0 && regrouped.stderr.contains("the grouping changes to 3 ranks"), "\(regrouped.all)")
            let regroupedLocal = try Tool.run(
                ["train"] + common + ["--resume", "half.h5", "--groups", "3", "--epochs", "2", "--output", "three-local.h5", "--quiet"], in: folder)
            #expect(regroupedLocal.status == 0 && regroupedLocal.stderr.contains("the grouping changes to 3"), "\(regroupedLocal.all)")
            guard half.status == 0, resumed.status == 0, local.status == 0, straight.status == 0 else { return }
            if regrouped.status == 0, regroupedLocal.status == 0 {
                let a = try Checkpoint.load(from: folder.appendingPathComponent("three.h5").path)
                let b = try Checkpoint.load(from: folder.appendingPathComponent("three-local.h5").path)
                #expect(a.network.isBitwiseEqual(to: b.network), "3 ranks resumed from a 2-group checkpoint differ from --groups 3")
                #expect(a.training?.groups == 3 && b.training?.groups == 3)
                #expect(!a.network.isBitwiseEqual(to: try Checkpoint.load(from: folder.appendingPathComponent("straight.h5").path).network))
            }
            let reference = try Checkpoint.load(from: folder.appendingPathComponent("straight.h5").path).network
            for name in ["resumed.h5", "local.h5"] {
                let other = try Checkpoint.load(from: folder.appendingPathComponent(name).path)
                #expect(other.network.isBitwiseEqual(to: reference), "\(name) differs from a straight --groups 2 run")
                #expect(other.training?.groups == 2)
            }
        }
    }

    /// Chapter 3 across ranks: a run with ReLU layers, a softmax output, Nesterov momentum, L1 and
    /// dropout, resumed by 2 MPI ranks, ends bitwise where `shardnet train --resume` (2 groups in one
    /// process) does — the velocity is exchanged like the parameters, and the dropout masks follow
    /// each sample's position in the epoch, whichever rank computes it.
    @Test func chapterThreeResumesAcrossRanks() throws {
        try Self.inFolder("MPITests") { folder in
            let data = try Tool.smallDataset(in: folder)
            let common = ["--data", data, "--limit", "397", "--threads", "1"]
            let model = [
                "--layers", "784,16,10", "--activation", "relu", "--output-layer", "softmax", "--batch-size", "10", "--eta", "0.1",
                "--momentum", "0.9", "--nesterov", "--l1", "0.001", "--dropout", "0.2", "--seed", "5", "--shards", "1", "--groups", "2",
            ]
            let first = try Tool.run(["train"] + common + model + ["--epochs", "1", "--output", "c3.h5", "--quiet"], in: folder)
            #expect(first.status == 0, "\(first.all)")
            guard first.status == 0,
                let both = try Self.trainBoth(ranks: 2, common + ["--resume", "c3.h5", "--epochs", "3", "--quiet"], localExtra: [], in: folder)
            else { return }
            let (a, b) = (both.mpi, both.local)
            #expect(a.network.isBitwiseEqual(to: b.network), "2 ranks differ from 2 groups with chapter 3's optimiser")
            #expect(a.velocity != nil && a.velocity == b.velocity, "the velocity differs")
            #expect(a.network.activation == .relu && a.network.outputLayer == .softmax && a.training?.dropout == 0.2)
        }
    }
}
