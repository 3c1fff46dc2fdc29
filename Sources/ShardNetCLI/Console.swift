import Foundation

/// Terminal output: plain lines when stdout is not a terminal, a live progress line when it is.
public enum Console {
    /// True when standard output is a terminal (progress bars allowed).
    public static let isTerminal: Bool = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"

    /// Prints a line and flushes, so lines appear promptly even when piped.
    public static func line(_ text: String) {
        if isTerminal { clearProgress() }
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    private nonisolated(unsafe) static var progressShown = false

    /// Redraws the progress line in place (terminals only).
    public static func progress(_ text: String) {
        guard isTerminal else { return }
        FileHandle.standardOutput.write(Data(("\r\u{1B}[2K" + text).utf8))
        progressShown = true
    }

    /// Erases the progress line.
    public static func clearProgress() {
        guard progressShown else { return }
        FileHandle.standardOutput.write(Data("\r\u{1B}[2K".utf8))
        progressShown = false
    }
}
