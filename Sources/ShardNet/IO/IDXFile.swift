#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An MNIST IDX file (yann.lecun.com/exdb/mnist), raw or gzip-compressed.
///
/// Format: a 4-byte magic `00 00 TT DD` — TT the element type (only 0x08, unsigned byte, is
/// supported), DD the number of dimensions — then DD big-endian UInt32 extents, then the
/// elements row-major. MNIST labels are 0x00000801 (N), images 0x00000803 (N, 28, 28).
///
/// Reading is bounded: the header is validated (magic, extents > 0, payload ≤ 2 GiB, payload vs
/// file size; for .gz, payload ≤ 1032 × compressed size, deflate's best ratio) before the
/// payload buffer is allocated, and decompression stops at exactly the promised size.
public struct IDXFile: Sendable {
    /// The two MNIST kinds.
    public enum Kind: Sendable, Equatable {
        /// Magic 0x00000801: one dimension, N labels.
        case labels
        /// Magic 0x00000803: three dimensions, N images of rows × columns.
        case images

        var dimensionCount: Int { self == .labels ? 1 : 3 }
        var magic: UInt32 { self == .labels ? 0x0801 : 0x0803 }
    }

    /// Extents from the header, e.g. [60000, 28, 28] or [60000].
    public let dimensions: [Int]
    /// The elements, product(dimensions) bytes, row-major.
    public let bytes: [UInt8]

    /// Number of items (the first extent).
    public var count: Int { dimensions[0] }
    /// Bytes per item (product of the other extents; 1 for labels).
    public var itemSize: Int { dimensions.dropFirst().reduce(1, *) }

    /// Largest payload accepted (2 GiB); MNIST's training images are 47 MB.
    public static let maximumPayload = 1 << 31

