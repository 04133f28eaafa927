import Support
import Testing
@testable import TensorCore

@Suite("per-channel statistics of tensors read as [N, C, S]")
struct ChannelStatisticsTests {
    @Test("means and population deviations match their closed forms, a constant channel has deviation 0")
    func closedForm() {
        // Channel 0 holds 1, 2, 3, 6 (mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5); channel 1 is 5 everywhere.
        let t = Tensor([1, 2, 5, 5, 3, 6, 5, 5], shape: [2, 2, 2])
        let s = channelStatistics([t], channels: 2, spatial: 2)
        #expect(s.mean == [3, 5])
        #expect(abs(s.deviation[0] - Float(3.5).squareRoot()) < 1e-6 && s.deviation[1] == 0)
    }

    @Test("a set of tensors gives the statistics of their concatenation along N")
    func setEqualsConcatenation() {
        var rng = SeededRandom(seed: 3)
        let a = Tensor.randn([3, 4, 5], rng: &rng), b = Tensor.randn([2, 4, 5], rng: &rng)
        let joined = Tensor(a.scalars + b.scalars, shape: [5, 4, 5])
        let split = channelStatistics([a, b], channels: 4, spatial: 5), whole = channelStatistics([joined], channels: 4, spatial: 5)
        #expect(split.mean == whole.mean && split.deviation == whole.deviation)
    }

    @Test("no values at all give zeros")
    func empty() {
        let s = channelStatistics([], channels: 3, spatial: 4)
        #expect(s.mean == [0, 0, 0] && s.deviation == [0, 0, 0])
    }
}
