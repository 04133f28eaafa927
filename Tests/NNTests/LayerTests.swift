import Foundation
import Support
import Testing
@testable import NN
@testable import TensorCore

@Suite("convolutional and attention layers")
struct LayerTests {
    @Test("a small conv net overfits a batch of 16 random images with random labels")
    func convNetOverfits() {
        var rng = SeededRandom(seed: 21)
        let c1 = Conv2d(3, 16, kernel: 3, stride: 2, padding: 1, rng: &rng)
        let gn = GroupNorm(groups: 4, channels: 16)
        let c2 = Conv2d(16, 32, kernel: 3, padding: 1, rng: &rng)
        let head = Linear(32, 5, rng: &rng)
        let params = c1.parameters + gn.parameters + c2.parameters + head.parameters
        let x = Tensor.randn([16, 3, 12, 12], rng: &rng)
        let labels = (0..<16).map { _ in Int(rng.next() % 5) }
        func logits() -> Tensor {
            let h = c2(gn(c1(x)).silu()).silu().avgPool2d(6)      // [16, 32, 1, 1]
            return head(h.reshaped([16, 32]))
        }
        let opt = Adam(params, learningRate: 3e-3)
        var loss: Float = .infinity
        for _ in 0..<150 {
            opt.zeroGrad()
            let l = crossEntropy(logits(), labels)
            l.backward()
            opt.step()
            loss = l.item
        }
        let predicted = withNoGrad { logits() }.scalars
        let correct = (0..<16).filter { i in
            let row = predicted[(i * 5)..<(i * 5 + 5)]
            return row.firstIndex(of: row.max()!)! - i * 5 == labels[i]
        }.count
        #expect(loss < 0.05, "final loss \(loss)")
        #expect(correct == 16)
    }

    @Test("causal multi-head attention never looks ahead")
    func causalMHA() {
        var rng = SeededRandom(seed: 4)
        let mha = MultiheadAttention(embedDim: 8, heads: 2, rng: &rng)
        let x = Tensor.randn([2, 5, 8], rng: &rng)
        let y = withNoGrad { mha(x, mask: .causal) }
        // Changing the last token leaves the outputs at earlier positions unchanged.
        let x2 = x.copy()
        x2.withMutableBuffer { b in for i in 0..<8 { b[4 * 8 + i] += 1; b[(5 + 4) * 8 + i] -= 1 } }
        let y2 = withNoGrad { mha(x2, mask: .causal) }
        for bi in 0..<2 { for t in 0..<4 { for e in 0..<8 {
            let i = (bi * 5 + t) * 8 + e
            #expect(Swift.abs(y.scalars[i] - y2.scalars[i]) < 1e-6)
        } } }
        #expect(y.shape == [2, 5, 8] && mha.parameterCount == 8 * 24 + 24 + 64 + 8)
    }

    @Test("sinusoidal embedding: cos half then sin half, geometric frequencies")
    func sinusoidal() {
        let e = sinusoidalEmbedding([0, 2], dim: 6)
        #expect(e.shape == [2, 6])
        #expect(Array(e.scalars[0..<6]) == [1, 1, 1, 0, 0, 0])
        let f1 = Foundation.exp(-Foundation.log(10_000.0) / 3)
        #expect(Swift.abs(Double(e[1, 1]) - Foundation.cos(2 * f1)) < 1e-6 && Swift.abs(Double(e[1, 4]) - Foundation.sin(2 * f1)) < 1e-6)
    }

    @Test("Fourier features are sin/cos of 2π·x·B and differentiable in x")
    func fourier() {
        var rng = SeededRandom(seed: 8)
        let ff = FourierFeatures(inDim: 2, count: 3, scale: 1, rng: &rng)
        let x = Tensor([0.3, -0.2], shape: [1, 2], requiresGrad: true)
        let y = ff(x)
        #expect(y.shape == [1, 6])
        let b = ff.b.scalars
        for j in 0..<3 {
            let p = 2 * Float.pi * (0.3 * b[j] - 0.2 * b[3 + j])
            #expect(Swift.abs(y.scalars[j] - Foundation.sin(p)) < 1e-5 && Swift.abs(y.scalars[3 + j] - Foundation.cos(p)) < 1e-5)
        }
        // Closed form: d/dx_i Σ_j (sin p_j + cos p_j) = Σ_j 2π·B[i, j]·(cos p_j − sin p_j).
        y.sum().backward()
        let grad = x.grad?.scalars ?? []
        #expect(grad.count == 2)
        for i in 0..<2 where grad.count == 2 {
            var expected: Float = 0
            for j in 0..<3 {
                let p = 2 * Float.pi * (0.3 * b[j] - 0.2 * b[3 + j])
                expected += 2 * Float.pi * b[3 * i + j] * (Foundation.cos(p) - Foundation.sin(p))
            }
            #expect(Swift.abs(grad[i] - expected) <= 1e-4 * max(1, Swift.abs(expected)), "∂/∂x\(i): \(grad[i]) vs \(expected)")
        }
    }

