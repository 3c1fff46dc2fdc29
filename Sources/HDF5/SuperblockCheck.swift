/// A guard against libhdf5 1.10 reading a superblock's driver information block of whatever
/// size the file declares: the block's 4-byte size field is trusted, and the sec2 driver
/// zero-fills a buffer of that size past the end of the file (a 1.7 GB memset for a 14 KB file,
/// found by FuzzKerasH5, `Fuzz/regressions/keras-h5/`), before libhdf5 notices that the file is
/// truncated.
///
/// Before a file is opened for reading, its superblock is found where libhdf5 looks for it
/// (byte 0, then 512, 1024, 2048, …); for a version 0 or 1 superblock with a driver information
/// block, the file is refused unless the whole block (16-byte header plus its declared size)
/// lies inside the file. Version 2 and 3 superblocks have no such block.
enum SuperblockCheck {
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Throws `.library` naming the driver information block when it does not fit the file.
    static func validate(path: String) throws {
        // A file that cannot be opened is reported by the libhdf5 open that follows.
        try FileBytes.withFile(path: path) { file in try check(file, path: path) }
    }

    private static func check(_ file: FileBytes, path: String) throws {
        let fileSize = Int(file.size)
        func read(_ count: Int, at offset: Int) -> [UInt8]? { offset >= 0 ? file.read(count, at: UInt64(offset)) : nil }
        var start = 0
        while start + 8 <= fileSize {
            if let head = read(8, at: start), head == signature { break }
            start = start == 0 ? 512 : start * 2
        }
        guard start + 8 <= fileSize, let fixed = read(9, at: start) else { return }
        let version = Int(fixed[8])
        guard version == 0 || version == 1 else { return }
        // Version 0: 24 bytes before the addresses; version 1 adds 4 (indexed storage K, reserved).
        let addressesAt = start + (version == 0 ? 24 : 28)
        guard let sizes = read(2, at: start + 13), sizes[0] == 2 || sizes[0] == 4 || sizes[0] == 8 else { return }
        let width = Int(sizes[0])
        guard let addresses = read(4 * width, at: addressesAt) else { return }
        func address(_ k: Int) -> UInt64? {
            let bytes = addresses[(k * width)..<((k + 1) * width)]
            if bytes.allSatisfy({ $0 == 0xFF }) { return nil }  // the undefined address
            return FileBytes.littleEndian(bytes)
        }
        // Base address, free-space info, end of file, driver information block.
        guard let driverInfo = address(3) else { return }
        let (at, overflow) = (address(0) ?? 0).addingReportingOverflow(driverInfo)
        func refuse(_ what: String) -> HDF5Error {
            let message = "corrupt superblock: its driver information block \(what) the \(fileSize)-byte file"
            return HDF5Error(.library, file: path, object: "/", message: message + "; libhdf5 would allocate what it declares")
        }
        guard !overflow, at <= UInt64(fileSize), let header = read(16, at: Int(at)) else { throw refuse("(at byte \(driverInfo)) lies outside") }
        let declared = FileBytes.littleEndian(header[4..<8])
        guard declared <= UInt64(fileSize) - at - 16 else { throw refuse("(\(declared) bytes at byte \(at)) runs past the end of") }
    }
}
