import Foundation
import NN
import Support
import TensorCore
import Testing
import Generators

@Suite("Conditional U-Net as a denoiser")
struct ConditionalUNetTests {
    static func net() -> UNet {
        var rng = SeededRandom(seed: 12)
        return UNet(UNetConfig(inChannels: 2, baseChannels: 8, channelMultipliers: [1, 2], attentionResolutions: [2],
                               attentionHeads: 2, groups: 4, classCount: 4), rng: &rng)
    }

    @Test("guidance 0 equals the unconditional prediction; the batched two-pass guidance equals separate passes")
    func guidanceWithTheNetwork() {
        let net = Self.net()
        var rng = SeededRandom(seed: 13)
        let x = Tensor.randn([3, 2, 8, 8], rng: &rng), t = [3, 500, 999], y = [0, 3, 1]
        let uncond = withNoGrad { net.predict(x, timesteps: t, labels: nil) }
        let cond = withNoGrad { net.predict(x, timesteps: t, labels: y) }
        #expect(net.nullLabel == 4)
        #expect(withNoGrad { guidedPrediction(net, x, timesteps: t, labels: y, guidance: 0) }.scalars == uncond.scalars)
        // The explicit null label is the unconditional pass too.
        #expect(withNoGrad { net.predict(x, timesteps: t, labels: [4, 4, 4]) }.scalars == uncond.scalars)
        let guided = withNoGrad { guidedPrediction(net, x, timesteps: t, labels: y, guidance: 2) }.scalars
        for i in guided.indices {
            let expected = uncond.scalars[i] + 2 * (cond.scalars[i] - uncond.scalars[i])
            #expect(Swift.abs(guided[i] - expected) < 1e-4 * max(1, Swift.abs(expected)))
        }
    }

    @Test("a DDIM run with guidance 0 and labels equals the unconditional run bit for bit")
    func guidanceZeroSampling() {
        let net = Self.net()
        let schedule = DiffusionSchedule(.cosine, steps: 100)
        let sampler = DiffusionSampler(schedule: schedule, prediction: .v, settings: SamplerSettings(method: .ddim(eta: 0), steps: 4, guidance: 0))
        let a = sampler.sample(net, shape: [2, 2, 8, 8], labels: [1, 2], seed: 3)
        let b = sampler.sample(net, shape: [2, 2, 8, 8], labels: nil, seed: 3)
        #expect(a.scalars == b.scalars)
    }
}
