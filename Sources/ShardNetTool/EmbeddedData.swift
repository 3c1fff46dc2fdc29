import Foundation
import ShardNet
import ShardNetCLI

extension DataSource {
    /// Path of the embedded mnist-5k.h5 (4,000 train / 1,000 test real MNIST digits), shipped
    /// as a SwiftPM resource next to the executable.
    static func embeddedPath() throws -> String {
        guard let path = Bundle.module.path(forResource: "mnist-5k", ofType: "h5") else {
            throw ShardNetError.io(
                path: "mnist-5k.h5",
                reason:
                    "the embedded dataset is missing from the shardnet_ShardNetTool.resources bundle; rebuild with `swift build`, or pass --data FILE.h5"
            )
        }
        return path
    }

    /// Loads a dataset file, or the embedded one when `data` is nil.
    static func load(_ data: String?) throws -> (path: String, file: DataSetFile) {
        guard let data else {
            let embedded = try embeddedPath()  // shipped with the tool: trusted
            return (embedded, try DataSetFile.load(from: embedded))
        }
        return (data, try load(path: data))
    }
}
