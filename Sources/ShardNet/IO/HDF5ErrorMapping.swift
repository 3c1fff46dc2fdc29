import HDF5

/// Turns wrapper errors into ShardNet's: every I/O failure surfaces as `ShardNetError.io` or
/// `.invalidFile`, one line naming the file, the object and the cause.
enum HDF5ErrorMapping {
    /// Runs `body`, mapping any `HDF5Error` (reported against `path`, e.g. the target of an atomic
    /// save rather than its temp file) and passing `ShardNetError`s through.
    static func run<R>(_ path: String, _ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as ShardNetError {
            throw error
        } catch let error as HDF5Error {
            throw map(error, path: path)
        } catch {
            throw ShardNetError.io(path: path, reason: "\(error)")
        }
    }

    static func map(_ error: HDF5Error, path: String) -> ShardNetError {
        let detail = error.detail.isEmpty ? "" : " (HDF5: \(error.detail))"
        switch error.kind {
        case .noSuchFile:
            return .io(path: path, reason: error.message)
        case .notHDF5:
            return .invalidFile(
                path: path, object: error.object,
                reason: "\(error.message); expected an HDF5 dataset (from `shardnet convert`) or checkpoint")
        default:
            return .invalidFile(path: path, object: error.object, reason: error.message + detail)
        }
    }
}
