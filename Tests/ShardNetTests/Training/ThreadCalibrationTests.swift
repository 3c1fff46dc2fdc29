import Foundation
import ShardNetTestSupport
import Testing

@testable import ShardNet

/// `--threads auto` (`ThreadCalibration.measure`): it ranks the candidates and the
/// schedules the kernels can run, and it times on scratch copies — the network it is given is
/// not trained by the timing.
@Suite(.tags(.concurrency)) struct ThreadCalibrationTests {
    static let data = Fixtures.clusters(count: 120, features: 12, classes: 4, seed: 5)

    static func network() throws -> Network {
        var generator = Xoshiro256StarStar(seed: 3)
        return try Network(sizes: [12, 9, 4], cost: .quadratic, initialization: .gaussian, generator: &generator)
    }

    /// Native kernels: every candidate thread count with either schedule, once each, fastest
    /// first, each timed; the network's parameters are bit for bit what they were.
    /// Both ways of timing: in turns (small networks) and one candidate after another (engines
    /// over the memory bound; here a bound of 0 forces it).
    @Test(arguments: [ThreadCalibration.defaultInterleavedBytes, 0])
    func picksACandidateAndLeavesTheNetworkAlone(interleavedBytes: Int) throws {
        let network = try Self.network(), before = try Self.network()
        let list = ThreadCalibration.measure(
            network: network, data: Self.data, miniBatchSize: 10, shards: 2, kernels: .best, candidates: [1, 2, 1],
            secondsPerCandidate: 0.03, interleavedBytes: interleavedBytes)
        let all = [1, 2].flatMap { t in StepSchedule.allCases.map { ExecutionChoice(threads: t, schedule: $0) } }
        #expect(Set(list.map(\.choice)) == Set(all) && list.count == all.count)
        #expect(list.allSatisfy { $0.secondsPerStep.isFinite && $0.secondsPerStep > 0 })
        #expect(zip(list, list.dropFirst()).allSatisfy { $0.secondsPerStep <= $1.secondsPerStep }, "fastest first")
        #expect(network.isBitwiseEqual(to: before), "calibration must time scratch copies, not train the network")
    }

    /// BLAS runs the shard schedule only, so that is all calibration lists with it; one
    /// candidate and one schedule need no timing (∞).
    @Test func blasPicksTheShardSchedule() throws {
        let network = try Self.network()
        let blas = try KernelSet.checked(.blas, layout: network.layout, rows: 10)
        let list = ThreadCalibration.measure(
            network: network, data: Self.data, miniBatchSize: 10, shards: 2, kernels: blas, candidates: [1, 2],
            secondsPerCandidate: 0.03)
        #expect(Set(list.map(\.choice)) == [ExecutionChoice(threads: 1, schedule: .shards), ExecutionChoice(threads: 2, schedule: .shards)])
        let only = ThreadCalibration.measure(
            network: network, data: Self.data, miniBatchSize: 10, shards: 2, kernels: blas, candidates: [3])
        #expect(only.count == 1 && only[0].choice == ExecutionChoice(threads: 3, schedule: .shards))
        #expect(only[0].secondsPerStep == .infinity)
    }
}
