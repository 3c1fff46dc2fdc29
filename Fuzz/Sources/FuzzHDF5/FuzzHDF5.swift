import FuzzSupport
import ShardNet

/// One temp file per process, rewritten for every input.
private let input = FuzzInputFile(name: "hdf5", suffix: ".h5")

/// libFuzzer entry point: the bytes are an HDF5 file, read as whatever it claims to be and
/// then as both a dataset and a checkpoint. Thrown errors are fine; crashes and traps are not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    input.write(data, size)
    do { _ = try H5FileKind.detect(path: input.path) } catch {}
    do {
        let d = try DataSetFile.load(from: input.path)
        precondition(d.train.count > 0 && d.classes >= 1)
    } catch {}
    do {
        let c = try Checkpoint.load(from: input.path)
        precondition(c.network.sizes.count >= 2)
    } catch {}
    return 0
}
