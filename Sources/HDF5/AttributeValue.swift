/// The attribute values the wrapper reads and writes (h5py's int, float, str, and 1-D int/float
/// arrays). Integers are written as int64, reals as float64, strings as variable-length UTF-8.
public enum AttributeValue: Equatable, Sendable {
    case int64(Int64)
    case double(Double)
    case string(String)
    case int64Array([Int64])
    case doubleArray([Double])
}
