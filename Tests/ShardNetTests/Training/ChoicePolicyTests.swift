import Testing

@testable import ShardNet

/// `ChoicePolicy`, how `--threads auto` keeps choosing while it trains: which choice runs the
/// next slice of steps, and how long the slice is, from each choice's recent times per step.
@Suite struct ChoicePolicyTests {
    /// Runs `slices` slices, each choice taking `perStep[choice]` seconds a step; returns the
    /// choices in order.
    static func simulate(_ policy: inout ChoicePolicy, slices: Int, perStep: [Double], remaining: Int = 1_000_000) -> [Int] {
        (0..<slices).map { _ in
            let (choice, steps) = policy.next(remaining: remaining)
            policy.record(choice: choice, steps: steps, seconds: perStep[choice] * Double(steps))
            return choice
        }
    }

    /// The leader runs `probeEvery` slices, then the others probe one at a time, in turn; the
    /// leader stays while nobody is faster.
    @Test func leaderSlicesThenEachOtherChoiceProbesInTurn() {
        let perStep = [10e-6, 12e-6, 13e-6]
        var policy = ChoicePolicy(count: 3, leader: 0, secondsPerStep: perStep, probeEvery: 4)
        #expect(Self.simulate(&policy, slices: 15, perStep: perStep) == [0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0, 0, 0, 1])
        #expect(policy.leader == 0)
    }

    /// A probe that runs a step in under `switchRatio` of the leader's time takes the lead at
    /// once; one within that margin does not (no flapping between near-equal choices).
    @Test func aFasterProbeTakesTheLeadANearTieDoesNot() {
        var policy = ChoicePolicy(count: 2, leader: 0, secondsPerStep: [10e-6, 20e-6], probeEvery: 2, switchRatio: 0.97)
        // Choice 1 has become faster (the machine changed): its next probe wins.
        #expect(Self.simulate(&policy, slices: 5, perStep: [10e-6, 5e-6]) == [0, 0, 1, 1, 1])
        #expect(policy.leader == 1)

        var close = ChoicePolicy(count: 2, leader: 0, secondsPerStep: [10e-6, 20e-6], probeEvery: 2, switchRatio: 0.97)
        _ = Self.simulate(&close, slices: 12, perStep: [10e-6, 9.8e-6])
        #expect(close.leader == 0, "2% faster is within the switch ratio")
    }

    /// One slow slice of the leader (a slow spell of the machine) does not move the lead: the
    /// leader's estimate is the faster of its last two slices. After two, the choice that last
    /// measured faster probes at once, and leads only if it is faster now — in a slow spell
    /// that slows every choice, it is not.
    @Test func aSlowLeaderHasTheOthersProbedBeforeItLosesTheLead() {
        var policy = ChoicePolicy(count: 2, leader: 0, secondsPerStep: [10e-6, 14e-6], probeEvery: 100)
        for seconds in [10e-6, 10e-6, 40e-6] {
            #expect(policy.next(remaining: 1000).choice == 0)
            policy.record(choice: 0, steps: 100, seconds: 100 * seconds)
        }
        #expect(policy.estimate(0) == 10e-6, "one slow slice: the one before still counts")
        #expect(policy.next(remaining: 1000).choice == 0)
        policy.record(choice: 0, steps: 100, seconds: 100 * 40e-6)
        let check = policy.next(remaining: 1000)
        #expect(check.choice == 1, "two slow slices: the other choice probes now")
        policy.record(choice: 1, steps: check.steps, seconds: Double(check.steps) * 45e-6)
        #expect(policy.leader == 0, "everything is slow: no switch")
        #expect(policy.next(remaining: 1000).choice == 0)
        policy.record(choice: 0, steps: 100, seconds: 100 * 40e-6)
        #expect(policy.next(remaining: 1000).choice == 0, "the other's fresh time is no better: no probe again")
        policy.record(choice: 0, steps: 100, seconds: 100 * 40e-6)

        var faster = ChoicePolicy(count: 2, leader: 0, secondsPerStep: [10e-6, 14e-6], probeEvery: 100)
        for seconds in [10e-6, 40e-6, 40e-6] {
            _ = faster.next(remaining: 1000)
            faster.record(choice: 0, steps: 100, seconds: 100 * seconds)
        }
        let probe = faster.next(remaining: 1000)
        #expect(probe.choice == 1)
        faster.record(choice: 1, steps: probe.steps, seconds: Double(probe.steps) * 15e-6)
        #expect(faster.leader == 1, "the leader really slowed: the other, 15 µs now, leads")
    }

