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
    return "\(dir)/shardnet-fuzz-import-\(getpid()).json"
}()

private func writeInput(_ data: UnsafePointer<UInt8>, _ size: Int, to path: String) {
    guard let f = fopen(path, "wb") else { fatalError("cannot write \(path)") }
    if size > 0 { precondition(fwrite(data, 1, size, f) == size, "short write to \(path)") }
    fclose(f)
}

/// libFuzzer entry point: the bytes are a network2.py JSON model (`shardnet import`'s JSON
/// reader, untrusted input). Thrown errors are fine; crashes, traps and hangs are not, and an
/// accepted model must be a valid network.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    writeInput(data, size, to: inputPath)
    do {
        let network = try ModelExchange.importNetwork(from: inputPath, format: .network2JSON)
        precondition(network.sizes.count >= 2 && network.isFinite)
    } catch {}
    return 0
}
