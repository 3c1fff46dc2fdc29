/// Who runs the arithmetic of a step: a thread count and a step schedule. Shards fix the
/// arithmetic, so every choice trains the same bits; choices differ in speed only.
public struct ExecutionChoice: Hashable, Sendable, CustomStringConvertible {
    /// Worker threads.
    public var threads: Int
    /// How each step is cut into work items.
    public var schedule: StepSchedule

    public init(threads: Int, schedule: StepSchedule) {
        self.threads = threads
        self.schedule = schedule
    }

    /// "2 threads, units".
    public var description: String { "\(threads) thread\(threads == 1 ? "" : "s"), \(schedule.rawValue)" }
}
