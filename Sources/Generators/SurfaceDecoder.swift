import Foundation
import NN
import Support
import TensorCore

/// Everything that defines the training of the octree generator's learned surface stage, a
/// `SurfaceDecoder` over blended cell patches (`PatchQuery`, built by the caller — for octrees
/// `OccupancyVolume.patchQuery`, whose `radius` is kept here so the model file says how to build
/// them). A JSON file; keys left out take the defaults below.
public struct SurfaceDecoderConfig: TrainingConfigFile, Sendable, Equatable {
    /// Patch radius in cells (features of (2r + 1)³ cells); recorded for the feature builder.
    /// 3 since 2026-12-05 (radius 2 before: cars' flat sides came out rippled, see the octree
    /// model card).
    public var radius: Int = Self.defaultRadius
    public static let defaultRadius = 3
    /// Floats per cell patch (`PatchQuery.patchWidth`: 2 per cell, 686 at radius 3).
    public var inputs: Int = 686
    /// Hidden widths: the first is the cell code's; then the head's ReLU layers.
    public var hidden: [Int] = [64, 64]
    /// Points per step.
    public var batchSize: Int = 4096
    public var learningRate: Float = 2e-3
    public var minLearningRate: Float = 1e-4
    public var warmupSteps: Int = 50
    public var totalSteps: Int = 4000
    public var emaDecay: Float = 0.99
    /// Structure perturbation of the training data's second copy (the caller's; for octrees
    /// `OccupancyVolume.perturbed`): probabilities of dropping a shell cell and of adding one next
    /// to the shell. Both 0: no perturbed copy.
    public var dropShell: Double = 0.05
    public var addShell: Double = 0.05
    public var seed: UInt64 = 0

    public init(radius: Int = Self.defaultRadius, inputs: Int) { self.radius = radius; self.inputs = inputs }

    private enum CodingKeys: String, CodingKey {
        case radius, inputs, hidden, batchSize, learningRate, minLearningRate, warmupSteps, totalSteps, emaDecay, dropShell, addShell, seed
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func take<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws {
            if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v }
        }
        try take(.radius, &radius); try take(.inputs, &inputs); try take(.hidden, &hidden); try take(.batchSize, &batchSize)
        try take(.learningRate, &learningRate); try take(.minLearningRate, &minLearningRate); try take(.warmupSteps, &warmupSteps)
        try take(.totalSteps, &totalSteps); try take(.emaDecay, &emaDecay); try take(.dropShell, &dropShell); try take(.addShell, &addShell)
        try take(.seed, &seed)
    }

    public func validate() throws {
        func check(_ ok: Bool, _ what: String) throws { if !ok { throw GeneratorError.invalidConfig(what) } }
        try check(radius >= 0 && radius <= 4, "radius must lie in 0…4, got \(radius)")
        try check(inputs >= 1, "inputs must be ≥ 1, got \(inputs)")
        try check(!hidden.isEmpty && hidden.allSatisfy { $0 >= 1 }, "hidden widths must be ≥ 1 (at least one layer)")
        try check(batchSize >= 1, "batchSize must be ≥ 1, got \(batchSize)")
        try check(learningRate > 0 && minLearningRate >= 0 && minLearningRate <= learningRate, "need 0 ≤ minLearningRate ≤ learningRate, 0 < learningRate")
        try check(warmupSteps >= 0 && totalSteps >= warmupSteps, "need 0 ≤ warmupSteps ≤ totalSteps, got \(warmupSteps) and \(totalSteps)")
        try check(emaDecay >= 0 && emaDecay < 1, "emaDecay must lie in [0, 1), got \(emaDecay)")
        try check((0...1).contains(dropShell) && (0...1).contains(addShell), "dropShell and addShell must lie in [0, 1]")
    }
}

/// The learned surface stage's network: a cell's code is a linear map of its patch, a point's
/// feature under a cell is ReLU(code + A·offset), a ReLU MLP head gives that cell's logit for the
/// point, and the point's logit is the trilinear blend of its 8 cells' logits (Local Implicit
/// Grids, Jiang et al. 2020) — continuous across cell boundaries.
///
///     codes   = patch(patches)                      [cells, H]      (patch: Linear(inputs, H))
///     h       = relu(codes[cellOfRow] + offset(o))  [8·points, H]   (offset: Linear(3, H), no bias)
///     logit_r = head(h)                             [8·points, 1]   (head: MLP(H, hidden…, 1))
///     logit   = Σ_k weight_{p,k} · logit_{p·8+k}    [points, 1]
///
/// Parameters: `patch.*`, `offset.weight`, `head.layers.<i>.*`.
public final class SurfaceDecoder: Layer {
    public let patch: Linear
    public let offset: Linear
    public let head: MLP

    public init(_ config: SurfaceDecoderConfig, rng: inout SeededRandom) {
        let h = config.hidden[0]
        patch = Linear(config.inputs, h, rng: &rng)
        offset = Linear(3, h, bias: false, rng: &rng)
        head = MLP(Array(config.hidden) + [1], rng: &rng)
    }

    public var namedParameters: [(String, Tensor)] {
        prefixed("patch", patch) + prefixed("offset", offset) + prefixed("head", head)
    }

