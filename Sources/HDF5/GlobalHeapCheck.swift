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

    /// Throws `.library` with a description of the first corrupt collection.
    static func validate(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return }  // the open that follows reports it
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return }
        let fileSize = Int(st.st_size)
        let block = 1 << 22
        var buffer = [UInt8](repeating: 0, count: block + 3)
        var offset = 0
        while offset < fileSize {
            let want = min(block + 3, fileSize - offset)
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(offset)) }
            guard got > 0 else { return }
            var i = 0
            while i + 4 <= got {
                if buffer[i] == 0x47, buffer[i + 1] == 0x43, buffer[i + 2] == 0x4F, buffer[i + 3] == 0x4C {
                    try checkCollection(fd: fd, at: offset + i, fileSize: fileSize, path: path)
                }
                i += 1
            }
            offset += block
        }
    }

    private static func readBytes(_ fd: Int32, _ count: Int, at offset: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, count, off_t(offset)) }
        return got == count ? bytes : nil
    }

    private static func littleEndian(_ b: ArraySlice<UInt8>) -> UInt64 {
        var v: UInt64 = 0
        for (k, byte) in b.enumerated() { v |= UInt64(byte) << (8 * UInt64(k)) }
        return v
    }

    private static func checkCollection(fd: Int32, at start: Int, fileSize: Int, path: String) throws {
        guard let header = readBytes(fd, collectionHeader, at: start),
            header[4] == 1, header[5] == 0, header[6] == 0, header[7] == 0
        else { return }
        let declared = littleEndian(header[8..<16])
        guard declared >= 4096, declared <= UInt64(fileSize - start) else { return }
        let size = Int(declared)
        guard let heap = readBytes(fd, size, at: start) else { return }
        func corrupt(_ why: String) -> HDF5Error {
            HDF5Error(
                .library, file: path, object: "/",
                message: "corrupt global heap collection at byte \(start): \(why); libhdf5 would crash or hang on it")
        }
        var p = collectionHeader
        while p < size {
            guard p + objectHeader <= size else { break }  // a tail too small for a header: free space
            let index = Int(littleEndian(heap[p..<(p + 2)]))
            let objectSize = littleEndian(heap[(p + 8)..<(p + 16)])
            guard objectSize <= UInt64(size) else { throw corrupt("object \(index) claims \(objectSize) bytes in a \(size)-byte collection") }
            let need = index > 0 ? objectHeader + (Int(objectSize) + 7) / 8 * 8 : Int(objectSize)
            guard need > 0 else { throw corrupt("free-space object of size 0") }
            guard p + need <= size else { throw corrupt("object \(index) of \(objectSize) bytes runs past the collection's end") }
            p += need
        }
    }
}
