import Foundation
import ShardNet
import ZIPFoundation

/// Reads one entry of a .keras archive with every length bounded by the file and by what the
/// entry declares. ZIPFoundation (0.9.20) lists the archive, but its extraction cannot be
/// trusted with a hostile file on Linux: its inflate loop ends only at the end of the deflate
/// stream, so an entry whose stream does not end inside the file reads past it forever (a
/// hang FuzzKeras found, `Fuzz/regressions/keras/`), and it offers zlib a full buffer even when
/// fewer bytes were read. Here the entry's data is located through the central directory and
/// its local header, read only within its compressed size, inflated in exact buffers, and
/// checked against its declared size and CRC-32.
enum ZipEntryReader {
    struct Location {
        var dataOffset: Int
        var compressedSize: Int
        var uncompressedSize: Int
        var method: Int
        var crc32: UInt32
    }

    /// The central directory may be at most this large (a .keras holds three entries).
    static let maxCentralDirectoryBytes = 16 << 20

    private struct File {
        let fd: Int32
        let size: Int

        func read(_ count: Int, at offset: Int) -> [UInt8]? {
            guard count >= 0, offset >= 0, offset <= size, count <= size - offset else { return nil }
            var bytes = [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
                guard got > 0 else { return nil }
                done += got
            }
            return bytes
        }
    }

    private static func u16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    private static func u32(_ b: [UInt8], _ i: Int) -> Int { u16(b, i) | u16(b, i + 2) << 16 }
    private static func u64(_ b: [UInt8], _ i: Int) -> UInt64 { UInt64(u32(b, i)) | UInt64(u32(b, i + 4)) << 32 }
    private static func signature(_ b: [UInt8], _ i: Int, _ third: UInt8, _ fourth: UInt8) -> Bool {
        i >= 0 && i + 4 <= b.count && b[i] == 0x50 && b[i + 1] == 0x4B && b[i + 2] == third && b[i + 3] == fourth
    }

