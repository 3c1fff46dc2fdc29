import FuzzSupport
import ShardNet

/// One temp file per process, rewritten for every input.
private let input = FuzzInputFile(name: "idx")

/// libFuzzer entry point: the bytes are an IDX file (raw, or gzip when they start 1f 8b).
/// Thrown errors are the expected outcome for most inputs; crashes, traps, leaks of time or
/// memory are what libFuzzer looks for.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    input.write(data, size)
    for kind in [nil, IDXFile.Kind.images, .labels] as [IDXFile.Kind?] {
        do {
            let file = try IDXFile.read(from: input.path, expecting: kind)
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
