import ArgumentParser
import Foundation
import ShardNet

/// Whether the training split is loaded or streamed from the file, and the epoch order's
/// shuffle window (`EpochOrder`).
public struct StreamOptions: ParsableArguments {
    public init() {}

    @Flag(
        help:
            "Stream the training split from the file instead of loading it: a prefetch thread reads it in blocks while the workers train. Automatic when the split exceeds --memory-budget. Never changes the result (the order is the shuffle window's either way)."
    )
    public var stream = false

    @Option(
        name: .customLong("shuffle-window"),
        help: ArgumentHelp(
            "Shuffle each epoch as blocks of \(EpochOrder.blockRows) samples in a random order, then samples within windows of N samples (what a stream holds in memory). N ≥ the training samples gives the whole-split shuffle. Default: the whole split in memory, \(Format.grouped(EpochOrder.defaultWindow)) when streaming. Fixed for a run (saved in the checkpoint).",
            valueName: "N"))
    public var shuffleWindow: Int?

    @Option(
        name: .customLong("memory-budget"),
        help: ArgumentHelp(
            "Memory the training split may take: a training split larger than this is streamed. Bytes, or with a unit: 512M, 4G (binary). Default: half the physical memory.",
            valueName: "bytes|NM|NG"))
    public var memoryBudget: String?

    public func validate() throws {
        if let shuffleWindow, shuffleWindow < 1 {
            throw ValidationError("--shuffle-window must be at least 1 sample, got \(shuffleWindow)")
        }
        if let memoryBudget, Self.bytes(memoryBudget) == nil {
            throw ValidationError("--memory-budget must be a byte count or a size such as 512M or 4G, got '\(memoryBudget)'")
        }
    }

    /// The budget in bytes: --memory-budget, or half the physical memory.
    public var budget: Int { memoryBudget.flatMap(Self.bytes) ?? Int(ProcessInfo.processInfo.physicalMemory / 2) }

    /// "123", "512K", "512M", "4G", "1T" (binary units) as bytes; nil when malformed or < 1.
    public static func bytes(_ text: String) -> Int? {
        let units: [Character: Int] = ["K": 10, "M": 20, "G": 30, "T": 40]
        var digits = Substring(text), shift = 0
        if let last = text.last?.uppercased().first, let s = units[last] {
            digits = text.dropLast()
            shift = s
        }
        guard let n = Int(digits), n >= 1, n <= Int.max >> shift else { return nil }
        return n << shift
    }

    /// The window a new run uses: --shuffle-window, else the default when streaming, else the
    /// whole split.
    public func window(streaming: Bool) -> Int? { shuffleWindow ?? (streaming ? EpochOrder.defaultWindow : nil) }

    /// A --shuffle-window that contradicts the checkpoint being resumed.
    public func conflicts(with state: TrainingState, from path: String) throws {
        guard let shuffleWindow, shuffleWindow != state.shuffleWindow else { return }
        let saved = state.shuffleWindow.map { "a shuffle window of \(Format.grouped($0)) samples" } ?? "the whole-split shuffle"
        throw ValidationErrorMessage(
            "--shuffle-window \(shuffleWindow) contradicts the checkpoint \(path), which was trained with \(saved); drop the flag to resume exactly")
    }

    /// Bytes a stream of `stream` takes with `window` and runs of `rows` samples: the windows,
    /// two run buffers, the labels and the epoch order.
    public static func streamBytes(_ stream: TrainingStream, window: Int?, runRows: Int) -> Int {
        let n = stream.count, w = min(window ?? n, n)
        return (w < n ? 2 * w : n) * stream.features + 2 * min(n, runRows) * (stream.features + 4) + 8 * n
    }

    /// Sets a new run's shuffle window, and refuses a stream whose window does not fit the budget.
    public func prepare(_ trainer: Trainer, stream: TrainingStream?, resumed: Bool) throws {
        if !resumed { try trainer.useShuffleWindow(window(streaming: stream != nil)) }
        if let stream {
            try check(stream, window: trainer.state.shuffleWindow, runRows: Trainer.defaultStepsPerRun * trainer.state.miniBatchSize)
        }
    }

    /// The run's line about its data order: "  streaming /train …" or the shuffle window; nil for
    /// an in-memory whole-split shuffle.
    public static func describe(_ stream: TrainingStream?, window: Int?) -> String? {
        let order = window.map { "shuffle window \(Format.grouped($0)) samples" } ?? "whole-split shuffle"
        guard let stream else { return window == nil ? nil : "  \(order)" }
        let storage = stream.chunks.map { "chunks of \(Format.grouped($0[0])) rows" } ?? "contiguous"
        return "  streaming /train from the file (\(order), \(storage)\(stream.compressed ? ", gzip" : ""))"
    }

    /// Refuses a stream whose window does not fit the budget.
    public func check(_ stream: TrainingStream, window: Int?, runRows: Int) throws {
        let need = Self.streamBytes(stream, window: window, runRows: runRows)
        guard need > budget else { return }
        let held = window.map { "a shuffle window of \(Format.grouped($0)) samples" } ?? "the whole-split shuffle"
        throw ValidationErrorMessage(
            "streaming \(stream.path) /train with \(held) needs \(Self.describe(need)), more than the memory budget \(Self.describe(budget)); use a smaller --shuffle-window or a larger --memory-budget"
        )
    }

    /// 1234567 → "1.2 MB" (decimal units).
    public static func describe(_ bytes: Int) -> String {
        let b = Double(bytes)
        if b >= 1e9 { return Format.fixed(b / 1e9, 2) + " GB" }
        if b >= 1e6 { return Format.fixed(b / 1e6, 1) + " MB" }
        return Format.grouped(bytes) + " bytes"
    }
}
