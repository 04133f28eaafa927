import Foundation
import NN
import Support
import TensorCore
import Testing
import TestSupport
import Generators

/// A fresh file path `name` in a folder of its own (the folders are scratch space; `TemporaryDirectory`).
private func temporaryPath(_ name: String) throws -> String {
    try TemporaryDirectory("generators").file(name)
}

private func tinyConfig(classes: Int = 0, base: Int = 8) -> DiffusionTrainingConfig {
    var c = DiffusionTrainingConfig(model: UNetConfig(inChannels: 2, baseChannels: base, channelMultipliers: [1, 2], attentionHeads: 2,
                                                      groups: 4, classCount: classes))
    c.timesteps = 100
    c.batchSize = 3
    c.learningRate = 1e-3
    c.warmupSteps = 2
    c.totalSteps = 50
    c.labelDropout = 0.3
    c.seed = 5
    return c
}

/// A smooth 2×8×8 pattern in [−0.8, 0.8].
private func pattern(_ phase: Float) -> [Float] {
    (0..<128).map { i in
        let c = Float(i / 64), y = Float((i / 8) % 8), x = Float(i % 8)
        return 0.8 * Foundation.sin(0.7 * x + 0.4 * y + phase + 1.3 * c)
    }
}

/// A conditional tiny trainer on two patterns labelled 0 and 1, after `steps` steps.
private func trained(_ steps: Int) throws -> DiffusionTrainer {
    let data = try DiffusionDataset(images: Tensor(pattern(0) + pattern(2), shape: [2, 2, 8, 8]), labels: [0, 1])
    let trainer = try DiffusionTrainer(config: tinyConfig(classes: 2), data: data)
    for _ in 0..<steps { trainer.trainStep() }
    return trainer
}

@Suite("Diffusion training", .serialized)
struct TrainerTests {
    @Test("a tiny U-Net overfits one 2×8×8 image, and DDPM (all steps) and DDIM (10 steps) both reproduce it")
    func overfitsOneImage() throws {
        var config = tinyConfig(base: 16)
        config.batchSize = 16
        config.learningRate = 3e-3
        config.warmupSteps = 20
        config.totalSteps = 400
        config.minLearningRate = 1e-4
        config.emaDecay = 0.99
        let image = pattern(0.5)
        let data = try DiffusionDataset(images: Tensor(image, shape: [1, 2, 8, 8]))
        let trainer = try DiffusionTrainer(config: config, data: data)
        for _ in 0..<config.totalSteps { trainer.trainStep() }
        let early = trainer.losses.prefix(20).reduce(0, +) / 20, late = trainer.losses.suffix(20).reduce(0, +) / 20
        #expect(late < 0.2 * early, "loss \(early) → \(late)")
        let net = trainer.emaModel()
        for settings in [SamplerSettings(method: .ddpm, steps: nil), SamplerSettings(method: .ddim(eta: 0), steps: 10)] {
            let x = trainer.sampler(settings).sample(net, shape: [2, 2, 8, 8], seed: 21).scalars
            let mse = x.indices.reduce(Float(0)) { $0 + (x[$1] - image[$1 % 128]) * (x[$1] - image[$1 % 128]) } / Float(x.count)
            #expect(mse < 0.01, "\(settings.method): MSE \(mse) against the training image (its variance ≈ 0.32)")
        }
    }

    @Test("with min-SNR-γ weighting a step's loss is the per-sample weighted mean of squared errors, recomputed by hand from the same draws")
    func minSNRLossMatchesNaive() throws {
        var config = tinyConfig()
        config.minSNRGamma = 5
        let image = pattern(0.5)
        let data = try DiffusionDataset(images: Tensor(image, shape: [1, 2, 8, 8]))   // one image: every batch is it, thrice
        let trainer = try DiffusionTrainer(config: config, data: data)
        let loss = trainer.trainStep()
        // The step's draws, in the documented order (no labels: t, then ε), and its initial weights.
        var rng = SeededRandom(seed: config.seed).split(1), initRng = SeededRandom(seed: config.seed)
        let t = (0..<3).map { _ in min(config.timesteps - 1, Int(rng.nextDouble() * Double(config.timesteps))) }
        let x0 = Tensor(image + image + image, shape: [3, 2, 8, 8])
        let noise = Tensor.randn(x0.shape, rng: &rng)
        let s = config.diffusionSchedule
        let output = UNet(config.model, rng: &initRng)(s.noised(x0, at: t, noise: noise), timesteps: t.map(Float.init)).scalars
        let target = s.trainingTarget(.v, x0: x0, epsilon: noise, at: t).scalars
        let w = s.minSNRWeights(.v, gamma: 5, at: t)
        var naive = 0.0
        for i in output.indices { naive += Double(w[i / 128]) * Double(output[i] - target[i]) * Double(output[i] - target[i]) }
        naive /= Double(output.count)
        #expect(Swift.abs(Double(loss) - naive) <= 1e-5 * naive, "loss \(loss), by hand \(naive)")
        #expect(Set(w).count > 1 && w.allSatisfy { $0 < 1 })                // a weighting that changes the loss
        var plain = tinyConfig()                                               // γ = 0: Ho's loss, another value
        plain.labelDropout = config.labelDropout
        #expect(try DiffusionTrainer(config: plain, data: data).trainStep() != loss)
        config.minSNRGamma = -1
        #expect(throws: GeneratorError.self) { try DiffusionTrainer(config: config, data: data) }
    }

