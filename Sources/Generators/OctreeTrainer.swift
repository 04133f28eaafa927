import Foundation
import NN
import Support
import TensorCore

/// Child-mask sequences with their class labels: an octree transformer's training set.
public struct OctreeSequenceDataset: Sendable {
    public let sequences: [ChildMaskSequence]
    /// One per sequence, each in 0..<classCount (all 0 for an unconditional model).
    public let labels: [Int]

    public init(sequences: [ChildMaskSequence], labels: [Int]) throws {
        guard !sequences.isEmpty else { throw GeneratorError.invalidData("no sequences") }
        guard labels.count == sequences.count else { throw GeneratorError.invalidData("\(labels.count) labels for \(sequences.count) sequences") }
        guard labels.allSatisfy({ $0 >= 0 }) else { throw GeneratorError.invalidData("labels must be ≥ 0") }
        if let k = sequences.firstIndex(where: { $0.count == 0 }) { throw GeneratorError.invalidData("sequence \(k) is empty (a shape without surface)") }
        let d = sequences[0].depth
        if let k = sequences.firstIndex(where: { $0.depth != d }) {
            throw GeneratorError.invalidData("sequence \(k) has structure depth \(sequences[k].depth), sequence 0 has \(d)")
        }
        self.sequences = sequences; self.labels = labels
    }

    public var count: Int { sequences.count }
    public var depth: Int { sequences[0].depth }

    /// FNV-1a over the depth, every token and every label (see `FNV1a`).
    public var fingerprint: String {
        var h = FNV1a()
        h.mix(UInt64(depth))
        for (s, l) in zip(sequences, labels) {
            h.mix(UInt64(s.count)); h.mix(UInt64(l))
            for t in s.tokens { h.mix(UInt64(t)) }
        }
        return h.hex
    }
}

/// Trains an `OctreeTransformer` on child-mask sequences, one model for both decodings. One
/// `trainStep()`:
///
///     lr ← warmup-cosine(step);  the next `batchSize` sequences of a seeded shuffle (`EpochShuffle`)
///     per sequence, with probability `parallelFraction`, parallel mode:
///         depth d* ~ U{depths present}; slots of depths > d* dropped; u ~ U(0, 1),
///         m = max(1, ⌈cos(π/2·u)·n⌉) of the n depth-d* tokens replaced by [MASK] (MaskGIT's cosine
///         schedule); targets: those m tokens
///     otherwise next-token mode: inputs [BOS, t₀ … t_{N−2}], targets t₀ … t_{N−1}
///     loss = mean cross-entropy over all targets of the batch (dropout `config.dropout` on the
///            embeddings and residual branches)
///     backward; clip the global gradient norm; AdamW; EMA update
///
/// Randomness: weights from `SeededRandom(seed)`, shuffles from its `split(1_000_000 + epoch)`, and
/// the per-sequence draws (mode, d*, u, masked positions) and then the step's dropout masks from
/// one running generator whose state the
/// checkpoint stores — a resumed run continues the uninterrupted one bit for bit (same thread count).
public final class OctreeTrainer {
    public let config: OctreeTrainingConfig
    public let data: OctreeSequenceDataset
    public let model: OctreeTransformer
    public let optimizer: Adam
    public let ema: EMA
    public let learningRates: WarmupCosineSchedule
    public internal(set) var step = 0
    /// Every step's loss, in order (restored on resume).
    public internal(set) var losses: [Float] = []
    public internal(set) var rng: SeededRandom
    private var shuffle: EpochShuffle

    public static let checkpointFormat = "octoplane-octree-checkpoint"

    public init(config: OctreeTrainingConfig, data: OctreeSequenceDataset) throws {
        try config.validate()
        let c = config.model
        guard data.depth == c.depth else {
            throw GeneratorError.invalidData("the sequences have structure depth \(data.depth), the model's config says \(c.depth)")
        }
        if let k = data.sequences.firstIndex(where: { $0.count > c.contextLength }) {
            throw GeneratorError.sequenceTooLong(index: k, length: data.sequences[k].count, context: c.contextLength)
        }
        if let bad = data.labels.first(where: { $0 >= max(1, c.classCount) }) {
            throw GeneratorError.invalidData("label \(bad) outside the model's \(max(1, c.classCount)) classes")
        }
        self.config = config; self.data = data
        var initRng = SeededRandom(seed: config.seed)
        model = OctreeTransformer(c, rng: &initRng)
        optimizer = Adam(model.parameters, learningRate: config.learningRate, beta1: config.adamBeta1, beta2: config.adamBeta2,
                         epsilon: config.adamEpsilon, weightDecay: config.weightDecay, decoupled: config.weightDecay > 0)
        ema = EMA(model.parameters, decay: config.emaDecay)
        learningRates = WarmupCosineSchedule(peak: config.learningRate, floor: config.minLearningRate,
                                             warmupSteps: config.warmupSteps, totalSteps: config.totalSteps)
        rng = SeededRandom(seed: config.seed).split(1)
        shuffle = EpochShuffle(seed: config.seed, count: data.count)
    }

    /// One training example: the model's slots, its mode, and per node slot the target (−1: none).
    struct Example { var slots: [OctreeSlot]; var mode: OctreeDecoding; var targets: [Int] }

    /// Next-token mode: inputs shifted right behind [BOS], every token a target.
    static func nextTokenExample(_ s: ChildMaskSequence, label: Int) -> Example {
        var slots: [OctreeSlot] = [.prefix(label: label)]
        for (i, p) in s.positions.enumerated() {
            slots.append(.node(token: i == 0 ? OctreeTransformerConfig.bosToken : Int(s.tokens[i - 1]), position: p))
        }
        return Example(slots: slots, mode: .nextToken, targets: s.tokens.map(Int.init))
    }

