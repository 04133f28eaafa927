import Foundation
import NN
import Support
import TensorCore
import Testing
import TestSupport
import Generators

private func tinyAutoencoder(seed: UInt64 = 4) -> AutoencoderTrainingConfig {
    var c = AutoencoderTrainingConfig(model: PlaneAutoencoderConfig(inChannels: 4, channels: [8, 16], latentChannels: 2, groups: 4))
    c.batchSize = 4; c.learningRate = 3e-3; c.warmupSteps = 5; c.totalSteps = 60; c.seed = seed
    return c
}

/// Four smooth 4×8×8 images in [−0.8, 0.8].
private func images() throws -> DiffusionDataset {
    let values: [Float] = (0..<4).flatMap { n in
        (0..<256).map { i in
            let c = Float(i / 64), y = Float((i / 8) % 8), x = Float(i % 8)
            return 0.8 * Foundation.sin(0.5 * x + 0.3 * y * Float(n + 1) + 1.1 * c + Float(n))
        }
    }
    return try DiffusionDataset(images: Tensor(values, shape: [4, 4, 8, 8]))
}

@Suite("Plane autoencoder (the latent stage)", .serialized)
struct AutoencoderTests {
    @Test("images [N, 4, 8, 8] encode to a posterior [N, 2, 4, 4] and decode back to their shape")
    func shapes() {
        var rng = SeededRandom(seed: 1)
        let ae = PlaneAutoencoder(tinyAutoencoder().model, rng: &rng)
        let x = Tensor.randn([3, 4, 8, 8], rng: &rng)
        let (mean, logVariance) = withNoGrad { ae.encode(x) }
        #expect(mean.shape == [3, 2, 4, 4] && logVariance.shape == [3, 2, 4, 4])
        #expect(tinyAutoencoder().model.latentShape(imageHeight: 8, width: 8) == [2, 4, 4])
        #expect(withNoGrad { ae.decode(mean) }.shape == [3, 4, 8, 8])
        #expect(!ae.namedParameters.contains { $0.0.contains(".emb.") }, "its residual blocks are unconditioned")
    }

    @Test("the KL term is ½(μ² + σ² − 1 − log σ²) averaged: 0 at the prior, ½ at μ = 1, σ = 1")
    func klClosedForm() {
        let zero = Tensor(zeros: [2, 3])
        #expect(PlaneAutoencoder.klDivergence(mean: zero, logVariance: zero).item == 0)
        #expect(abs(PlaneAutoencoder.klDivergence(mean: Tensor(repeating: 1, shape: [2, 3]), logVariance: zero).item - 0.5) < 1e-7)
        let lv: Float = 0.7
        let expected = 0.5 * (Foundation.exp(lv) - 1 - lv)
        #expect(abs(PlaneAutoencoder.klDivergence(mean: zero, logVariance: Tensor(repeating: lv, shape: [2, 3])).item - expected) < 1e-6)
    }

    @Test("an unconditioned residual block equals a conditioned one whose embedding projection is zero")
    func unconditionedBlock() {
        var a = SeededRandom(seed: 7), b = SeededRandom(seed: 7)
        let plain = ResBlock(4, 8, embDim: 0, groups: 2, rng: &a)
        let conditioned = ResBlock(4, 8, embDim: 3, groups: 2, rng: &b)
        for (p, q) in zip(plain.namedParameters, conditioned.namedParameters.filter { !$0.0.hasPrefix("emb.") }) {
            #expect(p.0 == q.0); q.1.assign(p.1)
        }
        for t in conditioned.embProj!.parameters { t.withMutableBuffer { $0.update(repeating: 0) } }
        var rng = SeededRandom(seed: 2)
        let x = Tensor.randn([2, 4, 5, 5], rng: &rng), emb = Tensor.randn([2, 3], rng: &rng)
        let y0 = withNoGrad { plain(x, emb: nil) }, y1 = withNoGrad { conditioned(x, emb: emb) }
        #expect(zip(y0.scalars, y1.scalars).allSatisfy { abs($0 - $1) <= 1e-6 })
    }

