import Foundation

/// Number formatting shared by the commands.
public enum Format {
    public static func fixed(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
    public static func percent(_ x: Double) -> String { String(format: "%.2f%%", 100 * x) }
    /// 12345 → "12,345".
    public static func grouped(_ n: Int) -> String {
        let s = String(n.magnitude)
        var out = ""
        for (i, c) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }
    public static func duration(_ seconds: Double) -> String {
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        let s = Int(seconds.rounded())
        return s < 3600 ? String(format: "%dm%02ds", s / 60, s % 60) : String(format: "%dh%02dm", s / 3600, (s % 3600) / 60)
    }
    /// A JSON number (NaN and ±∞ become null).
    public static func json(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
}