    @Test("the U-Net maps its input shape to itself, every parameter gets a gradient, names are unique")
    func unet() {
        var rng = SeededRandom(seed: 2)
        let net = UNet(inChannels: 6, channels: [8, 16], attentionHeads: 2, groups: 4, rng: &rng)
        let x = Tensor.randn([2, 6, 8, 8], rng: &rng)
        let y = net(x, timesteps: [3, 700])
        #expect(y.shape == [2, 6, 8, 8])
        mseLoss(y, x).backward()
        let names = net.namedParameters.map(\.0)
        #expect(Set(names).count == names.count)
        for (name, p) in net.namedParameters { #expect(p.grad != nil, "\(name) has no gradient") }
    }

    @Test("the configurable U-Net with two blocks per level, attention at 1/2 and classes keeps shapes, gradients and unique names")
    func configurableUNet() {
        var rng = SeededRandom(seed: 4)
        let config = UNetConfig(inChannels: 3, baseChannels: 8, channelMultipliers: [1, 2, 2], resBlocksPerLevel: 2,
                                attentionResolutions: [2], attentionHeads: 2, groups: 4, classCount: 3)
        let net = UNet(config, rng: &rng)
        let names = net.namedParameters.map(\.0)
        #expect(Set(names).count == names.count)
        // 6 blocks each way; attention after down blocks 2, 3 (level 1) and up blocks 2, 3 (level 1 on the way up).
        #expect(net.down.count == 6 && net.up.count == 6)
        #expect(Set(net.downAttention.keys) == [2, 3] && Set(net.upAttention.keys) == [2, 3])
        #expect(names.contains("label_emb.weight") && names.contains("down_attn.3.attn.in_proj.weight") && names.contains("up_attn.2.norm.weight"))
        #expect(net.labelEmbedding?.shape == [4, 32])
        let x = Tensor.randn([3, 3, 8, 8], rng: &rng)
        let y = net(x, timesteps: [0, 10, 999], labels: [0, 2, 3])
        #expect(y.shape == [3, 3, 8, 8])
        mseLoss(y, x).backward()
        for (name, p) in net.namedParameters { #expect(p.grad != nil, "\(name) has no gradient") }
        // The label changes the prediction; nil labels are the null class.
        let same = Tensor.concat([x.slice(axis: 0, 0..<1), x.slice(axis: 0, 0..<1)], axis: 0)
        let a = withNoGrad { net(same, timesteps: [5, 5], labels: [0, 1]) }.scalars
        #expect(Array(a[0..<192]) != Array(a[192..<384]))
        let nullA = withNoGrad { net(same, timesteps: [5, 5], labels: [3, 3]) }.scalars
        let nullB = withNoGrad { net(same, timesteps: [5, 5]) }.scalars
        #expect(nullA == nullB)
    }

    @Test("the benchmark U-Net is the configurable one with one block per level: same names, same weights for a seed")
    func benchmarkUNetIsTheDefaultConfig() throws {
        var r1 = SeededRandom(seed: 8), r2 = SeededRandom(seed: 8)
        let old = UNet(inChannels: 6, channels: [8, 16, 16], attentionHeads: 2, groups: 4, rng: &r1)
        let config = UNetConfig(inChannels: 6, baseChannels: 8, channelMultipliers: [1, 2, 2], attentionHeads: 2, groups: 4)
        let new = UNet(config, rng: &r2)
        #expect(old.namedParameters.map(\.0) == new.namedParameters.map(\.0))
        #expect(zip(old.parameters, new.parameters).allSatisfy { $0.scalars == $1.scalars })
        #expect(old.namedParameters.first?.0 == "time_embed.0.weight" && old.namedParameters.map(\.0).contains("up.2.skip.weight"))
        // JSON round trip, with the optional keys defaulted.
        let decoded = try JSONDecoder().decode(UNetConfig.self, from: JSONEncoder().encode(config))
        #expect(decoded == config)
        let minimal = try JSONDecoder().decode(UNetConfig.self, from: Data(#"{"inChannels": 24, "baseChannels": 32, "channelMultipliers": [1, 2, 2]}"#.utf8))
        #expect(minimal == UNetConfig(inChannels: 24, baseChannels: 32, channelMultipliers: [1, 2, 2]))
    }

    @Test("a U-Net with 2×2 input patches is the patch-free U-Net on the unshuffled input, shuffled back")
    func patchedUNet() throws {
        var r1 = SeededRandom(seed: 12), r2 = SeededRandom(seed: 12)
        let patched = UNetConfig(inChannels: 3, baseChannels: 8, channelMultipliers: [1, 2], attentionHeads: 2, groups: 4, classCount: 2, patchSize: 2)
        let plain = UNetConfig(inChannels: 12, baseChannels: 8, channelMultipliers: [1, 2], attentionHeads: 2, groups: 4, classCount: 2)
        #expect(patched.sizeDivisor == 4 && patched.foldedChannels == 12 && patched.problem == nil)
        let a = UNet(patched, rng: &r1), b = UNet(plain, rng: &r2)
        #expect(a.namedParameters.map(\.0) == b.namedParameters.map(\.0))
        #expect(a.inConv.weight.shape == [8, 12, 3, 3] && a.outConv.weight.shape == [12, 8, 3, 3])
        let x = Tensor.randn([2, 3, 8, 12], rng: &r1)
        let y = a(x, timesteps: [3, 700], labels: [0, 1])
        #expect(y.shape == [2, 3, 8, 12])
        let reference = withNoGrad { b(x.pixelUnshuffled(2), timesteps: [3, 700], labels: [0, 1]).pixelShuffled(2) }
        #expect(y.scalars == reference.scalars)
        mseLoss(y, x).backward()
        for (name, p) in a.namedParameters { #expect(p.grad != nil, "\(name) has no gradient") }
        // JSON round trip; a config written before the key existed reads as patchSize 1.
        #expect(try JSONDecoder().decode(UNetConfig.self, from: JSONEncoder().encode(patched)) == patched)
        #expect(try JSONDecoder().decode(UNetConfig.self, from: Data(#"{"inChannels": 3, "baseChannels": 8, "channelMultipliers": [1]}"#.utf8)).patchSize == 1)
        #expect(UNetConfig(inChannels: 3, baseChannels: 8, channelMultipliers: [1], patchSize: 0).problem?.contains("patchSize") == true)
    }

    @Test("a U-Net config names its problem: heads that do not divide, attention at a rate the net lacks")
    func unetConfigProblems() {
        #expect(UNetConfig(inChannels: 3, baseChannels: 8, channelMultipliers: [1, 2]).problem == nil)
        #expect(UNetConfig(inChannels: 3, baseChannels: 6, channelMultipliers: [1, 2], attentionResolutions: [1], attentionHeads: 4, groups: 2).problem?.contains("heads") == true)
        #expect(UNetConfig(inChannels: 3, baseChannels: 8, channelMultipliers: [1, 2], attentionResolutions: [4]).problem?.contains("attention resolution 4") == true)
        #expect(UNetConfig(inChannels: 3, baseChannels: 8, channelMultipliers: []).problem != nil)
        #expect(UNetConfig(inChannels: 3, baseChannels: 8, channelMultipliers: [1], classCount: -1).problem != nil)
    }

    @Test("the residual block's timestep scale/shift changes the output per sample")
    func resBlockConditioning() {
        var rng = SeededRandom(seed: 3)
        let block = ResBlock(4, 8, embDim: 6, groups: 2, rng: &rng)
        let x = Tensor.randn([1, 4, 5, 5], rng: &rng)
        let xx = Tensor.concat([x, x], axis: 0)
        let emb = Tensor.randn([2, 6], rng: &rng)
        let y = withNoGrad { block(xx, emb: emb) }
        #expect(y.shape == [2, 8, 5, 5])
        #expect(Array(y.scalars[0..<200]) != Array(y.scalars[200..<400]))
    }
}
