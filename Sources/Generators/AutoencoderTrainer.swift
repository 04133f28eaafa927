import Foundation
import NN
import Support
import TensorCore

/// Trains a `PlaneAutoencoder` on a `DiffusionDataset`'s images (labels unused). One `step()`:
///
///     lr ← warmup-cosine(step)
///     x ← the next `batchSize` images of a seeded shuffle (each epoch a new permutation)
///     (μ, log σ²) = encode(x);  z = μ + σ·ε [+ decoderNoise · s ⊙ ε′],  ε, ε′ ~ N(0, I)
///     loss = mean (decode(z) − x)² + β · KL(μ, log σ²) [+ w · geometry(decode(z), x)]
///     backward; clip the global gradient norm; Adam; EMA update
///
/// The geometry term is the caller's (`Geometry`, given when `occupancyWeight` > 0): for planes,
/// how the decoded field of the reconstruction departs from the original's. Plane MSE alone weighs
/// every texel alike, while thin parts live in a few large values, so a plane-MSE autoencoder
/// rounds chair legs and lamp stems away.
///
/// Randomness as `DiffusionTrainer`'s: weights from `SeededRandom(seed)`, epoch permutations from
/// its splits, ε from one running generator whose state the checkpoint stores, so a resumed run
/// continues the uninterrupted one bit for bit (same thread count).
public final class AutoencoderTrainer {
    public static let checkpointFormat = "octoplane-autoencoder-checkpoint"
    public let config: AutoencoderTrainingConfig
    public let data: DiffusionDataset
    public let model: PlaneAutoencoder
    public let optimizer: Adam
    public let ema: EMA
    public let learningRates: WarmupCosineSchedule
    public internal(set) var step = 0
    /// The loss of every step taken, in order (restored on resume).
    public internal(set) var losses: [Float] = []
    public internal(set) var rng: SeededRandom
    private var shuffle: EpochShuffle
    public let geometry: Geometry?

    /// A term of the reconstruction x̂ [B, C, H, W] (recorded) and its target x [B, C, H, W] drawing
    /// `points` random points per image from `rng` (the trainer's, so a resumed run draws the same).
    public typealias Geometry = @Sendable (_ reconstruction: Tensor, _ target: Tensor, _ points: Int, _ rng: inout SeededRandom) -> Tensor

    public init(config: AutoencoderTrainingConfig, data: DiffusionDataset, geometry: Geometry? = nil) throws {
        try config.validate()
        guard (config.occupancyWeight > 0) == (geometry != nil) else {
            throw GeneratorError.invalidConfig(config.occupancyWeight > 0 ? "occupancyWeight > 0 needs a geometry term (train through `train autoencoder`)" : "a geometry term was given with occupancyWeight 0")
        }
        self.geometry = geometry
        guard data.itemShape[0] == config.model.inChannels else {
            throw GeneratorError.invalidData("images have \(data.itemShape[0]) channels, the autoencoder takes \(config.model.inChannels)")
        }
        let d = config.model.sizeDivisor
        guard data.itemShape[1] % d == 0 && data.itemShape[2] % d == 0 else {
            throw GeneratorError.invalidData("images of \(data.itemShape[1])×\(data.itemShape[2]) are not divisible by \(d) (the autoencoder's \(config.model.channels.count) levels)")
        }
        self.config = config; self.data = data
        var initRng = SeededRandom(seed: config.seed)
        model = PlaneAutoencoder(config.model, rng: &initRng)
        optimizer = Adam(model.parameters, learningRate: config.learningRate)
        ema = EMA(model.parameters, decay: config.emaDecay)
        learningRates = WarmupCosineSchedule(peak: config.learningRate, floor: config.minLearningRate,
                                             warmupSteps: config.warmupSteps, totalSteps: config.totalSteps)
        rng = SeededRandom(seed: config.seed).split(1)
        shuffle = EpochShuffle(seed: config.seed, count: data.count)
    }

    /// One optimization step; returns its loss.
    @discardableResult
    public func trainStep() -> Float {
        optimizer.learningRate = learningRates.learningRate(at: step)
        let x = data.batch(shuffle.batch(step: step, size: config.batchSize))
        let latentShape = [x.shape[0]] + config.model.latentShape(imageHeight: x.shape[2], width: x.shape[3])
        let noise = Tensor.randn(latentShape, rng: &rng)
        let extra = config.decoderNoise > 0 ? Tensor.randn(latentShape, rng: &rng) : nil
        optimizer.zeroGrad()
        let pass = Self.forward(model, x, noise: noise, decoderNoise: extra.map { ($0, config.decoderNoise) })
        var loss = Self.objective(pass, x, klWeight: config.klWeight)
        if let geometry { loss = loss + geometry(pass.reconstruction, x, config.occupancyPoints, &rng) * config.occupancyWeight }
        let value = backwardAndUpdate(loss, model.parameters, optimizer: optimizer, ema: ema, clip: config.gradientClip,
                                      emaDecay: config.emaDecay, emaWarmup: true, step: step)
        step += 1
        losses.append(value)
        return value
    }

