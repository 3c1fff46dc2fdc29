import CHDF5

/// 1-D string-array attributes, as h5py writes `np.array([b"a", b"bc"])` (fixed-length, NUL-padded)
/// and `["a", "bc"]` with a vlen str dtype. Keras's legacy HDF5 format keeps `layer_names` and
/// `weight_names` this way.
extension Attributes {
    /// The strings of attribute `name`: a 1-D (or scalar) string attribute, fixed- or
    /// variable-length. At most `limit` elements (a file cannot make the reader allocate more).
    public func stringArray(_ name: String, limit: Int = 1 << 20) throws -> [String] {
        HDF5Library.enter()
        guard try contains(name) else {
            throw HDF5Error(.noSuchObject, file: file, object: object, message: "attribute '\(name)' not found")
        }
        let a = try Attribute(owner: owner, objectID: id, name: name, file: file, object: object)
        func wrong(_ why: String) -> HDF5Error {
            HDF5Error(.wrongType, file: file, object: object, message: "attribute '\(name)' \(why)")
        }
        guard a.type.elementType == .string else { throw wrong("has type \(a.type.elementType); expected strings") }
        guard a.shape.count <= 1 else { throw wrong("has shape \(a.shape); expected a 1-D array of strings") }
        let n = a.count
        guard n <= limit else { throw wrong("holds \(n) strings; at most \(limit) are accepted") }
        if n == 0 { return [] }
        let cset = H5Tget_cset(a.type.id)
        if a.type.isVariableString {
            let memoryType = try Datatype.variableString(file: file, object: object)
            H5Tset_cset(memoryType.id, cset)
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: n)
            guard H5Aread(a.id, memoryType.id, &pointers) >= 0 else {
                throw HDF5Error.fromStack(file: file, object: object, "cannot read attribute '\(name)'")
            }
            defer { for p in pointers { if let p { H5free_memory(p) } } }
            return pointers.map { $0.map { String(cString: $0) } ?? "" }
        }
        let size = a.type.size
        guard size > 0, size <= 1 << 16, n * size <= 1 << 26 else { throw wrong("has strings of \(size) bytes; too large") }
        let memoryType = try Datatype.copy(of: shim_H5T_C_S1(), file: file, object: object)
        H5Tset_cset(memoryType.id, cset)
        guard H5Tset_size(memoryType.id, size) >= 0, H5Tset_strpad(memoryType.id, H5T_STR_NULLPAD) >= 0 else {
            throw HDF5Error.fromStack(file: file, object: object, "cannot read attribute '\(name)'")
        }
        var bytes = [UInt8](repeating: 0, count: n * size)
        guard H5Aread(a.id, memoryType.id, &bytes) >= 0 else {
            throw HDF5Error.fromStack(file: file, object: object, "cannot read attribute '\(name)'")
        }
        return (0..<n).map { i in
            let slice = bytes[(i * size)..<((i + 1) * size)]
            let end = slice.firstIndex(of: 0) ?? slice.endIndex
            return String(decoding: slice[slice.startIndex..<end], as: UTF8.self)
        }
    }

    /// Sets attribute `name` to a 1-D array of fixed-length, NUL-padded strings (numpy's `S<n>`
    /// dtype: what h5py writes for `np.array([b"dense", b"dense_1"])`), replacing any existing one.
    public func setFixedStringArray(_ name: String, _ values: [String]) throws {
        HDF5Library.enter()
        if try contains(name) { try delete(name) }
        let encoded = values.map { Array($0.utf8) }
        let size = max(1, encoded.map(\.count).max() ?? 1)
        let type = try Datatype.copy(of: shim_H5T_C_S1(), file: file, object: object)
        guard H5Tset_size(type.id, size) >= 0, H5Tset_strpad(type.id, H5T_STR_NULLPAD) >= 0 else {
            throw HDF5Error.fromStack(file: file, object: object, "cannot make a string type")
        }
        let space = try Dataspace(shape: [values.count], file: file, object: object)
        let aid = H5Acreate2(id, name, type.id, space.id, shim_H5P_DEFAULT(), shim_H5P_DEFAULT())
        guard aid >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot create attribute '\(name)'") }
        defer { H5Aclose(aid) }
        guard !values.isEmpty else { return }
        var bytes = [UInt8](repeating: 0, count: values.count * size)
        for (i, e) in encoded.enumerated() { bytes.replaceSubrange((i * size)..<(i * size + e.count), with: e) }
        guard H5Awrite(aid, type.id, bytes) >= 0 else {
            throw HDF5Error.fromStack(file: file, object: object, "cannot write attribute '\(name)'")
        }
    }

    /// Sets attribute `name` to a scalar fixed-length string (what h5py writes for a `bytes`
    /// value, e.g. Keras's `keras_version` and `backend`).
    public func setFixedString(_ name: String, _ value: String) throws {
        HDF5Library.enter()
        if try contains(name) { try delete(name) }
        let encoded = Array(value.utf8)
        let size = max(1, encoded.count)
        let type = try Datatype.copy(of: shim_H5T_C_S1(), file: file, object: object)
        guard H5Tset_size(type.id, size) >= 0, H5Tset_strpad(type.id, H5T_STR_NULLPAD) >= 0 else {
            throw HDF5Error.fromStack(file: file, object: object, "cannot make a string type")
        }
        let space = try Dataspace(shape: [], file: file, object: object)
        let aid = H5Acreate2(id, name, type.id, space.id, shim_H5P_DEFAULT(), shim_H5P_DEFAULT())
        guard aid >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot create attribute '\(name)'") }
        defer { H5Aclose(aid) }
        var bytes = encoded + [UInt8](repeating: 0, count: size - encoded.count)
        guard H5Awrite(aid, type.id, &bytes) >= 0 else {
            throw HDF5Error.fromStack(file: file, object: object, "cannot write attribute '\(name)'")
        }
    }
}