    /// Logits [points, 1] of a query (see above); recorded for autograd unless under `withNoGrad`.
    public func callAsFunction(_ q: PatchQuery) -> Tensor {
        let rows = q.cellOfRow.count, corners = PatchQuery.cornersPerPoint
        precondition(q.patchWidth == patch.inFeatures, "patches of width \(q.patchWidth), the decoder reads \(patch.inFeatures)")
        let codes = patch(Tensor(q.patches, shape: [q.cellCount, q.patchWidth]))
        let h = (embedding(codes, q.cellOfRow) + offset(Tensor(q.offsets, shape: [rows, 3]))).relu()
        let perCorner = head(h) * Tensor(q.weights, shape: [rows, 1])
        return perCorner.reshaped([rows / corners, corners]).sum(axes: [1], keepDims: true)
    }
}

/// Labelled points for the surface decoder, built lazily (a collection of shapes would not fit as
/// a dense feature matrix): the caller owns the geometry, the trainer only asks for rows.
public protocol SurfaceExamples {
    /// Number of labelled points.
    var count: Int { get }
    /// A query of the points `indices` (in any order) and one target per point in the query's
    /// order (0 outside, 1 inside): the loss is a mean, so only the pairing matters.
    func examples(_ indices: [Int]) -> (query: PatchQuery, targets: [Float])
    /// A hash of the data (a resumed run refuses other data).
    var fingerprint: String { get }
}

/// Trains the surface decoder: per step the next `batchSize` points of a seeded shuffle,
/// binary cross-entropy on the logits, Adam with a warmup-cosine learning rate, an EMA of the
/// weights (the sampling weights). Resumable with `TrainingCheckpoint`'s layout (format
/// "octoplane-surface-checkpoint"); equal configs, data and thread counts give bit-identical weights.
public final class SurfaceDecoderTrainer {
    public let config: SurfaceDecoderConfig
    public let data: any SurfaceExamples
    public let model: SurfaceDecoder
    public let optimizer: Adam
    public let ema: EMA
    public let learningRates: WarmupCosineSchedule
    public internal(set) var step = 0
    public internal(set) var losses: [Float] = []
    private var shuffle: EpochShuffle

    public static let checkpointFormat = "octoplane-surface-checkpoint"

    public init(config: SurfaceDecoderConfig, data: any SurfaceExamples) throws {
        try config.validate()
        guard data.count > 0 else { throw GeneratorError.invalidData("no labelled points for the surface decoder") }
        self.config = config; self.data = data
        var rng = SeededRandom(seed: config.seed)
        model = SurfaceDecoder(config, rng: &rng)
        optimizer = Adam(model.parameters, learningRate: config.learningRate)
        ema = EMA(model.parameters, decay: config.emaDecay)
        learningRates = WarmupCosineSchedule(peak: config.learningRate, floor: config.minLearningRate,
                                             warmupSteps: config.warmupSteps, totalSteps: config.totalSteps)
        shuffle = EpochShuffle(seed: config.seed, count: data.count)
    }

    /// Mean binary cross-entropy of `model` on a batch.
    static func loss(_ model: SurfaceDecoder, query: PatchQuery, targets: [Float]) -> Tensor {
        bceWithLogits(model(query), Tensor(targets, shape: [targets.count, 1]))
    }

    @discardableResult
    public func trainStep() -> Float {
        optimizer.learningRate = learningRates.learningRate(at: step)
        let (query, targets) = data.examples(shuffle.batch(step: step, size: config.batchSize))
        optimizer.zeroGrad()
        let value = backwardAndUpdate(Self.loss(model, query: query, targets: targets), model.parameters, optimizer: optimizer, ema: ema,
                                      clip: 0, emaDecay: config.emaDecay, emaWarmup: true, step: step)
        step += 1
        losses.append(value)
        return value
    }

    /// A fresh decoder holding the EMA weights.
    public func emaModel() -> SurfaceDecoder { SurfaceDecoderFile.network(config, weights: ema.shadow) }

    public func checkpoint(to path: String) throws { try saveCheckpoint(to: path) }
    public func resume(from path: String) throws { try restoreCheckpoint(from: path) }
}

extension SurfaceDecoderTrainer: CheckpointedTrainer {
    /// Nothing is drawn per step outside the data's own seeded batches.
    var rngState: UInt64 {
        get { 0 }
        set {}
    }
    var dataFingerprint: String { data.fingerprint }
}

/// A trained surface decoder for sampling: its EMA weights and metadata `format =
/// "octoplane-surface-model"`, `config`, `step`. `load` also accepts a training checkpoint.
public struct SurfaceDecoderFile: GeneratorModelFile {
    public static let format = "octoplane-surface-model"
    public static var checkpointFormat: String { SurfaceDecoderTrainer.checkpointFormat }
    public static func makeNetwork(_ config: SurfaceDecoderConfig) -> SurfaceDecoder {
        var scratch = SeededRandom(seed: 0)
        return SurfaceDecoder(config, rng: &scratch)
    }
    public let config: SurfaceDecoderConfig
    public let network: SurfaceDecoder
    public let step: Int

    public init(config: SurfaceDecoderConfig, network: SurfaceDecoder, step: Int) {
        self.config = config; self.network = network; self.step = step
    }

    public init(_ trainer: SurfaceDecoderTrainer) { self.init(config: trainer.config, network: trainer.emaModel(), step: trainer.step) }

    /// One logit per point of `query`, without recording a graph.
    public func logits(_ query: PatchQuery) -> [Float] {
        query.pointCount == 0 ? [] : withNoGrad { network(query).scalars }
    }
}
