import CHDF5

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An open HDF5 attribute (H5Aclose in deinit), with its type and dataspace.
final class Attribute {
    let id: hid_t
    /// Keeps the object the attribute is attached to (and so the file) open.
    let owner: AnyObject
    let name: String
    let file: String
    let object: String
    let type: Datatype
    let shape: [Int]
    let count: Int

    /// Opens attribute `name` of object `objectID`; closes everything on failure.
    init(owner: AnyObject, objectID: hid_t, name: String, file: String, object: String) throws {
        let aid = H5Aopen(objectID, name, shim_H5P_DEFAULT())
        guard aid >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot open attribute '\(name)'") }
        let tid = H5Aget_type(aid)
        let sid = H5Aget_space(aid)
        guard tid >= 0, sid >= 0 else {
            if tid >= 0 { H5Tclose(tid) }
            if sid >= 0 { H5Sclose(sid) }
            H5Aclose(aid)
            throw HDF5Error.fromStack(file: file, object: object, "cannot read attribute '\(name)'")
        }
        let space = Dataspace(owning: sid)
        let shape: [Int], count: Int
        do {
            shape = try space.shape(file: file, object: object)
            count = try space.pointCount(file: file, object: object)
        } catch {
            H5Tclose(tid)
            H5Aclose(aid)
            throw error
        }
        self.id = aid
        self.owner = owner
        self.name = name
        self.file = file
        self.object = object
        self.type = Datatype(owning: tid)
        self.shape = shape
        self.count = count
    }

    deinit { H5Aclose(id) }

    /// Refuses an attribute whose declared data (`count` elements of `elementSize` bytes)
    /// could not be stored in its file: a corrupt shape or type size would otherwise make the
    /// reader allocate what the file declares.
    private func checkFits(elementSize: Int) throws {
        var st = stat()
        let fileSize = stat(file, &st) == 0 ? Int(st.st_size) : Int.max
        let (bytes, overflow) = count.multipliedReportingOverflow(by: elementSize)
        guard !overflow, bytes <= fileSize else {
            throw HDF5Error(
                .library, file: file, object: object,
                message: "attribute '\(name)' declares \(count) elements of \(elementSize) bytes, more than the file holds; the file is damaged")
        }
    }

    /// All elements converted to `T` (the stored type must be numeric).
    func readNumbers<T: HDF5Element>(_: T.Type) throws -> [T] {
        guard let memoryType = HDF5Library.nativeType(T.elementType) else {
            throw HDF5Error(.invalidArgument, file: file, object: object, message: "attribute '\(name)': unsupported type \(T.elementType)")
        }
        let n = count
        try checkFits(elementSize: max(type.size, 1))
        return try [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            if n > 0 {
                guard H5Aread(id, memoryType, buffer.baseAddress!) >= 0 else {
                    throw HDF5Error.fromStack(file: file, object: object, "cannot read attribute '\(name)'")
                }
            }
            initialized = n
        }
    }

    /// The value of a scalar string attribute (fixed- or variable-length).
    func readString() throws -> String {
        let cset = H5Tget_cset(type.id)
        if type.isVariableString {
            return try VariableLengthString.read(attribute: id, count: count, name: name, file: file, object: object)
        }
        let size = type.size
        try checkFits(elementSize: size)
        let memoryType = try Datatype.copy(of: shim_H5T_C_S1(), file: file, object: object)
        H5Tset_cset(memoryType.id, cset)
        guard H5Tset_size(memoryType.id, size + 1) >= 0, H5Tset_strpad(memoryType.id, H5T_STR_NULLTERM) >= 0 else {
            throw HDF5Error.fromStack(file: file, object: object, "cannot read attribute '\(name)'")
        }
        var bytes = [UInt8](repeating: 0, count: size + 1)
        guard H5Aread(id, memoryType.id, &bytes) >= 0 else {
            throw HDF5Error.fromStack(file: file, object: object, "cannot read attribute '\(name)'")
        }
        let end = bytes.firstIndex(of: 0) ?? bytes.count
        return String(decoding: bytes[..<end], as: UTF8.self)
    }
}
