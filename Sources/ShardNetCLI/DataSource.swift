import Foundation
import ShardNet

/// Dataset and checkpoint files as the commands load them, with messages that say what to pass
/// instead of a file of the wrong kind. (`shardnet` adds its embedded MNIST-5k.)
public enum DataSource {
    /// Loads the dataset file at `path`, refusing checkpoints with a message that says what to
    /// pass instead.
    public static func load(path: String) throws -> DataSetFile {
        do {
            return try DataSetFile.load(from: path)
        } catch let error as ShardNetError {
            guard case .wrongKind = error else { throw error }
            throw ValidationErrorMessage("\(error); pass it as --model or --resume, and give a dataset (from `shardnet convert`) as --data")
        }
    }

    /// Loads a checkpoint named by `flag` (--model, --resume), saying what to do with a dataset.
    public static func checkpoint(_ path: String, flag: String) throws -> Checkpoint {
        do {
            return try Checkpoint.load(from: path)
        } catch let error as ShardNetError {
            guard case .wrongKind = error else { throw error }
            throw ValidationErrorMessage("\(error); pass it as --data, and a checkpoint as \(flag)")
        }
    }

    /// The split named `name` ("train" | "test" | "validation").
    public static func split(_ file: DataSetFile, _ name: String, path: String) throws -> DataSet {
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
