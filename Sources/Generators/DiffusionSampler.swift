import Foundation
import Support
import TensorCore

/// How to run the reverse process.
public struct SamplerSettings: Codable, Sendable, Equatable {
    public enum Method: Codable, Sendable, Equatable {
        /// DDPM ancestral sampling (`ddpmStep`), over all T steps or a respaced subset.
        case ddpm
        /// DDIM (`ddimStep`) with noise scale η (0: deterministic).
        case ddim(eta: Double)
    }
    public var method: Method
    /// Number of reverse steps (1…T); nil: all T.
    public var steps: Int?
    /// Which timesteps a shortened run visits.
    public var spacing: TimestepSpacing
    /// Clamp every x₀ estimate to [−b, b] (nil: no clamping). ADM / NFD clamp to [−1, 1], the
    /// range of data scaled into [−1, 1]; data that exceed it (triplanes normalized to ±kσ keep
    /// their tails) need the data's own bound, or the sampler cuts off what the tails encode.
    public var clipX0: Float?
    /// Classifier-free guidance weight w (`guidedPrediction`): 0 unconditional, 1 conditional.
    public var guidance: Float

    public init(method: Method = .ddim(eta: 0), steps: Int? = 50, spacing: TimestepSpacing = .even, clipX0: Float? = 1, guidance: Float = 1) {
        self.method = method; self.steps = steps; self.spacing = spacing; self.clipX0 = clipX0; self.guidance = guidance
    }
}

/// Draws samples from a trained denoiser: x_T ~ N(0, I), then one DDPM or DDIM step per visited
/// timestep, from the last to the first; each step turns the (guided) model output into (x̂₀, ε̂)
/// (`DiffusionSchedule.split`, clamped to ±`clipX0`) and moves to the previous visited timestep on the
/// respaced schedule. Deterministic for a seed: x_T and every step's noise come, in order, from
/// one `SeededRandom(seed:)` (η = 0 DDIM draws only x_T).
public struct DiffusionSampler: Sendable {
    /// The model's full training schedule.
    public let schedule: DiffusionSchedule
    public let prediction: PredictionTarget
    public var settings: SamplerSettings

    public init(schedule: DiffusionSchedule, prediction: PredictionTarget, settings: SamplerSettings = SamplerSettings()) {
        self.schedule = schedule; self.prediction = prediction; self.settings = settings
    }

    /// The schedule the sampler actually walks (respaced when fewer steps than T).
    public var walkedSchedule: DiffusionSchedule {
        let total = schedule.count
        let n = min(settings.steps ?? total, total)
        precondition(n >= 1, "DiffusionSampler: \(n) steps")
        return n == total ? schedule : schedule.respaced(settings.spacing.timesteps(n, of: total))
    }

    /// `shape[0]` samples of shape `shape` (e.g. [N, C, H, W]); `labels` [N] for class-conditional
    /// sampling (nil: unconditional). `progress(done, total)` is called after every step.
    public func sample(_ model: Denoiser, shape: [Int], labels: [Int]? = nil, seed: UInt64,
                       progress: ((Int, Int) -> Void)? = nil) -> Tensor {
        precondition(labels == nil || labels!.count == shape[0], "DiffusionSampler: \(labels!.count) labels for \(shape[0]) samples")
        let walk = walkedSchedule
        var rng = SeededRandom(seed: seed)
        var x = Tensor.randn(shape, rng: &rng)
        let n = shape[0], total = walk.count
        for i in stride(from: total - 1, through: 0, by: -1) {
            let entries = [Int](repeating: i, count: n)
            let output = withNoGrad {
                guidedPrediction(model, x, timesteps: [Int](repeating: walk.timesteps[i], count: n), labels: labels, guidance: settings.guidance)
            }
            let (x0, eps) = walk.split(output, as: prediction, xt: x, at: entries, clip: settings.clipX0)
            switch settings.method {
            case .ddpm: x = ddpmStep(walk, xt: x, x0: x0, entry: i, rng: &rng)
            case let .ddim(eta): x = ddimStep(walk, x0: x0, epsilon: eps, entry: i, eta: eta, rng: &rng)
            }
            progress?(total - i, total)
        }
        return x
    }
}