    public init(dimensions: [Int], bytes: [UInt8]) {
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// Reads `path` (gzip detected by its 1f 8b signature, not by the name). With `kind`, the
    /// magic must be that kind's.
    public static func read(from path: String, expecting kind: Kind? = nil) throws -> IDXFile {
        var st = stat()
        guard stat(path, &st) == 0 else {
            throw ShardNetError.io(path: path, reason: errno == ENOENT ? "no such file" : String(cString: strerror(errno)))
        }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw ShardNetError.io(path: path, reason: "not a regular file") }
        let fileSize = Int(st.st_size)
        if try isGzip(path) {
            let reader = try GzipReader(path: path)
            return try parse(path: path, kind: kind, limit: .decompressed(compressed: reader.compressedSize)) { try reader.read(into: $0) }
        }
        guard let f = fopen(path, "rb") else {
            throw ShardNetError.io(path: path, reason: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { fclose(f) }
        return try parse(path: path, kind: kind, limit: .exact(fileSize)) { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
            let n = fread(base, 1, buffer.count, f)
            if n < buffer.count && ferror(f) != 0 {
                throw ShardNetError.io(path: path, reason: "read error: \(String(cString: strerror(errno)))")
            }
            return n
        }
    }

    private static func isGzip(_ path: String) throws -> Bool {
        guard let f = fopen(path, "rb") else {
            throw ShardNetError.io(path: path, reason: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { fclose(f) }
        var signature: [UInt8] = [0, 0]
        return fread(&signature, 1, 2, f) == 2 && signature == [0x1f, 0x8b]
    }

    private enum SizeLimit {
        /// A raw file: header + payload must be exactly this many bytes.
        case exact(Int)
        /// A gzip file of this many compressed bytes.
        case decompressed(compressed: Int)
    }

    /// Reads exactly `buffer.count` bytes unless the data end first; returns the count read.
    private static func fill(_ buffer: UnsafeMutableRawBufferPointer, _ read: (UnsafeMutableRawBufferPointer) throws -> Int) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = try read(UnsafeMutableRawBufferPointer(rebasing: buffer[done...]))
            if n == 0 { break }
            done += n
        }
        return done
    }

    private static func parse(
        path: String, kind: Kind?, limit: SizeLimit,
        _ read: (UnsafeMutableRawBufferPointer) throws -> Int
    ) throws -> IDXFile {
        func bad(_ reason: String) -> ShardNetError { .invalidFile(path: path, object: "IDX header", reason: reason) }
        // Magic: 00 00 type ndim.
        var magic = [UInt8](repeating: 0, count: 4)
        let got = try magic.withUnsafeMutableBytes { try fill($0, read) }
        guard got == 4 else { throw bad("file too short for an IDX header (\(got) bytes)") }
        let magicValue = magic.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let hex = "0x" + String(magicValue, radix: 16, uppercase: true).leftPadded(to: 8)
        guard magic[0] == 0, magic[1] == 0 else { throw bad("bad magic \(hex): not an IDX file (labels start 0x00000801, images 0x00000803)") }
        guard magic[2] == 0x08 else {
            throw bad("element type 0x\(String(magic[2], radix: 16)) is not supported; MNIST files hold unsigned bytes (type 0x08)")
        }
        let rank = Int(magic[3])
        if let kind, magicValue != kind.magic {
            throw bad(
                "magic \(hex) has \(rank) dimensions, but \(kind) files have magic 0x0000080\(kind.dimensionCount) (\(kind.dimensionCount) dimensions); are the image and label files swapped?"
            )
        }
        guard (1...4).contains(rank) else { throw bad("\(rank) dimensions; expected 1 (labels) or 3 (images)") }
        var extentBytes = [UInt8](repeating: 0, count: 4 * rank)
        let gotExtents = try extentBytes.withUnsafeMutableBytes { try fill($0, read) }
        guard gotExtents == 4 * rank else { throw bad("truncated header: \(rank) extents promised, file ends after \(4 + gotExtents) bytes") }
        var dimensions: [Int] = []
        for d in 0..<rank {
            let v = extentBytes[4 * d..<4 * d + 4].reduce(0) { $0 << 8 | Int($1) }
            dimensions.append(v)
        }
        guard dimensions.allSatisfy({ $0 > 0 }) else { throw bad("extents \(dimensions) include a zero: the file holds no data") }
        var payload = 1
        for d in dimensions {
            let (p, overflow) = payload.multipliedReportingOverflow(by: d)
            guard !overflow, p <= maximumPayload else {
                throw bad("extents \(dimensions) declare more than \(maximumPayload) bytes; refusing to allocate (corrupt header?)")
            }
            payload = p
        }
        let headerSize = 4 + 4 * rank
        switch limit {
        case .exact(let fileSize):
            guard fileSize == headerSize + payload else {
                let what = fileSize < headerSize + payload ? "truncated" : "has trailing bytes"
                throw bad("extents \(dimensions) promise \(headerSize + payload) bytes but the file has \(fileSize): \(what)")
            }
        case .decompressed(let compressed):
            guard payload / GzipReader.maximumRatio <= compressed + 1024 else {
                throw bad("extents \(dimensions) declare \(payload) bytes, more than a \(compressed)-byte gzip file can hold; corrupt header")
            }
        }
        let bytes = try [UInt8](unsafeUninitializedCapacity: payload) { buffer, initialized in
            let n = try fill(UnsafeMutableRawBufferPointer(buffer), read)
            guard n == payload else {
                throw ShardNetError.invalidFile(
                    path: path, object: "IDX data",
                    reason: "truncated: extents \(dimensions) promise \(payload) bytes of data, found \(n)")
            }
            initialized = payload
        }
        var extra: UInt8 = 0
        let more = try withUnsafeMutableBytes(of: &extra) { try read($0) }
        guard more == 0 else {
            throw ShardNetError.invalidFile(path: path, object: "IDX data", reason: "more data than extents \(dimensions) promise (\(payload) bytes)")
        }
        return IDXFile(dimensions: dimensions, bytes: bytes)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
