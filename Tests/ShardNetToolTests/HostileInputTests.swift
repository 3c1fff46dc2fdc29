import Foundation
import ShardNetTestSupport
import Testing

/// Hostile input: every malformed file of the generated corpus (scripts/make-hostile-corpus.py)
/// and every input the fuzzers found (Fuzz/regressions/) makes `shardnet` fail cleanly:
/// a non-zero exit below 124 (124 = timeout, i.e. a hang; ≥ 128 = killed by a signal, i.e. a
/// crash or a Swift runtime trap), exactly one "Error:" line on stderr naming the file (and the
/// manifest's phrase, if any), no output file — under `timeout` and a 4 GiB `ulimit -v`, so an
/// absurd allocation shows up as a crash rather than swapping. `scripts/hostile-check` runs more
/// commands per case; this test runs one per case to stay under a minute.
@Suite(.serialized) struct HostileInputTests {
    /// Seconds per command; a reader that takes longer on a small file is hanging.
    static let timeout = 20
    static let virtualMemoryKB = 4 << 20

    /// One case: a file, the kind of reader it targets, an optional phrase, and for IDX files
    /// which of convert's inputs it replaces.
    struct Case: Sendable {
        var file: String
        var kind: String
        var phrase: String
        var slot: String
    }

    struct Outcome: Sendable {
        var status: Int32
        var stderr: String
    }

