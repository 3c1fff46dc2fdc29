import FuzzSupport
import ShardNet
import ShardNetInterop

/// One temp file per process, rewritten for every input.
private let input = FuzzInputFile(name: "keras-h5", suffix: ".h5")

/// libFuzzer entry point: the bytes are a legacy Keras HDF5 model (`shardnet import`'s reader:
/// the `model_config` JSON attribute, /model_weights' `layer_names` and `weight_names`
/// attributes, the kernel and bias datasets; libhdf5 and the HDF5 wrapper underneath). Thrown
/// errors are fine; crashes, traps and hangs are not, and an accepted model must be valid.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    input.write(data, size)
    do {
        let network = try ModelExchange.importNetwork(from: input.path, format: .kerasH5)
        precondition(network.sizes.count >= 2 && network.isFinite)
    } catch {}
    return 0
}
