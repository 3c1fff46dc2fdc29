import ArgumentParser
import ShardNet

/// `shardnet`: train Nielsen's sigmoid networks on every core, keep models in HDF5.
@main
struct ShardNetCommand: ParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "shardnet",
        abstract: "Data-parallel SGD for Nielsen's sigmoid networks, with HDF5 datasets and checkpoints.",
        discussion: """
            Quick start (trains on the 5,000 embedded MNIST digits, saves model.h5):
              shardnet train
              shardnet evaluate --model model.h5
            Full Fashion-MNIST:
              shardnet convert /usr/share/datasets/fashion-mnist --output fashion.h5
              shardnet train --data fashion.h5 --output fashion-model.h5
            """,
        version: version,
        subcommands: [
            TrainCommand.self, EvaluateCommand.self, PredictCommand.self, ConvertCommand.self,
            InfoCommand.self, BenchCommand.self, ExportCommand.self, ImportCommand.self,
            CheckImportCommand.self,
        ]
    )
}
