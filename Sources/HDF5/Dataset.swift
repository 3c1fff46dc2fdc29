import CHDF5

/// An open HDF5 dataset (h5py's `Dataset`); H5Dclose in deinit. Data are row-major (C order).
public final class Dataset {
    /// The file this dataset belongs to (kept open while the dataset lives).
    public let file: File
    /// Absolute object path, e.g. "/train/images".
    public let name: String
    /// Extents, e.g. [60000, 784]; [] for a scalar dataset.
    public let shape: [Int]
    /// The stored element type.
    public let elementType: ElementType
    /// Number of elements (product of `shape`).
    public let count: Int
    let id: hid_t

    private init(file: File, id: hid_t, name: String, shape: [Int], elementType: ElementType, count: Int) {
        self.file = file
        self.id = id
        self.name = name
        self.shape = shape
        self.elementType = elementType
        self.count = count
    }

    deinit { H5Dclose(id) }

    /// Wraps an open dataset id, reading its shape and type; closes `id` on failure.
    static func wrap(file: File, id: hid_t, name: String) throws -> Dataset {
        do {
            let sid = H5Dget_space(id)
            guard sid >= 0 else { throw HDF5Error.fromStack(file: file.path, object: name, "cannot read the dataspace") }
            let space = Dataspace(owning: sid)
            let shape = try space.shape(file: file.path, object: name)
            guard let count = HDF5Library.elementCount(shape) else {
                throw HDF5Error(.wrongShape, file: file.path, object: name, message: "shape \(shape) has too many elements")
            }
            let tid = H5Dget_type(id)
            guard tid >= 0 else { throw HDF5Error.fromStack(file: file.path, object: name, "cannot read the datatype") }
            let type = Datatype(owning: tid).elementType
            return Dataset(file: file, id: id, name: name, shape: shape, elementType: type, count: count)
        } catch {
            H5Dclose(id)
            throw error
        }
    }

    /// Bytes the dataset's data occupy in the file (H5Dget_storage_size; h5py:
    /// `ds.id.get_storage_size()`): 0 when no chunk was ever written.
    /// A corrupt file can declare more than `Int.max` bytes: that reads as `Int.max`.
    public var storageSize: Int {
        let bytes = H5Dget_storage_size(id)
        return bytes > UInt64(Int.max) ? Int.max : Int(bytes)
    }

    /// The dataset's attributes (h5py: `ds.attrs`).
    public var attrs: Attributes { Attributes(owner: self, id: id, file: file.path, object: name) }

    /// The chunk shape, or nil for contiguous/compact storage.
    public var chunks: [Int]? {
        get throws {
            HDF5Library.enter()
            let plist = try creationProperties()
            guard H5Pget_layout(plist.id) == H5D_CHUNKED else { return nil }
            var dims = [hsize_t](repeating: 0, count: max(shape.count, 1))
            let rank = H5Pget_chunk(plist.id, Int32(dims.count), &dims)
            guard rank >= 0 else { throw HDF5Error.fromStack(file: file.path, object: name, "cannot read the chunk shape") }
            return dims.prefix(Int(rank)).map { Int($0) }
        }
    }

    /// The gzip (deflate) level, or nil when the dataset is not gzip-compressed.
    public var gzipLevel: Int? {
        get throws {
            HDF5Library.enter()
            let plist = try creationProperties()
            var flags: UInt32 = 0, config: UInt32 = 0
            var values = [UInt32](repeating: 0, count: 8)
            var valueCount = values.count
            let r = H5Pget_filter_by_id2(plist.id, H5Z_filter_t(H5Z_FILTER_DEFLATE), &flags, &valueCount, &values, 0, nil, &config)
            if r < 0 { _ = HDF5Library.stackMessage(); return nil }
            return valueCount > 0 ? Int(values[0]) : 0
        }
    }

    /// Refuses a compact or contiguous dataset whose stored bytes are not what its shape and
    /// type take: libhdf5 1.10 copies the raw data by the size the dataspace implies, so a
    /// corrupt layout that stores fewer bytes makes `H5Dread` copy past them (a segfault in
    /// H5VM_memcpyvv, found by FuzzKerasH5, `Fuzz/regressions/keras-h5/`). A dataset never
    /// written (a contiguous one with 0 bytes stored) reads as its fill value and passes;
    /// chunked storage is left to libhdf5 and the readers' own size checks.
    private func checkStorage() throws {
        let plist = try creationProperties()
        let layout = H5Pget_layout(plist.id)
        guard layout == H5D_COMPACT || layout == H5D_CONTIGUOUS else { return }
        let stored = H5Dget_storage_size(id)
        let (expected, overflow) = count.multipliedReportingOverflow(by: elementType.size)
        // A compact dataset always holds its whole buffer (fill values until written); a
        // contiguous one may be unallocated (0 bytes, read as fill values).
        guard (layout == H5D_CONTIGUOUS && stored == 0) || (!overflow && stored == UInt64(expected)) else {
            let what = layout == H5D_COMPACT ? "compact" : "contiguous"
            throw HDF5Error(
                .library, file: file.path, object: name,
                message: "its \(what) storage holds \(stored) bytes but shape \(shape) of \(elementType) takes \(expected); the file is corrupt")
        }
    }

