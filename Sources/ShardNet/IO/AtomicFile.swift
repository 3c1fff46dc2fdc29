#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Atomic replacement of a file: readers see the old file or the new one, never a mixture.
///
/// Protocol: write `<target>.tmp-<pid>-<random>` in the target's folder (the body must flush and
/// close it), fsync it (open(2) + fsync(2)), rename(2) it over the target, fsync the folder. On
/// any failure before the rename the temp file is removed and the target is untouched.
enum AtomicFile {
    /// Points at which tests can inject a failure.
    enum Stage: Sendable, Equatable {
        /// After the body wrote and closed the temp file, before fsync.
        case afterWrite
        /// After fsync, before rename.
        case beforeRename
    }

    static func write(to target: String, failingAt injected: Stage? = nil, _ body: (_ temporaryPath: String) throws -> Void) throws {
        let folder = Self.folder(of: target)
        var st = stat()
        guard stat(folder, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
            throw ShardNetError.io(path: target, reason: "cannot save: folder \(folder) does not exist; create it first")
        }
        if stat(target, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw ShardNetError.io(path: target, reason: "cannot save: the path is a folder; give a file name")
        }
        removeStaleTemporaries(of: target, in: folder)
        let temporary = "\(target).tmp-\(getpid())-\(String(UInt64.random(in: 0...UInt64.max), radix: 16))"
        do {
            try body(temporary)
            if injected == .afterWrite { throw ShardNetError.io(path: target, reason: "injected failure after write") }
            try syncToDisk(path: temporary, directory: false, reportAs: target)
            if injected == .beforeRename { throw ShardNetError.io(path: target, reason: "injected failure before rename") }
            guard rename(temporary, target) == 0 else {
                throw ShardNetError.io(path: target, reason: "cannot replace the file: \(String(cString: strerror(errno)))")
            }
        } catch {
            unlink(temporary)
            throw error
        }
        try syncToDisk(path: folder, directory: true, reportAs: target)
    }

    private static func syncToDisk(path: String, directory: Bool, reportAs target: String) throws {
        let fd = open(path, directory ? (O_RDONLY | O_DIRECTORY) : O_RDONLY)
        guard fd >= 0 else {
            throw ShardNetError.io(path: target, reason: "cannot open \(path) to fsync: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        // Some file systems cannot fsync folders (EINVAL); the rename is still in place.
        guard fsync(fd) == 0 || (directory && errno == EINVAL) else {
            throw ShardNetError.io(path: target, reason: "fsync of \(path) failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Removes `<target>.tmp-<pid>-<random>` files left by saves whose process died (kill -9,
    /// power loss). A temp file of a live process (a concurrent save) is left alone; a file
    /// whose name does not match the pattern exactly is never touched.
    static func removeStaleTemporaries(of target: String, in folder: String) {
        let prefix = Self.baseName(of: target) + ".tmp-"
        guard let dir = opendir(folder) else { return }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            // d_name read in place up to its NUL: glibc allocates each entry only as long as its
            // name (d_reclen), so copying the whole 256-byte field would read past it.
            let field = UnsafeRawPointer(entry) + MemoryLayout<dirent>.offset(of: \dirent.d_name)!
            let name = String(cString: field.assumingMemoryBound(to: CChar.self))
            guard name.hasPrefix(prefix) else { continue }
            let parts = name.dropFirst(prefix.count).split(separator: "-")
            guard parts.count == 2, let pid = Int32(parts[0]), pid > 0, UInt64(parts[1], radix: 16) != nil else { continue }
            if pid != getpid() && kill(pid, 0) != 0 && errno == ESRCH {
                unlink(folder + "/" + name)
            }
        }
    }

    static func baseName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return path }
        return String(path[path.index(after: slash)...])
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let f = String(path[..<slash])
        return f.isEmpty ? "/" : f
    }
}
