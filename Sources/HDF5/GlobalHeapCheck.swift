#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A guard against two libhdf5 1.10 bugs in global heap collections (the "GCOL" blocks that
/// hold variable-length strings), found by fuzzing ShardNet's readers:
///
/// - an object whose size runs past the end of its collection makes `H5HG_read` copy that
///   many bytes (a segfault);
/// - a free-space object of size 0 makes the collection parser loop forever (a hang).
///
/// Before a file is opened for reading, every collection in it is walked as libhdf5 would
/// walk it (H5HG__cache_heap_deserialize) and the file is refused if any object would run
/// past its collection or not advance. A collection is recognised by its signature, version
/// 1, three zero bytes and a size of at least 4096 bytes (libhdf5's minimum) that fits the
/// file, so stray "GCOL" bytes inside compressed data are not mistaken for one. Lengths are
/// taken as 8 bytes, as every file written by current HDF5 and h5py has them.
enum GlobalHeapCheck {
    /// Bytes of an object header: index (2), reference count (2), reserved (4), size (8).
    static let objectHeader = 16
    /// Bytes of a collection header: "GCOL", version, 3 reserved, size (8).
    static let collectionHeader = 16
    /// Bytes the scan reads at a time (4 MiB; each read also takes the next block's first
    /// three bytes, so a signature across two blocks is found).
    static let readBlock = 1 << 22

    /// Throws `.library` with a description of the first corrupt collection.
    static func validate(path: String) throws {
        // A file that cannot be opened is reported by the libhdf5 open that follows.
        try FileBytes.withFile(path: path) { file in
            let block = readBlock
            var buffer = [UInt8](repeating: 0, count: block + 3)
            var offset = 0
            while UInt64(offset) < file.size {
                let want = Int(min(UInt64(block + 3), file.size - UInt64(offset)))
                let got = file.read(into: &buffer, count: want, at: UInt64(offset))
                guard got > 0 else { return }
                for start in signatures(in: buffer, count: got) { try checkCollection(file, at: offset + start, path: path) }
                offset += block
            }
        }
    }

    /// Where "GCOL" starts in the first `count` bytes of `buffer`, each found with `memchr` for
    /// its "G" (libc's vectorised byte search) and three byte compares: the scan reads every
    /// byte of the file before each open, and the byte-at-a-time loop this replaced added about
    /// 70 ms to `train`'s start on a 31 MB Fashion-MNIST file (two opens).
    private static func signatures(in buffer: [UInt8], count: Int) -> [Int] {
        buffer.withUnsafeBytes { raw -> [Int] in
            guard count >= 4, let base = raw.baseAddress else { return [] }
            var found: [Int] = []
            var i = 0
            // Candidates are the starts 0 ... count - 4: count - 3 - i bytes from i.
            while i <= count - 4, let hit = memchr(base + i, 0x47, count - 3 - i) {
                let j = base.distance(to: UnsafeRawPointer(hit))
                if raw[j + 1] == 0x43, raw[j + 2] == 0x4F, raw[j + 3] == 0x4C { found.append(j) }
                i = j + 1
            }
            return found
        }
    }

    private static func checkCollection(_ file: FileBytes, at start: Int, path: String) throws {
        let fileSize = Int(file.size)
        guard let header = file.read(collectionHeader, at: UInt64(start)),
            header[4] == 1, header[5] == 0, header[6] == 0, header[7] == 0
        else { return }
        let declared = FileBytes.littleEndian(header[8..<16])
        guard declared >= 4096, declared <= UInt64(fileSize - start) else { return }
        let size = Int(declared)
        guard let heap = file.read(size, at: UInt64(start)) else { return }
        func corrupt(_ why: String) -> HDF5Error {
            HDF5Error(
                .library, file: path, object: "/",
                message: "corrupt global heap collection at byte \(start): \(why); libhdf5 would crash or hang on it")
        }
        var p = collectionHeader
        while p < size {
            guard p + objectHeader <= size else { break }  // a tail too small for a header: free space
            let index = Int(FileBytes.littleEndian(heap[p..<(p + 2)]))
            let objectSize = FileBytes.littleEndian(heap[(p + 8)..<(p + 16)])
            guard objectSize <= UInt64(size) else { throw corrupt("object \(index) claims \(objectSize) bytes in a \(size)-byte collection") }
            let need = index > 0 ? objectHeader + (Int(objectSize) + 7) / 8 * 8 : Int(objectSize)
            guard need > 0 else { throw corrupt("free-space object of size 0") }
            guard p + need <= size else { throw corrupt("object \(index) of \(objectSize) bytes runs past the collection's end") }
            p += need
        }
    }
}
