import ShardNet

/// How many shards S each mini-batch is cut into at each thread count of a scaling sweep.
///
/// The default, `.matchThreads` (S = T), is what a user gets from `shardnet train` without
/// `--shards`: it measures the user's experience, but the arithmetic (and so the exact
/// weights) differs between thread counts. `.fixed(S)` and `.maxThreads` keep S constant over
/// the thread axis, so every point of a series does bitwise-identical work; the engine's
/// per-step cost then also includes the S − T extra shards at small T.
package enum ShardPolicy: Sendable, Equatable, Codable, CustomStringConvertible {
    /// S = T: one shard per thread, as the trainer's default.
    case matchThreads
    /// S = the largest thread count of the sweep, for every point.
    case maxThreads
    /// S fixed for every point.
    case fixed(Int)

    /// The shard count used at `threads` threads in a sweep whose largest thread count is `maxThreads`.
    package func shards(threads: Int, maxThreads: Int) -> Int {
        switch self {
        case .matchThreads: return threads
        case .maxThreads: return maxThreads
        case .fixed(let s): return s
        }
    }

    /// "threads", "max" or a number.
    package init(parsing text: String) throws {
        switch text.lowercased() {
        case "threads", "t", "match": self = .matchThreads
        case "max", "maxthreads": self = .maxThreads
        default:
            guard let s = Int(text), s >= 1, s <= 4096 else {
                throw ShardNetError.invalidArgument("shards must be 'threads', 'max' or a number 1...4096, got '\(text)'")
            }
            self = .fixed(s)
        }
    }

    package var description: String {
        switch self {
        case .matchThreads: return "S = T (one shard per thread)"
        case .maxThreads: return "S = max threads (fixed)"
        case .fixed(let s): return "S = \(s) (fixed)"
        }
    }
}
