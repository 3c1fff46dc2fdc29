import Foundation
import ShardNetTestSupport
import Testing

@testable import ShardNet

/// `--threads auto` (`ThreadCalibration.fastest`): it picks among the candidates and the
/// schedules the kernels can run, and it times on scratch copies — the network it is given is
/// not trained by the timing.
@Suite(.tags(.concurrency)) struct ThreadCalibrationTests {
    static let data = Fixtures.clusters(count: 120, features: 12, classes: 4, seed: 5)

    static func network() throws -> Network {
        var generator = Xoshiro256StarStar(seed: 3)
        return try Network(sizes: [12, 9, 4], cost: .quadratic, initialization: .gaussian, generator: &generator)
    }

    /// Native kernels: one of the candidate thread counts with either schedule; the network's
    /// parameters are bit for bit what they were.
    /// Both ways of timing: in turns (small networks) and one candidate after another (engines
    /// over the memory bound; here a bound of 0 forces it).
    @Test(arguments: [ThreadCalibration.defaultInterleavedBytes, 0])
    func picksACandidateAndLeavesTheNetworkAlone(interleavedBytes: Int) throws {
        let network = try Self.network(), before = try Self.network()
        let pick = ThreadCalibration.fastest(
            network: network, data: Self.data, miniBatchSize: 10, shards: 2, kernels: .best, candidates: [1, 2],
            secondsPerCandidate: 0.03, interleavedBytes: interleavedBytes)
        #expect([1, 2].contains(pick.threads))
        #expect(StepSchedule.allCases.contains(pick.schedule))
        #expect(network.isBitwiseEqual(to: before), "calibration must time scratch copies, not train the network")
    }

    /// BLAS runs the shard schedule only, so that is all calibration may pick with it; one
    /// candidate and one schedule need no timing.
    @Test func blasPicksTheShardSchedule() throws {
        let network = try Self.network()
        let blas = try KernelSet.checked(.blas, layout: network.layout, rows: 10)
        let pick = ThreadCalibration.fastest(
            network: network, data: Self.data, miniBatchSize: 10, shards: 2, kernels: blas, candidates: [1, 2],
            secondsPerCandidate: 0.03)
        #expect(pick.schedule == .shards)
        #expect([1, 2].contains(pick.threads))
        let only = ThreadCalibration.fastest(
            network: network, data: Self.data, miniBatchSize: 10, shards: 2, kernels: blas, candidates: [3])
        #expect(only.threads == 3 && only.schedule == .shards)
    }
}
