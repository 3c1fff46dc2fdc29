import Foundation

/// A one-line progress bar for an epoch: samples done, samples/s, ETA.
struct ProgressBar {
    let epoch: Int
    let epochs: Int
    let total: Int
    let start = Date()
    let width = 28

    func render(done: Int) -> String {
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        return "Epoch \(epoch)/\(epochs) [\(bar)] \(Format.grouped(done))/\(Format.grouped(total))  \(Format.grouped(Int(rate))) samples/s  ETA \(Format.duration(eta))"
    }
}
