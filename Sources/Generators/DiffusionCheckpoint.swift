import Foundation
import NN
import Support
import TensorCore

// A diffusion training checkpoint is ONE safetensors file in the layout of `TrainingCheckpoint`
// (TrainingState.swift): model./ema./adam.m./adam.v. tensors under the UNet's parameter names
// (e.g. model.down.0.conv1.weight), the losses, and metadata with format =
// "octoplane-diffusion-checkpoint" and data_fingerprint = `DiffusionDataset.fingerprint`.

extension DiffusionTrainer: RandomizedTrainer {
    public static let checkpointFormat = "octoplane-diffusion-checkpoint"

    /// Writes the whole training state to `path` atomically (a crash or a full disk leaves the
    /// previous checkpoint intact).
    public func checkpoint(to path: String) throws { try saveCheckpoint(to: path) }

    /// Restores the state saved by `checkpoint(to:)`, after checking — before anything changes —
    /// that every tensor of this trainer is there with its shape and no other model tensor is
    /// (`GeneratorError.checkpointMismatch` names the first offender), that the training config
    /// is the same (`configMismatch` names the first differing key) and that the data are
    /// (`dataMismatch`). A refused checkpoint leaves the trainer as it was.
    public func resume(from path: String) throws { try restoreCheckpoint(from: path) }

    var dataFingerprint: String { data.fingerprint }
}
