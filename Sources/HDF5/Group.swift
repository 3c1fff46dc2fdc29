import CHDF5

/// An open HDF5 group (h5py's `Group`); H5Gclose in deinit. Paths may be relative to this
/// group ("images", "layers/0/weights") or absolute ("/train/images"). A `File` is its own
/// root group, as in h5py.
public class Group {
    /// The file, for a group opened from one (which it keeps open); nil for the `File` itself.
    private let parent: File?
    /// Absolute object path, "/" for the root group.
    public let name: String
    /// The group id; -1 once closed (only a `File` closes its root group before deinit).
    var id: hid_t

    /// The file this group belongs to (kept open while the group lives).
    public var file: File { parent ?? unsafeDowncast(self, to: File.self) }

    /// Takes ownership of `id` (already checked ≥ 0). `file` is nil only for `File` itself.
    init(file: File?, id: hid_t, name: String) {
        self.parent = file
        self.id = id
        self.name = name
    }

    deinit {
        if id >= 0 { H5Gclose(id) }
    }

    /// This group's attributes (h5py: `g.attrs`).
    public var attrs: Attributes { Attributes(owner: self, id: id, file: file.path, object: name) }

    private func fullName(_ path: String) -> String { HDF5Library.join(name, path) }

    /// True when every link along `path` exists (h5py: `path in g`).
    public func contains(_ path: String) throws -> Bool {
        HDF5Library.enter()
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in parts {
            if part == "." { continue }
            prefix = (prefix.isEmpty || prefix == "/") ? prefix + part : prefix + "/" + part
            let r = H5Lexists(id, prefix, shim_H5P_DEFAULT())
            if r < 0 {
                throw HDF5Error.fromStack(file: file.path, object: fullName(prefix), "cannot look up the link")
            }
            if r == 0 { return false }
        }
        return true
    }

    /// What `path` names (group, dataset, other), or nil when nothing is there.
    public func kind(of path: String) throws -> ObjectKind? {
        guard try contains(path) else { return nil }
        let oid = H5Oopen(id, path, shim_H5P_DEFAULT())
        guard oid >= 0 else { throw HDF5Error.fromStack(file: file.path, object: fullName(path), "cannot open the object") }
        defer { H5Oclose(oid) }
        switch H5Iget_type(oid) {
        case H5I_GROUP: return .group
        case H5I_DATASET: return .dataset
        default: return .other
        }
    }

    private func require(_ path: String, is wanted: ObjectKind) throws {
        switch try kind(of: path) {
        case nil:
            throw HDF5Error(.noSuchObject, file: file.path, object: fullName(path), message: "\(wanted) not found")
        case let found? where found != wanted:
            throw HDF5Error(.wrongType, file: file.path, object: fullName(path), message: "is a \(found), not a \(wanted)")
        default: return
        }
    }

    /// The group at `path`.
    public func group(_ path: String) throws -> Group {
        try require(path, is: .group)
        let gid = H5Gopen2(id, path, shim_H5P_DEFAULT())
        guard gid >= 0 else { throw HDF5Error.fromStack(file: file.path, object: fullName(path), "cannot open the group") }
        return Group(file: file, id: gid, name: fullName(path))
    }

    /// The dataset at `path`.
    public func dataset(_ path: String) throws -> Dataset {
        try require(path, is: .dataset)
        let did = H5Dopen2(id, path, shim_H5P_DEFAULT())
        guard did >= 0 else { throw HDF5Error.fromStack(file: file.path, object: fullName(path), "cannot open the dataset") }
        return try Dataset.wrap(file: file, id: did, name: fullName(path))
    }

    /// Names of this group's members (links), sorted by name.
    public func keys() throws -> [String] {
        HDF5Library.enter()
        var info = H5G_info_t()
        guard H5Gget_info(id, &info) >= 0 else { throw HDF5Error.fromStack(file: file.path, object: name, "cannot list the group") }
        var names: [String] = []
        for i in 0..<info.nlinks {
            let length = H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, shim_H5P_DEFAULT())
            guard length >= 0 else { throw HDF5Error.fromStack(file: file.path, object: name, "cannot read link \(i)") }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            guard H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, buffer.count, shim_H5P_DEFAULT()) >= 0 else {
                throw HDF5Error.fromStack(file: file.path, object: name, "cannot read link \(i)")
            }
            names.append(buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        return names
    }

