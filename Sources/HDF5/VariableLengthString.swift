import CHDF5

/// Reads variable-length string attributes (h5py's `str` attributes) without libhdf5's
/// variable-length conversion.
///
/// libhdf5 1.10 follows a variable-length string's heap ID blindly: `H5Aread` →
/// `H5T__conv_vlen` allocates and zeroes the sequence length the ID declares, and `H5HG_read`
/// copies the object size the global heap declares, so a corrupt file makes it allocate
/// terabytes, write past its buffers or loop (every crash, timeout and oom in
/// Fuzz/regressions/hdf5). Here `H5Aread` only copies the stored heap ID itself — sequence
/// length (4 bytes), collection address, object index (4 bytes) — into an opaque memory type,
/// through a no-op conversion registered for that one pair (`shim_heap_id_conversion`); then
/// the collection is read from the file with `pread` and walked as libhdf5 would walk it, and
/// the string is returned only if the collection, the object and the string all lie inside
/// their containers. Nothing in libhdf5's global heap code runs.
enum VariableLengthString {
    /// The no-op conversion, registered once per process.
    private static let registered: Bool = shim_register_heap_id_conversion() >= 0

    /// Objects a collection walk visits at most (object indices are 16-bit).
    static let maximumObjects = 70_000

    /// The value of the scalar variable-length string attribute `aid`.
    static func read(attribute aid: hid_t, count: Int, name: String, file: String, object: String) throws -> String {
        func corrupt(_ why: String) -> HDF5Error {
            HDF5Error(.library, file: file, object: object, message: "attribute '\(name)': \(why); the file is damaged")
        }
        guard count == 1 else {
            throw HDF5Error(.wrongType, file: file, object: object, message: "attribute '\(name)' holds \(count) strings; expected one")
        }
        guard registered else {
            throw HDF5Error.fromStack(file: file, object: object, "cannot register the variable-length string reader")
        }
        let fid = H5Iget_file_id(aid)  // another reference to the open file id: closing it only drops that
        guard fid >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot read attribute '\(name)'") }
        defer { H5Fclose(fid) }
        let fcpl = H5Fget_create_plist(fid)
        guard fcpl >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot read the file's creation properties") }
        let plist = PropertyList(owning: fcpl)
        var addressSize = 0, lengthSize = 0
        var base: hsize_t = 0
        guard H5Pget_sizes(plist.id, &addressSize, &lengthSize) >= 0, H5Pget_userblock(plist.id, &base) >= 0 else {
            throw HDF5Error.fromStack(file: file, object: object, "cannot read the file's creation properties")
        }
        guard [2, 4, 8].contains(addressSize), [2, 4, 8].contains(lengthSize) else {
            throw corrupt("unsupported address/length sizes \(addressSize)/\(lengthSize)")
        }

        // The stored heap ID, as bytes.
        let idSize = 8 + addressSize
        let tid = shim_heap_id_type(idSize)
        guard tid >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot make a memory type") }
        let memoryType = Datatype(owning: tid)
        var raw = [UInt8](repeating: 0, count: idSize)
        guard H5Aread(aid, memoryType.id, &raw) >= 0 else {
            throw HDF5Error.fromStack(file: file, object: object, "cannot read attribute '\(name)'")
        }
        let length = FileBytes.littleEndian(raw[0..<4])
        let address = FileBytes.littleEndian(raw[4..<(4 + addressSize)])
        let index = FileBytes.littleEndian(raw[(4 + addressSize)..<idSize])
        if length == 0 { return "" }

        // In a writable file the collection may still be only in libhdf5's cache.
        var intent: UInt32 = 0
        if H5Fget_intent(fid, &intent) >= 0, intent & shim_H5F_ACC_RDWR() != 0 {
            guard H5Fflush(fid, H5F_SCOPE_LOCAL) >= 0 else {
                throw HDF5Error.fromStack(file: file, object: object, "cannot flush before reading attribute '\(name)'")
            }
        }
        let fd = shim_file_descriptor(fid)
        guard fd >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot read attribute '\(name)' (no file descriptor)") }
        let (start, overflow) = address.addingReportingOverflow(UInt64(base))
        guard !overflow else { throw corrupt("its heap address \(address) is not in the file") }
        let bytes = try GlobalHeap.object(
            fd: fd, collection: start, index: index, length: length,
            lengthSize: lengthSize, corrupt: corrupt)
        let end = bytes.firstIndex(of: 0) ?? bytes.count  // as a C string, like H5Aread
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}

/// Reading one object out of a global heap collection ("GCOL"), checking every size it uses.
enum GlobalHeap {
    static func align8(_ n: Int) -> Int { (n + 7) / 8 * 8 }

    /// The first `length` bytes of object `index` of the collection at byte `collection` of `fd`.
    /// Throws `corrupt(why)` unless the collection lies in the file, its objects up to `index`
    /// each lie in the collection, and the object holds `length` bytes.
    static func object(
        fd: Int32, collection: UInt64, index: UInt64, length: UInt64, lengthSize: Int,
        corrupt: (String) -> HDF5Error
    ) throws -> [UInt8] {
        guard let file = FileBytes(descriptor: fd) else { throw corrupt("cannot stat the file") }
        let fileSize = file.size
        let headerSize = align8(8 + lengthSize)
        let objectHeaderSize = align8(8 + lengthSize)
        guard index > 0, index <= 0xFFFF else { throw corrupt("its heap object index \(index) is invalid") }
        guard collection < fileSize, fileSize - collection >= UInt64(headerSize),
            let header = file.read(headerSize, at: collection)
        else {
            throw corrupt("its global heap collection at byte \(collection) is outside the file (\(fileSize) bytes)")
        }
        guard header[0..<4].elementsEqual("GCOL".utf8), header[4] == 1 else {
            throw corrupt("no global heap collection at byte \(collection)")
        }
        let declared = FileBytes.littleEndian(header[8..<(8 + lengthSize)])
        guard declared >= UInt64(headerSize), declared <= fileSize - collection else {
            throw corrupt(
                "the global heap collection at byte \(collection) declares \(declared) bytes; the file has \(fileSize - collection) from there")
        }
        let size = Int(declared)
        var p = headerSize
        var visited = 0
        while p + objectHeaderSize <= size {
            visited += 1
            guard visited <= VariableLengthString.maximumObjects else {
                throw corrupt("the global heap collection at byte \(collection) has more than \(VariableLengthString.maximumObjects) objects")
            }
            guard let h = file.read(objectHeaderSize, at: collection + UInt64(p)) else {
                throw corrupt("cannot read the global heap collection at byte \(collection)")
            }
            let found = FileBytes.littleEndian(h[0..<2])
            let objectSize = FileBytes.littleEndian(h[8..<(8 + lengthSize)])
            guard objectSize <= UInt64(size) else {
                throw corrupt("heap object \(found) claims \(objectSize) bytes in a \(size)-byte collection")
            }
            let need = found > 0 ? objectHeaderSize + align8(Int(objectSize)) : Int(objectSize)
            guard need >= objectHeaderSize, p + need <= size else {
                throw corrupt("heap object \(found) of \(objectSize) bytes does not fit the collection at byte \(collection)")
            }
            if found == index {
                guard length <= objectSize else {
                    throw corrupt("the string claims \(length) bytes; its heap object holds \(objectSize)")
                }
                guard let data = file.read(Int(length), at: collection + UInt64(p + objectHeaderSize)) else {
                    throw corrupt("cannot read heap object \(index)")
                }
                return data
            }
            p += need
        }
        throw corrupt("heap object \(index) is not in the global heap collection at byte \(collection)")
    }
}
