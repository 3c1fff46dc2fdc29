import Foundation
import HDF5
import ShardNetTestSupport
import Testing

/// `File` is its root group (h5py: `class File(Group)`), and variable-length strings are read
/// by the wrapper's own global heap reader.
@Suite("HDF5 file as root group")
struct FileIsGroupTests {
    // Property: a File is a Group named "/", its own file; its members and attributes are the root's.
    @Test func fileIsTheRootGroup() throws {
        let folder = try TemporaryFolder()
        let f = try File(folder.file("r.h5"), mode: .create)
        let g: Group = f
        #expect(g.name == "/")
        #expect(g.file === f)
        #expect(try f.root === f)
        try f.createGroup("a/b")
        try g.createDataset("a/x", shape: [2], data: [Int32(1), 2])
        #expect(try f.keys() == ["a"])
        #expect(try f.group("a").keys() == ["b", "x"])
        #expect(try f.group("a").file === f)
        #expect(try f.kind(of: "a/x") == .dataset)
        try g.attrs.set("k", .int64(7))
        #expect(try f.attrs.int64("k") == 7)
    }

    // Property: close() closes the root group, then the file; it fails while another object is
    // open, succeeds once it is gone, and closing twice (or deinit after close) does nothing.
    @Test func closeClosesRootGroupThenFile() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("c.h5")
        let f = try File(path, mode: .create)
        try f.attrs.set("s", .string("v"))
        do {
            let sub = try f.createGroup("g")
            #expect(failure { try f.close() }.contains("1 objects of the file are still open"))
            _ = sub
        }
        #expect(try f.attrs.string("s") == "v")  // the vlen reader's extra file reference is released
        try f.close()
        #expect(!f.isOpen)
        try f.close()
        #expect(failure { try f.root }.contains("file is closed"))
        #expect(failure { try f.keys() } != "no error")
        // The file really was closed: it reopens exclusively for writing.
        let again = try File(path, mode: .readWrite)
        #expect(try again.attrs.string("s") == "v")
        try again.close()
        // Truncating fails while libhdf5 still has the file open anywhere in the process.
        try File(path, mode: .create).close()
    }

    // Property: two Files of the same path each close on their own (the other's root group
    // does not count as an open object).
    @Test func twoFilesOfOnePathCloseIndependently() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("two.h5")
        do {
            let w = try File(path, mode: .create)
            try w.attrs.set("s", .string("both"))
            try w.close()
        }
        let a = try File(path), b = try File(path)
        #expect(try a.attrs.string("s") == "both")
        try a.close()
        #expect(try b.attrs.string("s") == "both")
        try b.close()
    }

    // Property: a File dropped without close() closes its root group before the file, so
    // the file is released (it can be reopened and rewritten at once).
    @Test func deinitReleasesTheFile() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("d.h5")
        for i in 0..<20 {
            let f = try File(path, mode: .create)
            try f.attrs.set("i", .int64(Int64(i)))
            _ = try f.group("/")
        }
        #expect(try File(path).attrs.int64("i") == 19)
    }

    // Property: variable-length strings read back exactly: empty, long, non-ASCII, many in one
    // collection, and in a writable file before it is flushed.
    @Test func variableLengthStringsReadBack() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("s.h5")
        let values = ["", "a", "sigmoid", String(repeating: "é∑😀", count: 300), String(repeating: "x", count: 10_000)]
        do {
            let f = try File(path, mode: .create)
            for (i, v) in values.enumerated() { try f.attrs.set("s\(i)", .string(v)) }
            let g = try f.createGroup("g")
            try g.attrs.set("t", .string("on a group"))
            for (i, v) in values.enumerated() { #expect(try f.attrs.string("s\(i)") == v) }  // not flushed yet
            try f.attrs.set("s1", .string("replaced"))
            #expect(try f.attrs.string("s1") == "replaced")
        }
        let f = try File(path)
        for (i, v) in values.enumerated() where i != 1 { #expect(try f.attrs.string("s\(i)") == v) }
        #expect(try f.attrs.string("s1") == "replaced")
        #expect(try f.group("g").attrs.string("t") == "on a group")
    }

    // Property: strings in a file with a user block (heap addresses relative to the superblock)
    // and strings written by h5py read back.
    @Test(.enabled(if: Subprocess.pythonHasH5py, "needs python3 with h5py"))
    func variableLengthStringsFromH5pyWithUserBlock() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("ub.h5")
        let script =
            "import h5py\nwith h5py.File('\(path)', 'w', userblock_size=1024) as f:\n f.attrs['a'] = 'first'\n f.attrs['b'] = 'ünïcode ✓'\n f.create_group('g').attrs['c'] = ''\n"
        #expect(runPython(script) == 0)
        let f = try File(path)
        #expect(try f.attrs.string("a") == "first")
        #expect(try f.attrs.string("b") == "ünïcode ✓")
        #expect(try f.group("g").attrs.string("c") == "")
    }
}
