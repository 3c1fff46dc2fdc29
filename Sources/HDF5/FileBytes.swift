#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file's bytes read at offsets with `pread`, beside libhdf5: what the guards
/// (`SuperblockCheck`, `GlobalHeapCheck`) and the string reader (`GlobalHeap`) check before
/// libhdf5 would trust it. It borrows its descriptor; `withFile(path:)` opens and closes one.
struct FileBytes {
    let descriptor: Int32
    /// The file's size in bytes when measured.
    let size: UInt64

    /// nil when `descriptor` cannot be measured.
    init?(descriptor: Int32) {
        var st = stat()
        guard fstat(descriptor, &st) == 0 else { return nil }
        self.descriptor = descriptor
        size = UInt64(max(0, st.st_size))
    }

    /// `body` over the file at `path`, opened read-only and closed after; nil without calling
    /// `body` when the file cannot be opened or measured (the libhdf5 open that follows says why).
    @discardableResult
    static func withFile<R>(path: String, _ body: (FileBytes) throws -> R) rethrows -> R? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard let file = FileBytes(descriptor: fd) else { return nil }
        return try body(file)
    }

    /// The `count` bytes at `offset`, or nil unless all of them lie in the file — checked
    /// before allocating, so a size a file declares is never allocated on trust.
    func read(_ count: Int, at offset: UInt64) -> [UInt8]? {
        guard count >= 0, offset <= size, UInt64(count) <= size - offset else { return nil }
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) }
        return got == count ? bytes : nil
    }

    /// Up to `count` (≤ buffer.count) bytes at `offset` into the start of `buffer`: how many
    /// were read, 0 at the end of the file or on an error.
    func read(into buffer: inout [UInt8], count: Int, at offset: UInt64) -> Int {
        precondition(count <= buffer.count)
        guard offset < size else { return 0 }
        return max(0, buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(offset)) })
    }

    /// The unsigned little-endian integer in `bytes` (at most 8 of them).
    static func littleEndian(_ bytes: ArraySlice<UInt8>) -> UInt64 {
        var v: UInt64 = 0
        for (k, byte) in bytes.enumerated() { v |= UInt64(byte) << (8 * UInt64(k)) }
        return v
    }
}
