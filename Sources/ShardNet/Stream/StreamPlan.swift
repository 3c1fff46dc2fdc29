/// What a stream's prefetch thread gathers for one epoch: the epoch order and its block
/// layout, and which steps the trainer will run, in runs of `stepsPerRun`.
package struct StreamPlan: Sendable {
    /// Distinguishes this plan from earlier ones (buffers filled for an older plan are discarded).
    package var token: Int
    /// (n) the epoch's sample order (`EpochOrder.draw`).
    package var order: [Int32]
    /// Where each sample lies in the epoch's block sequence.
    package var layout: EpochOrder.Layout
    /// The shuffle window in samples, at most n (n: one window, the whole split).
    package var window: Int
    /// m.
    package var miniBatchSize: Int
    /// The first step to gather (a resumed epoch starts past 0).
    package var firstStep: Int
    /// Steps in the epoch, ⌈n / m⌉.
    package var steps: Int
    /// Steps per run (the last run of the epoch may be shorter).
    package var stepsPerRun: Int

    /// n.
    package var count: Int { order.count }

    /// Windows in the epoch, ⌈n / window⌉.
    package var windows: Int { (count + window - 1) / window }

    /// The run that starts at `step`.
    package func run(from step: Int) -> Range<Int> { step..<min(steps, step + stepsPerRun) }

    /// Epoch positions (indices into `order`) of the steps `run`.
    package func positions(_ run: Range<Int>) -> Range<Int> {
        (run.lowerBound * miniBatchSize)..<min(count, run.upperBound * miniBatchSize)
    }
}