    @Test("a run resumed from a checkpoint equals the uninterrupted run bit for bit")
    func resumeIsBitIdentical() throws {
        let straight = try trained(6), first = try trained(3)
        let config = first.config, data = first.data
        let path = try temporaryPath("resume.safetensors")
        try first.checkpoint(to: path)
        let resumed = try DiffusionTrainer(config: config, data: data)
        try resumed.resume(from: path)
        #expect(resumed.step == 3 && resumed.losses == first.losses)
        for _ in 0..<3 { resumed.trainStep() }

        #expect(resumed.losses.map(\.bitPattern) == straight.losses.map(\.bitPattern))
        #expect(resumed.rng.state == straight.rng.state && resumed.optimizer.stepCount == 6)
        func bits(_ ts: [Tensor]) -> [[UInt32]] { ts.map { $0.scalars.map(\.bitPattern) } }
        #expect(bits(resumed.model.parameters) == bits(straight.model.parameters))
        #expect(bits(resumed.ema.shadow) == bits(straight.ema.shadow))
        #expect(bits(resumed.optimizer.m) == bits(straight.optimizer.m) && bits(resumed.optimizer.v) == bits(straight.optimizer.v))
        #expect(bits(resumed.model.parameters) != bits(first.model.parameters))   // it did train on
    }

    @Test("a saved model, and a training checkpoint read as a model, predict exactly as the trainer's EMA weights")
    func modelFileRoundTrip() throws {
        let trainer = try trained(2), config = trainer.config
        let modelPath = try temporaryPath("model.safetensors"), checkpointPath = try temporaryPath("ckpt.safetensors")
        try DiffusionModelFile(trainer).save(to: modelPath)
        try trainer.checkpoint(to: checkpointPath)
        var rng = SeededRandom(seed: 1)
        let x = Tensor.randn([2, 2, 8, 8], rng: &rng)
        let expected = withNoGrad { trainer.emaModel().predict(x, timesteps: [4, 60], labels: [1, 2]) }.scalars
        for path in [modelPath, checkpointPath] {
            let m = try DiffusionModelFile.load(path)
            #expect(m.config == config && m.step == 2)
            #expect(withNoGrad { m.network.predict(x, timesteps: [4, 60], labels: [1, 2]) }.scalars == expected)
        }
        #expect(try Safetensors.read(modelPath).names.contains("label_emb.weight"))
        // Stored as F16 (for shipping): the same model within half-precision rounding of the weights.
        let halfPath = try temporaryPath("model-f16.safetensors")
        try DiffusionModelFile(trainer).save(to: halfPath, dtype: .f16)
        let half = try DiffusionModelFile.load(halfPath)
        #expect(try Safetensors.read(halfPath).entries.values.allSatisfy { $0.dtype == .f16 })
        let h = withNoGrad { half.network.predict(x, timesteps: [4, 60], labels: [1, 2]) }.scalars
        let scale = expected.map(Swift.abs).max()!
        #expect(zip(h, expected).allSatisfy { Swift.abs($0 - $1) <= 5e-3 * scale }, "F16 weights moved the prediction by more than 0.5% of its scale")
    }

