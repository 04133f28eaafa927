import Foundation

/// Everything that defines an octree-transformer training run (a JSON file; keys left out take the
/// defaults below). Two runs with equal configs, data and thread count compute bit-identical weights.
public struct OctreeTrainingConfig: TrainingConfigFile, Sendable, Equatable {
    public var model: OctreeTransformerConfig
    /// Sequences per step.
    public var batchSize: Int = 8
    /// Peak learning rate of the warmup + cosine schedule, its floor, and the steps of each phase.
    public var learningRate: Float = 1e-3
    public var minLearningRate: Float = 5e-5
    public var warmupSteps: Int = 100
    public var totalSteps: Int = 3000
    public var adamBeta1: Float = 0.9
    public var adamBeta2: Float = 0.95
    public var adamEpsilon: Float = 1e-8
    /// AdamW's decoupled weight decay (0: plain Adam).
    public var weightDecay: Float = 0.01
    /// Global gradient-norm clip (0: none).
    public var gradientClip: Float = 1
    /// EMA decay of the sampling weights (with the min(decay, (1 + n)/(10 + n)) ramp when `emaWarmup`).
    public var emaDecay: Float = 0.999
    public var emaWarmup: Bool = true
    /// Probability that a training sequence is seen in `.parallel` mode (masked tokens of one depth,
    /// bidirectional within it) rather than `.nextToken` mode: one model serves both decodings.
    public var parallelFraction: Double = 0.5
    /// Dropout probability on the input embeddings and the residual branches while training (0: none;
    /// sampling never drops).
    public var dropout: Float = 0
    public var seed: UInt64 = 0

    public init(model: OctreeTransformerConfig) { self.model = model }

    private enum CodingKeys: String, CodingKey {
        case model, batchSize, learningRate, minLearningRate, warmupSteps, totalSteps, adamBeta1, adamBeta2, adamEpsilon
        case weightDecay, gradientClip, emaDecay, emaWarmup, parallelFraction, dropout, seed
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        model = try c.decodeIfPresent(OctreeTransformerConfig.self, forKey: .model) ?? OctreeTransformerConfig()
        func take<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try take(.batchSize, &batchSize); try take(.learningRate, &learningRate); try take(.minLearningRate, &minLearningRate)
        try take(.warmupSteps, &warmupSteps); try take(.totalSteps, &totalSteps)
        try take(.adamBeta1, &adamBeta1); try take(.adamBeta2, &adamBeta2); try take(.adamEpsilon, &adamEpsilon)
        try take(.weightDecay, &weightDecay); try take(.gradientClip, &gradientClip); try take(.emaDecay, &emaDecay)
        try take(.emaWarmup, &emaWarmup); try take(.parallelFraction, &parallelFraction); try take(.dropout, &dropout)
        try take(.seed, &seed)
    }

    /// Throws `GeneratorError.invalidConfig` naming the first value out of range.
    public func validate() throws {
        if let p = model.problem { throw GeneratorError.invalidConfig("model: \(p)") }
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw GeneratorError.invalidConfig(what) } }
        try check(batchSize >= 1, "batchSize must be ≥ 1, got \(batchSize)")
        try check(learningRate > 0 && minLearningRate >= 0 && minLearningRate <= learningRate, "need 0 ≤ minLearningRate ≤ learningRate, 0 < learningRate")
        try check(warmupSteps >= 0 && totalSteps >= warmupSteps, "need 0 ≤ warmupSteps ≤ totalSteps, got \(warmupSteps) and \(totalSteps)")
        try check(adamBeta1 >= 0 && adamBeta1 < 1 && adamBeta2 >= 0 && adamBeta2 < 1 && adamEpsilon > 0, "Adam betas must lie in [0, 1) and epsilon be > 0")
        try check(weightDecay >= 0, "weightDecay must be ≥ 0")
        try check(gradientClip >= 0, "gradientClip must be ≥ 0 (0: no clipping)")
        try check(emaDecay >= 0 && emaDecay < 1, "emaDecay must lie in [0, 1), got \(emaDecay)")
        try check(parallelFraction >= 0 && parallelFraction <= 1, "parallelFraction must lie in [0, 1], got \(parallelFraction)")
        try check(dropout >= 0 && dropout < 1, "dropout must lie in [0, 1), got \(dropout)")
    }
}
