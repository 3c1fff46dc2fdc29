import CHDF5

/// An HDF5 property list handle (H5Pclose in deinit).
final class PropertyList {
    let id: hid_t

    /// A new property list of class `cls` (e.g. shim_H5P_DATASET_CREATE()).
    init(class cls: hid_t, file: String, object: String) throws {
        let id = H5Pcreate(cls)
        guard id >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot create a property list") }
        self.id = id
    }

    /// Takes ownership of `id` (already checked ≥ 0).
    init(owning id: hid_t) { self.id = id }

    deinit { H5Pclose(id) }

    /// A file-access list with the "semi" close degree: closing a file fails while any of its
    /// objects is still open, instead of silently leaving the file open.
    static func fileAccess(file: String) throws -> PropertyList {
        let p = try PropertyList(class: shim_H5P_FILE_ACCESS(), file: file, object: "/")
        guard H5Pset_fclose_degree(p.id, H5F_CLOSE_SEMI) >= 0 else {
            throw HDF5Error.fromStack(file: file, object: "/", "cannot set the file close degree")
        }
        return p
    }

    /// A link-creation list that creates missing intermediate groups ("a/b/c").
    static func linkCreate(file: String, object: String) throws -> PropertyList {
        let p = try PropertyList(class: shim_H5P_LINK_CREATE(), file: file, object: object)
        guard H5Pset_create_intermediate_group(p.id, 1) >= 0 else {
            throw HDF5Error.fromStack(file: file, object: object, "cannot set intermediate group creation")
        }
        return p
    }
}
