import Foundation
import ShardNet

/// Checks made before training starts, so that a bad --output fails in a second, not after
/// 30 epochs, and never overwrites a file that is not a ShardNet checkpoint.
public enum OutputCheck {
    public static func checkWritable(checkpoint output: String) throws {
        let url = URL(fileURLWithPath: output)
        let folder = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ShardNetError.io(path: output, reason: "the output folder \(folder) does not exist; create it or choose another --output")
        }
        if FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) {
            if isDirectory.boolValue {
                throw ShardNetError.io(path: output, reason: "--output is a folder; name a file inside it, e.g. \(output)/model.h5")
            }
            let kind: H5FileKind
            do { kind = try H5FileKind.detect(path: output) } catch {
                throw ShardNetError.io(
                    path: output,
                    reason: "exists and is not a ShardNet checkpoint; refusing to overwrite it (choose another --output or remove the file)")
            }
            guard kind == .checkpoint else {
                throw ShardNetError.io(
                    path: output, reason: "exists and is a \(kind.rawValue), not a checkpoint; refusing to overwrite it (choose another --output)")
            }
        }
        // Prove the folder takes new files (permissions, read-only mounts; root ignores mode bits).
        let probe = folder + "/.shardnet-write-test-\(getpid())"
        let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw ShardNetError.io(path: output, reason: "cannot write in \(folder): \(String(cString: strerror(errno))); choose a writable --output")
        }
        close(fd)
        unlink(probe)
    }
}
