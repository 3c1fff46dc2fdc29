import CHDF5

/// Process-wide helpers around libhdf5.
///
/// Threading: the wrapper is not thread-safe. All HDF5 calls of a program must happen on one
/// thread at a time (ShardNet reads and writes files on its main thread only; training workers
/// never touch HDF5). None of the handle classes is `Sendable`.
///
/// Error printing: libhdf5 prints every error to stderr unless told not to. Debian's build is
/// thread-safe, where that setting is per thread, so every public entry point calls `enter()`,
/// which silences the calling thread once (a thread-local flag in the C shim).
enum HDF5Library {
    /// Call at the start of every public entry point.
    @inline(__always)
    static func enter() { shim_silence_errors() }

    /// HDF5's message for the last failure on this thread (outermost and innermost frames of the
    /// error stack); clears the stack. "" when the stack is empty.
    static func stackMessage() -> String {
        var buffer = [CChar](repeating: 0, count: 2048)
        let frames = buffer.withUnsafeMutableBufferPointer { shim_error_message($0.baseAddress, $0.count) }
        guard frames > 0 else { return "" }
        return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Memory type for an element type (nil for strings and unsupported types). Library
    /// constants: never closed.
    static func nativeType(_ type: ElementType) -> hid_t? {
        switch type {
        case .int8: return shim_H5T_NATIVE_INT8()
        case .uint8: return shim_H5T_NATIVE_UINT8()
        case .int16: return shim_H5T_NATIVE_INT16()
        case .uint16: return shim_H5T_NATIVE_UINT16()
        case .int32: return shim_H5T_NATIVE_INT32()
        case .uint32: return shim_H5T_NATIVE_UINT32()
        case .int64: return shim_H5T_NATIVE_INT64()
        case .uint64: return shim_H5T_NATIVE_UINT64()
        case .float32: return shim_H5T_NATIVE_FLOAT()
        case .float64: return shim_H5T_NATIVE_DOUBLE()
        case .string, .other: return nil
        }
    }

    /// Product of `shape`, or nil on overflow or a negative extent.
    static func elementCount(_ shape: [Int]) -> Int? {
        var n = 1
        for d in shape {
            guard d >= 0 else { return nil }
            let (p, o) = n.multipliedReportingOverflow(by: d)
            if o { return nil }
            n = p
        }
        return n
    }

    /// `base` joined with a relative `path`; absolute paths are returned as they are.
    static func join(_ base: String, _ path: String) -> String {
        if path.hasPrefix("/") { return path }
        if path.isEmpty || path == "." { return base }
        return base == "/" ? "/" + path : base + "/" + path
    }
}
