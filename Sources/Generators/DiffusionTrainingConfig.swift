import Foundation
import NN

/// Everything that defines a diffusion training run (a JSON file; keys left out take the defaults
/// below). Two runs with equal configs, data and thread count compute bit-identical weights.
public struct DiffusionTrainingConfig: TrainingConfigFile, Sendable, Equatable {
    /// The denoiser's shape (`model.classCount` > 0: class-conditional, with CFG label dropout).
    public var model: UNetConfig
    public var schedule: BetaSchedule = .cosine
    /// T, the number of diffusion steps.
    public var timesteps: Int = 1000
    public var prediction: PredictionTarget = .v
    public var batchSize: Int = 32
    /// Peak learning rate of the warmup + cosine schedule (`WarmupCosineSchedule`), its floor, and
    /// the steps of each phase.
    public var learningRate: Float = 2e-4
    public var minLearningRate: Float = 0
    public var warmupSteps: Int = 100
    public var totalSteps: Int = 10_000
    public var adamBeta1: Float = 0.9
    public var adamBeta2: Float = 0.999
    public var adamEpsilon: Float = 1e-8
    /// AdamW's decoupled weight decay (0: plain Adam).
    public var weightDecay: Float = 0
    /// Global gradient-norm clip (0: none).
    public var gradientClip: Float = 1
    /// EMA decay of the sampling weights; with `emaWarmup`, min(decay, (1 + n)/(10 + n)) after
    /// n updates (the usual ramp, so short runs have usable EMA weights).
    public var emaDecay: Float = 0.999
    public var emaWarmup: Bool = true
    /// Probability that a training label is replaced by the null class (classifier-free guidance
    /// needs the unconditional model too; Ho & Salimans use 0.1–0.2).
    public var labelDropout: Double = 0.1
    /// γ of the min-SNR-γ loss weighting (`DiffusionSchedule.minSNRWeights`; Hang et al. 2023
    /// use 5); 0: every sample weighs the same (Ho et al.'s simple loss).
    public var minSNRGamma: Double = 0
    public var seed: UInt64 = 0

    public init(model: UNetConfig) { self.model = model }

    private enum CodingKeys: String, CodingKey {
        case model, schedule, timesteps, prediction, batchSize, learningRate, minLearningRate, warmupSteps, totalSteps
        case adamBeta1, adamBeta2, adamEpsilon, weightDecay, gradientClip, emaDecay, emaWarmup, labelDropout, minSNRGamma, seed
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decode(UNetConfig.self, forKey: .model)
        func take<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try take(.schedule, &schedule); try take(.timesteps, &timesteps); try take(.prediction, &prediction)
        try take(.batchSize, &batchSize); try take(.learningRate, &learningRate); try take(.minLearningRate, &minLearningRate)
        try take(.warmupSteps, &warmupSteps); try take(.totalSteps, &totalSteps)
        try take(.adamBeta1, &adamBeta1); try take(.adamBeta2, &adamBeta2); try take(.adamEpsilon, &adamEpsilon)
        try take(.weightDecay, &weightDecay); try take(.emaDecay, &emaDecay); try take(.emaWarmup, &emaWarmup)
        try take(.labelDropout, &labelDropout); try take(.seed, &seed); try take(.gradientClip, &gradientClip)
        try take(.minSNRGamma, &minSNRGamma)
    }

    /// Throws `GeneratorError.invalidConfig` naming the first value out of range.
    public func validate() throws {
        if let p = model.problem { throw GeneratorError.invalidConfig("model: \(p)") }
        if let p = schedule.problem { throw GeneratorError.invalidConfig("schedule: \(p)") }
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw GeneratorError.invalidConfig(what) } }
        try check(timesteps >= 1, "timesteps must be ≥ 1, got \(timesteps)")
        try check(batchSize >= 1, "batchSize must be ≥ 1, got \(batchSize)")
        try check(learningRate > 0 && minLearningRate >= 0 && minLearningRate <= learningRate, "need 0 ≤ minLearningRate ≤ learningRate, 0 < learningRate")
        try check(warmupSteps >= 0 && totalSteps >= warmupSteps, "need 0 ≤ warmupSteps ≤ totalSteps, got \(warmupSteps) and \(totalSteps)")
        try check(adamBeta1 >= 0 && adamBeta1 < 1 && adamBeta2 >= 0 && adamBeta2 < 1 && adamEpsilon > 0, "Adam betas must lie in [0, 1) and epsilon be > 0")
        try check(weightDecay >= 0, "weightDecay must be ≥ 0")
        try check(gradientClip >= 0, "gradientClip must be ≥ 0 (0: no clipping)")
        try check(emaDecay >= 0 && emaDecay < 1, "emaDecay must lie in [0, 1), got \(emaDecay)")
        try check(labelDropout >= 0 && labelDropout <= 1, "labelDropout must lie in [0, 1], got \(labelDropout)")
        try check(minSNRGamma >= 0 && minSNRGamma.isFinite, "minSNRGamma must be ≥ 0 (0: no weighting), got \(minSNRGamma)")
    }

    /// The training schedule (T steps).
    public var diffusionSchedule: DiffusionSchedule { DiffusionSchedule(schedule, steps: timesteps) }
}
