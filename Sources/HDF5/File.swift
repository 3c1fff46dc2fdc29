#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CHDF5

/// An open HDF5 file (h5py's `File`). Groups, datasets and attributes opened from it keep it
/// alive; it is closed (H5Fclose) by `close()` or in deinit.
///
/// Files are opened with the "semi" close degree: `close()` fails while any object of the file
/// is still open, so a successful `close()` means the file really is closed and flushed.
///
/// Not thread-safe: use from one thread at a time (see `HDF5Library`).
public final class File {
    /// How to open a file (h5py's mode letters in brackets).
    public enum Mode: Sendable, Equatable {
        /// Read only; the file must exist ("r").
        case read
        /// Read and write; the file must exist ("r+").
        case readWrite
        /// Create, truncating any existing file ("w").
        case create
        /// Create; fail if the file exists ("w-" / "x").
        case createExclusive
    }

    /// Path on disk, as given.
    public let path: String
    public let mode: Mode
    /// The file id; -1 once closed.
    private(set) var id: hid_t

    /// Opens or creates `path`.
    ///
    /// Errors: `.noSuchFile` ("no such file", or the folder to create in is missing),
    /// `.notHDF5` (exists but has no HDF5 signature: empty, text, …), `.alreadyExists`
    /// (createExclusive), `.library` (e.g. a truncated file).
    public init(_ path: String, mode: Mode = .read) throws {
        HDF5Library.enter()
        self.path = path
        self.mode = mode
        let fapl = try PropertyList.fileAccess(file: path)
        var st = stat()
        let exists = stat(path, &st) == 0
        switch mode {
        case .read, .readWrite:
            guard exists else { throw HDF5Error(.noSuchFile, file: path, object: "/", message: "no such file") }
            guard (st.st_mode & S_IFMT) == S_IFREG else {
                throw HDF5Error(.notHDF5, file: path, object: "/", message: "not a regular file (a folder?)")
            }
            guard H5Fis_hdf5(path) > 0 else {
                _ = HDF5Library.stackMessage()
                let what = st.st_size == 0 ? "an empty file" : "no HDF5 signature"
                throw HDF5Error(.notHDF5, file: path, object: "/", message: "not an HDF5 file (\(what))")
            }
            try GlobalHeapCheck.validate(path: path)
            let flags = mode == .read ? shim_H5F_ACC_RDONLY() : shim_H5F_ACC_RDWR()
            id = H5Fopen(path, flags, fapl.id)
            guard id >= 0 else {
                throw HDF5Error.fromStack(file: path, object: "/", "cannot open the file (corrupt or truncated?)")
            }
        case .create, .createExclusive:
            let folder = File.folder(of: path)
            var dst = stat()
            guard stat(folder, &dst) == 0, (dst.st_mode & S_IFMT) == S_IFDIR else {
                throw HDF5Error(.noSuchFile, file: path, object: "/", message: "cannot create the file: no such folder \(folder)")
            }
            if mode == .createExclusive && exists {
                throw HDF5Error(.alreadyExists, file: path, object: "/", message: "file already exists")
            }
            let flags = mode == .create ? shim_H5F_ACC_TRUNC() : shim_H5F_ACC_EXCL()
            id = H5Fcreate(path, flags, shim_H5P_DEFAULT(), fapl.id)
            guard id >= 0 else { throw HDF5Error.fromStack(file: path, object: "/", "cannot create the file") }
        }
    }

    deinit {
        if id >= 0 { H5Fclose(id) }
    }

    /// True when `path` is a readable file with the HDF5 signature.
    public static func isHDF5(_ path: String) -> Bool {
        HDF5Library.enter()
        let r = H5Fis_hdf5(path)
        if r < 0 { _ = HDF5Library.stackMessage() }
        return r > 0
    }

    /// True until `close()` succeeds.
    public var isOpen: Bool { id >= 0 }

    /// Writes buffered data to disk (H5Fflush, global scope). It does not fsync.
    public func flush() throws {
        HDF5Library.enter()
        try checkOpen()
        guard H5Fflush(id, H5F_SCOPE_GLOBAL) >= 0 else { throw HDF5Error.fromStack(file: path, object: "/", "cannot flush") }
    }

    /// Closes the file. Fails (and leaves it open) while any group, dataset or attribute of it
    /// is still referenced.
    public func close() throws {
        HDF5Library.enter()
        guard id >= 0 else { return }
        let openObjects = H5Fget_obj_count(id, UInt32(H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR))
        guard openObjects <= 0 else {
            throw HDF5Error(.invalidArgument, file: path, object: "/", message: "cannot close: \(openObjects) objects of the file are still open")
        }
        guard H5Fclose(id) >= 0 else { throw HDF5Error.fromStack(file: path, object: "/", "cannot close the file") }
        id = -1
    }

    /// The root group "/".
    public var root: Group {
        get throws {
            HDF5Library.enter()
            try checkOpen()
            let gid = H5Gopen2(id, "/", shim_H5P_DEFAULT())
            guard gid >= 0 else { throw HDF5Error.fromStack(file: path, object: "/", "cannot open the root group") }
            return Group(file: self, id: gid, name: "/")
        }
    }

    /// The root group's attributes (h5py: `f.attrs`).
    public var attrs: Attributes { get throws { try root.attrs } }

    /// The group at `path` (h5py: `f[path]`).
    public func group(_ path: String) throws -> Group { try root.group(path) }
    /// The dataset at `path` (h5py: `f[path]`).
    public func dataset(_ path: String) throws -> Dataset { try root.dataset(path) }
    /// True when a link `path` exists (h5py: `path in f`).
    public func contains(_ path: String) throws -> Bool { try root.contains(path) }
    /// What `path` names, or nil when nothing is there.
    public func kind(of path: String) throws -> ObjectKind? { try root.kind(of: path) }
    /// Names of the root group's members, sorted by name.
    public func keys() throws -> [String] { try root.keys() }
    /// Creates a group (and missing parents); fails if it exists.
    @discardableResult
    public func createGroup(_ path: String) throws -> Group { try root.createGroup(path) }
    /// Opens the group at `path`, creating it (and missing parents) if needed.
    public func requireGroup(_ path: String) throws -> Group { try root.requireGroup(path) }

    /// Creates a dataset from `data` (shape-many elements, row-major). See `Group.createDataset`.
    @discardableResult
    public func createDataset<T: HDF5Element>(_ path: String, shape: [Int], data: [T], chunks: [Int]? = nil, gzip: Int? = nil) throws -> Dataset {
        try root.createDataset(path, shape: shape, data: data, chunks: chunks, gzip: gzip)
    }

    func checkOpen() throws {
        guard id >= 0 else { throw HDF5Error(.invalidArgument, file: path, object: "/", message: "file is closed") }
    }

    /// The folder a path lives in ("." for a bare name).
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let f = String(path[..<slash])
        return f.isEmpty ? "/" : f
    }
}