    /// Creates a group at `path`, with any missing parents; fails if something is there.
    @discardableResult
    public func createGroup(_ path: String) throws -> Group {
        if try contains(path) {
            throw HDF5Error(.alreadyExists, file: file.path, object: fullName(path), message: "already exists")
        }
        let lcpl = try PropertyList.linkCreate(file: file.path, object: fullName(path))
        let gid = H5Gcreate2(id, path, lcpl.id, shim_H5P_DEFAULT(), shim_H5P_DEFAULT())
        guard gid >= 0 else { throw HDF5Error.fromStack(file: file.path, object: fullName(path), "cannot create the group") }
        return Group(file: file, id: gid, name: fullName(path))
    }

    /// The group at `path`, created (with missing parents) if absent.
    public func requireGroup(_ path: String) throws -> Group {
        try contains(path) ? group(path) : createGroup(path)
    }

    /// Creates a dataset of `shape` holding `data` (row-major, shape-product elements), stored
    /// with `T`'s native type. `chunks` sets the chunk shape (clamped to `shape`); `gzip` (0–9)
    /// compresses with deflate and, without `chunks`, picks chunks of about 1 MiB of whole rows.
    /// Datasets with a zero extent are stored contiguous and uncompressed.
    @discardableResult
    public func createDataset<T: HDF5Element>(
        _ path: String, shape: [Int], data: UnsafeBufferPointer<T>,
        chunks: [Int]? = nil, gzip: Int? = nil
    ) throws -> Dataset {
        HDF5Library.enter()
        let object = fullName(path)
        guard let count = HDF5Library.elementCount(shape), count == data.count else {
            throw HDF5Error(.wrongShape, file: file.path, object: object, message: "shape \(shape) does not hold \(data.count) elements")
        }
        if let level = gzip, !(0...9).contains(level) {
            throw HDF5Error(.invalidArgument, file: file.path, object: object, message: "gzip level \(level) is not in 0...9")
        }
        if let chunks, chunks.count != shape.count || chunks.contains(where: { $0 <= 0 }) {
            throw HDF5Error(.invalidArgument, file: file.path, object: object, message: "chunks \(chunks) do not fit shape \(shape)")
        }
        if try contains(path) {
            throw HDF5Error(.alreadyExists, file: file.path, object: object, message: "already exists")
        }
        let space = try Dataspace(shape: shape, file: file.path, object: object)
        let dcpl = try PropertyList(class: shim_H5P_DATASET_CREATE(), file: file.path, object: object)
        if (chunks != nil || gzip != nil) && !shape.isEmpty && !shape.contains(0) {
            var chunkShape = chunks ?? Self.defaultChunks(shape: shape, elementSize: MemoryLayout<T>.stride)
            chunkShape = zip(chunkShape, shape).map { min($0, $1) }
            let dims = chunkShape.map { hsize_t($0) }
            guard H5Pset_chunk(dcpl.id, Int32(dims.count), dims) >= 0 else {
                throw HDF5Error.fromStack(file: file.path, object: object, "cannot set chunks \(chunkShape)")
            }
            if let level = gzip {
                guard H5Pset_deflate(dcpl.id, UInt32(level)) >= 0 else {
                    throw HDF5Error.fromStack(file: file.path, object: object, "cannot enable gzip")
                }
            }
        }
        let lcpl = try PropertyList.linkCreate(file: file.path, object: object)
        guard let type = HDF5Library.nativeType(T.elementType) else {
            throw HDF5Error(.invalidArgument, file: file.path, object: object, message: "unsupported element type \(T.elementType)")
        }
        let did = H5Dcreate2(id, path, type, space.id, lcpl.id, dcpl.id, shim_H5P_DEFAULT())
        guard did >= 0 else { throw HDF5Error.fromStack(file: file.path, object: object, "cannot create the dataset") }
        let dataset = try Dataset.wrap(file: file, id: did, name: object)
        try dataset.write(data)
        return dataset
    }

    /// `createDataset` from an array.
    @discardableResult
    public func createDataset<T: HDF5Element>(
        _ path: String, shape: [Int], data: [T],
        chunks: [Int]? = nil, gzip: Int? = nil
    ) throws -> Dataset {
        try data.withUnsafeBufferPointer { try createDataset(path, shape: shape, data: $0, chunks: chunks, gzip: gzip) }
    }

    /// About 1 MiB of whole rows per chunk (at least one row).
    static func defaultChunks(shape: [Int], elementSize: Int) -> [Int] {
        let rowBytes = max(1, shape.dropFirst().reduce(elementSize, *))
        let rows = max(1, min(shape[0], (1 << 20) / rowBytes))
        return [rows] + shape.dropFirst()
    }
}
