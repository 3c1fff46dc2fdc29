import CMPI
import Foundation
import ShardNet

/// MPI_COMM_WORLD for one job: this process's rank and the rank count; every MPI call is
/// checked, and a failed call ends the whole job (MPI_Abort) with a message naming the rank and
/// the call, instead of leaving the other ranks waiting in a collective.
///
/// Only the thread that created the world calls MPI (MPI_THREAD_FUNNELED): the worker threads
/// of a step never do.
public final class MPIWorld {
    /// This process's rank, 0 ..< size.
    public let rank: Int
    /// The number of ranks.
    public let size: Int
    let comm: MPI_Comm
    /// Bytes of gradient, parameter and cost data this rank has sent to other ranks so far, as
    /// point-to-point payloads: per step (R−1)/R·P·4 in the reduce-scatter (its slices of the
    /// local sum for the others), the same in the allgather (its updated slice for each other
    /// rank), and the shard costs. What the README's cost model charges a step.
    public private(set) var bytesSent = 0

    /// Adds to `bytesSent`.
    func sent(_ bytes: Int) { bytesSent += bytes }

    /// MPI_Init_thread, and errors returned (not fatal) on MPI_COMM_WORLD so that they can be reported.
    public init() {
        var provided: Int32 = 0
        let rc = MPI_Init_thread(nil, nil, shardnet_mpi_thread_funneled(), &provided)
        guard rc == shardnet_mpi_success() else {
            FileHandle.standardError.write(Data("shardnet-mpi: MPI_Init_thread failed (\(rc)); run under mpirun\n".utf8))
            exit(1)
        }
        comm = shardnet_mpi_comm_world()
        MPI_Comm_set_errhandler(comm, shardnet_mpi_errors_return())
        var r: Int32 = 0, s: Int32 = 0
        MPI_Comm_rank(comm, &r)
        MPI_Comm_size(comm, &s)
        rank = Int(r)
        size = Int(s)
        _ = provided
    }

    /// Checks an MPI call's return code; on failure ends the job.
    func check(_ rc: Int32, _ call: String) {
        guard rc != shardnet_mpi_success() else { return }
        var text = [CChar](repeating: 0, count: Int(shardnet_mpi_max_error_string()) + 1)
        var length: Int32 = 0
        MPI_Error_string(rc, &text, &length)
        let end = text.firstIndex(of: 0) ?? text.endIndex
        abort("\(call) failed: \(String(decoding: text[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)) (another rank may have died)")
    }

    /// Prints "shardnet-mpi: rank r: message" on standard error and ends every rank of the job
    /// (MPI_Abort with status 1).
    public func abort(_ message: String) -> Never {
        FileHandle.standardError.write(Data("shardnet-mpi: rank \(rank): \(message)\n".utf8))
        MPI_Abort(comm, 1)
        exit(1)
    }

    /// Waits for every rank.
    public func barrier() { check(MPI_Barrier(comm), "MPI_Barrier") }

    /// MPI_Finalize.
    public func finalize() { MPI_Finalize() }

    /// Every rank's `values` (the same count on each), rank after rank.
    public func allGather(_ values: [UInt64]) -> [[UInt64]] {
        var all = [UInt64](repeating: 0, count: values.count * size)
        values.withUnsafeBufferPointer { v in
            all.withUnsafeMutableBufferPointer { a in
                check(
                    MPI_Allgather(
                        v.baseAddress, Int32(values.count), shardnet_mpi_uint64(), a.baseAddress, Int32(values.count),
                        shardnet_mpi_uint64(), comm), "MPI_Allgather")
            }
        }
        return (0..<size).map { Array(all[($0 * values.count)..<(($0 + 1) * values.count)]) }
    }
}

/// The ranks' exchange for `ShardedSGD`: a fixed-order reduce-scatter (MPI_Alltoallv: slice q
/// of every rank's local sum to rank q, which then adds them in rank order — in ShardNet, not in
/// MPI) and an allgather of the updated slices (MPI_Allgatherv). MPI never adds: MPI_Allreduce
/// with MPI_SUM is not used, because its order of addition is not fixed.
final class MPIExchange: RankExchange {
    let world: MPIWorld
    let slices: RankSlices
    var rank: Int { world.rank }
    var ranks: Int { world.size }
    private var sendCounts: [Int32], sendDisplacements: [Int32]
    private var receiveCounts: [Int32], receiveDisplacements: [Int32]
    private var sliceCounts: [Int32], sliceDisplacements: [Int32]

    init(world: MPIWorld, parameters: Int) {
        precondition(parameters <= Int(Int32.max), "more parameters than one MPI message holds")
        self.world = world
        let slices = RankSlices(count: parameters, ranks: world.size)
        self.slices = slices
        let r = world.size, own = slices.count(world.rank)
        sendCounts = (0..<r).map { Int32(slices.count($0)) }
        sendDisplacements = (0..<r).map { Int32(slices.bounds[$0]) }
        receiveCounts = [Int32](repeating: Int32(own), count: r)
        receiveDisplacements = (0..<r).map { Int32($0 * own) }
        sliceCounts = sendCounts
        sliceDisplacements = sendDisplacements
    }

    func scatter(local: UnsafePointer<Float>, received: UnsafeMutablePointer<Float>) {
        world.sent((slices.bounds[ranks] - slices.count(rank)) * 4)
        world.check(
            MPI_Alltoallv(
                local, &sendCounts, &sendDisplacements, shardnet_mpi_float(), received, &receiveCounts, &receiveDisplacements,
                shardnet_mpi_float(), world.comm), "MPI_Alltoallv")
    }

    func gather(parameters: UnsafeMutablePointer<Float>) {
        world.sent(slices.count(rank) * 4 * (ranks - 1))
        world.check(
            MPI_Allgatherv(
                shardnet_mpi_in_place(), 0, shardnet_mpi_float(), parameters, &sliceCounts, &sliceDisplacements,
                shardnet_mpi_float(), world.comm), "MPI_Allgatherv")
    }

    func gather(costs: UnsafePointer<Double>, count: Int, into all: UnsafeMutablePointer<Double>) {
        world.sent(count * 8 * (ranks - 1))
        world.check(
            MPI_Allgather(costs, Int32(count), shardnet_mpi_double(), all, Int32(count), shardnet_mpi_double(), world.comm),
            "MPI_Allgather")
    }
}

extension Trainer {
    /// A trainer for rank `world.rank` of `world.size`: it runs its group's `state.shards` shards
    /// of each mini-batch and exchanges with the other ranks; `state.groups` must equal the rank count.
    public static func rank(
        of world: MPIWorld, network: Network, state: TrainingState, threads: Int?, kernels: KernelChoice, velocity: [Float]? = nil
    ) throws -> Trainer {
        try Trainer(
            network: network, state: state, threads: threads, kernels: kernels, schedule: .shards,
            rank: MPIExchange(world: world, parameters: network.layout.count), velocity: velocity)
    }
}

/// FNV-1a, 64 bits, over raw bytes: the start-up check that every rank has the same data,
/// parameters and options.
public struct Digest {
    public private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325
    public init() {}
    public mutating func add(_ bytes: UnsafeRawBufferPointer) {
        for b in bytes { value = (value ^ UInt64(b)) &* 0x100_0000_01b3 }
    }
    public mutating func add<T>(_ array: [T]) { array.withUnsafeBytes { add($0) } }
    public mutating func add(_ string: String) { add(Array(string.utf8)) }
}
