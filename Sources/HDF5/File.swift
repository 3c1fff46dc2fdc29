import CHDF5

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An open HDF5 file, which is also its root group "/" (h5py: `class File(Group)`): `f.attrs`,
/// `f.group(...)`, `f.createDataset(...)` act on "/". Groups, datasets and attributes opened
/// from it keep it alive; `close()` or deinit closes the root group, then the file (H5Fclose).
///
/// Files are opened with the "semi" close degree: `close()` fails while any other object of
/// the file is still open, so a successful `close()` means the file really is closed and flushed.
///
/// Not thread-safe: use from one thread at a time (see `HDF5Library`).
public final class File: Group {
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
    /// The file id; -1 once closed. (`id`, inherited, is the root group's.)
    private(set) var fileID: hid_t

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
        let fid: hid_t
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
            try SuperblockCheck.validate(path: path)
            try GlobalHeapCheck.validate(path: path)
            let flags = mode == .read ? shim_H5F_ACC_RDONLY() : shim_H5F_ACC_RDWR()
            fid = H5Fopen(path, flags, fapl.id)
            guard fid >= 0 else {
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
            fid = H5Fcreate(path, flags, shim_H5P_DEFAULT(), fapl.id)
            guard fid >= 0 else { throw HDF5Error.fromStack(file: path, object: "/", "cannot create the file") }
        }
        let gid = H5Gopen2(fid, "/", shim_H5P_DEFAULT())
        guard gid >= 0 else {
            let error = HDF5Error.fromStack(file: path, object: "/", "cannot open the root group")
            H5Fclose(fid)
            throw error
        }
        fileID = fid
        super.init(file: nil, id: gid, name: "/")
    }

    /// Runs before `Group`'s deinit: the root group must be closed first, or the semi close
    /// degree makes H5Fclose fail. Both ids are -1 afterwards, so nothing is closed twice.
    deinit {
        closeRootGroup()
        if fileID >= 0 { H5Fclose(fileID) }
        fileID = -1
    }

    private func closeRootGroup() {
        if id >= 0 { H5Gclose(id) }
        id = -1
    }

    /// True when `path` is a readable file with the HDF5 signature.
    public static func isHDF5(_ path: String) -> Bool {
        HDF5Library.enter()
        let r = H5Fis_hdf5(path)
        if r < 0 { _ = HDF5Library.stackMessage() }
        return r > 0
    }

    /// True until `close()` succeeds.
    public var isOpen: Bool { fileID >= 0 }

    /// Writes buffered data to disk (H5Fflush, global scope). It does not fsync.
    public func flush() throws {
        HDF5Library.enter()
        try checkOpen()
        guard H5Fflush(fileID, H5F_SCOPE_GLOBAL) >= 0 else { throw HDF5Error.fromStack(file: path, object: "/", "cannot flush") }
    }

    /// Closes the file. Fails (and leaves it open) while any group, dataset or attribute of it
    /// other than the root group is still referenced.
    public func close() throws {
        HDF5Library.enter()
        guard fileID >= 0 else { return }
        // Objects opened through this id only: another `File` of the same path has its own root group.
        let types = UInt32(H5F_OBJ_DATASET | H5F_OBJ_GROUP | H5F_OBJ_DATATYPE | H5F_OBJ_ATTR) | shim_H5F_OBJ_LOCAL()
        let openObjects = H5Fget_obj_count(fileID, types) - (id >= 0 ? 1 : 0)
        guard openObjects <= 0 else {
            throw HDF5Error(.invalidArgument, file: path, object: "/", message: "cannot close: \(openObjects) objects of the file are still open")
        }
        closeRootGroup()
        guard H5Fclose(fileID) >= 0 else { throw HDF5Error.fromStack(file: path, object: "/", "cannot close the file") }
        fileID = -1
    }

    /// The root group "/": the file itself (h5py: `f["/"]`).
    public var root: Group {
        get throws {
            try checkOpen()
            return self
        }
    }

    func checkOpen() throws {
        guard fileID >= 0, id >= 0 else { throw HDF5Error(.invalidArgument, file: path, object: "/", message: "file is closed") }
    }

    /// The folder a path lives in ("." for a bare name).
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let f = String(path[..<slash])
        return f.isEmpty ? "/" : f
    }
}
