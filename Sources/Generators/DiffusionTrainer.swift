import Foundation
import NN
import Support
import TensorCore

/// Trains a `UNet` denoiser on a `DiffusionDataset` (Ho et al. 2020's simple loss, with Nichol &
/// Dhariwal's and Salimans & Ho's refinements as configured). One `step()`:
///
///     lr ← warmup-cosine(step)
///     x₀ ← the next `batchSize` images of a seeded shuffle (each epoch a new permutation)
///     y  ← labels, each replaced by the null class with probability `labelDropout`
///     t ~ U{0…T−1}, ε ~ N(0, I) per sample;  x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε
///     loss = mean (model(x_t, t, y) − target)²,  target = ε or v
///            (with `minSNRGamma` > 0: each sample's squared error × its min-SNR-γ weight w_t,
///            computed as mean (√w·model − √w·target)²)
///     backward; clip the global gradient norm; Adam(W); EMA update
///
/// Randomness: weights from `SeededRandom(seed)`, the epoch permutations from its
/// `split(1_000_000 + epoch)`, and (y-dropout, t, ε) in that order per step from one running
/// generator whose state the checkpoint stores. So a run resumed from a checkpoint continues the
/// uninterrupted run bit for bit (for the same thread count, which fixes the order of the
/// parallel reductions).
public final class DiffusionTrainer {
    public let config: DiffusionTrainingConfig
    public let data: DiffusionDataset
    public let schedule: DiffusionSchedule
    public let model: UNet
    public let optimizer: Adam
    public let ema: EMA
    public let learningRates: WarmupCosineSchedule
    /// Steps taken so far.
    public internal(set) var step = 0
    /// The loss of every step taken, in order (restored on resume: the whole curve).
    public internal(set) var losses: [Float] = []
    /// The generator of the per-step draws (its state is checkpointed).
    public internal(set) var rng: SeededRandom
    private var shuffle: EpochShuffle

    public init(config: DiffusionTrainingConfig, data: DiffusionDataset) throws {
        try config.validate()
        let classes = config.model.classCount
        if classes > 0 {
            guard let labels = data.labels else { throw GeneratorError.invalidData("a class-conditional model (\(classes) classes) needs labels") }
            if let bad = labels.first(where: { $0 >= classes }) {
                throw GeneratorError.invalidData("label \(bad) outside the model's \(classes) classes")
            }
        }
        guard data.itemShape[0] == config.model.inChannels else {
            throw GeneratorError.invalidData("images have \(data.itemShape[0]) channels, the model takes \(config.model.inChannels)")
        }
        let d = config.model.sizeDivisor
        guard data.itemShape[1] % d == 0 && data.itemShape[2] % d == 0 else {
            throw GeneratorError.invalidData("images of \(data.itemShape[1])×\(data.itemShape[2]) are not divisible by \(d) (the U-Net's \(config.model.channelMultipliers.count) levels)")
        }
        self.config = config; self.data = data
        schedule = config.diffusionSchedule
        var initRng = SeededRandom(seed: config.seed)
        model = UNet(config.model, rng: &initRng)
        optimizer = Adam(model.parameters, learningRate: config.learningRate, beta1: config.adamBeta1, beta2: config.adamBeta2,
                         epsilon: config.adamEpsilon, weightDecay: config.weightDecay, decoupled: config.weightDecay > 0)
        ema = EMA(model.parameters, decay: config.emaDecay)
        learningRates = WarmupCosineSchedule(peak: config.learningRate, floor: config.minLearningRate,
                                             warmupSteps: config.warmupSteps, totalSteps: config.totalSteps)
        rng = SeededRandom(seed: config.seed).split(1)
        shuffle = EpochShuffle(seed: config.seed, count: data.count)
    }

    /// One optimization step; returns its loss.
    @discardableResult
    public func trainStep() -> Float {
        let b = config.batchSize, classes = config.model.classCount
        optimizer.learningRate = learningRates.learningRate(at: step)
        let indices = shuffle.batch(step: step, size: b)
        let x0 = data.batch(indices)
        var labels: [Int]? = nil
        if classes > 0, let all = data.labels {
            labels = indices.map { i in rng.nextDouble() < config.labelDropout ? classes : all[i] }
        }
        let t = (0..<b).map { _ in min(config.timesteps - 1, Int(rng.nextDouble() * Double(config.timesteps))) }
        let noise = Tensor.randn(x0.shape, rng: &rng)
        let xt = schedule.noised(x0, at: t, noise: noise)
        var target = schedule.trainingTarget(config.prediction, x0: x0, epsilon: noise, at: t)
        optimizer.zeroGrad()
        var output = model(xt, timesteps: t.map(Float.init), labels: labels)
        if config.minSNRGamma > 0 {
            let w = schedule.minSNRWeights(config.prediction, gamma: config.minSNRGamma, at: t)
            let root = Tensor(w.map { $0.squareRoot() }, shape: [b] + Array(repeating: 1, count: x0.shape.count - 1))
            output = output * root; target = target * root
        }
        let value = backwardAndUpdate(mseLoss(output, target), model.parameters,
                                      optimizer: optimizer, ema: ema, clip: config.gradientClip, emaDecay: config.emaDecay,
                                      emaWarmup: config.emaWarmup, step: step)
        step += 1
        losses.append(value)
        return value
    }

    /// A fresh U-Net holding the EMA weights: the model to sample with.
    public func emaModel() -> UNet { DiffusionModelFile.network(config, weights: ema.shadow) }

    /// A sampler for this run's schedule and prediction target.
    public func sampler(_ settings: SamplerSettings = SamplerSettings()) -> DiffusionSampler {
        DiffusionSampler(schedule: schedule, prediction: config.prediction, settings: settings)
    }
}
