import Foundation
import Testing

@testable import ShardNetInterop

/// Protects the TFRecord checksum: a wrong CRC-32C makes TensorBoard drop every record.
@Suite struct CRC32CTests {
    @Test func knownVectors() {
        // RFC 3720 (iSCSI) test vectors and the standard "123456789" check value.
        #expect(CRC32C.checksum(Data("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum(Data(repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum(Data(repeating: 0xFF, count: 32)) == 0x62A8_AB43)
    }

    @Test func framesRoundTripAndDetectDamage() throws {
        let a = Data("hello".utf8), b = Data(repeating: 7, count: 1000)
        let file = TFRecord.frame(a) + TFRecord.frame(b)
        #expect(try TFRecord.records(file) == [a, b])
        var damaged = file
        damaged[20] ^= 1
        #expect(throws: TFRecordError.self) { try TFRecord.records(damaged) }
        #expect(throws: TFRecordError.self) { try TFRecord.records(file.prefix(file.count - 1)) }
    }
}
