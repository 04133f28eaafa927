import Foundation
import NN

/// Everything that defines a plane-autoencoder training run (a JSON file; keys left out take the
/// defaults below). Two runs with equal configs, data and thread count compute bit-identical weights.
public struct AutoencoderTrainingConfig: TrainingConfigFile, Sendable, Equatable {
    public var model: PlaneAutoencoderConfig
    /// Weight β of the KL term: loss = mean (x̂ − x)² + β · ½ mean(μ² + σ² − 1 − log σ²). Small
    /// (latent diffusion's KL-f models: 1e-6 on summed losses) — enough to keep the latent's scale
    /// bounded and its space smooth, not to make it Gaussian.
    public var klWeight: Float = 1e-4
    /// Weight of the caller's geometry term (for planes: the decoded occupancy of the
    /// reconstruction against the original's, `TrainAutoencoderJob`) and the points per image it
    /// draws. 0: plane MSE (+ KL) only.
    public var occupancyWeight: Float = 0
    public var occupancyPoints: Int = 2048
    /// Extra noise on the decoder's input, relative to the latent's spread: the decoder reads
    /// z = μ + σ·ε + `decoderNoise` · s ⊙ ε′, s the batch's standard deviation of μ per latent
    /// channel (taken as values, not differentiated), ε′ ~ N(0, I). A diffusion model's samples miss
    /// the training latents by a fraction of their spread; a decoder trained only on the posterior's
    /// tiny σ·ε turns such misses into holes. Relative, so scaling μ up cannot escape it. 0: none
    /// (and no extra draws: the run is the one without the key).
    public var decoderNoise: Float = 0
    public var batchSize: Int = 32
    /// Peak learning rate of the warmup + cosine schedule, its floor, and the steps of each phase.
    public var learningRate: Float = 1e-3
    public var minLearningRate: Float = 0
    public var warmupSteps: Int = 100
    public var totalSteps: Int = 3_000
    /// Global gradient-norm clip (0: none).
    public var gradientClip: Float = 1
    /// EMA decay of the weights the model file keeps (with the usual (1 + n)/(10 + n) ramp).
    public var emaDecay: Float = 0.999
    public var seed: UInt64 = 0

    public init(model: PlaneAutoencoderConfig) { self.model = model }

    private enum CodingKeys: String, CodingKey {
        case model, klWeight, occupancyWeight, occupancyPoints, decoderNoise, batchSize, learningRate, minLearningRate, warmupSteps, totalSteps, gradientClip, emaDecay, seed
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(PlaneAutoencoderConfig.self, forKey: .model) ?? PlaneAutoencoderConfig()
        func take<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try take(.klWeight, &klWeight); try take(.occupancyWeight, &occupancyWeight); try take(.occupancyPoints, &occupancyPoints)
        try take(.decoderNoise, &decoderNoise)
        try take(.batchSize, &batchSize); try take(.learningRate, &learningRate)
        try take(.minLearningRate, &minLearningRate); try take(.warmupSteps, &warmupSteps); try take(.totalSteps, &totalSteps)
        try take(.gradientClip, &gradientClip); try take(.emaDecay, &emaDecay); try take(.seed, &seed)
    }

    /// Throws `GeneratorError.invalidConfig` naming the first value out of range.
    public func validate() throws {
        if let p = model.problem { throw GeneratorError.invalidConfig("model: \(p)") }
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw GeneratorError.invalidConfig(what) } }
        try check(klWeight >= 0 && klWeight.isFinite, "klWeight must be finite and ≥ 0, got \(klWeight)")
        try check(occupancyWeight >= 0 && occupancyWeight.isFinite, "occupancyWeight must be finite and ≥ 0, got \(occupancyWeight)")
        try check(occupancyPoints >= 2, "occupancyPoints must be ≥ 2, got \(occupancyPoints)")
        try check(decoderNoise >= 0 && decoderNoise.isFinite, "decoderNoise must be finite and ≥ 0, got \(decoderNoise)")
        try check(batchSize >= 1, "batchSize must be ≥ 1, got \(batchSize)")
        try check(learningRate > 0 && minLearningRate >= 0 && minLearningRate <= learningRate, "need 0 ≤ minLearningRate ≤ learningRate, 0 < learningRate")
        try check(warmupSteps >= 0 && totalSteps >= warmupSteps, "need 0 ≤ warmupSteps ≤ totalSteps, got \(warmupSteps) and \(totalSteps)")
        try check(gradientClip >= 0, "gradientClip must be ≥ 0 (0: no clipping)")
        try check(emaDecay >= 0 && emaDecay < 1, "emaDecay must lie in [0, 1), got \(emaDecay)")
    }
}
