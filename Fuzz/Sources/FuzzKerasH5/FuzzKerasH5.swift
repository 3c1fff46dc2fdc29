#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ShardNet
import ShardNetInterop

/// One temp file per process, rewritten for every input.
private let inputPath: String = {
    let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    return "\(dir)/shardnet-fuzz-keras-h5-\(getpid()).h5"
}()

private func writeInput(_ data: UnsafePointer<UInt8>, _ size: Int, to path: String) {
    guard let f = fopen(path, "wb") else { fatalError("cannot write \(path)") }
    if size > 0 { precondition(fwrite(data, 1, size, f) == size, "short write to \(path)") }
    fclose(f)
}

/// libFuzzer entry point: the bytes are a legacy Keras HDF5 model (`shardnet import`'s reader:
/// the `model_config` JSON attribute, /model_weights' `layer_names` and `weight_names`
/// attributes, the kernel and bias datasets; libhdf5 and the HDF5 wrapper underneath). Thrown
/// errors are fine; crashes, traps and hangs are not, and an accepted model must be valid.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    writeInput(data, size, to: inputPath)
    do {
        let network = try ModelExchange.importNetwork(from: inputPath, format: .kerasH5)
        precondition(network.sizes.count >= 2 && network.isFinite)
    } catch {}
    return 0
}
