/// The seam between a group's local shard sum and the SGD update: how the R group sums of a
/// step become one sum, always in group (rank) order.
///
/// A mini-batch of m rows is cut into R × S shards (global shard g gets rows ⌊g·m/(RS)⌋ ..<
/// ⌊(g+1)·m/(RS)⌋); group r owns shards r·S ..< (r+1)·S. The arithmetic is fixed by (R, S):
/// 1. each group sums its shards with rows in shard order (starting from the first; what one
///    rank computes locally);
/// 2. the group sums of the groups with rows are added in group order (starting from the first);
/// 3. the update w ← decay·w − rate·Σ, b ← b − rate·Σ.
///
/// Three forms run it:
/// - `.local(groups: 1)`: the identity — one group, today's sum of S shards fused with the update;
/// - `.local(groups: R)`: R groups emulated in one process (`shardnet train --groups R`);
/// - `.ranks(exchange)`: this process is one of R ranks (`shardnet-mpi`); the exchange moves
///   slices of the group sums and of the parameters between ranks, and ShardNet does the
///   arithmetic (`ShardedSGD`, `Reduce.slice`) — so the bits are those of `.local(groups: R)`.
package enum GradientExchange {
    case local(groups: Int)
    case ranks(any RankExchange)

    /// R.
    package var groups: Int {
        switch self {
        case .local(let groups): return groups
        case .ranks(let exchange): return exchange.ranks
        }
    }
}

/// Communication between R ranks that run the same step on different groups of shards; the
/// implementation (`ShardNetMPI`) moves bytes only, in a fixed order, and never adds.
///
/// The parameter vector is cut into R slices (`RankSlices`); rank q owns slice q.
package protocol RankExchange: AnyObject {
    /// This rank, 0 ..< ranks.
    var rank: Int { get }
    /// R.
    var ranks: Int { get }
    /// Sends slice q of `local` (this rank's group sum, the whole parameter vector) to rank q and
    /// receives this rank's slice of every rank's group sum into `received`, rank q's at
    /// `received + q · slices.count(rank)` (a reduce-scatter without the reduction).
    func scatter(local: UnsafePointer<Float>, received: UnsafeMutablePointer<Float>)
    /// Every rank's (updated) slice of `parameters` to every rank.
    func gather(parameters: UnsafeMutablePointer<Float>)
    /// Every rank's `count` values, rank after rank, into `all` (ranks × count).
    func gather(costs: UnsafePointer<Double>, count: Int, into all: UnsafeMutablePointer<Double>)
}

/// How the parameter vector of `count` floats is cut into one contiguous slice per rank (cut at
/// multiples of 16 floats, so slices start on cache lines).
package struct RankSlices: Sendable, Equatable {
    /// Slice q is bounds[q] ..< bounds[q + 1].
    package let bounds: [Int]

    package init(count: Int, ranks: Int) {
        precondition(ranks >= 1 && count >= 0)
        let blocks = (count + 15) / 16
        bounds = (0...ranks).map { q in min(count, (q * blocks / ranks) * 16) }
    }

    package func range(_ q: Int) -> Range<Int> { bounds[q]..<bounds[q + 1] }
    package func count(_ q: Int) -> Int { bounds[q + 1] - bounds[q] }
}
