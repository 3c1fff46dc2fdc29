import Foundation
import ShardNet
import Testing

@testable import ShardNetInterop

/// The in-process replay for `shardnet import`: every fuzzing seed (Fuzz/corpus/keras,
/// /keras-h5, /import), every fuzzer finding (Fuzz/regressions/keras, /keras-h5, /import) and
/// every `import` case of the hostile corpus (scripts/make-hostile-corpus.py) goes through
/// `ModelExchange.importNetwork` inside this test process, with no child process and no memory
/// cap. Each call must return or throw a `ShardNetError`; a crash or a trap kills the test run.
/// (`HostileInputTests` in ShardNetToolTests runs the same files through the CLI.)
@Suite("Hostile imports, in process", .serialized) struct HostileImportReplayTests {
    static let root = Interop.root

    static func files(in folder: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.sorted().filter { !$0.hasPrefix(".") && !$0.hasSuffix(".md") }.map { folder + "/" + $0 }
    }

    /// nil when `path` imports; else the error's text. Anything but a ShardNetError is an issue.
    static func refusal(_ path: String, format: ExchangeFormat? = nil) -> String? {
        do {
            let network = try ModelExchange.importNetwork(from: path, format: format)
            #expect(network.isFinite, "\(path) imported a network with non-finite parameters")
            return nil
        } catch let error as ShardNetError {
            return "\(error)"
        } catch {
            Issue.record("\(path) threw a \(type(of: error)), not a ShardNetError: \(error)")
            return "\(error)"
        }
    }

    // Property: the fuzzers' valid seeds import and their hostile seeds are refused, each as
    // its file name says (valid-… or the export).
    @Test func fuzzSeedsImportInProcess() {
        var count = 0
        for (folder, format) in [("keras", ExchangeFormat.keras), ("keras-h5", .kerasH5), ("import", .network2JSON)] {
            for path in Self.files(in: Self.root.appendingPathComponent("Fuzz/corpus/\(folder)").path) {
                count += 1
                let name = (path as NSString).lastPathComponent
                let error = Self.refusal(path, format: format)
                if name.hasPrefix("valid") || name.hasPrefix("small") || name.hasPrefix("one-unit") || name.hasPrefix("export") {
                    #expect(error == nil, "\(name): \(error ?? "")")
                } else {
                    #expect(error != nil, "\(name) was accepted")
                }
            }
        }
        #expect(count >= 25, "only \(count) import seeds")
    }

    // Property: every fuzzer-found import input is refused (or read) without a crash or a trap,
    // both with the format detected and with each reader forced.
    @Test func fuzzRegressionsInProcess() {
        for folder in ["keras", "keras-h5", "import"] {
            for path in Self.files(in: Self.root.appendingPathComponent("Fuzz/regressions/\(folder)").path) {
                _ = Self.refusal(path)
                for format in ExchangeFormat.allCases { _ = Self.refusal(path, format: format) }
            }
        }
    }

    // Property: every `import` case of the hostile corpus is refused in process, with an error
    // that names the file and holds the manifest's phrase; the valid references import.
    @Test(.enabled(if: Interop.hasNumpy, "needs python3 with numpy and h5py to generate the corpus"))
    func hostileCorpusImportsRefusedInProcess() throws {
        let folder = try Interop.folder()
        defer { Interop.remove(folder) }
        let corpus = folder.appendingPathComponent("corpus").path
        let gen = try Interop.run("/usr/bin/env", ["python3", Interop.script("make-hostile-corpus.py"), corpus])
        try #require(gen.status == 0, "scripts/make-hostile-corpus.py failed: \(gen.stderr)")
        for name in ["model.keras", "model-keras.h5"] {
            #expect(Self.refusal(corpus + "/_valid/" + name) == nil, "the valid reference \(name) is refused")
        }
        let manifest = try String(contentsOfFile: corpus + "/manifest.tsv", encoding: .utf8)
        var cases = 0
        for line in manifest.split(separator: "\n").dropFirst() {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard f[1] == "import" else { continue }
            cases += 1
            let path = corpus + "/" + f[0]
            guard let error = Self.refusal(path) else {
                Issue.record("\(f[0]) was imported")
                continue
            }
            #expect(error.contains(path), "\(f[0]): the error does not name the file: \(error)")
            if f.count > 2, !f[2].isEmpty {
                #expect(error.localizedCaseInsensitiveContains(f[2]), "\(f[0]): expected '\(f[2])' in: \(error)")
            }
        }
        #expect(cases >= 40, "the corpus has only \(cases) import cases")
        print("in-process import replay: \(cases) hostile-corpus models refused")
    }
}
