import ArgumentParser
import Foundation
import ShardNet
import ShardNetCLI

/// `shardnet train`: SGD epochs with progress, per-epoch lines, JSONL log and checkpoints.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a network with sharded mini-batch SGD.",
        discussion: """
            Defaults are Nielsen's chapter-1 run (each option shows its own). Without --data, trains on
            the embedded 5,000 MNIST digits.
            Shards fix the arithmetic: the same --seed and --shards give bitwise-identical weights for any
            --threads. The model (with its training state) is saved to --output after every
            --checkpoint-every epochs (or steps, or minutes: 500steps, 10m), atomically.
            SIGINT (Ctrl-C) or SIGTERM stops after the current steps: the checkpoint records the
            position inside the epoch, the command that resumes is printed, and the exit status is
            130 (SIGINT) or 143 (SIGTERM); --resume continues bitwise as if never stopped. A second
            signal exits at once, leaving the last saved checkpoint as it was.

            Examples:
              shardnet train
              shardnet train --data fashion.h5 --epochs 30 --output fashion-model.h5
              shardnet train --data fashion.h5 --cost cross-entropy --init scaled --eta 0.5 --lambda 5
              shardnet train --data fashion.h5 --layers 784,256,128,10 --activation relu --output-layer softmax \\
                  --momentum 0.9 --eta 0.05 --batch-size 32 --dropout 0.2 --validation 10000 --early-stop 10
              shardnet train --resume model.h5 --epochs 40
            """)

    @OptionGroup var arguments: TrainArguments

    func run() throws {
        try TrainDriver(arguments, world: LocalWorld(embeddedData: DataSource.embeddedPath)).run()
    }
}
