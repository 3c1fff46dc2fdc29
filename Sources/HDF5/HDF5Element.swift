/// A Swift scalar that maps one-to-one onto an HDF5 native type. Reads convert from the stored
/// type to this one (HDF5's conversion rules: integers clip, floats round).
public protocol HDF5Element: BitwiseCopyable, Sendable {
    static var elementType: ElementType { get }
}

extension Int8: HDF5Element { public static var elementType: ElementType { .int8 } }
extension UInt8: HDF5Element { public static var elementType: ElementType { .uint8 } }
extension Int16: HDF5Element { public static var elementType: ElementType { .int16 } }
extension UInt16: HDF5Element { public static var elementType: ElementType { .uint16 } }
extension Int32: HDF5Element { public static var elementType: ElementType { .int32 } }
extension UInt32: HDF5Element { public static var elementType: ElementType { .uint32 } }
extension Int64: HDF5Element { public static var elementType: ElementType { .int64 } }
extension UInt64: HDF5Element { public static var elementType: ElementType { .uint64 } }
extension Float: HDF5Element { public static var elementType: ElementType { .float32 } }
extension Double: HDF5Element { public static var elementType: ElementType { .float64 } }