    /// Extracts entry `name` of the zip archive at `path` into `sink`, chunk by chunk: at most
    /// `limit` bytes declared, never more extracted than declared, the CRC-32 checked at the end.
    /// Errors name `path` and `name`.
    static func extract(_ name: String, from path: String, limit: Int, into sink: (Data) throws -> Void) throws {
        func damaged(_ reason: String) -> ShardNetError { ShardNetError.invalidFile(path: path, object: name, reason: reason) }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ShardNetError.io(path: path, reason: "cannot open the file: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw ShardNetError.io(path: path, reason: "cannot read the file's size") }
        let file = File(fd: fd, size: Int(st.st_size))
        let entry = try locate(name, in: file, damaged: damaged)
        guard entry.uncompressedSize <= limit else {
            throw damaged("declares \(entry.uncompressedSize) bytes; at most \(limit) are accepted")
        }
        var extracted = 0
        func consume(_ chunk: Data) throws {
            extracted += chunk.count
            guard extracted <= entry.uncompressedSize else {
                throw damaged("extracts to more than the \(entry.uncompressedSize) bytes it declares (damaged, or a zip bomb)")
            }
            try sink(chunk)
        }
        let bufferSize = 1 << 16
        var crc: UInt32 = 0
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw damaged("is stored uncompressed but declares \(entry.compressedSize) stored and \(entry.uncompressedSize) extracted bytes")
            }
            var position = 0
            while position < entry.compressedSize {
                let n = min(bufferSize, entry.compressedSize - position)
                guard let bytes = file.read(n, at: entry.dataOffset + position) else { throw damaged("cannot be read (truncated archive)") }
                let chunk = Data(bytes)
                crc = chunk.crc32(checksum: crc)
                try consume(chunk)
                position += n
            }
        case 8:
            var position = 0
            do {
                crc = try Data.decompress(
                    size: Int64(entry.compressedSize), bufferSize: bufferSize, skipCRC32: false,
                    provider: { _, requested in
                        guard position < entry.compressedSize else {
                            throw damaged("its deflate stream does not end within its \(entry.compressedSize) compressed bytes")
                        }
                        let n = min(bufferSize, entry.compressedSize - position)
                        guard let bytes = file.read(n, at: entry.dataOffset + position) else {
                            throw damaged("cannot be read (truncated archive)")
                        }
                        position += n
                        var chunk = Data(bytes)
                        // ZIPFoundation's Linux inflate hands zlib `requested` bytes whatever the
                        // chunk holds: pad, so zlib never reads past the chunk (what follows the
                        // stream's end is ignored; a stream that runs on asks again and is refused).
                        if requested > n { chunk.append(Data(count: requested - n)) }
                        return chunk
                    }, consumer: consume)
            } catch let error as ShardNetError {
                throw error
            } catch {
                throw damaged("cannot be inflated (damaged deflate data: \(error))")
            }
        default:
            throw damaged("uses compression method \(entry.method); only stored (0) and deflate (8) entries can be read")
        }
        guard extracted == entry.uncompressedSize else {
            throw damaged("extracts to \(extracted) bytes but declares \(entry.uncompressedSize) (truncated or damaged)")
        }
        guard crc == entry.crc32 else { throw damaged("fails its CRC-32 check (damaged archive)") }
    }

    /// Entry `name`'s data, from the end-of-central-directory record (zip64 where it says so),
    /// the central directory and the entry's local header; every offset checked against the file.
    private static func locate(_ name: String, in file: File, damaged: (String) -> ShardNetError) throws -> Location {
        let tailLength = min(file.size, 22 + 0xFFFF)
        guard let tail = file.read(tailLength, at: file.size - tailLength) else { throw damaged("cannot be located: the archive cannot be read") }
        var end = tail.count - 22
        while end >= 0 && !signature(tail, end, 5, 6) { end -= 1 }
        guard end >= 0 else { throw damaged("cannot be located: the archive has no end-of-central-directory record") }
        var entries = UInt64(u16(tail, end + 10))
        var directorySize = UInt64(u32(tail, end + 12))
        var directoryOffset = UInt64(u32(tail, end + 16))
        if entries == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            let locatorOffset = file.size - tailLength + end - 20
            guard let locator = file.read(20, at: locatorOffset), signature(locator, 0, 6, 7) else {
                throw damaged("cannot be located: the zip64 end-of-central-directory locator is missing")
            }
            let recordOffset = u64(locator, 8)
            guard recordOffset <= UInt64(file.size), let record = file.read(56, at: Int(recordOffset)), signature(record, 0, 6, 6) else {
                throw damaged("cannot be located: the zip64 end-of-central-directory record is missing")
            }
            entries = u64(record, 32)
            directorySize = u64(record, 40)
            directoryOffset = u64(record, 48)
        }
        guard directorySize <= UInt64(maxCentralDirectoryBytes), directoryOffset <= UInt64(file.size),
            let directory = file.read(Int(directorySize), at: Int(directoryOffset))
        else {
            throw damaged("cannot be located: the central directory (\(directorySize) bytes at byte \(directoryOffset)) is not inside the file")
        }
        let wanted = Array(name.utf8)
        var p = 0
        var seen: UInt64 = 0
        while seen < entries, p + 46 <= directory.count, signature(directory, p, 1, 2) {
            seen += 1
            let nameLength = u16(directory, p + 28), extraLength = u16(directory, p + 30), commentLength = u16(directory, p + 32)
            let next = p + 46 + nameLength + extraLength + commentLength
            guard next <= directory.count else { break }
            guard Array(directory[(p + 46)..<(p + 46 + nameLength)]) == wanted else {
                p = next
                continue
            }
            var compressed = UInt64(u32(directory, p + 20))
            var uncompressed = UInt64(u32(directory, p + 24))
            var localOffset = UInt64(u32(directory, p + 42))
            // zip64 extended information (extra field 0x0001): the 64-bit values of the fields
            // that are 0xFFFFFFFF above, in this order.
            var q = p + 46 + nameLength
            let extraEnd = q + extraLength
            while q + 4 <= extraEnd {
                let id = u16(directory, q), size = u16(directory, q + 2)
                guard q + 4 + size <= extraEnd else { break }
                if id == 1 {
                    var r = q + 4
                    for field in [0, 1, 2] {
                        let value = [uncompressed, compressed, localOffset][field]
                        guard value == 0xFFFF_FFFF, r + 8 <= q + 4 + size else { continue }
                        let wide = u64(directory, r)
                        r += 8
                        if field == 0 { uncompressed = wide } else if field == 1 { compressed = wide } else { localOffset = wide }
                    }
                }
                q += 4 + size
            }
            guard localOffset <= UInt64(file.size), let local = file.read(30, at: Int(localOffset)), signature(local, 0, 3, 4) else {
                throw damaged("cannot be located: its local header (at byte \(localOffset)) is missing or damaged")
            }
            let dataOffset = Int(localOffset) + 30 + u16(local, 26) + u16(local, 28)
            guard dataOffset <= file.size, compressed <= UInt64(file.size - dataOffset) else {
                let end = "past the end of the \(file.size)-byte file (truncated?)"
                throw damaged("declares \(compressed) compressed bytes at byte \(dataOffset), \(end)")
            }
            guard uncompressed <= UInt64(Int.max) else { throw damaged("declares \(uncompressed) bytes") }
            return Location(
                dataOffset: dataOffset, compressedSize: Int(compressed), uncompressedSize: Int(uncompressed),
                method: u16(directory, p + 10), crc32: UInt32(u32(directory, p + 16)))
        }
        throw damaged("is missing from the archive; a .keras file holds config.json and model.weights.h5 (and metadata.json)")
    }
}
