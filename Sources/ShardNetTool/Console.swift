import Foundation

/// Terminal output: plain lines when stdout is not a terminal, a live progress line when it is.
enum Console {
    /// True when standard output is a terminal (progress bars allowed).
    static let isTerminal: Bool = isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["TERM"] != "dumb"

    /// Prints a line and flushes, so lines appear promptly even when piped.
    static func line(_ text: String) {
        if isTerminal { clearProgress() }
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Prints a warning to standard error.
    static func warn(_ text: String) {
        FileHandle.standardError.write(Data(("warning: " + text + "\n").utf8))
    }

    private nonisolated(unsafe) static var progressShown = false

    /// Redraws the progress line in place (terminals only).
    static func progress(_ text: String) {
        guard isTerminal else { return }
        FileHandle.standardOutput.write(Data(("\r\u{1B}[2K" + text).utf8))
        progressShown = true
    }

    /// Erases the progress line.
    static func clearProgress() {
        guard progressShown else { return }
        FileHandle.standardOutput.write(Data("\r\u{1B}[2K".utf8))
        progressShown = false
    }
}

/// Number formatting shared by the commands.
enum Format {
    static func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
    static func percent(_ x: Double) -> String { String(format: "%.2f%%", 100 * x) }
    /// 12345 → "12,345".
    static func grouped(_ n: Int) -> String {
        let s = String(n.magnitude)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
    static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let s = Int(seconds.rounded())
        return s < 3600 ? String(format: "%dm%02ds", s / 60, s % 60) : String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }
    /// A JSON number (NaN and ±∞ become null).
    static func json(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
}
