import CHDF5

/// The attributes of a group or dataset (h5py's `AttributeManager`, `obj.attrs`).
///
/// Reading converts: any integer type reads as Int64, any float (or integer) as Double. Writing
/// replaces an existing attribute of the same name.
public struct Attributes {
    /// Keeps the owning group or dataset (and its file) open.
    let owner: AnyObject
    let id: hid_t
    /// File path and object path, for error messages.
    let file: String
    let object: String

    private final class NameList { var names: [String] = [] }

    /// Attribute names, in name order.
    public func names() throws -> [String] {
        HDF5Library.enter()
        let list = NameList()
        var index: hsize_t = 0
        let status = withExtendedLifetime(list) {
            H5Aiterate2(
                id, H5_INDEX_NAME, H5_ITER_INC, &index,
                { _, name, _, context in
                    guard let name, let context else { return -1 }
                    Unmanaged<NameList>.fromOpaque(context).takeUnretainedValue().names.append(String(cString: name))
                    return 0
                }, Unmanaged.passUnretained(list).toOpaque())
        }
        guard status >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot list attributes") }
        return list.names
    }

    /// True when attribute `name` exists (h5py: `name in obj.attrs`).
    public func contains(_ name: String) throws -> Bool {
        HDF5Library.enter()
        let r = H5Aexists(id, name)
        guard r >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot look up attribute '\(name)'") }
        return r > 0
    }

    private func open(_ name: String) throws -> Attribute {
        guard try contains(name) else {
            throw HDF5Error(.noSuchObject, file: file, object: object, message: "attribute '\(name)' not found")
        }
        return try Attribute(owner: owner, objectID: id, name: name, file: file, object: object)
    }

    /// The stored element type and shape of attribute `name`.
    public func info(_ name: String) throws -> (type: ElementType, shape: [Int]) {
        let a = try open(name)
        return (a.type.elementType, a.shape)
    }

    /// The value of attribute `name`: scalars (rank 0, or shape [1] for strings) and 1-D arrays.
    public func get(_ name: String) throws -> AttributeValue {
        HDF5Library.enter()
        let a = try open(name)
        let type = a.type.elementType
        func wrong(_ why: String) -> HDF5Error {
            HDF5Error(.wrongType, file: file, object: object, message: "attribute '\(name)' \(why)")
        }
        if a.shape.count > 1 { throw wrong("has shape \(a.shape); only scalars and 1-D arrays are supported") }
        if type.isInteger {
            let v = try a.readNumbers(Int64.self)
            return a.shape.isEmpty ? .int64(v.first ?? 0) : .int64Array(v)
        }
        if type.isFloat {
            let v = try a.readNumbers(Double.self)
            return a.shape.isEmpty ? .double(v.first ?? 0) : .doubleArray(v)
        }
        if type == .string {
            guard a.count == 1 else { throw wrong("is an array of \(a.count) strings; expected one string") }
            return .string(try a.readString())
        }
        throw wrong("has unsupported type \(type)")
    }

    private func mismatch(_ name: String, _ value: AttributeValue, expected: String) -> HDF5Error {
        let found: String
        switch value {
        case .int64: found = "an integer"
        case .double: found = "a float"
        case .string: found = "a string"
        case .int64Array(let a): found = "an integer array of \(a.count)"
        case .doubleArray(let a): found = "a float array of \(a.count)"
        }
        return HDF5Error(.wrongType, file: file, object: object, message: "attribute '\(name)' is \(found); expected \(expected)")
    }

    /// Integer attribute `name` (a scalar or a one-element array).
    public func int64(_ name: String) throws -> Int64 {
        let value = try get(name)
        switch value {
        case .int64(let v): return v
        case .int64Array(let a) where a.count == 1: return a[0]
        default: throw mismatch(name, value, expected: "an integer")
        }
    }

    /// Real attribute `name` (integers are converted).
    public func double(_ name: String) throws -> Double {
        let value = try get(name)
        switch value {
        case .double(let v): return v
        case .doubleArray(let a) where a.count == 1: return a[0]
        case .int64(let v): return Double(v)
        default: throw mismatch(name, value, expected: "a number")
        }
    }

    /// String attribute `name`.
    public func string(_ name: String) throws -> String {
        let value = try get(name)
        guard case .string(let s) = value else { throw mismatch(name, value, expected: "a string") }
        return s
    }

    /// Integer array attribute `name` (a scalar reads as one element).
    public func int64Array(_ name: String) throws -> [Int64] {
        let value = try get(name)
        switch value {
        case .int64Array(let a): return a
        case .int64(let v): return [v]
        default: throw mismatch(name, value, expected: "an integer array")
        }
    }

    /// Real array attribute `name` (integers are converted; a scalar reads as one element).
    public func doubleArray(_ name: String) throws -> [Double] {
        let value = try get(name)
        switch value {
        case .doubleArray(let a): return a
        case .double(let v): return [v]
        case .int64Array(let a): return a.map(Double.init)
        case .int64(let v): return [Double(v)]
        default: throw mismatch(name, value, expected: "a float array")
        }
    }

    /// Deletes attribute `name`.
    public func delete(_ name: String) throws {
        HDF5Library.enter()
        guard try contains(name) else {
            throw HDF5Error(.noSuchObject, file: file, object: object, message: "attribute '\(name)' not found")
        }
        guard H5Adelete(id, name) >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot delete attribute '\(name)'") }
    }

    /// Sets attribute `name`, replacing any existing one (h5py: `obj.attrs[name] = value`).
    public func set(_ name: String, _ value: AttributeValue) throws {
        HDF5Library.enter()
        if try contains(name) { try delete(name) }
        switch value {
        case .int64(let v): try write(name, [v], shape: [])
        case .double(let v): try write(name, [v], shape: [])
        case .int64Array(let a): try write(name, a, shape: [a.count])
        case .doubleArray(let a): try write(name, a, shape: [a.count])
        case .string(let s):
            let type = try Datatype.variableString(file: file, object: object)
            let space = try Dataspace(shape: [], file: file, object: object)
            let aid = H5Acreate2(id, name, type.id, space.id, shim_H5P_DEFAULT(), shim_H5P_DEFAULT())
            guard aid >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot create attribute '\(name)'") }
            defer { H5Aclose(aid) }
            let status = s.withCString { p -> herr_t in
                var pointer: UnsafePointer<CChar>? = p
                return H5Awrite(aid, type.id, &pointer)
            }
            guard status >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot write attribute '\(name)'") }
        }
    }

    private func write<T: HDF5Element>(_ name: String, _ values: [T], shape: [Int]) throws {
        guard let type = HDF5Library.nativeType(T.elementType) else {
            throw HDF5Error(.invalidArgument, file: file, object: object, message: "attribute '\(name)': unsupported type \(T.elementType)")
        }
        let space = try Dataspace(shape: shape, file: file, object: object)
        let aid = H5Acreate2(id, name, type, space.id, shim_H5P_DEFAULT(), shim_H5P_DEFAULT())
        guard aid >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot create attribute '\(name)'") }
        defer { H5Aclose(aid) }
        guard !values.isEmpty else { return }
        let status = values.withUnsafeBufferPointer { H5Awrite(aid, type, $0.baseAddress!) }
        guard status >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot write attribute '\(name)'") }
    }
}
