/// Errors of the ShardNet library. Each message names the file and the object at fault and,
/// where it can, says how to fix it.
public enum ShardNetError: Error, CustomStringConvertible, Equatable {
    /// A value the caller passed is out of range (sizes, η, batch size, …).
    case invalidArgument(String)
    /// A file's content is malformed or disagrees with itself.
    case invalidFile(path: String, object: String, reason: String)
    /// A ShardNet file of the other kind: a dataset where a checkpoint was expected, or the
    /// other way round (`found` is what the file is).
    case wrongKind(path: String, found: H5FileKind)
    /// Training produced NaN or ±∞.
    case diverged(epoch: Int, reason: String)
    /// An I/O operation failed (open, write, rename, fsync).
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .invalidArgument(let message): return message
        case .invalidFile(let path, let object, let reason): return "\(path): \(object): \(reason)"
        case .wrongKind(let path, let found):
            let expected: H5FileKind = found == .dataset ? .checkpoint : .dataset
            return "\(path): /: is a \(found.rawValue), not a \(expected.rawValue)"
        case .diverged(let epoch, let reason): return "training diverged in epoch \(epoch): \(reason)"
        case .io(let path, let reason): return "\(path): \(reason)"
        }
    }
}
