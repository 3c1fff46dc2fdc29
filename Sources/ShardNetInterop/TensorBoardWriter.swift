import Foundation
import SwiftProtobuf

/// Writes TensorBoard event files: one file per writer, `events.out.tfevents.<secs>.<host>` in
/// `directory`, holding TFRecords of `Event` protos — first the file version ("brain.Event:2"),
/// then one `Summary` per scalar. Open the folder with `tensorboard --logdir DIR`.
///
/// TFRecord framing, per record: uint64 length (little-endian), uint32 masked CRC-32C of those
/// 8 bytes, the data, uint32 masked CRC-32C of the data.
public final class TensorBoardWriter {
    /// The event file this writer appends to.
    public let path: String
    private let handle: FileHandle
    private var pending = Data()

    /// Creates `directory` (and parents) if needed, and a new event file in it.
    public init(directory: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TensorBoardError(path: directory, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        let seconds = Int(Date().timeIntervalSince1970)
        var host = ProcessInfo.processInfo.hostName
        if host.isEmpty { host = "localhost" }
        // Two writers started in the same second on one host get distinct names.
        var name = "events.out.tfevents.\(seconds).\(host)"
        var candidate = directory + "/" + name
        var n = 1
        while FileManager.default.fileExists(atPath: candidate) {
            name = "events.out.tfevents.\(seconds).\(host).\(n)"
            candidate = directory + "/" + name
            n += 1
        }
        path = candidate
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw TensorBoardError(path: path, reason: "cannot create the event file")
        }
        self.handle = handle
        var event = Tensorboard_Event()
        event.wallTime = Date().timeIntervalSince1970
        event.step = 0
        event.fileVersion = "brain.Event:2"
        try append(event)
        try flush()
    }

    deinit {
        try? flush()
        try? handle.close()
    }

    /// Adds scalar `value` under `tag` (e.g. "test/accuracy") at `step`. Buffered: call
    /// `flush()` to make it visible to TensorBoard.
    public func add(scalar tag: String, value: Double, step: Int) throws {
        var summaryValue = Tensorboard_Summary.Value()
        summaryValue.tag = tag
        summaryValue.simpleValue = Float(value)
        var event = Tensorboard_Event()
        event.wallTime = Date().timeIntervalSince1970
        event.step = Int64(step)
        event.summary = Tensorboard_Summary.with { $0.value = [summaryValue] }
        try append(event)
    }

    /// Writes buffered events to the file.
    public func flush() throws {
        guard !pending.isEmpty else { return }
        do {
            try handle.write(contentsOf: pending)
            pending.removeAll(keepingCapacity: true)
        } catch {
            throw TensorBoardError(path: path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    private func append(_ event: Tensorboard_Event) throws {
        let data: Data
        do { data = try event.serializedData() } catch {
            throw TensorBoardError(path: path, reason: "cannot encode an event: \(error)")
        }
        pending.append(TFRecord.frame(data))
    }
}

/// An error of the TensorBoard writer: one line naming the file.
public struct TensorBoardError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

/// TFRecord framing and its checksum.
public enum TFRecord {
    /// One record: length, masked CRC of the length, data, masked CRC of the data.
    public static func frame(_ data: Data) -> Data {
        var out = Data(capacity: data.count + 16)
        let length = withUnsafeBytes(of: UInt64(data.count).littleEndian) { Data($0) }
        out.append(length)
        out.append(littleEndian(maskedCRC(length)))
        out.append(data)
        out.append(littleEndian(maskedCRC(data)))
        return out
    }

    /// Splits a file into its records' data, checking both checksums of each.
    public static func records(_ file: Data) throws -> [Data] {
        var records: [Data] = []
        var offset = file.startIndex
        while offset < file.endIndex {
            guard file.endIndex - offset >= 12 else { throw TFRecordError.truncated(offset: offset) }
            let lengthBytes = file[offset..<(offset + 8)]
            let length = lengthBytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }.littleEndian
            let lengthCRC = file[(offset + 8)..<(offset + 12)].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }.littleEndian
            guard lengthCRC == maskedCRC(Data(lengthBytes)) else { throw TFRecordError.badChecksum(offset: offset) }
            guard length <= UInt64(file.endIndex - offset - 16) else { throw TFRecordError.truncated(offset: offset) }
            let start = offset + 12, end = start + Int(length)
            let data = Data(file[start..<end])
            let dataCRC = file[end..<(end + 4)].withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }.littleEndian
            guard dataCRC == maskedCRC(data) else { throw TFRecordError.badChecksum(offset: offset) }
            records.append(data)
            offset = end + 4
        }
        return records
    }

    /// TFRecord's mask: rotate right by 15 bits, add 0xa282ead8.
    public static func maskedCRC(_ data: Data) -> UInt32 {
        let crc = CRC32C.checksum(data)
        return ((crc >> 15) | (crc << 17)) &+ 0xa282_ead8
    }

    private static func littleEndian(_ value: UInt32) -> Data {
        withUnsafeBytes(of: value.littleEndian) { Data($0) }
    }
}

public enum TFRecordError: Error, Equatable {
    case truncated(offset: Int)
    case badChecksum(offset: Int)
}

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), table-driven.
public enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    public static func checksum<D: DataProtocol>(_ data: D) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for region in data.regions {
            for byte in region {
                crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
            }
        }
        return crc ^ 0xFFFF_FFFF
    }
}
