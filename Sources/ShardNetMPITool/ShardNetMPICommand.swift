import ArgumentParser

/// `shardnet-mpi`: ShardNet's `train` across the ranks of an MPI job.
@main
struct ShardNetMPICommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "shardnet-mpi",
        abstract: "ShardNet across MPI ranks (Open MPI): data-parallel SGD, bitwise equal to `shardnet train --groups R`.",
        subcommands: [MPITrainCommand.self])
}
