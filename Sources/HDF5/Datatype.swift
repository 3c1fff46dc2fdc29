import CHDF5

/// An HDF5 datatype handle (H5Tclose in deinit). Library constants (H5T_NATIVE_*) are never
/// wrapped: they must not be closed.
final class Datatype {
    let id: hid_t

    /// Takes ownership of `id` (already checked ≥ 0).
    init(owning id: hid_t) { self.id = id }

    deinit { H5Tclose(id) }

    /// A copy of a type (H5Tcopy), e.g. of H5T_C_S1 to set its size.
    static func copy(of type: hid_t, file: String, object: String) throws -> Datatype {
        let id = H5Tcopy(type)
        guard id >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot copy a datatype") }
        return Datatype(owning: id)
    }

    /// A variable-length UTF-8 string type, as h5py writes `str` attributes.
    static func variableString(file: String, object: String) throws -> Datatype {
        let t = try copy(of: shim_H5T_C_S1(), file: file, object: object)
        guard H5Tset_size(t.id, shim_H5T_VARIABLE()) >= 0, H5Tset_cset(t.id, H5T_CSET_UTF8) >= 0 else {
            throw HDF5Error.fromStack(file: file, object: object, "cannot make a string type")
        }
        return t
    }

    /// True for a variable-length string type.
    var isVariableString: Bool { H5Tis_variable_str(id) > 0 }

    /// Size in bytes of one element.
    var size: Int { Int(H5Tget_size(id)) }

    /// The element type in numpy's names.
    var elementType: ElementType {
        let size = H5Tget_size(id)
        switch H5Tget_class(id) {
        case H5T_INTEGER:
            let signed = H5Tget_sign(id) == H5T_SGN_2
            switch size {
            case 1: return signed ? .int8 : .uint8
            case 2: return signed ? .int16 : .uint16
            case 4: return signed ? .int32 : .uint32
            case 8: return signed ? .int64 : .uint64
            default: return .other("\(size)-byte integer")
            }
        case H5T_FLOAT:
            switch size {
            case 4: return .float32
            case 8: return .float64
            default: return .other("\(size)-byte float")
            }
        case H5T_STRING: return .string
        case H5T_COMPOUND: return .other("compound")
        case H5T_ENUM: return .other("enum")
        case H5T_ARRAY: return .other("array")
        case H5T_OPAQUE: return .other("opaque")
        case H5T_VLEN: return .other("vlen")
        case H5T_REFERENCE: return .other("reference")
        case H5T_BITFIELD: return .other("bitfield")
        case H5T_TIME: return .other("time")
        default: return .other("unknown type")
        }
    }
}
