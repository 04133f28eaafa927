import NN
import TensorCore

/// The conditional U-Net as a sampler's denoiser: model timesteps as Float, the null class is
/// `classCount` (nil for unconditional models).
extension UNet: Denoiser {
    public var nullLabel: Int? { config.classCount > 0 ? config.classCount : nil }
    public func predict(_ xt: Tensor, timesteps: [Int], labels: [Int]?) -> Tensor {
        self(xt, timesteps: timesteps.map(Float.init), labels: labels)
    }
}
