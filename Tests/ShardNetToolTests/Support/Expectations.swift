import Foundation
import Testing

extension Tool {
    /// Runs `shardnet args…` expecting it to fail: a non-zero exit (not a signal), exactly one
    /// `Error:` line on stderr containing `phrase` (case-insensitively), and none of
    /// `mustNotExist` created.
    static func expectFailure(
        _ args: [String], mentions phrase: String, mustNotExist: [String] = [],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let r = try run(args)
        #expect(r.status != 0, "exit 0 for \(args)", sourceLocation: sourceLocation)
        #expect(r.status < 128, "killed by a signal for \(args): \(r.all)", sourceLocation: sourceLocation)
        #expect(r.stderr.localizedCaseInsensitiveContains(phrase), "message lacks '\(phrase)': \(r.stderr)", sourceLocation: sourceLocation)
        let errorLines = r.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(errorLines.count == 1, "want one error line, got: \(r.stderr)", sourceLocation: sourceLocation)
        for path in mustNotExist {
            #expect(!FileManager.default.fileExists(atPath: path), "\(path) was written", sourceLocation: sourceLocation)
        }
    }
}
