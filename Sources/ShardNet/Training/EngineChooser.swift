import Dispatch

/// The engines a trainer runs its steps on: one per `ExecutionChoice`, and a `ChoicePolicy`
/// that hands each slice of a run's steps to one of them. Any engine may run any step — they
/// share the parameters (and velocity), each run call packs from and unpacks into them, and
/// the shard count fixes the arithmetic — so switching between slices changes the speed only,
/// never a bit of the result. With one choice it is a plain pass-through to its engine.
package final class EngineChooser {
    /// The choices, in the order of `engines`; the first is the one training starts with.
    package let choices: [ExecutionChoice]
    private let engines: [ShardedSGD]
    /// Hands out the slices.
    package private(set) var policy: ChoicePolicy
    /// Steps each choice has run, over all runs.
    package private(set) var stepsRun: [Int]
    /// Steps each choice has run since `startEpoch`.
    private var epochSteps: [Int]
    /// The choice that ran most of the last finished epoch's steps (until then the first).
    package private(set) var lastEpochChoice: ExecutionChoice

    package init(engines: [ShardedSGD], policy: ChoicePolicy) {
        precondition(!engines.isEmpty && policy.count == engines.count)
        self.engines = engines
        choices = engines.map { ExecutionChoice(threads: $0.threads, schedule: $0.schedule) }
        self.policy = policy
        stepsRun = [Int](repeating: 0, count: engines.count)
        epochSteps = stepsRun
        lastEpochChoice = choices[0]
    }

    /// Runs `steps` as `ShardedSGD.run(steps:order:data:parameters:settings:costSum:)` does,
    /// in slices on the engines the policy picks, timing each slice for it.
    package func run(
        steps: Range<Int>, order: UnsafeBufferPointer<Int32>, data: DataSet, parameters: AlignedBuffer, settings: StepSettings,
        costSum: inout Double
    ) {
        var first = steps.lowerBound
        while first < steps.upperBound {
            let (choice, count) =
                engines.count == 1 ? (0, steps.upperBound - first) : policy.next(remaining: steps.upperBound - first)
            engines[choice].run(
                steps: first..<(first + count), order: order, data: data, parameters: parameters, settings: settings, costSum: &costSum)
            if engines.count > 1 {
                // The run's later steps: a probe of a few hundred steps would otherwise weigh
                // the team's wake-up and cold caches against a long leader slice.
                let perStep = engines[choice].lastRunSecondsPerStep
                policy.record(choice: choice, steps: count, seconds: perStep.isNaN ? .nan : perStep * Double(count))
            }
            stepsRun[choice] += count
            epochSteps[choice] += count
            first += count
        }
    }

    /// The engine of choice `i`.
    package func engine(_ i: Int) -> ShardedSGD { engines[i] }

    /// Starts counting an epoch's steps per choice.
    package func startEpoch() {
        for i in epochSteps.indices { epochSteps[i] = 0 }
    }

    /// Ends the epoch's count: `lastEpochChoice` becomes the choice that ran most of its steps.
    package func finishEpoch() {
        if let most = epochSteps.indices.max(by: { epochSteps[$0] < epochSteps[$1] }), epochSteps[most] > 0 {
            lastEpochChoice = choices[most]
        }
    }

    /// Seconds in backprop, the reducer and waits, summed over the engines and their threads.
    package var timeProfile: (backprop: Double, reduce: Double, wait: Double) {
        engines.reduce((0.0, 0.0, 0.0)) { ($0.0 + $1.backpropSeconds, $0.1 + $1.reduceSeconds, $0.2 + $1.waitSeconds) }
    }
}
