#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import ShardNet

/// One temp file per process, rewritten for every input.
private let inputPath: String = {
    let dir = getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp"
    return "\(dir)/shardnet-fuzz-idx-\(getpid())"
}()

private func writeInput(_ data: UnsafePointer<UInt8>, _ size: Int, to path: String) {
    guard let f = fopen(path, "wb") else { fatalError("cannot write \(path)") }
    if size > 0 { precondition(fwrite(data, 1, size, f) == size, "short write to \(path)") }
    fclose(f)
}

/// libFuzzer entry point: the bytes are an IDX file (raw, or gzip when they start 1f 8b).
/// Thrown errors are the expected outcome for most inputs; crashes, traps, leaks of time or
/// memory are what libFuzzer looks for.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    writeInput(data, size, to: inputPath)
    for kind in [nil, IDXFile.Kind.images, .labels] as [IDXFile.Kind?] {
        do {
            let file = try IDXFile.read(from: inputPath, expecting: kind)
            // Invariants a successful read promises.
            let product = file.dimensions.reduce(1, *)
            precondition(file.bytes.count == product, "bytes \(file.bytes.count) != product of \(file.dimensions)")
            precondition(file.count * file.itemSize == file.bytes.count)
        } catch {
            // A clean, thrown error: fine.
        }
    }
    return 0
}
