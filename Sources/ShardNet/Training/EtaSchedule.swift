/// How the learning rate η changes during a run.
public enum EtaSchedule: Sendable, Equatable, CustomStringConvertible {
    /// η stays as given.
    case constant
    /// Chapter 3's schedule: halve η after `epochs` epochs in a row without a better validation
    /// accuracy, and stop once η has fallen to η₀/128 (seven halvings). Needs a validation split.
    case plateau(epochs: Int)

    /// η₀/`stopRatio` ends a plateau schedule.
    public static let stopRatio: Float = 128

    /// "constant" or "plateau:N" — the form the CLI reads and checkpoints store.
    public var description: String {
        switch self {
        case .constant: return "constant"
        case .plateau(let n): return "plateau:\(n)"
        }
    }

    /// Parses "constant" or "plateau:N" (N ≥ 1); nil otherwise.
    public init?(_ text: String) {
        if text == "constant" {
            self = .constant
            return
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == "plateau", let n = Int(parts[1]), n >= 1 else { return nil }
        self = .plateau(epochs: n)
    }

    /// The plateau length, or nil for a constant η.
    public var plateauEpochs: Int? {
        if case .plateau(let n) = self { return n }
        return nil
    }
}
