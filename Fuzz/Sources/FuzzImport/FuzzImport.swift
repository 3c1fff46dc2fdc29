import FuzzSupport
import ShardNet
import ShardNetInterop

/// One temp file per process, rewritten for every input.
private let input = FuzzInputFile(name: "import", suffix: ".json")

/// libFuzzer entry point: the bytes are a network2.py JSON model (`shardnet import`'s JSON
/// reader, untrusted input). Thrown errors are fine; crashes, traps and hangs are not, and an
/// accepted model must be a valid network.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    input.write(data, size)
    do {
        let network = try ModelExchange.importNetwork(from: input.path, format: .network2JSON)
        precondition(network.sizes.count >= 2 && network.isFinite)
    } catch {}
    return 0
}
