import Foundation
import HDF5
import ShardNetTestSupport
import Testing

@Suite("HDF5 round trips")
struct HDF5RoundTripTests {
    /// Writes `values` as a (2, 3) dataset of T, reopens the file and reads them back.
    private func roundTrip<T: HDF5Element & Equatable>(_ values: [T]) throws -> (ElementType, [Int], [T]) {
        let folder = try TemporaryFolder()
        let path = folder.file("a.h5")
        do {
            let f = try File(path, mode: .create)
            try f.createDataset("group/data", shape: [2, 3], data: values)
            try f.close()
        }
        let f = try File(path)
        let ds = try f.dataset("/group/data")
        return (ds.elementType, ds.shape, try ds.read(as: T.self))
    }

    // Property: every supported element type is stored as that type and reads back bit for bit.
    @Test func everyElementTypeRoundTrips() throws {
        func check<T: HDF5Element & Equatable>(_ values: [T]) throws {
            let (type, shape, back) = try roundTrip(values)
            #expect(type == T.elementType)
            #expect(shape == [2, 3])
            #expect(back == values)
        }
        try check([Int8.min, -1, 0, 1, 2, .max])
        try check([UInt8.min, 1, 2, 3, 254, .max])
        try check([Int16.min, -1, 0, 1, 2, .max])
        try check([UInt16.min, 1, 2, 3, 4, .max])
        try check([Int32.min, -1, 0, 1, 2, .max])
        try check([UInt32.min, 1, 2, 3, 4, .max])
        try check([Int64.min, -1, 0, 1, 2, .max])
        try check([UInt64.min, 1, 2, 3, 4, .max])
        try check([Float(-1.5), 0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .pi, 1e-30])
        try check([-1.5, 0, Double.leastNonzeroMagnitude, .greatestFiniteMagnitude, .pi, 1e-300])
        // NaN: compare bit patterns.
        let (_, _, nan) = try roundTrip([Float.nan, 1, 2, 3, 4, 5])
        #expect(nan[0].bitPattern == Float.nan.bitPattern)
    }

    // Property: reading converts from the stored type (uint8 → Float, int32 → Int64).
    @Test func readConvertsTypes() throws {
        let folder = try TemporaryFolder()
        let f = try File(folder.file("c.h5"), mode: .create)
        let ds = try f.createDataset("u8", shape: [4], data: [UInt8(0), 1, 128, 255])
        #expect(try ds.read(as: Float.self) == [0, 1, 128, 255])
        let i32 = try f.createDataset("i32", shape: [3], data: [Int32(-7), 0, 9])
        #expect(try i32.read(as: Int64.self) == [-7, 0, 9])
    }

    // Property: every attribute kind round trips; names are listed; set replaces.
    @Test func attributesRoundTrip() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("attrs.h5")
        let f0 = try File(path, mode: .create)
        do {
            let f = f0
            let a = f.attrs
            try a.set("i", .int64(-42))
            try a.set("d", .double(0.1))
            try a.set("s", .string("héllo ✓"))
            try a.set("ia", .int64Array([1, -2, Int64.max]))
            try a.set("empty", .int64Array([]))
            try a.set("da", .doubleArray([0.5, -1e300]))
            try a.set("replaced", .string("old"))
            try a.set("replaced", .int64(7))
            let g = try f.createGroup("g")
            try g.attrs.set("on-group", .double(2.5))
            let ds = try g.createDataset("ds", shape: [1], data: [Float(1)])
            try ds.attrs.set("on-dataset", .string("x"))
        }
        try f0.close()  // succeeds only because the block above released every group and dataset

