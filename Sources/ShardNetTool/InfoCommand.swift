import ArgumentParser
import Foundation
import ShardNet
import ShardNetCLI

/// `shardnet info`: what an HDF5 file is, in a readable summary.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a dataset or checkpoint file.",
        discussion: """
            Examples:
              shardnet info fashion.h5
              shardnet info model.h5
              shardnet info --system      # CPU, vector features, kernels, BLAS and its core, core hand-off
            """)

    @Argument(help: ArgumentHelp("A ShardNet dataset or checkpoint.", valueName: "file.h5"))
    var file: String?

    @Flag(
        help:
            "Describe this machine instead: CPU model and features, cores, kernels, BLAS library and core, and what a hand-off between two cores costs."
    )
    var system = false

    func validate() throws {
        guard system || file != nil else { throw ValidationError("give a file to describe, or --system") }
    }

    func run() throws {
        if system {
            for line in SystemReport.lines { print(line) }
            if let handoff = SystemReport.handoffLine() { print(handoff) }
            return
        }
        guard let file else { return }
        switch try H5FileKind.detect(path: file) {
        case .dataset:
            let d = try DataSetFile.load(from: file)
            print("\(file): dataset, \(d.classes) classes")
            if !d.source.isEmpty { print("  source: \(d.source)") }
            for (name, split) in [("train", d.train), ("test", d.test), ("validation", d.validation)] {
                guard let split else { continue }
                print("  /\(name): \(Format.grouped(split.count)) samples × \(split.features) features")
            }
        case .checkpoint:
            let c = try Checkpoint.load(from: file)
            let n = c.network
            print(
                "\(file): checkpoint, network \(n.sizes.map(String.init).joined(separator: "-")) (\(Format.grouped(n.parameterCount)) parameters), \(n.activation.rawValue) hidden layers, \(n.outputLayer.rawValue) output, \(n.cost.rawValue) cost"
            )
            guard let t = c.training else { print("  no training state"); return }
            print(
                "  trained \(t.epochsCompleted) epochs: eta \(t.eta)\(t.eta != t.initialEta ? " (from \(t.initialEta), \(t.etaSchedule))" : ""), lambda \(t.lambda)\(t.l1 > 0 ? ", l1 \(t.l1)" : "")\(t.momentum > 0 ? ", momentum \(t.momentum)\(t.nesterov ? " (Nesterov)" : "")" : "")\(t.dropout > 0 ? ", dropout \(t.dropout)" : ""), batch \(t.miniBatchSize), shards \(t.shards)\(t.groups > 1 ? " × \(t.groups) groups" : ""), seed \(t.seed), init \(t.initialization.rawValue)"
            )
            for r in t.history {
                print("  " + TrainDriver.describe(r, epochs: t.epochsCompleted))
            }
            if t.isMidEpoch {
                print(
                    "  stopped inside epoch \(t.epochsCompleted + 1) after \(Format.grouped(t.epochStepsDone)) steps; --resume continues there exactly"
                )
            }
        }
    }
}
