import Foundation
import ShardNet

/// Where the data comes from: a file the user names, or the embedded 5,000 MNIST digits.
enum DataSource {
    /// Path of the embedded mnist-5k.h5 (4,000 train / 1,000 test real MNIST digits), shipped
    /// as a SwiftPM resource next to the executable.
    static func embeddedPath() throws -> String {
        guard let path = Bundle.module.path(forResource: "mnist-5k", ofType: "h5") else {
            throw ShardNetError.io(
                path: "mnist-5k.h5",
                reason:
                    "the embedded dataset is missing from the shardnet_ShardNetTool.resources bundle; rebuild with `swift build`, or pass --data FILE.h5"
            )
        }
        return path
    }

    /// Loads a dataset file, refusing checkpoints with a message that says what to pass instead.
    static func load(_ data: String?) throws -> (path: String, file: DataSetFile) {
        guard let data else {
            let embedded = try embeddedPath()  // shipped with the tool: trusted
            return (embedded, try DataSetFile.load(from: embedded))
        }
        do {
            return (data, try DataSetFile.load(from: data))
        } catch let error as ShardNetError {
            guard case .wrongKind = error else { throw error }
            throw ValidationErrorMessage("\(error); pass it as --model or --resume, and give a dataset (from `shardnet convert`) as --data")
        }
    }

    /// Loads a checkpoint named by `flag` (--model, --resume), saying what to do with a dataset.
    static func checkpoint(_ path: String, flag: String) throws -> Checkpoint {
        do {
            return try Checkpoint.load(from: path)
        } catch let error as ShardNetError {
            guard case .wrongKind = error else { throw error }
            throw ValidationErrorMessage("\(error); pass it as --data, and a checkpoint as \(flag)")
        }
    }

    /// The split named `name` ("train" | "test" | "validation").
    static func split(_ file: DataSetFile, _ name: String, path: String) throws -> DataSet {
        switch name {
        case "train": return file.train
        case "test":
            guard let test = file.test else {
                throw ShardNetError.invalidFile(
                    path: path, object: "/test",
                    reason: "the dataset has no test split; add /test/images and /test/labels (shardnet convert writes both)")
            }
            return test
        case "validation":
            guard let validation = file.validation else {
                throw ShardNetError.invalidFile(path: path, object: "/validation", reason: "the dataset has no validation split; use --split test")
            }
            return validation
        default:
            throw ValidationErrorMessage("unknown split '\(name)': use train, test or validation")
        }
    }
}