    /// A probe more than `slowRatio` × the leader's estimate makes its choice skip its next
    /// 1, then 2 probe turns (a turn where every other choice skips runs the leader).
    @Test func slowChoicesBackOff() {
        var policy = ChoicePolicy(count: 3, leader: 0, secondsPerStep: [10e-6, 20e-6, 30e-6], probeEvery: 1, slowRatio: 1.5)
        let order = Self.simulate(&policy, slices: 13, perStep: [10e-6, 20e-6, 30e-6])
        #expect(order == [0, 1, 0, 2, 0, 0, 1, 0, 2, 0, 0, 0, 1])
    }

    /// Slices last about `leaderSeconds` / `probeSeconds` at the choice's estimate, at least
    /// `minSteps`, at most what the run has left; an unmeasured choice runs `minSteps`.
    @Test func slicesAreSizedFromTheEstimates() {
        var policy = ChoicePolicy(
            count: 2, leader: 0, secondsPerStep: [10e-6, .infinity], leaderSeconds: 0.008, probeSeconds: 0.001, probeEvery: 1)
        let first = policy.next(remaining: 100_000)
        #expect(first.choice == 0 && first.steps == 800)
        policy.record(choice: 0, steps: 800, seconds: 0.008)
        let unmeasured = policy.next(remaining: 100_000)
        #expect(unmeasured.choice == 1 && unmeasured.steps == ChoicePolicy.minSteps, "unmeasured: the smallest slice")
        policy.record(choice: 1, steps: ChoicePolicy.minSteps, seconds: 12e-6 * Double(ChoicePolicy.minSteps))
        #expect(policy.secondsPerStep[1] == 12e-6)
        let leaderAgain = policy.next(remaining: 300)
        #expect(leaderAgain.choice == 0 && leaderAgain.steps == 300, "bounded by the run's remaining steps")
        policy.record(choice: 0, steps: 300, seconds: 300 * 10e-6)
        let probe = policy.next(remaining: 100_000)
        #expect(probe.choice == 1 && probe.steps == 83, "1 ms at 12 µs a step")
    }

    /// A slice shorter than `minSteps` (a run's last steps) or without a time (NaN) counts as a
    /// turn but leaves the times alone: a few steps measure the slice's fixed costs, not the choice.
    @Test func shortOrUntimedSlicesAreNotRecorded() {
        var policy = ChoicePolicy(count: 2, leader: 0, secondsPerStep: [10e-6, 12e-6], probeEvery: 1)
        _ = policy.next(remaining: 1000)
        policy.record(choice: 0, steps: ChoicePolicy.minSteps - 1, seconds: 1.0)
        #expect(policy.secondsPerStep == [10e-6, 12e-6])
        let probe = policy.next(remaining: 1000)
        #expect(probe.choice == 1, "the short slice was still the leader's turn")
        policy.record(choice: 1, steps: 100, seconds: .nan)
        #expect(policy.secondsPerStep == [10e-6, 12e-6])
        #expect(policy.leader == 0)
    }

    /// One choice: always it.
    @Test func aSingleChoiceNeverProbes() {
        var policy = ChoicePolicy(count: 1, secondsPerStep: [10e-6], probeEvery: 1)
        #expect(Self.simulate(&policy, slices: 6, perStep: [10e-6]) == [0, 0, 0, 0, 0, 0])
    }
}
