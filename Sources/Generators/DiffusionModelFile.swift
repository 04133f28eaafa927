import Foundation
import NN
import Support
import TensorCore

/// A trained diffusion model for sampling: the U-Net with its EMA weights and the training config
/// (schedule, T, prediction target). Stored as one safetensors file of the U-Net's parameters
/// under their own names (what a PyTorch mirror loads with `load_state_dict`) and metadata
/// `format = "octoplane-diffusion-model"`, `config` (the training config as sorted-key JSON),
/// `step`. `load` also accepts a training checkpoint (it then takes the `ema.` tensors).
public struct DiffusionModelFile: GeneratorModelFile {
    public static let format = "octoplane-diffusion-model"
    public static var checkpointFormat: String { DiffusionTrainer.checkpointFormat }
    public static func makeNetwork(_ config: DiffusionTrainingConfig) -> UNet {
        var scratch = SeededRandom(seed: 0)
        return UNet(config.model, rng: &scratch)
    }

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
}