    private func creationProperties() throws -> PropertyList {
        let pid = H5Dget_create_plist(id)
        guard pid >= 0 else { throw HDF5Error.fromStack(file: file.path, object: name, "cannot read the creation properties") }
        return PropertyList(owning: pid)
    }

    private func memoryType<T: HDF5Element>(_: T.Type) throws -> hid_t {
        guard elementType.isInteger || elementType.isFloat else {
            throw HDF5Error(.wrongType, file: file.path, object: name, message: "holds \(elementType), cannot be read as \(T.elementType)")
        }
        guard let type = HDF5Library.nativeType(T.elementType) else {
            throw HDF5Error(.invalidArgument, file: file.path, object: name, message: "unsupported element type \(T.elementType)")
        }
        return type
    }

    /// Reads the whole dataset into `buffer` (exactly `count` elements), converting to `T`.
    public func read<T: HDF5Element>(into buffer: UnsafeMutableBufferPointer<T>) throws {
        HDF5Library.enter()
        let type = try memoryType(T.self)
        guard buffer.count == count else {
            throw HDF5Error(.wrongShape, file: file.path, object: name, message: "buffer of \(buffer.count) elements for a dataset of shape \(shape)")
        }
        guard count > 0, let base = buffer.baseAddress else { return }
        try checkStorage()
        guard H5Dread(id, type, shim_H5S_ALL(), shim_H5S_ALL(), shim_H5P_DEFAULT(), base) >= 0 else {
            throw HDF5Error.fromStack(file: file.path, object: name, "cannot read the data")
        }
    }

    /// The whole dataset as `[T]` (shape-product elements, row-major).
    public func read<T: HDF5Element>(as type: T.Type = T.self) throws -> [T] {
        _ = try memoryType(T.self)
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try read(into: UnsafeMutableBufferPointer(rebasing: buffer[0..<count]))
            initialized = count
        }
    }

    /// Elements per row (product of all extents but the first).
    public var rowLength: Int { shape.isEmpty ? 1 : shape.dropFirst().reduce(1, *) }

    /// Reads rows `rows` (along the first axis) into `buffer` (rows.count × rowLength elements):
    /// a hyperslab read (h5py: `ds[a:b]`).
    public func readRows<T: HDF5Element>(_ rows: Range<Int>, into buffer: UnsafeMutableBufferPointer<T>) throws {
        HDF5Library.enter()
        let type = try memoryType(T.self)
        guard !shape.isEmpty else {
            throw HDF5Error(.wrongShape, file: file.path, object: name, message: "a scalar dataset has no rows")
        }
        guard rows.lowerBound >= 0, rows.upperBound <= shape[0] else {
            throw HDF5Error(.wrongShape, file: file.path, object: name, message: "rows \(rows) outside 0..<\(shape[0])")
        }
        let rowShape = [rows.count] + shape.dropFirst()
        guard buffer.count == rows.count * rowLength else {
            throw HDF5Error(.wrongShape, file: file.path, object: name, message: "buffer of \(buffer.count) elements for rows of shape \(rowShape)")
        }
        guard buffer.count > 0, let base = buffer.baseAddress else { return }
        try checkStorage()
        let sid = H5Dget_space(id)
        guard sid >= 0 else { throw HDF5Error.fromStack(file: file.path, object: name, "cannot read the dataspace") }
        let fileSpace = Dataspace(owning: sid)
        try fileSpace.selectBlock(
            start: [rows.lowerBound] + Array(repeating: 0, count: shape.count - 1), count: rowShape,
            file: file.path, object: name)
        let memorySpace = try Dataspace(shape: rowShape, file: file.path, object: name)
        guard H5Dread(id, type, memorySpace.id, fileSpace.id, shim_H5P_DEFAULT(), base) >= 0 else {
            throw HDF5Error.fromStack(file: file.path, object: name, "cannot read rows \(rows)")
        }
    }

    /// Rows `rows` as `[T]` (rows.count × rowLength elements).
    public func readRows<T: HDF5Element>(_ rows: Range<Int>, as type: T.Type = T.self) throws -> [T] {
        guard rows.lowerBound >= 0, rows.upperBound <= (shape.first ?? 0) else {
            throw HDF5Error(.wrongShape, file: file.path, object: name, message: "rows \(rows) outside 0..<\(shape.first ?? 0)")
        }
        let n = rows.count * rowLength
        return try [T](unsafeUninitializedCapacity: n) { buffer, initialized in
            try readRows(rows, into: UnsafeMutableBufferPointer(rebasing: buffer[0..<n]))
            initialized = n
        }
    }

    /// Overwrites the whole dataset with `data` (exactly `count` elements), converting from `T`.
    public func write<T: HDF5Element>(_ data: UnsafeBufferPointer<T>) throws {
        HDF5Library.enter()
        let type = try memoryType(T.self)
        guard data.count == count else {
            throw HDF5Error(.wrongShape, file: file.path, object: name, message: "\(data.count) elements for a dataset of shape \(shape)")
        }
        guard count > 0, let base = data.baseAddress else { return }
        guard H5Dwrite(id, type, shim_H5S_ALL(), shim_H5S_ALL(), shim_H5P_DEFAULT(), base) >= 0 else {
            throw HDF5Error.fromStack(file: file.path, object: name, "cannot write the data")
        }
    }

    /// `write` from an array.
    public func write<T: HDF5Element>(_ data: [T]) throws {
        try data.withUnsafeBufferPointer { try write($0) }
    }
}
