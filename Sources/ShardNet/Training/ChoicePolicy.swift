/// Which of several `ExecutionChoice`s runs the next slice of a run's steps, from how fast each
/// ran its recent slices — how `--threads auto` keeps measuring while it trains. Bookkeeping
/// only, no clock: `EngineChooser` times the slices and records them here.
///
/// A choice's estimate is its last slice's time per step, or the faster of its last two when it
/// also ran one of the two slices before (the leader, mostly), so one slice caught in a slow
/// spell of a shared machine does not move the lead, and an old probe does not count twice. The
/// leader, the choice with the lowest estimate, runs slices of about `leaderSeconds`. After
/// every `probeEvery` leader slices one other choice, in turn, runs a slice of about
/// `probeSeconds`, so a choice that has become the faster one (another process left the cores,
/// the hypervisor moved the vCPUs) takes the lead within a few probes: a probe leads once its
/// time is under `switchRatio` × the leader's estimate. When the leader itself slows below what
/// another choice last measured, that choice probes at once (its time may be as old as the
/// leader's good one: a slow spell slows every choice), and leads only if the probe confirms.
/// A choice whose probe came out more than `slowRatio` × the leader's estimate skips its next
/// 1, 2, 4, then 8 turns (doubling while it stays that slow), so a choice far behind (two
/// threads sharing a 10-row step's shards) costs little.
package struct ChoicePolicy: Sendable {
    /// Choices, 0 ..< count.
    package let count: Int
    /// Target length of a leader slice, seconds.
    package let leaderSeconds: Double
    /// Target length of a probe slice, seconds.
    package let probeSeconds: Double
    /// Leader slices between probe turns.
    package let probeEvery: Int
    /// A choice takes the lead when its estimate is below this fraction of the leader's.
    package let switchRatio: Double
    /// A probe slower than this multiple of the leader's estimate backs its choice off.
    package let slowRatio: Double
    /// The most probe turns a choice skips after a slow probe.
    package static let maxSkips = 8
    /// Bounds on a slice's steps: a slice is one fork-join of an engine's team, which costs
    /// tens of microseconds, so a slice is never shorter than `minSteps`; slices shorter than
    /// that (a run's last few steps) run but are not recorded as a time.
    package static let minSteps = 8
    package static let maxSteps = 1 << 16

    /// Seconds per step of each choice's last recorded slice, and of the one before when that
    /// was one of the two slices before the last (else ∞).
    package private(set) var secondsPerStep: [Double]
    private var previousSecondsPerStep: [Double]
    private var slices = 0  // slices recorded so far
    private var lastSlice: [Int]  // the slice each choice last recorded, −2 before any
    private var pending: Int?  // a probe to run next: the leader slowed below its last time
    /// The choice that runs the leader slices.
    package private(set) var leader: Int
    private var leaderSlices = 0
    private var probeTurn = 0  // where the turn order of the others continues, 0 ..< count − 1
    private var skips: [Int]  // probe turns each choice still skips
    private var backoff: [Int]  // the turns its next slow probe makes it skip / 2

    /// `leader` starts; `secondsPerStep` (e.g. from `ThreadCalibration.measure`) sizes the first
    /// slices and is what the first probes are compared with (nil: nothing measured yet).
    package init(
        count: Int, leader: Int = 0, secondsPerStep: [Double]? = nil, leaderSeconds: Double = 0.008, probeSeconds: Double = 0.001,
        probeEvery: Int = 8, switchRatio: Double = 0.97, slowRatio: Double = 1.5
    ) {
        precondition(count >= 1 && (0..<count).contains(leader) && probeEvery >= 1)
        precondition(secondsPerStep == nil || secondsPerStep!.count == count)
        self.count = count
        self.leader = leader
        self.secondsPerStep = secondsPerStep ?? [Double](repeating: .infinity, count: count)
        previousSecondsPerStep = [Double](repeating: .infinity, count: count)
        skips = [Int](repeating: 0, count: count)
        backoff = skips
        lastSlice = [Int](repeating: -2, count: count)
        self.leaderSeconds = leaderSeconds
        self.probeSeconds = probeSeconds
        self.probeEvery = probeEvery
        self.switchRatio = switchRatio
        self.slowRatio = slowRatio
    }

    /// Choice i's estimate, seconds per step: its last recorded slice, or the faster of its last
    /// two when they were close together.
    package func estimate(_ i: Int) -> Double { min(secondsPerStep[i], previousSecondsPerStep[i]) }

    /// The choice to run next and its steps (1 ... `remaining`).
    package mutating func next(remaining: Int) -> (choice: Int, steps: Int) {
        precondition(remaining >= 1)
        var choice = leader, seconds = leaderSeconds
        if let probe = pending {
            pending = nil
            choice = probe
            seconds = probeSeconds
        } else if count > 1 && leaderSlices >= probeEvery {
            // A probe turn: the next of the others in turn that skips no more turns; those
            // passed over have skipped one. If every other one skips, the leader runs on.
            leaderSlices = 0
            for k in 0..<(count - 1) {
                let other = (leader + 1 + (probeTurn + k) % (count - 1)) % count
                if skips[other] > 0 {
                    skips[other] -= 1
                    continue
                }
                choice = other
                seconds = probeSeconds
                probeTurn = (probeTurn + k + 1) % (count - 1)
                break
            }
        }
        let perStep = estimate(choice)
        let wanted = perStep.isFinite && perStep > 0 ? Int((seconds / perStep).rounded()) : Self.minSteps
        return (choice, min(remaining, min(Self.maxSteps, max(Self.minSteps, wanted))))
    }

    /// `choice` ran `steps` steps in `seconds` (the slice `next` handed out).
    package mutating func record(choice: Int, steps: Int, seconds: Double) {
        precondition((0..<count).contains(choice) && steps >= 1)
        if choice == leader { leaderSlices += 1 }
        defer { slices += 1 }
        guard steps >= Self.minSteps, seconds.isFinite, seconds > 0 else { return }
        previousSecondsPerStep[choice] = lastSlice[choice] >= slices - 2 ? secondsPerStep[choice] : .infinity
        secondsPerStep[choice] = seconds / Double(steps)
        lastSlice[choice] = slices
        if choice != leader {
            if estimate(choice) < switchRatio * estimate(leader) {
                leader = choice
                leaderSlices = 0
                backoff[choice] = 0
            } else if estimate(choice) > slowRatio * estimate(leader) {
                backoff[choice] = min(Self.maxSkips, max(1, 2 * backoff[choice]))
                skips[choice] = backoff[choice]
            } else {
                backoff[choice] = 0
            }
        } else {
            // The other choice with the best estimate (a loop: no array per slice).
            var best = -1
            for other in 0..<count where other != leader && (best < 0 || estimate(other) < estimate(best)) { best = other }
            if best >= 0 && estimate(best) < switchRatio * estimate(leader) { pending = best }
        }
    }
}
