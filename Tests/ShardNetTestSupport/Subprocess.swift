import Foundation

/// Running a child process to its end from a test: its exit status and what it wrote.
public enum Subprocess {
    /// A finished child process.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// Both streams, standard output first.
        public var all: String { stdout + stderr }
    }

    /// Runs `executable arguments…` in `directory` (nil: this process's) with `environment`
    /// (nil: this process's) and waits for it to exit.
    @discardableResult
    public static func run(
        _ executable: URL, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        if let environment { process.environment = environment }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read before waiting so a full pipe cannot block the child.
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// `run` with the executable found on PATH by /usr/bin/env (e.g. "python3", "gzip").
    @discardableResult
    public static func run(command: String, _ arguments: [String], environment: [String: String]? = nil) throws -> Result {
        try run(URL(fileURLWithPath: "/usr/bin/env"), [command] + arguments, environment: environment)
    }

    /// True when python3 runs and imports `modules` (e.g. "h5py, numpy").
    public static func pythonHas(_ modules: String) -> Bool {
        (try? run(command: "python3", ["-c", "import \(modules)"]))?.status == 0
    }

    /// True when python3 can import h5py and numpy (the scripts' and corpus generators' needs).
    public static let pythonHasH5py = pythonHas("h5py, numpy")
}
