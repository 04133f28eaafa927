import Foundation
import NN
import Support
import TensorCore

/// A trained diffusion model for sampling: the U-Net with its EMA weights and the training config
/// (schedule, T, prediction target). Stored as one safetensors file of the U-Net's parameters
/// under their own names (what a PyTorch mirror loads with `load_state_dict`) and metadata
/// `format = "octoplane-diffusion-model"`, `config` (the training config as sorted-key JSON),
/// `step`. `load` also accepts a training checkpoint (it then takes the `ema.` tensors).
public struct DiffusionModelFile {
    public static let format = "octoplane-diffusion-model"

    public let config: DiffusionTrainingConfig
    public let network: UNet
    /// Training steps behind the weights.
    public let step: Int

    public init(config: DiffusionTrainingConfig, network: UNet, step: Int) {
        precondition(network.config == config.model, "DiffusionModelFile: network and config disagree")
        self.config = config; self.network = network; self.step = step
    }

    /// The EMA weights of a trainer (the weights to sample with).
    public init(_ trainer: DiffusionTrainer) {
        self.init(config: trainer.config, network: trainer.emaModel(), step: trainer.step)
    }

    /// A sampler for the model's schedule and prediction target.
    public func sampler(_ settings: SamplerSettings = SamplerSettings()) -> DiffusionSampler {
        DiffusionSampler(schedule: config.diffusionSchedule, prediction: config.prediction, settings: settings)
    }

    /// Writes the model atomically.
    public func save(to path: String, dtype: SafetensorsDType = .f32) throws {
        try network.saveCheckpoint(to: path, metadata: ["format": Self.format, "config": config.json(), "step": String(step)], dtype: dtype)
    }

    /// Reads a model file, or the EMA weights of a training checkpoint. Every tensor of the U-Net
    /// its config describes must be present with its shape (`GeneratorError.checkpointMismatch`
    /// names the first that is not).
    public static func load(_ path: String) throws -> DiffusionModelFile {
        let (file, prefix, config, step) = try readModelFile(path, format: format, checkpointFormat: DiffusionTrainer.checkpointFormat,
                                                             config: DiffusionTrainingConfig.self)
        var scratch = SeededRandom(seed: 0)
        let net = UNet(config.model, rng: &scratch)
        try loadParameters(net, from: file, prefix: prefix)
        return DiffusionModelFile(config: config, network: net, step: step)
    }
}
