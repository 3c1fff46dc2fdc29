import Foundation
import ShardNet
import Testing

@Suite struct CommandLineTests {
    static func model(in folder: URL) throws -> String {
        var generator = Xoshiro256StarStar(seed: 2)
        let network = try Network(sizes: [784, 10, 10], initialization: .gaussian, generator: &generator)
        let path = folder.appendingPathComponent("model.h5").path
        try Checkpoint(network: network, training: nil).save(to: path)
        return path
    }

    // Property: `predict --index 0 1 2` takes several indices after one flag (it used to fail
    // with "2 unexpected arguments"), and the repeated form `--index 0 --index 1` still works.
    @Test func predictTakesSeveralIndices() throws {
        let folder = try Interop.folder()
        defer { Interop.remove(folder) }
        let model = try Self.model(in: folder)
        let many = try Interop.tool(["predict", "--model", model, "--index", "0", "1", "2"])
        #expect(many.status == 0, "\(many.all)")
        #expect(["sample 0:", "sample 1:", "sample 2:"].allSatisfy(many.stdout.contains), "\(many.stdout)")
        let repeated = try Interop.tool(["predict", "--model", model, "--index", "0", "--index", "1"])
        #expect(repeated.status == 0, "\(repeated.all)")
        #expect(repeated.stdout.contains("sample 0:") && repeated.stdout.contains("sample 1:"), "\(repeated.stdout)")
        let mixed = try Interop.tool(["predict", "--index", "3", "4", "--model", model])
        #expect(mixed.status == 0 && mixed.stdout.contains("sample 4:"), "\(mixed.all)")
    }

    // Property: export never clobbers a file by accident (only with --force), refuses to write
    // over its own input, and a checkpoint exported to network2 JSON imports back unchanged.
    @Test func exportOutputPolicy() throws {
        let folder = try Interop.folder()
        defer { Interop.remove(folder) }
        let model = try Self.model(in: folder)
        let json = folder.appendingPathComponent("m.json").path
        #expect(try Interop.tool(["export", model, "--format", "network2-json", "--output", json]).status == 0)
        let again = try Interop.tool(["export", model, "--format", "network2-json", "--output", json])
        #expect(again.status == 1 && again.stderr.contains("already exists"), "\(again.all)")
        #expect(try Interop.tool(["export", model, "--format", "network2-json", "--output", json, "--force"]).status == 0)
        let onto = try Interop.tool(["export", model, "--format", "keras-h5", "--output", model, "--force"])
        #expect(onto.status == 1 && onto.stderr.contains("is the model being exported"), "\(onto.all)")
        let back = folder.appendingPathComponent("back.h5").path
        let imported = try Interop.tool(["import", json, "--output", back])
        #expect(imported.status == 0, "\(imported.all)")
        #expect(try Checkpoint.load(from: back).network.isBitwiseEqual(to: Checkpoint.load(from: model).network))
    }

    // Property: on a terminal, the progress bar's first point of an epoch shows no rate (it used
    // to read "143,395,008 samples/s", a rate over a near-zero interval); a rate appears only
    // once it spans at least 0.2 s. Runs `train` under script(1) to get a terminal.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"), "needs script(1) from util-linux"))
    func progressBarShowsNoEarlyRate() throws {
        let folder = try Interop.folder()
        defer { Interop.remove(folder) }
        let command = "\(Interop.executable) train --epochs 2 --threads 1 --output \(folder.appendingPathComponent("m.h5").path)"
        let r = try Interop.run("/usr/bin/script", ["-qec", command, "/dev/null"], environment: ["TERM": "xterm"])
        #expect(r.status == 0, "\(r.all)")
        let renders = r.stdout.split(whereSeparator: { $0 == "\r" || $0 == "\n" }).map(String.init).filter {
            $0.contains("] ") && $0.contains("samples/s")
        }
        try #require(!renders.isEmpty, "no progress bar drawn: \(r.stdout)")
        for epoch in ["Epoch 1/2 [", "Epoch 2/2 ["] {
            let first = try #require(renders.first { $0.contains(epoch) }, "\(renders)")
            #expect(first.contains("– samples/s  ETA –"), "\(first)")
        }
    }
}
