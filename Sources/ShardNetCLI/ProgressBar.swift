import Foundation

/// A one-line progress bar for an epoch: samples done, samples/s, ETA.
///
/// The rate is measured from the first rendered point (the bar is created at the first
/// progress report, so the time before it is unknown) and shown only once it spans at least
/// `minimumSeconds` and one more report; before that it reads "–", not a rate over a
/// near-zero interval.
public struct ProgressBar {
    public let epoch: Int
    public let epochs: Int
    public let total: Int
    public let width = 28
    /// The shortest interval a shown rate is measured over.
    public static let minimumSeconds = 0.2
    private var baseline: (done: Int, time: Date)?

    public init(epoch: Int, epochs: Int, total: Int) {
        self.epoch = epoch
        self.epochs = epochs
        self.total = total
    }

    /// Samples per second since the first rendered point, or nil while that means nothing.
    public mutating func rate(done: Int, now: Date) -> Double? {
        guard let baseline else {
            self.baseline = (done, now)
            return nil
        }
        let elapsed = now.timeIntervalSince(baseline.time), counted = done - baseline.done
        guard elapsed >= Self.minimumSeconds, counted > 0 else { return nil }
        return Double(counted) / elapsed
    }

    public mutating func render(done: Int, now: Date = Date()) -> String {
        let fraction = total > 0 ? Double(done) / Double(total) : 1
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "=", count: filled) + (filled < width ? ">" : "") + String(repeating: " ", count: max(0, width - filled - 1))
        let speed: String
        if let rate = rate(done: done, now: now) {
            speed = "\(Format.grouped(Int(rate))) samples/s  ETA \(Format.duration(Double(total - done) / rate))"
        } else {
            speed = "– samples/s  ETA –"
        }
        return "Epoch \(epoch)/\(epochs) [\(bar)] \(Format.grouped(done))/\(Format.grouped(total))  \(speed)"
    }
}