    @Test("a checkpoint of another config is refused naming the mismatching tensor, key or data, and changes nothing")
    func otherCheckpointsAreRefused() throws {
        let source = try trained(1), config = source.config, data = source.data
        let path = try temporaryPath("other.safetensors")
        try source.checkpoint(to: path)

        // Wider network: the first tensor already differs.
        var wide = config
        wide.model.baseChannels = 16
        let w = try DiffusionTrainer(config: wide, data: data)
        let before = w.model.parameters.map(\.scalars)
        #expect(throws: GeneratorError.checkpointMismatch(tensor: "model.time_embed.0.weight", expected: [64, 16], found: [32, 8])) {
            try w.resume(from: path)
        }
        #expect(w.model.parameters.map(\.scalars) == before && w.step == 0)
        // Unconditional: the checkpoint has a label embedding this model lacks.
        var uncond = config
        uncond.model.classCount = 0
        #expect(throws: GeneratorError.checkpointMismatch(tensor: "adam.m.label_emb.weight", expected: nil, found: [3, 32])) {
            try DiffusionTrainer(config: uncond, data: data).resume(from: path)
        }
        // Same shapes, another schedule / learning rate.
        var lr = config
        lr.learningRate = 5e-4
        #expect(throws: GeneratorError.configMismatch(key: "learningRate")) { try DiffusionTrainer(config: lr, data: data).resume(from: path) }
        var schedule = config
        schedule.schedule = .scaledLinear(steps: 100)
        #expect(throws: GeneratorError.configMismatch(key: "schedule")) { try DiffusionTrainer(config: schedule, data: data).resume(from: path) }
        // Other data.
        let other = try DiffusionDataset(images: Tensor(pattern(0) + pattern(3), shape: [2, 2, 8, 8]), labels: [0, 1])
        #expect(throws: GeneratorError.dataMismatch(expected: other.fingerprint, found: data.fingerprint)) {
            try DiffusionTrainer(config: config, data: other).resume(from: path)
        }
        // A bare weights file is not a training checkpoint.
        let bare = try temporaryPath("bare.safetensors")
        try source.model.saveCheckpoint(to: bare)
        #expect(throws: GeneratorError.self) { try DiffusionTrainer(config: config, data: data).resume(from: bare) }
    }

    @Test("a JSON config takes defaults for missing keys, and bad values or data are typed errors")
    func configAndDataErrors() throws {
        let path = try temporaryPath("config.json")
        try Data(#"{"model": {"inChannels": 24, "baseChannels": 32, "channelMultipliers": [1, 2, 2], "classCount": 6}, "prediction": "epsilon", "gradientClip": 0}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        let c = try DiffusionTrainingConfig.load(path)
        #expect(c.model.classCount == 6 && c.prediction == .epsilon && c.gradientClip == 0 && c.schedule == .cosine && c.timesteps == 1000)
        let roundTrip = try JSONDecoder().decode(DiffusionTrainingConfig.self, from: Data(c.json().utf8))
        #expect(roundTrip == c)
        try Data(#"{"model": {"inChannels": 24, "baseChannels": 32, "channelMultipliers": [1, 2, 2]}, "emaDecay": 1.5}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        #expect(throws: GeneratorError.invalidConfig("emaDecay must lie in [0, 1), got 1.5")) { try DiffusionTrainingConfig.load(path) }
        // A misspelt key, at the top or inside the model, is refused by its path instead of silently
        // leaving the value it meant at its default.
        for (json, key) in [(#"{"model": {"inChannels": 24, "baseChannels": 32, "channelMultipliers": [1, 2, 2]}, "learningrate": 1e-3}"#, "learningrate"),
                            (#"{"model": {"inChannels": 24, "baseChannels": 32, "channelMultipliers": [1, 2, 2], "patchsize": 2}}"#, "model.patchsize")] {
            try Data(json.utf8).write(to: URL(fileURLWithPath: path))
            #expect(throws: GeneratorError.invalidConfig("'\(path)': unknown key '\(key)' (a misspelt key would silently take its default)")) {
                try DiffusionTrainingConfig.load(path)
            }
        }

        let images = Tensor(pattern(0), shape: [1, 2, 8, 8])
        #expect(throws: GeneratorError.self) { try DiffusionDataset(images: images, labels: [0, 1]) }
        #expect(throws: GeneratorError.invalidData("a class-conditional model (2 classes) needs labels")) {
            try DiffusionTrainer(config: tinyConfig(classes: 2), data: DiffusionDataset(images: images))
        }
        #expect(throws: GeneratorError.invalidData("label 2 outside the model's 2 classes")) {
            try DiffusionTrainer(config: tinyConfig(classes: 2), data: DiffusionDataset(images: images, labels: [2]))
        }
        #expect(throws: GeneratorError.self) { try DiffusionTrainer(config: tinyConfig(), data: DiffusionDataset(images: Tensor(zeros: [1, 3, 8, 8]))) }
    }
}
