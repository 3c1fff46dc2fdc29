import ArgumentParser
import Foundation
import ShardNet
import ShardNetCLI
import ShardNetMPI

/// `shardnet-mpi train`: every option of `shardnet train` (the same `TrainArguments` and
/// `TrainDriver`); rank r of R runs shards r·S ..< (r+1)·S of every global mini-batch on its
/// threads, and the ranks combine their local sums in rank order (see `GradientExchange`), so
/// the weights are those of `shardnet train --groups R --shards S`, bit for bit.
struct MPITrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train across the ranks of an MPI job (run under mpirun); takes every option of `shardnet train`.",
        discussion: """
            Every rank loads --data itself and draws the same shuffle from --seed;
            rank 0 prints, logs (--log, --tensorboard) and writes the checkpoints
            (--output, --keep-best). The result equals `shardnet train --groups <ranks>
            --shards S`, bit for bit. Defaults as in `shardnet train`, except --shards
            (1 per rank) and --threads (the cores mpirun lets the rank use).
            Refused, each with one error line: --groups other than the rank count,
            --threads auto, --step-schedule units or auto, and a missing --data.
            SIGINT/SIGTERM end the job (no clean stop across ranks); bound the loss
            with --checkpoint-every Nsteps or Nm.

            Examples:
              mpirun -np 2 shardnet-mpi train --data mnist.h5 --shards 2
              mpirun -np 2 shardnet-mpi train --data mnist.h5 --activation relu \\
                  --output-layer softmax --momentum 0.9 --eta 0.1 --dropout 0.2 \\
                  --validation 1000 --early-stop 5 --keep-best best.h5
              mpirun --hostfile hosts -np 4 shardnet-mpi train \\
                  --data /shared/fashion.h5 --threads 8 --shards 8
            """)

    @OptionGroup var arguments: TrainArguments

    func run() throws {
        let world = MPIWorld()
        let training = MPITrainingWorld(world)
        // Flags that cannot work across ranks: the same on every rank, so rank 0 alone says so.
        if let refusal = training.refusal(arguments) {
            if world.rank == 0 { FileHandle.standardError.write(Data("Error: \(refusal)\n".utf8)) }
            world.finalize()
            throw ExitCode.failure
        }
        do {
            try TrainDriver(arguments, world: training).run()
        } catch {
            world.abort("\(error)")
        }
        world.finalize()
    }
}
