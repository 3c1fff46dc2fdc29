import Foundation
import FuzzSupport
import ShardNet
import ShardNetInterop
import ZIPFoundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One temp file per process for the input as given, one for its repacked form.
private let input = FuzzInputFile(name: "keras", suffix: ".keras")
private let repackedPath = FuzzInputFile(name: "keras", suffix: "-repacked.keras").path

/// `shardnet import`'s path for a .keras file: the zip container (ZIPFoundation), config.json
/// (JSONNode, KerasConfig.parse) and model.weights.h5 (libhdf5, the HDF5 wrapper). Thrown
/// errors are fine; crashes, traps and hangs are not, and an accepted model must be valid.
private func importKeras(_ path: String) {
    do {
        let network = try ModelExchange.importNetwork(from: path, format: .keras)
        precondition(network.sizes.count >= 2 && network.isFinite)
    } catch {}
}

/// The input's stored entries (at most 8 listed, each at most 1 MiB, read without checking their CRC-32)
/// written into a new archive at `repackedPath` with correct checksums and sizes: a mutation
/// inside config.json or model.weights.h5 of a stored entry would otherwise end at the CRC
/// check, so this second pass is what carries the fuzzer past the container into the JSON and
/// HDF5 readers. False when ZIPFoundation cannot list the input. Both archives are files, as
/// the reader's are (ZIPFoundation's in-memory archives trap on a seek past their end — found
/// by this harness in its first form, see Fuzz/regressions/README.md — and the reader never
/// uses them).
private func repack(_ source: String, to target: String) -> Bool {
    unlink(target)
    let input: Archive, output: Archive
    do {
        input = try Archive(url: URL(fileURLWithPath: source), accessMode: .read)
        output = try Archive(url: URL(fileURLWithPath: target), accessMode: .create)
    } catch { return false }
    var count = 0
    for entry in input {
        count += 1
        guard count <= 8 else { break }
        // Stored entries only: ZIPFoundation's inflate can loop forever on a stream that does
        // not end (the hang that made the reader stop using it, see ZipEntryReader); deflated
        // entries are fuzzed in the first pass, through the reader.
        guard entry.type == .file, !entry.isCompressed, entry.uncompressedSize <= 1 << 20, entry.compressedSize <= 1 << 20 else { continue }
        var contents = Data()
        do {
            _ = try input.extract(entry, skipCRC32: true) { chunk in
                guard contents.count + chunk.count <= 1 << 20 else { throw CocoaError(.fileReadTooLarge) }
                contents.append(chunk)
            }
        } catch { continue }
        let entryContents = contents
        try? output.addEntry(
            with: entry.path, type: .file, uncompressedSize: Int64(entryContents.count),
            compressionMethod: .none
        ) { position, size in
            entryContents.subdata(in: Int(position)..<(Int(position) + size))
        }
    }
    return true
}

/// libFuzzer entry point: the bytes are a Keras 3 .keras archive, imported as given and then
/// repacked with valid checksums (see `repack`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    input.write(data, size)
    importKeras(input.path)
    if repack(input.path, to: repackedPath) { importKeras(repackedPath) }
    return 0
}
