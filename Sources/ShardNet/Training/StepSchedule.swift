/// How a mini-batch step is cut into work items for the threads. Both give bitwise the same
/// result with the native kernels (each output element is computed by the same operations
/// whoever computes it), so the choice is about speed only; BLAS always runs `.shards`.
public enum StepSchedule: String, Sendable, CaseIterable, Codable {
    /// Data-parallel: each item runs backprop on one shard's rows through the whole network;
    /// the reducer items then sum the shards' gradients per range of units. Best when shards
    /// have many rows (m ≳ 64 per thread).
    case shards
    /// Unit-parallel: each item computes one range of a layer's units for the whole mini-batch
    /// (forward, then δ back, then the per-shard gradients, their sum in shard order and the
    /// update of those rows), so a core keeps updating the same rows of wˡ step after step
    /// and the parameters never move between cores. Best for small mini-batches (Nielsen's
    /// m = 10), where moving parameters between cores costs more than the arithmetic.
    case units
}
