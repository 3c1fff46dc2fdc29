#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ShardNet

/// One temp file per process, rewritten for every input.
private let inputPath: String = {
    let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    return "\(dir)/shardnet-fuzz-hdf5-\(getpid()).h5"
}()

private func writeInput(_ data: UnsafePointer<UInt8>, _ size: Int, to path: String) {
    guard let f = fopen(path, "wb") else { fatalError("cannot write \(path)") }
    if size > 0 { precondition(fwrite(data, 1, size, f) == size, "short write to \(path)") }
    fclose(f)
}

/// libFuzzer entry point: the bytes are an HDF5 file, read as whatever it claims to be and
/// then as both a dataset and a checkpoint. Thrown errors are fine; crashes and traps are not.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    writeInput(data, size, to: inputPath)
    do { _ = try H5FileKind.detect(path: inputPath) } catch {}
    do {
        let d = try DataSetFile.load(from: inputPath)
        precondition(d.train.count > 0 && d.classes >= 1)
    } catch {}
    do {
        let c = try Checkpoint.load(from: inputPath)
        precondition(c.network.sizes.count >= 2)
    } catch {}
    return 0
}
