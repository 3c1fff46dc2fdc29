import CHDF5

/// An HDF5 dataspace handle (H5Sclose in deinit): a shape and, for reads, a selection.
final class Dataspace {
    let id: hid_t

    /// Takes ownership of `id` (already checked ≥ 0).
    init(owning id: hid_t) { self.id = id }

    deinit { H5Sclose(id) }

    /// A simple dataspace of `shape` (rank ≥ 1), or a scalar one for `[]`.
    convenience init(shape: [Int], file: String, object: String) throws {
        guard shape.allSatisfy({ $0 >= 0 }), HDF5Library.elementCount(shape) != nil else {
            throw HDF5Error(.invalidArgument, file: file, object: object, message: "invalid shape \(shape)")
        }
        let id: hid_t
        if shape.isEmpty {
            id = H5Screate(H5S_SCALAR)
        } else {
            let dims = shape.map { hsize_t($0) }
            id = H5Screate_simple(Int32(dims.count), dims, nil)
        }
        guard id >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot create a dataspace of shape \(shape)") }
        self.init(owning: id)
    }

    /// Current extents ([] for a scalar; a null dataspace also gives []).
    func shape(file: String, object: String) throws -> [Int] {
        let rank = H5Sget_simple_extent_ndims(id)
        guard rank >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot read the shape") }
        if rank == 0 { return [] }
        var dims = [hsize_t](repeating: 0, count: Int(rank))
        guard H5Sget_simple_extent_dims(id, &dims, nil) >= 0 else {
            throw HDF5Error.fromStack(file: file, object: object, "cannot read the shape")
        }
        var shape: [Int] = []
        for d in dims {
            guard d <= hsize_t(Int.max) else {
                throw HDF5Error(.wrongShape, file: file, object: object, message: "extent \(d) is too large")
            }
            shape.append(Int(d))
        }
        return shape
    }

    /// Number of elements (0 for a null dataspace).
    func pointCount(file: String, object: String) throws -> Int {
        let n = H5Sget_simple_extent_npoints(id)
        guard n >= 0 else { throw HDF5Error.fromStack(file: file, object: object, "cannot count the elements") }
        return Int(n)
    }

    /// Selects the block `start ..< start + count` (per dimension).
    func selectBlock(start: [Int], count: [Int], file: String, object: String) throws {
        let s = start.map { hsize_t($0) }, c = count.map { hsize_t($0) }
        guard H5Sselect_hyperslab(id, H5S_SELECT_SET, s, nil, c, nil) >= 0 else {
            throw HDF5Error.fromStack(file: file, object: object, "cannot select rows \(start) + \(count)")
        }
    }
}
