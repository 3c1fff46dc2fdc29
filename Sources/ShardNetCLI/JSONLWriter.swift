import Foundation
import ShardNet

/// `--log FILE.jsonl`: one JSON object per epoch, flushed as it is written.
public final class JSONLWriter {
    public let path: String
    private let handle: FileHandle

    public init(path: String, append: Bool) throws {
        self.path = path
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists || !append {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw ShardNetError.io(
                    path: path, reason: "cannot create the log file: \(String(cString: strerror(errno))); choose a writable --log path")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw ShardNetError.io(path: path, reason: "cannot open the log file for writing; choose a writable --log path")
        }
        self.handle = handle
        handle.seekToEndOfFile()
    }

    deinit { handle.closeFile() }

    /// One line: the epoch's figures plus how it ran; `extra` adds fields (name, JSON value)
    /// after samplesPerSecond.
    public func write(
        _ r: EpochRecord, epochs: Int, threads: Int, shards: Int, groups: Int, kernels: String, schedule: StepSchedule,
        extra: [(String, String)] = []
    ) throws {
        let line =
            "{\"epoch\": \(r.epoch), \"epochs\": \(epochs), \"trainingCost\": \(Format.json(r.trainingCost)), "
            + "\"testCorrect\": \(r.testCorrect), \"testTotal\": \(r.testTotal), \"testAccuracy\": \(Format.json(r.testAccuracy)), "
            + "\"testCost\": \(Format.json(r.testCost)), \"seconds\": \(Format.json(r.seconds)), "
            + (r.trainingTotal > 0
                ? "\"trainingCorrect\": \(r.trainingCorrect), \"trainingTotal\": \(r.trainingTotal), \"trainingAccuracy\": \(Format.json(r.trainingAccuracy)), "
                : "")
            + (r.validationTotal > 0
                ? "\"validationCorrect\": \(r.validationCorrect), \"validationTotal\": \(r.validationTotal), \"validationAccuracy\": \(Format.json(r.validationAccuracy)), \"validationCost\": \(Format.json(r.validationCost)), "
                : "")
            + (r.eta.isFinite ? "\"eta\": \(Format.json(r.eta)), " : "")
            + "\"samplesPerSecond\": \(Format.json(r.samplesPerSecond)), "
            + extra.map { "\"\($0.0)\": \($0.1), " }.joined()
            + "\"threads\": \(threads), \"shards\": \(shards), \"groups\": \(groups), \"schedule\": \"\(schedule.rawValue)\", "
            + "\"kernels\": \"\(kernels)\"\(kernels == KernelChoice.blas.rawValue ? ", \"blasCore\": \"\(BLAS.core)\"" : "")}\n"
        do {
            try handle.write(contentsOf: Data(line.utf8))
        } catch {
            throw ShardNetError.io(path: path, reason: "cannot write the log: \(error)")
        }
    }
}