    /// Parallel mode: depths ≤ `depth` kept, the tokens at `masked` (indices into the sequence, all
    /// at `depth`) replaced by [MASK] and made the targets.
    static func parallelExample(_ s: ChildMaskSequence, label: Int, depth: Int, masked: Set<Int>) -> Example {
        let n = s.positions.firstIndex { $0.depth > depth } ?? s.count
        var slots: [OctreeSlot] = [.prefix(label: label)], targets: [Int] = []
        for i in 0..<n {
            let hide = masked.contains(i)
            slots.append(.node(token: hide ? OctreeTransformerConfig.maskToken : Int(s.tokens[i]), position: s.positions[i]))
            targets.append(hide ? Int(s.tokens[i]) : -1)
        }
        return Example(slots: slots, mode: .parallel, targets: targets)
    }

    /// The draws of one sequence (mode, then for parallel mode d*, u and the masked positions).
    private func example(_ i: Int) -> Example {
        let s = data.sequences[i], label = data.labels[i]
        guard rng.nextDouble() < config.parallelFraction else { return Self.nextTokenExample(s, label: label) }
        let depths = Array(Set(s.positions.map(\.depth))).sorted()
        let d = depths[min(depths.count - 1, Int(rng.nextDouble() * Double(depths.count)))]
        let at = s.positions.indices.filter { s.positions[$0].depth == d }
        let ratio = Foundation.cos(Double.pi / 2 * rng.nextDouble())
        let m = min(at.count, max(1, Int((ratio * Double(at.count)).rounded(.up))))
        var pool = at
        for k in 0..<m { pool.swapAt(k, k + Int(rng.next() % UInt64(pool.count - k))) }
        return Self.parallelExample(s, label: label, depth: d, masked: Set(pool.prefix(m)))
    }

    /// Mean cross-entropy of `model` over all targets of a batch of examples (recorded for
    /// backward). Each example runs on its own (no padding: attention costs its own length
    /// squared), weighted by its share of the batch's targets; with `dropout` > 0 its masks come
    /// from `rng`, example after example.
    static func loss(_ model: OctreeTransformer, _ batch: [Example]) -> Tensor {
        var unused = SeededRandom(seed: 0)
        return loss(model, batch, dropout: 0, rng: &unused)
    }

    static func loss(_ model: OctreeTransformer, _ batch: [Example], dropout: Float, rng: inout SeededRandom) -> Tensor {
        let counts = batch.map { $0.targets.filter { $0 >= 0 }.count }
        let total = Float(max(1, counts.reduce(0, +)))
        var sum: Tensor? = nil
        for (e, k) in zip(batch, counts) where k > 0 {
            let logits = model([e.slots], modes: [e.mode], dropout: dropout, rng: &rng).reshaped([e.targets.count, OctreeTransformerConfig.maskCount])
            let term = crossEntropy(logits, e.targets, ignoreIndex: -1) * (Float(k) / total)
            sum = sum.map { $0 + term } ?? term
        }
        return sum ?? Tensor(scalar: 0)
    }

    /// One optimization step; returns its loss.
    @discardableResult
    public func trainStep() -> Float {
        optimizer.learningRate = learningRates.learningRate(at: step)
        let batch = shuffle.batch(step: step, size: config.batchSize).map(example)
        optimizer.zeroGrad()
        let value = backwardAndUpdate(Self.loss(model, batch, dropout: config.dropout, rng: &rng), model.parameters, optimizer: optimizer, ema: ema, clip: config.gradientClip,
                                      emaDecay: config.emaDecay, emaWarmup: config.emaWarmup, step: step)
        step += 1
        losses.append(value)
        return value
    }

    /// A fresh transformer holding the EMA weights: the model to sample with.
    public func emaModel() -> OctreeTransformer { OctreeModelFile.network(config, weights: ema.shadow) }

    // MARK: Checkpoints (`TrainingCheckpoint`'s layout, format "octoplane-octree-checkpoint")

    /// Writes the whole training state to `path` atomically.
    public func checkpoint(to path: String) throws { try saveCheckpoint(to: path) }

    /// Restores the state of `checkpoint(to:)`; a checkpoint of another model, config or data is a
    /// typed error (the tensor, the config key, the fingerprints) and changes nothing.
    public func resume(from path: String) throws { try restoreCheckpoint(from: path) }
}

extension OctreeTrainer: RandomizedTrainer {
    var dataFingerprint: String { data.fingerprint }
}

/// A trained octree transformer for sampling: its EMA weights under their own names and metadata
/// `format = "octoplane-octree-model"`, `config` (the training config as sorted-key JSON), `step`.
/// `load` also accepts a training checkpoint (it then takes the `ema.` tensors).
public struct OctreeModelFile: GeneratorModelFile {
    public static let format = "octoplane-octree-model"
    public static var checkpointFormat: String { OctreeTrainer.checkpointFormat }
    public static func makeNetwork(_ config: OctreeTrainingConfig) -> OctreeTransformer {
        var scratch = SeededRandom(seed: 0)
        return OctreeTransformer(config.model, rng: &scratch)
    }
    public let config: OctreeTrainingConfig
    public let network: OctreeTransformer
    public let step: Int

    public init(config: OctreeTrainingConfig, network: OctreeTransformer, step: Int) {
        precondition(network.config == config.model, "OctreeModelFile: network and config disagree")
        self.config = config; self.network = network; self.step = step
    }

    public init(_ trainer: OctreeTrainer) { self.init(config: trainer.config, network: trainer.emaModel(), step: trainer.step) }
}
