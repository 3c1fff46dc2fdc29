#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file in $TMPDIR (or /tmp) of this process's own — `shardnet-fuzz-<name>-<pid><suffix>` —
/// that a harness rewrites with every input, since ShardNet's readers take paths. The harnesses
/// share it so that each states only what it reads and which invariants an accepted file keeps.
public struct FuzzInputFile: Sendable {
    /// The file's path.
    public let path: String

    /// name: the harness's short name (hdf5, idx, …); suffix: an extension the reader expects.
    public init(name: String, suffix: String = "") {
        let folder = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
        path = "\(folder)/shardnet-fuzz-\(name)-\(getpid())\(suffix)"
    }

    /// Replaces the file's contents with the `size` bytes at `data` (a failed write traps: the
    /// harness could no longer say what it read).
    public func write(_ data: UnsafePointer<UInt8>, _ size: Int) {
        guard let f = fopen(path, "wb") else { fatalError("cannot write \(path)") }
        if size > 0 { precondition(fwrite(data, 1, size, f) == size, "short write to \(path)") }
        fclose(f)
    }
}