    /// The training loss of images x with the reparameterization noise ε (the latent's shape):
    /// mean (decode(μ + σ·ε) − x)² + β · KL(μ, log σ²).
    public static func loss(_ model: PlaneAutoencoder, _ x: Tensor, noise: Tensor, klWeight: Float) -> Tensor {
        objective(forward(model, x, noise: noise), x, klWeight: klWeight)
    }

    /// The posterior of x and the reconstruction of its sample μ + σ·ε (recorded), plus
    /// `decoderNoise.scale` · s ⊙ ε′ when given (s: `channelStatistics(μ).deviation`, ε′ = `decoderNoise.unit`).
    public static func forward(_ model: PlaneAutoencoder, _ x: Tensor, noise: Tensor,
                               decoderNoise: (unit: Tensor, scale: Float)? = nil) -> (mean: Tensor, logVariance: Tensor, reconstruction: Tensor) {
        let (mean, logVariance) = model.encode(x)
        var z = mean + (logVariance * 0.5).exp() * noise
        if let (unit, scale) = decoderNoise { z = z + channelScaled(unit, by: channelStatistics(mean).deviation, scale) }
        return (mean, logVariance, model.decode(z))
    }

    /// The mean and population standard deviation of `t` [N, C, h, w] per channel over N, h and w
    /// (values only, nothing recorded; sums in Double) — [C] each; deviation 0 for a constant
    /// channel. Also the latent statistics `train diffusion --autoencoder` maps latents with.
    public static func channelStatistics(_ t: Tensor) -> (mean: [Float], deviation: [Float]) {
        precondition(t.rank == 4, "channelStatistics wants [N, C, h, w], got \(t.shape)")
        return TensorCore.channelStatistics([t], channels: t.shape[1], spatial: t.shape[2] * t.shape[3])
    }

    /// u [N, C, h, w] with channel k multiplied by `scale` · deviations[k] (a new tensor; nothing
    /// recorded when u requires no gradient).
    public static func channelScaled(_ u: Tensor, by deviations: [Float], _ scale: Float) -> Tensor {
        precondition(u.rank == 4 && u.shape[1] == deviations.count, "channelScaled: \(u.shape) against \(deviations.count) channels")
        return u * Tensor(deviations.map { scale * $0 }, shape: [1, deviations.count, 1, 1])
    }

    static func objective(_ pass: (mean: Tensor, logVariance: Tensor, reconstruction: Tensor), _ x: Tensor, klWeight: Float) -> Tensor {
        let reconstruction = mseLoss(pass.reconstruction, x)
        guard klWeight > 0 else { return reconstruction }
        return reconstruction + PlaneAutoencoder.klDivergence(mean: pass.mean, logVariance: pass.logVariance) * klWeight
    }

    /// A fresh autoencoder holding the EMA weights (the model file's).
    public func emaModel() -> PlaneAutoencoder { AutoencoderModelFile.network(config, weights: ema.shadow) }

    /// Writes the whole training state to `path` atomically.
    public func checkpoint(to path: String) throws { try saveCheckpoint(to: path) }

    /// Restores the state saved by `checkpoint(to:)`; a checkpoint of another model, config or data
    /// is a typed error (the tensor, the config key, the fingerprints) and changes nothing.
    public func resume(from path: String) throws { try restoreCheckpoint(from: path) }
}

extension AutoencoderTrainer: RandomizedTrainer {
    var dataFingerprint: String { data.fingerprint }
}

/// A trained plane autoencoder: EMA weights + training config (`GeneratorModelFile`, format
/// `octoplane-autoencoder-model`; `load` also reads a training checkpoint's `ema.` tensors).
public struct AutoencoderModelFile: GeneratorModelFile {
    public static let format = "octoplane-autoencoder-model"
    public static var checkpointFormat: String { AutoencoderTrainer.checkpointFormat }
    public static func makeNetwork(_ config: AutoencoderTrainingConfig) -> PlaneAutoencoder {
        var scratch = SeededRandom(seed: 0)
        return PlaneAutoencoder(config.model, rng: &scratch)
    }

    public let config: AutoencoderTrainingConfig
    public let network: PlaneAutoencoder
    public let step: Int

    public init(config: AutoencoderTrainingConfig, network: PlaneAutoencoder, step: Int) {
        precondition(network.config == config.model, "AutoencoderModelFile: network and config disagree")
        self.config = config; self.network = network; self.step = step
    }

    public init(_ trainer: AutoencoderTrainer) { self.init(config: trainer.config, network: trainer.emaModel(), step: trainer.step) }
}
