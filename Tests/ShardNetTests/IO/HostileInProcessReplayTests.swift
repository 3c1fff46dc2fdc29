import Foundation
import ShardNetTestSupport
import Testing

@testable import ShardNet

/// The in-process replay: every fuzzer finding (Fuzz/regressions), every fuzzing seed
/// (Fuzz/corpus) and every file of the hostile corpus (scripts/make-hostile-corpus.py) is read
/// through the library API — `H5FileKind.detect`, `DataSetFile.load`, `Checkpoint.load`,
/// `IDXFile.read` — inside this test process, with no child process and no memory cap. Each
/// call must return or throw a `ShardNetError`; a crash kills the test run (a signal handler
/// names the file first) and a call that takes longer than `hangSeconds` aborts it.
@Suite("Hostile input, in process", .serialized) struct HostileInProcessReplayTests {
    static let hangSeconds = 30.0
    static let root = Repository.root

    /// What one library call did with a file.
    enum Outcome: Equatable {
        case loaded
        case refused(String)
    }

    /// Runs `body` on `path` under the crash reporter and the hang watchdog; anything thrown
    /// other than a `ShardNetError` is recorded as an issue.
    static func attempt(_ api: String, _ path: String, _ body: () throws -> Void) -> Outcome {
        Watchdog.shared.begin("\(api) \(path)")
        defer { Watchdog.shared.end() }
        do {
            try body()
            return .loaded
        } catch let error as ShardNetError {
            return .refused("\(error)")
        } catch {
            Issue.record("\(api) \(path) threw a \(type(of: error)), not a ShardNetError: \(error)")
            return .refused("\(error)")
        }
    }

    /// The three HDF5 entry points on `path`: detect, as a dataset, as a checkpoint.
    static func hdf5(_ path: String) -> (detect: Outcome, dataset: Outcome, checkpoint: Outcome) {
        (
            attempt("H5FileKind.detect", path) { _ = try H5FileKind.detect(path: path) },
            attempt("DataSetFile.load", path) { _ = try DataSetFile.load(from: path) },
            attempt("Checkpoint.load", path) { _ = try Checkpoint.load(from: path) }
        )
    }

    static func idx(_ path: String, _ kind: IDXFile.Kind?) -> Outcome {
        attempt("IDXFile.read", path) { _ = try IDXFile.read(from: path, expecting: kind) }
    }