    @Test("the training loss's gradient matches central finite differences")
    func gradientCheck() throws {
        var rng = SeededRandom(seed: 3)
        let ae = PlaneAutoencoder(tinyAutoencoder().model, rng: &rng)
        let x = try images().images.slice(axis: 0, 0..<2).copy()
        let noise = Tensor.randn([2, 2, 4, 4], rng: &rng)
        func loss() -> Tensor { AutoencoderTrainer.loss(ae, x, noise: noise, klWeight: 0.3) }
        ae.zeroGrad()
        loss().backward()
        let named = Dictionary(uniqueKeysWithValues: ae.namedParameters)
        for (name, index) in [("enc.in.weight", 5), ("enc.blocks.1.conv1.weight", 17), ("enc.blocks.1.skip.weight", 3), ("enc.out.bias", 1),
                              ("enc.out.bias", 3), ("dec.in.weight", 9), ("dec.blocks.0.norm2.weight", 2), ("dec.out.bias", 0)] {
            let p = named[name]!
            let analytic = p.grad!.scalars[index]
            let h: Float = 1e-2, old = p.scalars[index]
            p.withMutableBuffer { $0[index] = old + h }
            let up = withNoGrad { loss().item }
            p.withMutableBuffer { $0[index] = old - h }
            let down = withNoGrad { loss().item }
            p.withMutableBuffer { $0[index] = old }
            let numeric = (up - down) / (2 * h)
            #expect(abs(numeric - analytic) <= 1e-3 + 0.03 * abs(numeric), "\(name)[\(index)]: analytic \(analytic), numeric \(numeric)")
        }
    }

    @Test("a tiny autoencoder learns to reconstruct its four images")
    func reconstructs() throws {
        var config = tinyAutoencoder()
        config.totalSteps = 400; config.emaDecay = 0.95
        let data = try images()
        let trainer = try AutoencoderTrainer(config: config, data: data)
        for _ in 0..<config.totalSteps { trainer.trainStep() }
        let early = trainer.losses.prefix(10).reduce(0, +) / 10, late = trainer.losses.suffix(10).reduce(0, +) / 10
        #expect(late < 0.1 * early, "loss \(early) → \(late)")
        let ae = trainer.emaModel()
        let x = data.images
        let xHat = withNoGrad { ae.decode(ae.encode(x).mean) }
        let variance = x.scalars.map { $0 * $0 }.reduce(0, +) / Float(x.count)
        let error = zip(x.scalars, xHat.scalars).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / Float(x.count)
        #expect(error < 0.05 * variance, "reconstruction MSE \(error) against the images' mean square \(variance)")
    }

    @Test("the decoder noise's scale is each latent channel's population deviation over the batch, times the weight")
    func decoderNoiseScale() {
        // Channel 0 holds ±1 (deviation 1), channel 1 is constant 5 (deviation 0), over N = 2, 1×2 pixels.
        let t = Tensor([1, -1, 5, 5, -1, 1, 5, 5], shape: [2, 2, 1, 2])
        let statistics = AutoencoderTrainer.channelStatistics(t)
        #expect(statistics.deviation == [1, 0] && statistics.mean == [0, 5])
        let scaled = AutoencoderTrainer.channelScaled(Tensor(repeating: 2, shape: [2, 2, 1, 2]), by: [1, 0.5], 0.25)
        #expect(scaled.scalars == [0.5, 0.5, 0.25, 0.25, 0.5, 0.5, 0.25, 0.25])
    }

