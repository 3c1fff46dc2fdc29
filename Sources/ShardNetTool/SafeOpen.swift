import Foundation
import ArgumentParser
import ShardNet

/// Opens untrusted HDF5 files only after a child process has read them without hanging or
/// crashing (see `HDF5Inspection` for why). The child is this executable's hidden
/// `check-file` command.
enum SafeOpen {
    /// Seconds the check may take before the file is declared corrupt.
    static let timeout = 8.0

    /// Throws a clear error if reading `path` makes libhdf5 hang or crash. Files that do not
    /// exist are left to the real load to report.
    /// Files already vetted by this process (resume and output are often the same file).
    private nonisolated(unsafe) static var vetted: Set<String> = []

    static func vet(_ path: String) throws {
        guard !vetted.contains(path) else { return }
        defer { vetted.insert(path) }
        guard FileManager.default.fileExists(atPath: path),
              ProcessInfo.processInfo.environment["SHARDNET_NO_FILE_CHECK"] == nil else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        #if os(macOS)
        process.executableURL = Bundle.main.executableURL
        #endif
        process.arguments = ["check-file", path]
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        // The child's one error line, read after it ends (it writes only that line).
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw ShardNetError.invalidFile(path: path, object: "/", reason: "reading the file did not finish in \(Int(timeout)) s (libhdf5 loops on a corrupt structure); the file is damaged")
        }
        if process.terminationReason == .uncaughtSignal {
            throw ShardNetError.invalidFile(path: path, object: "/", reason: "libhdf5 crashed reading the file (signal \(process.terminationStatus)); the file is damaged")
        }
        if process.terminationStatus != 0 {
            // The child's own error, as it would be printed here. Not loading the file again in
            // this process also avoids what the child survived only thanks to its memory cap.
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let line = text.split(separator: "\n").first { $0.hasPrefix("Error: ") }.map { String($0.dropFirst(7)) }
            throw ValidationErrorMessage(line ?? "\(path): the file cannot be read (check-file exited with \(process.terminationStatus))")
        }
    }

    static func dataSet(_ path: String) throws -> DataSetFile {
        try vet(path)
        return try DataSetFile.load(from: path)
    }

    static func checkpoint(_ path: String) throws -> Checkpoint {
        try vet(path)
        return try Checkpoint.load(from: path)
    }

    static func kind(_ path: String) throws -> H5FileKind {
        try vet(path)
        return try H5FileKind.detect(path: path)
    }
}

/// `shardnet check-file FILE` (hidden): the child side of `SafeOpen.vet`.
struct CheckFileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-file", shouldDisplay: false)

    @Argument var file: String

    func run() throws {
        // Cap the child's address space so that an absurd allocation inside libhdf5 (a forged
        // variable-length string length) fails at once instead of paging for seconds.
        #if os(Linux)
        let addressSpace = __rlimit_resource_t(RLIMIT_AS.rawValue)
        #else
        let addressSpace = RLIMIT_AS
        #endif
        var limit = rlimit(rlim_cur: 6 << 30, rlim_max: 6 << 30)
        if getrlimit(addressSpace, &limit) == 0, limit.rlim_cur > 6 << 30 {   // RLIM_INFINITY is the largest value
            limit.rlim_cur = 6 << 30
            setrlimit(addressSpace, &limit)
        }
        try HDF5Inspection.walk(path: file)
    }
}
