import CShardNetZlib

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streams the decompressed bytes of a gzip (or zlib) file, member after member, through a
/// fixed 64 KiB input buffer. It never allocates output: the caller passes the buffers to fill,
/// so a caller that sizes them from a validated header bounds the memory a hostile file can cost.
///
/// The only file of ShardNet that imports CShardNetZlib (the CZlib shim).
final class GzipReader {
    let path: String
    /// Size of the compressed file in bytes.
    let compressedSize: Int
    private let file: UnsafeMutablePointer<FILE>
    /// Heap-allocated: zlib keeps a pointer back to the stream, so it must not move.
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutablePointer<UInt8>
    private static let inputCapacity = 1 << 16
    /// True while inside a gzip member (input fed since the last stream end).
    private var inMember = false
    private var finished = false

    /// Deflate's best case is about 1032:1; more declared output than this is impossible.
    static let maximumRatio = 1032

    init(path: String) throws {
        self.path = path
        guard let f = fopen(path, "rb") else {
            let reason = errno == ENOENT ? "no such file" : "cannot open: \(String(cString: strerror(errno)))"
            throw ShardNetError.io(path: path, reason: reason)
        }
        var st = stat()
        guard fstat(fileno(f), &st) == 0 else {
            fclose(f)
            throw ShardNetError.io(path: path, reason: "cannot stat: \(String(cString: strerror(errno)))")
        }
        file = f
        compressedSize = Int(st.st_size)
        stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = UnsafeMutablePointer<UInt8>.allocate(capacity: Self.inputCapacity)
        // 15 + 32: maximum window, detect the gzip or zlib header automatically.
        guard shim_inflateInit2(stream, 15 + 32) == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            input.deallocate()
            fclose(f)
            throw ShardNetError.io(path: path, reason: "cannot initialise zlib")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
        fclose(file)
    }

    /// Fills `buffer` with decompressed bytes; returns how many it wrote, fewer than
    /// `buffer.count` only at the end of the data.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard let base = buffer.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return 0 }
        var produced = 0
        while produced < buffer.count && !finished {
            if stream.pointee.avail_in == 0 {
                let n = fread(input, 1, Self.inputCapacity, file)
                if n == 0 {
                    if ferror(file) != 0 {
                        throw ShardNetError.io(path: path, reason: "read error: \(String(cString: strerror(errno)))")
                    }
                    if inMember {
                        throw ShardNetError.invalidFile(
                            path: path, object: "gzip stream",
                            reason: "truncated: the file ends inside the compressed data; download it again")
                    }
                    finished = true
                    break
                }
                stream.pointee.next_in = input
                stream.pointee.avail_in = UInt32(n)
            }
            inMember = true
            let room = UInt32(min(buffer.count - produced, Int(UInt32.max)))
            stream.pointee.next_out = base + produced
            stream.pointee.avail_out = room
            let status = inflate(stream, Z_NO_FLUSH)
            produced += Int(room - stream.pointee.avail_out)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                // End of one gzip member; another may follow (concatenated .gz files).
                inMember = false
                inflateReset(stream)
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw ShardNetError.invalidFile(path: path, object: "gzip stream", reason: "corrupt compressed data (\(message))")
            }
        }
        return produced
    }
}