    /// Runs `shardnet args…` under `timeout` and `ulimit -v` (through bash, as hostile-check does).
    static func runLimited(_ args: [String]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        let script = "ulimit -v \(virtualMemoryKB); exec timeout -k 5 \(timeout) \"$0\" \"$@\""
        process.arguments = ["-c", script, Tool.executable.path] + args
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        process.standardError = err
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"  // a crash is reported by its exit status
        process.environment = environment
        try process.run()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        // bash exec'd timeout, which reports a signalled child as 128 + signal.
        let status = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        return Outcome(status: status, stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Nil when the command failed cleanly, else what went wrong.
    static func problem(_ r: Outcome, file: String, phrase: String, output: String) -> String? {
        let errorLines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        if r.status == 0 { return "exit 0: the file was accepted" }
        if r.status == 124 || r.status == 137 { return "no answer within \(timeout) s (a hang?)" }
        if r.status >= 128 {
            let trap = r.stderr.split(separator: "\n").first { $0.contains("Fatal error") }.map { ": \($0)" } ?? ""
            return "killed by signal \(r.status - 128) (crash or trap)\(trap)"
        }
        if r.status > 124 { return "exit \(r.status)" }
        if errorLines.count != 1 { return "\(errorLines.count) 'Error:' lines in: \(r.stderr)" }
        let line = errorLines[0]
        if !line.contains(file) { return "the error does not name the file: \(line)" }
        if !phrase.isEmpty && !line.localizedCaseInsensitiveContains(phrase) { return "the error lacks '\(phrase)': \(line)" }
        if FileManager.default.fileExists(atPath: output) { return "\(output) was created" }
        return nil
    }

    /// The command that exercises `c`'s reader, with `valid` holding the reference files.
    static func command(for c: Case, valid: [String: String], output: String) -> [String] {
        switch c.kind {
        case "dataset":
            return ["train", "--data", c.file, "--epochs", "1", "--threads", "1", "--quiet", "--output", output]
        case "checkpoint":
            return ["evaluate", "--model", c.file, "--data", valid["dataset"]!, "--threads", "1"]
        case "checkpoint-default-data":
            return ["evaluate", "--model", c.file, "--threads", "1"]
        case "import":
            return ["import", c.file, "--output", output]
        default:
            var inputs = [valid["train-images"]!, valid["train-labels"]!, valid["test-images"]!, valid["test-labels"]!]
            let index = (c.slot == "test" ? 2 : 0) + (c.kind == "idx-labels" ? 1 : 0)
            inputs[index] = c.file
            return [
                "convert", "--train-images", inputs[0], "--train-labels", inputs[1],
                "--test-images", inputs[2], "--test-labels", inputs[3], "--output", output,
            ]
        }
    }

    /// Runs every case, two at a time; returns "case: problem" lines.
    static func runAll(_ cases: [Case], valid: [String: String], in folder: URL) -> [String] {
        final class Failures: @unchecked Sendable {
            let lock = NSLock()
            var lines: [String] = []
            func add(_ s: String) { lock.lock(); lines.append(s); lock.unlock() }
        }
        let failures = Failures()
        let lanes = 2
        DispatchQueue.concurrentPerform(iterations: lanes) { lane in
            for (i, c) in cases.enumerated() where i % lanes == lane {
                let outFolder = folder.appendingPathComponent("out-\(i)")
                try? FileManager.default.createDirectory(at: outFolder, withIntermediateDirectories: true)
                let output = outFolder.appendingPathComponent("out.h5").path
                let args = command(for: c, valid: valid, output: output)
                do {
                    let r = try runLimited(args)
                    if let p = problem(r, file: c.file, phrase: c.phrase, output: output) {
                        failures.add("\((c.file as NSString).lastPathComponent) [\(args[0])]: \(p)")
                    }
                } catch {
                    failures.add("\(c.file): cannot run shardnet: \(error)")
                }
            }
        }
        return failures.lines.sorted()
    }

    @Test(
        .enabled(if: Subprocess.pythonHasH5py, "needs python3 with numpy and h5py to generate the corpus"),
        .timeLimit(.minutes(5)))
    func generatedCorpusFailsCleanly() throws {
        let dir = try Tool.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let corpus = dir.appendingPathComponent("corpus")
        let gen = Process()
        gen.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gen.arguments = ["python3", Tool.root.appendingPathComponent("scripts/make-hostile-corpus.py").path, corpus.path]
        gen.standardOutput = FileHandle.nullDevice
        try gen.run()
        gen.waitUntilExit()
        try #require(gen.terminationStatus == 0, "scripts/make-hostile-corpus.py failed")

        let manifest = try String(contentsOf: corpus.appendingPathComponent("manifest.tsv"), encoding: .utf8)
        let cases = manifest.split(separator: "\n").dropFirst().map { line -> Case in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Case(
                file: corpus.appendingPathComponent(f[0]).path, kind: f[1],
                phrase: f.count > 2 ? f[2] : "", slot: f.count > 3 ? f[3] : "")
        }
        #expect(cases.count >= 40, "the corpus has only \(cases.count) cases")
        #expect(Set(cases.map(\.kind)) == ["dataset", "checkpoint", "idx-images", "idx-labels", "import"])
        let v = corpus.appendingPathComponent("_valid").path
        let valid = [
            "dataset": "\(v)/dataset.h5",
            "train-images": "\(v)/train-images-idx3-ubyte", "train-labels": "\(v)/train-labels-idx1-ubyte",
            "test-images": "\(v)/t10k-images-idx3-ubyte.gz", "test-labels": "\(v)/t10k-labels-idx1-ubyte.gz",
        ]
        // The reference files themselves are accepted, so a failure below is about the case.
        let ok = try Tool.run(["evaluate", "--model", "\(v)/checkpoint.h5", "--data", valid["dataset"]!, "--threads", "1"])
        try #require(ok.status == 0, "the valid reference files are rejected: \(ok.stderr)")

        let failures = Self.runAll(cases, valid: valid, in: dir)
        #expect(failures.isEmpty, "\(failures.count) of \(cases.count) hostile files not rejected cleanly:\n\(failures.joined(separator: "\n"))")
    }

    /// Inputs the fuzzers found (kept in Fuzz/regressions/idx, /hdf5, and /keras, /keras-h5,
    /// /import for `shardnet import`).
    @Test(.timeLimit(.minutes(3)))
    func fuzzRegressionsFailCleanly() throws {
        let fm = FileManager.default
        let regressions = Tool.root.appendingPathComponent("Fuzz/regressions")
        var cases: [Case] = []
        for (folder, kind) in [("idx", "idx-images"), ("hdf5", "hdf5"), ("keras", "import"), ("keras-h5", "import"), ("import", "import")] {
            let dir = regressions.appendingPathComponent(folder)
            let names = (try? fm.contentsOfDirectory(atPath: dir.path)) ?? []
            for name in names.sorted() where !name.hasPrefix(".") && !name.hasSuffix(".md") {
                cases.append(Case(file: dir.appendingPathComponent(name).path, kind: kind, phrase: "", slot: "train"))
            }
        }
        guard !cases.isEmpty else { return }
        let dir = try Tool.temporaryFolder()
        defer { try? fm.removeItem(at: dir) }
        // IDX inputs replace the training images of MNIST-5k; HDF5 inputs are tried both as a
        // dataset (train --data) and as a checkpoint (evaluate --model, on the embedded data).
        let m = Tool.mnistFolder
        let valid = [
            "dataset": "", "train-images": "\(m)/train-images-idx3-ubyte.gz", "train-labels": "\(m)/train-labels-idx1-ubyte.gz",
            "test-images": "\(m)/t10k-images-idx3-ubyte.gz", "test-labels": "\(m)/t10k-labels-idx1-ubyte.gz",
        ]
        var expanded: [Case] = []
        for c in cases {
            if c.kind == "hdf5" {
                expanded.append(Case(file: c.file, kind: "dataset", phrase: "", slot: ""))
                expanded.append(Case(file: c.file, kind: "checkpoint-default-data", phrase: "", slot: ""))
            } else {
                expanded.append(c)
            }
        }
        let failures = Self.runAll(expanded, valid: valid, in: dir)
        #expect(failures.isEmpty, "\(failures.count) fuzzer-found inputs not rejected cleanly:\n\(failures.joined(separator: "\n"))")
    }
}
