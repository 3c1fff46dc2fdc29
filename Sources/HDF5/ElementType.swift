import CHDF5

/// The element type of a dataset or attribute, in numpy's names.
public enum ElementType: Equatable, Sendable, CustomStringConvertible {
    case int8, uint8, int16, uint16, int32, uint32, int64, uint64
    case float32, float64
    /// A fixed- or variable-length string.
    case string
    /// Anything else (compound, enum, array, opaque, …), with a short description.
    case other(String)

    /// True for the eight integer types.
    public var isInteger: Bool {
        switch self {
        case .int8, .uint8, .int16, .uint16, .int32, .uint32, .int64, .uint64: return true
        default: return false
        }
    }

    /// Bytes per element in memory (1 for strings and other types: a lower bound).
    public var size: Int {
        switch self {
        case .int8, .uint8: return 1
        case .int16, .uint16: return 2
        case .int32, .uint32, .float32: return 4
        case .int64, .uint64, .float64: return 8
        case .string, .other: return 1
        }
    }

    /// True for float32 and float64.
    public var isFloat: Bool { self == .float32 || self == .float64 }

    public var description: String {
        switch self {
        case .int8: return "int8"
        case .uint8: return "uint8"
        case .int16: return "int16"
        case .uint16: return "uint16"
        case .int32: return "int32"
        case .uint32: return "uint32"
        case .int64: return "int64"
        case .uint64: return "uint64"
        case .float32: return "float32"
        case .float64: return "float64"
        case .string: return "string"
        case .other(let s): return s
        }
    }
}
