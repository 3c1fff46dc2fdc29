import Foundation

/// The `shardnet` executable the tests run: $SHARDNET_BIN, else the one `swift build` put in
/// the folder of the test bundle (or a folder up to three above it).
public enum BuiltTool {
    public static var shardnet: URL {
        if let path = ProcessInfo.processInfo.environment["SHARDNET_BIN"] { return URL(fileURLWithPath: path) }
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        var folder = bundle
        // On Linux argv[0] is .../release/ShardNetPackageTests.xctest; on macOS it is xctest inside Xcode.
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("shardnet")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return bundle.appendingPathComponent("shardnet")
    }
}
