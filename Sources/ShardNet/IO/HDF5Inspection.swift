import Foundation
import HDF5

/// Reads every piece of metadata in an HDF5 file — each group, each attribute's value, each
/// dataset's shape and type — and, for files up to `fullLoadLimit` bytes, loads it fully as
/// a ShardNet dataset or checkpoint.
///
/// Why: libhdf5 1.10 (Debian 12) can hang or crash inside `H5Aread` on a corrupt global heap
/// (found by fuzzing, see Fuzz/regressions/hdf5). No check through the HDF5 API can prevent
/// that, so the CLI runs this in a child process (`shardnet check-file`) before it opens an
/// untrusted file itself, and turns a child that hangs or dies into a clear error.
package enum HDF5Inspection {
    /// Files at most this large are also loaded completely by the check.
    package static let fullLoadLimit = 128 << 20

    /// Walks the whole file; throws the same errors a real load would.
    package static func walk(path: String) throws {
        let kind = try H5FileKind.detect(path: path)
        do {
            let file = try File(path, mode: .read)
            var budget = 100_000
            try visit(try file.root, depth: 0, budget: &budget)
        } catch let error as HDF5Error {
            throw ShardNetError.invalidFile(path: path, object: error.object, reason: error.message)
        }
        var st = stat()
        guard stat(path, &st) == 0, Int(st.st_size) <= fullLoadLimit else { return }
        switch kind {
        case .dataset: _ = try DataSetFile.load(from: path)
        case .checkpoint: _ = try Checkpoint.load(from: path)
        }
    }

    private static func visit(_ group: Group, depth: Int, budget: inout Int) throws {
        guard depth < 32 else { return }
        for name in try group.attrs.names() { _ = try group.attrs.get(name) }
        for key in try group.keys() {
            budget -= 1
            guard budget > 0 else { return }
            switch try group.kind(of: key) {
            case .group?: try visit(try group.group(key), depth: depth + 1, budget: &budget)
            case .dataset?:
                let ds = try group.dataset(key)
                for name in try ds.attrs.names() { _ = try ds.attrs.get(name) }
            default: continue
            }
        }
    }
}
