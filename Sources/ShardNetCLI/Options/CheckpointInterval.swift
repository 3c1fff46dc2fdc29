import ArgumentParser

/// How often `train` saves its checkpoint: every N epochs (`3`), every N mini-batch steps
/// (`500steps`, saving mid-epoch), or every so much wall-clock time (`30s`, `10m`, `2h`, also
/// mid-epoch). Mid-epoch checkpoints record the position inside the epoch, so a resume from one
/// continues bitwise where the run was.
public enum CheckpointInterval: Equatable, ExpressibleByArgument, CustomStringConvertible {
    case epochs(Int)
    case steps(Int)
    case seconds(Double)

    public init?(argument: String) {
        let text = argument.lowercased()
        func count(_ digits: Substring) -> Int? { digits.allSatisfy(\.isNumber) ? Int(digits).flatMap { $0 >= 1 ? $0 : nil } : nil }
        if let n = count(Substring(text)) {
            self = .epochs(n)
        } else if let number = ["steps", "step"].first(where: text.hasSuffix), let n = count(text.dropLast(number.count)) {
            self = .steps(n)
        } else if let unit = text.last, let scale = ["s": 1.0, "m": 60, "h": 3600][String(unit)], let n = count(text.dropLast()) {
            self = .seconds(Double(n) * scale)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .epochs(let n): return "\(n)"
        case .steps(let n): return "\(n)steps"
        case .seconds(let s): return "\(Int(s))s"
        }
    }

    public static var defaultValueDescription: String { "1" }
}