    static func files(in folder: URL) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }.sorted().map { folder.appendingPathComponent($0).path }
    }

    @Test func fuzzRegressionsAreRefusedInProcess() {
        Watchdog.shared.start(limit: Self.hangSeconds)
        let hdf5 = Self.files(in: Self.root.appendingPathComponent("Fuzz/regressions/hdf5"))
        let idx = Self.files(in: Self.root.appendingPathComponent("Fuzz/regressions/idx"))
        #expect(hdf5.count >= 12)
        for path in hdf5 {
            let r = Self.hdf5(path)
            #expect(r.dataset != .loaded, "DataSetFile.load accepted \(path)")
            #expect(r.checkpoint != .loaded, "Checkpoint.load accepted \(path)")
        }
        for path in idx {
            for kind in [IDXFile.Kind.images, .labels, nil] {
                _ = Self.idx(path, kind)  // accepted or refused, never a crash or a hang
            }
        }
        print("in-process replay: \(hdf5.count) HDF5 and \(idx.count) IDX fuzz regressions, \(hdf5.count * 3 + idx.count * 3) library calls")
    }

    @Test func fuzzSeedsLoadInProcess() {
        Watchdog.shared.start(limit: Self.hangSeconds)
        for path in Self.files(in: Self.root.appendingPathComponent("Fuzz/corpus/hdf5")) {
            let r = Self.hdf5(path)
            let name = (path as NSString).lastPathComponent
            if name.hasPrefix("dataset") { #expect(r.dataset == .loaded, "\(name): \(r.dataset)") }
            if name.hasPrefix("checkpoint") { #expect(r.checkpoint == .loaded, "\(name): \(r.checkpoint)") }
        }
        for path in Self.files(in: Self.root.appendingPathComponent("Fuzz/corpus/idx")) {
            #expect(Self.idx(path, nil) == .loaded, "\(path)")
        }
    }

    @Test(.enabled(if: Subprocess.pythonHasH5py, "needs python3 with numpy and h5py to generate the corpus"))
    func hostileCorpusIsRefusedInProcess() throws {
        Watchdog.shared.start(limit: Self.hangSeconds)
        let folder = try IOTempFolder()
        let corpus = folder.file("corpus")
        let gen = Process()
        gen.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gen.arguments = ["python3", Self.root.appendingPathComponent("scripts/make-hostile-corpus.py").path, corpus]
        gen.standardOutput = FileHandle.nullDevice
        try gen.run()
        gen.waitUntilExit()
        try #require(gen.terminationStatus == 0, "scripts/make-hostile-corpus.py failed")

        // The reference files load, so a refusal below is about the case.
        let valid = corpus + "/_valid"
        #expect(Self.hdf5(valid + "/dataset.h5").dataset == .loaded)
        #expect(Self.hdf5(valid + "/checkpoint.h5").checkpoint == .loaded)
        for name in ["train-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz"] { #expect(Self.idx("\(valid)/\(name)", .images) == .loaded) }
        for name in ["train-labels-idx1-ubyte", "t10k-labels-idx1-ubyte.gz"] { #expect(Self.idx("\(valid)/\(name)", .labels) == .loaded) }

        let manifest = try String(contentsOfFile: corpus + "/manifest.tsv", encoding: .utf8)
        var cases = 0, refused = 0, loaded: [String] = [], imports = 0
        for line in manifest.split(separator: "\n").dropFirst() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let path = corpus + "/" + f[0]
            // Models for `shardnet import` are ShardNetInterop's: ShardNetInteropTests'
            // HostileImportReplayTests reads them in process.
            if f[1] == "import" {
                imports += 1
                continue
            }
            cases += 1
            switch f[1] {
            case "dataset", "checkpoint":
                // Some cases are refused only by the command (e.g. a network that does not fit
                // the data), so a load may succeed; it must not crash, hang or throw untyped.
                let r = Self.hdf5(path)
                if (f[1] == "dataset" ? r.dataset : r.checkpoint) != .loaded { refused += 1 } else { loaded.append(f[0]) }
            case "idx-images", "idx-labels":
                if Self.idx(path, f[1] == "idx-images" ? .images : .labels) != .loaded { refused += 1 } else { loaded.append(f[0]) }
            default:
                Issue.record("unknown kind \(f[1]) in the manifest")
            }
        }
        #expect(imports >= 40, "the corpus has only \(imports) import cases")
        print(
            "in-process replay: \(cases) hostile-corpus files, \(refused) refused by their loader; loaded (and refused by the commands): \(loaded.joined(separator: ", "))"
        )
        #expect(cases >= 120, "the corpus has only \(cases) cases")
        #expect(refused >= cases * 3 / 4, "only \(refused) of \(cases) hostile files refused by their loader")
    }
}

/// Aborts the test process, naming the call, when one call takes longer than its limit, and
/// names the call on stderr when the process dies of a signal (SIGSEGV, SIGBUS, SIGABRT,
/// SIGILL, SIGFPE, SIGTRAP) — the two ways a reader can fail that a test cannot catch.
final class Watchdog: @unchecked Sendable {
    static let shared = Watchdog()
    private let lock = NSLock()
    private var current: (what: String, since: Date)?
    private var limit = 30.0
    private var started = false

    func start(limit: Double) {
        lock.lock(); defer { lock.unlock() }
        self.limit = limit
        guard !started else { return }
        started = true
        for sig in [SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGTRAP] {
            signal(sig) { sig in
                if let text = crashLabel { write(2, text, strlen(text)) }
                signal(sig, SIG_DFL)
                raise(sig)
            }
        }
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 0.5)
                lock.lock()
                let stuck = current.flatMap { Date().timeIntervalSince($0.since) > limit ? $0.what : nil }
                lock.unlock()
                if let stuck {
                    FileHandle.standardError.write(Data("in-process replay: \(stuck) did not return within \(Int(limit)) s (a hang)\n".utf8))
                    abort()
                }
            }
        }
        thread.start()
    }

    func begin(_ what: String) {
        lock.lock(); defer { lock.unlock() }
        current = (what, Date())
        let label = strdup("in-process replay: crashed in \(what)\n")
        free(crashLabel)
        crashLabel = label
    }

    func end() {
        lock.lock(); defer { lock.unlock() }
        current = nil
        let label = crashLabel
        crashLabel = nil
        free(label)
    }
}

/// The line the signal handler writes (a C string, so the handler only calls write(2)).
nonisolated(unsafe) private var crashLabel: UnsafeMutablePointer<CChar>?