    @Test("a run resumed from a checkpoint equals the uninterrupted run bit for bit, with and without decoder noise, and the model file holds its EMA weights",
          arguments: [Float(0), 0.3])
    func resumeIsBitIdentical(decoderNoise: Float) throws {
        var config = tinyAutoencoder(); config.decoderNoise = decoderNoise
        let data = try images()
        let straight = try AutoencoderTrainer(config: config, data: data)
        for _ in 0..<6 { straight.trainStep() }
        let first = try AutoencoderTrainer(config: config, data: data)
        for _ in 0..<3 { first.trainStep() }
        let dir = try TemporaryDirectory("autoencoder")
        defer { dir.remove() }
        try first.checkpoint(to: dir.file("state.safetensors"))
        let resumed = try AutoencoderTrainer(config: config, data: data)
        try resumed.resume(from: dir.file("state.safetensors"))
        #expect(resumed.step == 3 && resumed.losses == first.losses)
        for _ in 0..<3 { resumed.trainStep() }
        func bits(_ ts: [Tensor]) -> [[UInt32]] { ts.map { $0.scalars.map(\.bitPattern) } }
        #expect(resumed.losses.map(\.bitPattern) == straight.losses.map(\.bitPattern))
        #expect(bits(resumed.model.parameters) == bits(straight.model.parameters) && bits(resumed.ema.shadow) == bits(straight.ema.shadow))

        try AutoencoderModelFile(straight).save(to: dir.file("model.safetensors"))
        for path in [dir.file("model.safetensors"), dir.file("state.safetensors")] {
            let loaded = try AutoencoderModelFile.load(path)
            let reference = path.hasSuffix("model.safetensors") ? straight.ema.shadow : first.ema.shadow
            #expect(bits(loaded.network.parameters) == bits(reference))
        }
        // Another width: refused naming a tensor; another KL weight: refused naming the key.
        var wider = config; wider.model.channels = [8, 24]
        #expect(throws: GeneratorError.self) { try AutoencoderTrainer(config: wider, data: data).resume(from: dir.file("state.safetensors")) }
        var otherKL = config; otherKL.klWeight = 0.5
        #expect(throws: GeneratorError.configMismatch(key: "klWeight")) { try AutoencoderTrainer(config: otherKL, data: data).resume(from: dir.file("state.safetensors")) }
        var otherNoise = config; otherNoise.decoderNoise = 0.3 - decoderNoise
        #expect(throws: GeneratorError.configMismatch(key: "decoderNoise")) { try AutoencoderTrainer(config: otherNoise, data: data).resume(from: dir.file("state.safetensors")) }
        // The noise reaches the decoder: the first step's loss differs from the run without it.
        if decoderNoise > 0 {
            let plain = try AutoencoderTrainer(config: tinyAutoencoder(), data: data)
            #expect(plain.trainStep() != straight.losses[0])
        }
    }

    @Test("bad configs and data are typed errors")
    func badInput() throws {
        var c = tinyAutoencoder(); c.model.channels = []
        #expect(throws: GeneratorError.self) { try c.validate() }
        c = tinyAutoencoder(); c.model.channels = [6, 16]
        #expect(throws: GeneratorError.self) { try c.validate() }   // 6 channels in 4 groups
        c = tinyAutoencoder(); c.model.latentChannels = 3   // no GroupNorm sees the latent: any count is fine
        try c.validate()
        var rng = SeededRandom(seed: 5)
        #expect(withNoGrad { PlaneAutoencoder(c.model, rng: &rng).encode(Tensor(zeros: [1, 4, 8, 8])).mean.shape } == [1, 3, 4, 4])
        c = tinyAutoencoder(); c.klWeight = -1
        #expect(throws: GeneratorError.self) { try c.validate() }
        c = tinyAutoencoder(); c.decoderNoise = -0.1
        #expect(throws: GeneratorError.self) { try c.validate() }
        let odd = try DiffusionDataset(images: Tensor(zeros: [1, 4, 7, 7]))
        #expect(throws: GeneratorError.self) { try AutoencoderTrainer(config: tinyAutoencoder(), data: odd) }   // 7 is odd: one halving
        let wrongChannels = try DiffusionDataset(images: Tensor(zeros: [1, 3, 8, 8]))
        #expect(throws: GeneratorError.self) { try AutoencoderTrainer(config: tinyAutoencoder(), data: wrongChannels) }
    }
}
