import ArgumentParser
import Foundation
import ShardNet
import ShardNetCLI
import ShardNetInterop

/// `shardnet import`: a Keras Sequential of sigmoid Dense layers, or network2.py's JSON, as a
/// ShardNet checkpoint (no training state).
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read a Keras model (.keras, legacy .h5) or network2.py JSON into a ShardNet checkpoint.",
        discussion: """
            The model must be a Sequential of Dense layers with sigmoid activations (an InputLayer
            first is fine). Anything else is refused with one error line and no output file.
            Examples:
              shardnet import model.keras --output model.h5
              shardnet import network2.json --output model.h5
            """)

    @Argument(help: ArgumentHelp("The model to import; its format is detected from its content.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("Where to write the ShardNet checkpoint.", valueName: "model.h5"))
    var output: String

    @Option(help: ArgumentHelp("Treat the input as this format instead of detecting it: keras, keras-h5 or network2-json.", valueName: "format"))
    var format: ExchangeFormat?

    @Option(
        help: "Cost to record for Keras models, which store none: quadratic or cross-entropy. Default: quadratic (network2 JSON records its own).")
    var cost: Cost?

    func run() throws {
        try OutputCheck.checkWritable(checkpoint: output)
        // libhdf5 can hang or crash on a hostile file: parse it in a child process first.
        try ImportSafety.vet(file, format: format)
        let network = try ModelExchange.importNetwork(from: file, format: format, cost: cost ?? .quadratic)
        if let cost, cost != network.cost {
            throw ValidationErrorMessage("\(file): --cost \(cost.rawValue) contradicts the file, which records \(network.cost.rawValue); drop --cost")
        }
        try Checkpoint(network: network, training: nil).save(to: output)
        print("Imported \(network.sizes.map(String.init).joined(separator: "-")) (\(network.cost.rawValue)) from \(file) to \(output)")
    }
}

/// Runs an import's whole parse in a child process (`shardnet check-import`, address space
/// capped, time-limited) before this process opens the file, so a libhdf5 hang or crash on a
/// damaged file becomes one error line. (ShardNet's own files need no child: the HDF5 module
/// reads their strings without libhdf5's vlen code; Keras files carry string arrays it does not
/// cover yet.)
enum ImportSafety {
    static let timeout = 20.0

    static func vet(_ path: String, format: ExchangeFormat?) throws {
        guard FileManager.default.fileExists(atPath: path),
            ProcessInfo.processInfo.environment["SHARDNET_NO_FILE_CHECK"] == nil
        else { return }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe")
        #if os(macOS)
            process.executableURL = Bundle.main.executableURL
        #endif
        process.arguments = ["check-import", path] + (format.map { ["--format", $0.rawValue] } ?? [])
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(2_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw ShardNetError.invalidFile(
                path: path, object: "/",
                reason: "reading the file did not finish in \(Int(timeout)) s (libhdf5 loops on a corrupt structure); the file is damaged")
        }
        if process.terminationReason == .uncaughtSignal {
            throw ShardNetError.invalidFile(
                path: path, object: "/", reason: "reading the file crashed the reader (signal \(process.terminationStatus)); the file is damaged")
        }
        if process.terminationStatus != 0 {
            // The child writes only its one error line, far below a pipe's capacity.
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let line = text.split(separator: "\n").first { $0.hasPrefix("Error: ") }.map { String($0.dropFirst(7)) }
            throw ValidationErrorMessage(line ?? "\(path): the file cannot be read (check-import exited with \(process.terminationStatus))")
        }
    }
}

/// `shardnet check-import FILE` (hidden): the child side of `ImportSafety.vet`.
struct CheckImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-import", shouldDisplay: false)

    @Argument var file: String
    @Option var format: ExchangeFormat?

    func run() throws {
        #if os(Linux)
            let addressSpace = __rlimit_resource_t(RLIMIT_AS.rawValue)
        #else
            let addressSpace = RLIMIT_AS
        #endif
        var limit = rlimit(rlim_cur: 12 << 30, rlim_max: 12 << 30)
        if getrlimit(addressSpace, &limit) == 0, limit.rlim_cur > 12 << 30 {
            limit.rlim_cur = 12 << 30
            setrlimit(addressSpace, &limit)
        }
        _ = try ModelExchange.importNetwork(from: file, format: format)
    }
}