        let f = try File(path)
        let a = f.attrs
        #expect(try a.names() == ["d", "da", "empty", "i", "ia", "replaced", "s"])
        #expect(try a.int64("i") == -42)
        #expect(try a.double("d") == 0.1)
        #expect(try a.string("s") == "héllo ✓")
        #expect(try a.int64Array("ia") == [1, -2, Int64.max])
        #expect(try a.int64Array("empty") == [])
        #expect(try a.doubleArray("da") == [0.5, -1e300])
        #expect(try a.get("replaced") == .int64(7))
        #expect(try a.double("i") == -42, "integers read as doubles")
        #expect(try f.group("g").attrs.double("on-group") == 2.5)
        #expect(try f.dataset("g/ds").attrs.string("on-dataset") == "x")
        #expect(try a.contains("s") && !(try a.contains("nope")))
        let info = try a.info("ia")
        #expect(info.type == .int64 && info.shape == [3])
    }

    // Property: a type mismatch is an error naming the attribute, the object and the file.
    @Test func attributeTypeMismatchIsAnError() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("m.h5")
        let f = try File(path, mode: .create)
        try f.attrs.set("s", .string("text"))
        let message = failure { try f.attrs.int64("s") }
        #expect(message.contains(path) && message.contains("'s'") && message.contains("expected an integer"), "\(message)")
        #expect(failure { try f.attrs.string("missing") }.contains("attribute 'missing' not found"))
    }

    // Property: fixed-length strings (as other tools write them) read back too.
    @Test(.enabled(if: Subprocess.pythonHasH5py, "needs python3 with h5py"))
    func readsStringsWrittenByH5py() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("py.h5")
        let script =
            "import h5py, numpy as np\nwith h5py.File('\(path)', 'w') as f:\n f.attrs['fixed'] = np.bytes_(b'abc')\n f.attrs['vlen'] = 'xyz'\n f.attrs['n'] = np.int32(5)\n"
        #expect(runPython(script) == 0)
        let a = try File(path).attrs
        #expect(try a.string("fixed") == "abc")
        #expect(try a.string("vlen") == "xyz")
        #expect(try a.int64("n") == 5)
    }

    // Property: a hyperslab read returns exactly the requested rows (2-D and 3-D).
    @Test func readRowsReturnsTheHyperslab() throws {
        let folder = try TemporaryFolder()
        let f = try File(folder.file("h.h5"), mode: .create)
        let values = (0..<24).map { Int32($0) }
        let two = try f.createDataset("two", shape: [6, 4], data: values, chunks: [4, 4], gzip: 1)
        #expect(try two.readRows(2..<4, as: Int32.self) == Array(8..<16).map { Int32($0) })
        #expect(try two.readRows(5..<6, as: Int32.self) == [20, 21, 22, 23])
        #expect(try two.readRows(3..<3, as: Int32.self) == [])
        let three = try f.createDataset("three", shape: [3, 2, 4], data: values)
        #expect(try three.readRows(1..<3, as: Int32.self) == Array(8..<24).map { Int32($0) })
        #expect(three.rowLength == 8)
        let message = failure { try two.readRows(5..<7, as: Int32.self) }
        #expect(message.contains("/two") && message.contains("outside 0..<6"), "\(message)")
    }

    // Property: chunking and gzip are applied as asked and reported back; data survive compression.
    @Test func chunkedGzipDatasets() throws {
        let folder = try TemporaryFolder()
        let path = folder.file("z.h5")
        let values = (0..<10_000).map { UInt8($0 % 7) }
        do {
            let f = try File(path, mode: .create)
            try f.createDataset("z", shape: [100, 100], data: values, chunks: [10, 100], gzip: 6)
            try f.createDataset("auto", shape: [100, 100], data: values, gzip: 4)
            try f.createDataset("plain", shape: [100, 100], data: values)
            try f.createDataset("empty", shape: [0, 5], data: [UInt8](), gzip: 4)
            try f.close()
        }
        let f = try File(path)
        let z = try f.dataset("z")
        #expect(try z.chunks == [10, 100])
        #expect(try z.gzipLevel == 6)
        #expect(try z.read(as: UInt8.self) == values)
        #expect(try f.dataset("auto").gzipLevel == 4)
        #expect(try f.dataset("auto").chunks != nil)
        #expect(try f.dataset("plain").chunks == nil)
        #expect(try f.dataset("plain").gzipLevel == nil)
        #expect(try f.dataset("empty").shape == [0, 5])
        #expect(try f.dataset("empty").read(as: UInt8.self) == [])
    }

    // Property: groups list their members; kind(of:) and contains tell groups from datasets.
    @Test func groupsAndKinds() throws {
        let folder = try TemporaryFolder()
        let f = try File(folder.file("g.h5"), mode: .create)
        try f.createGroup("a/b")
        try f.createDataset("a/x", shape: [1], data: [Int64(1)])
        #expect(try f.keys() == ["a"])
        #expect(try f.group("a").keys() == ["b", "x"])
        #expect(try f.kind(of: "a/b") == .group)
        #expect(try f.kind(of: "/a/x") == .dataset)
        #expect(try f.kind(of: "a/nope") == nil)
        #expect(try f.contains("a/b") && !(try f.contains("q/r")))
        #expect(try f.requireGroup("a/b").name == "/a/b")
        #expect(failure { try f.createGroup("a") }.contains("already exists"))
    }

    // Property: close() refuses while objects are open (so a closed file really is closed),
    // and succeeds once they are released.
    @Test func closeFailsWhileObjectsAreOpen() throws {
        let folder = try TemporaryFolder()
        let f = try File(folder.file("o.h5"), mode: .create)
        var g: Group? = try f.createGroup("g")
        #expect(failure { try f.close() }.contains("still open"))
        #expect(g?.name == "/g")
        g = nil
        try f.close()
        #expect(!f.isOpen)
    }
}

/// Runs a python3 script; returns its exit status (-1 when python3 cannot start).
func runPython(_ script: String) -> Int32 {
    (try? Subprocess.run(command: "python3", ["-c", script]))?.status ?? -1
}
