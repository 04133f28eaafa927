import Foundation
import Generators
import Geometry
import NN
import Rendering
import Support
import TensorCore
import Triplanes

/// A trained plane autoencoder is a folder:
///
///     autoencoder.json    kind, categories, plane shape, the plane normalization it trained with,
///                         the latent's shape and per-channel mean / standard deviation of the
///                         training latents (μ of the posterior), what latent diffusion normalizes by
///     model.safetensors   the autoencoder's EMA weights + training config (`AutoencoderModelFile`)
///     decoder.safetensors the shared triplane decoder the planes were fitted with
///
/// `octoplane train autoencoder` writes it (plus `state.safetensors`, `log.jsonl`, `loss.png` and
/// `previews/`).
public struct PlaneAutoencoderManifest: Codable, Sendable, Equatable {
    public static let kind = "octoplane-plane-autoencoder"
    public var kind = Self.kind
    public var version = 1
    public var categories: [String]
    /// [3, C, R, R] of one shape's planes.
    public var planeShape: [Int]
    public var normalization: PlaneNormalization
    public var mirrored: Bool
    public var trainingShapes: Int
    /// [latentChannels, h, w] of one shape's latent.
    public var latentShape: [Int]
    /// Per latent channel: mean and standard deviation of the posterior means over the training set.
    public var latentMean: [Float]
    public var latentStd: [Float]
    /// The categories whose shapes were also trained mirrored (nil in files written before it
    /// existed: every category when `mirrored`).
    public var mirroredCategories: [String]? = nil

    func write(to dir: String) throws { try AtomicFile.write(try JSONOutput.data(self), to: dir + "/autoencoder.json") }
}

/// `octoplane train autoencoder TRIPLANE_DIR --out RUN [--config FILE] [--steps N] [--resume]`:
/// the latent stage of issue 15 — a `PlaneAutoencoder` trained on the same normalized images
/// `train diffusion` learns from (every shape also mirrored, by default), with the same loop (progress line, atomic resumable
/// checkpoints, `log.jsonl`, `loss.png`). Every `previewEvery` steps and at the end,
/// `RUN/previews/step-N.png`: the first shape of every category decoded from its planes and from
/// their reconstruction (65³). At the end the report measures what the latent keeps: for every
/// training shape (mirrors left out) the IoU between the occupancy of its planes and of their
/// reconstruction on `iouPoints` uniform points of [-1, 1]³, median and 10th percentile per category.
public struct TrainAutoencoderJob: Job {
    public var data: String
    public var output: String
    /// nil: `defaultConfig` for the data's channel count.
    public var config: AutoencoderTrainingConfig? = nil
    public var steps: Int? = nil
    /// Which categories also train x-mirrored: every one by default — a reconstruction model
    /// gains from any plausible shape (see `MirrorPolicy`).
    public var mirror = MirrorPolicy.all
    /// k of the planes' mean ± kσ → [-1, 1] map, as `train diffusion`'s (3); nil: the folder's k.
    public var normalizationK: Float? = 3
    public var checkpointEvery = 250
    public var previewEvery = 500
    public var iouPoints = 32_768
    public var modelDType: SafetensorsDType = .f32
    public var resume = false
    public var quiet = false

    public init(data: String, output: String) { self.data = data; self.output = output }

    /// The default autoencoder for `channels`-channel planes: widths 64-128 (one halving: R² → (R/2)²),
    /// one block per level, 8 latent channels — 3 × 8 × 32² planes (24,576 values) become 8 × 16²
    /// (2,048); β = 1e-4, the occupancy term at weight 0.1 on 2,048 points an image, 3,000 steps × 32
    /// at lr 1e-3.
    public static func defaultConfig(channels: Int) -> AutoencoderTrainingConfig {
        var c = AutoencoderTrainingConfig(model: PlaneAutoencoderConfig(inChannels: channels, channels: [64, 128], blocksPerLevel: 1, latentChannels: 8, groups: 8))
        c.occupancyWeight = 0.1; c.occupancyPoints = 2048
        return c
    }

    /// The geometry term of the plane autoencoder: for each image of the batch, `points` points —
    /// half where the original planes' decoded logit is closest to 0 among 4·`points` uniform
    /// candidates in [-1, 1]³ (the surface, where thin parts are decided), half at random among
    /// the rest — and the binary cross-entropy of the reconstruction's decoded logit against the
    /// original's occupancy probability σ(logit) there, averaged. Planes are mapped back with
    /// `normalization` (a recorded affine map, so the gradient reaches the autoencoder); the
    /// decoder is frozen (`decoder`'s parameters must not require gradients).
    static func occupancyConsistency(decoder: TriplaneDecoder, normalization: PlaneNormalization, planeShape: [Int]) -> AutoencoderTrainer.Geometry {
        let channels = planeShape[0] * planeShape[1]
        let scale = Tensor(normalization.std.map { normalization.k * $0 }, shape: [1, channels, 1, 1])
        let shift = Tensor(normalization.mean, shape: [1, channels, 1, 1])
        return { reconstruction, target, points, rng in
            let b = target.shape[0], near = points / 2
            let original = withNoGrad { target * scale + shift }
            let predicted = reconstruction * scale + shift
            var where_: [Tensor] = [], probabilities: [Float] = [], planes: [Tensor] = []
            for i in 0..<b {
                let candidates = (0..<(12 * points)).map { _ in Float(rng.nextDouble() * 2 - 1) }
                let logits = decoder.evaluate(original.slice(axis: 0, i..<(i + 1)).copy().reshaped(planeShape), points: candidates)
                let order = logits.indices.sorted { (abs(logits[$0]), $0) < (abs(logits[$1]), $1) }
                let rest = order.count - near
                let chosen = Array(order.prefix(near)) + (0..<(points - near)).map { _ in order[near + Int(rng.next() % UInt64(rest))] }
                where_.append(Tensor(chosen.flatMap { [candidates[3 * $0], candidates[3 * $0 + 1], candidates[3 * $0 + 2]] }, shape: [points, 3]))
                probabilities += chosen.map { 1 / (1 + Foundation.exp(-logits[$0])) }
                planes.append(predicted.slice(axis: 0, i..<(i + 1)).reshaped(planeShape))
            }
            return bceWithLogits(decoder(planes, at: where_), Tensor(probabilities, shape: [b * points]))
        }
    }

    public struct CategoryQuality: Codable, Sendable {
        public var category: String
        public var shapes: Int
        public var iouMedian: Double
        public var iouP10: Double
    }

    public struct Report: JobReport {
        public var run: String
        public var shapes: Int
        public var steps: Int
        public var resumedFrom: Int?
        public var finalLoss: Float
        public var parameters: Int
        public var latentShape: [Int]
        /// Mean squared error of the EMA model's reconstruction (of the posterior mean) over all
        /// training images, in normalized units, and the images' own mean square.
        public var reconstructionMSE: Double
        public var imageMeanSquare: Double
        public var quality: [CategoryQuality]
        public var seconds: Double
        public var text: String {
            var lines = [String(format: "%@: %d steps%@ on %d shapes, loss %.5f (mean of the last 50), %d parameters, latent %@, %.1f s",
                                run, steps, resumedFrom.map { " (resumed at \($0))" } ?? "", shapes, finalLoss, parameters,
                                latentShape.map(String.init).joined(separator: "×"), seconds)]
            lines.append(String(format: "reconstruction MSE %.5f (images' mean square %.4f)", reconstructionMSE, imageMeanSquare))
            lines.append("category      shapes  IoU(planes, reconstruction): median     p10")
            for q in quality {
                lines.append(q.category.padding(toLength: 12, withPad: " ", startingAt: 0)
                             + String(format: " %7d  %35.4f  %6.4f", q.shapes, q.iouMedian, q.iouP10))
            }
            return lines.joined(separator: "\n")
        }
    }

    public func run() throws -> Report {
        let start = Date()
        guard checkpointEvery >= 1 else { throw PipelineError.invalidOption("--checkpoint-every must be ≥ 1") }
        guard previewEvery >= 0 else { throw PipelineError.invalidOption("--preview-every must be ≥ 0") }
        guard iouPoints >= 1 else { throw PipelineError.invalidOption("--iou-points must be ≥ 1") }
        let set = try TriplaneTrainingSet(data, normalizationK: normalizationK, mirror: mirror)
        let shape = set.planeShape
        var cfg = config ?? Self.defaultConfig(channels: shape[0] * shape[1])
        if let s = steps { cfg.totalSteps = s }
        try cfg.validate()   // before RUN is created
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let decoder = try set.copyDecoder(to: output)
        for p in decoder.trainableParameters { p.requiresGrad = false }   // frozen: the planes' meaning
        let geometry = cfg.occupancyWeight > 0 ? Self.occupancyConsistency(decoder: decoder, normalization: set.normalization, planeShape: shape) : nil
        let trainer = try AutoencoderTrainer(config: cfg, data: set.dataset, geometry: geometry)
        let resumedFrom = try resumeTraining(statePath: output + "/state.safetensors", allowed: resume) { try trainer.resume(from: $0); return trainer.step }
        // One original per category (its first shape) for the previews.
        let firsts = set.categories.map { c in set.originalIndex[set.folder.categoryOfFile.firstIndex(of: c)!] }
        let loop = GeneratorTrainingLoop(label: "train autoencoder", output: output, totalSteps: cfg.totalSteps, checkpointEvery: checkpointEvery,
                                         previewEvery: previewEvery, progressEvery: 50, lossTitle: "TRAIN AUTOENCODER LOSS", quiet: quiet,
                                         modelDType: modelDType)
        try loop.run(trainer, resumed: resumedFrom != nil, start: start) { step in
            let ae = trainer.emaModel()
            var meshes: [TriangleMesh] = [], labels: [String] = []
            for (c, i) in zip(set.categories, firsts) {
                let x = set.dataset.images.slice(axis: 0, i..<(i + 1)).copy()
                let xHat = withNoGrad { ae.decode(ae.encode(x).mean) }
                for (image, label) in [(x, c), (xHat, c + " AE")] {
                    let planes = set.normalization.denormalize(image).reshaped(shape)
                    meshes.append(try decodeTriplane(try TriplaneField(decoder: decoder, planes: planes), resolution: 65, method: .mc))
                    labels.append(label)
                }
            }
            try FileManager.default.createDirectory(atPath: output + "/previews", withIntermediateDirectories: true)
            try PNG.write(try TriplaneGenerator.sheet(meshes, labels: labels, columns: 2 * min(4, set.categories.count)),
                          to: output + String(format: "/previews/step-%06d.png", step))
        }

        // What the latent keeps, measured with the EMA weights.
        let ae = trainer.emaModel()
        let images = set.dataset.images, count = set.dataset.count
        let latents = ae.posteriorMeans(images)
        var squaredError = 0.0, squared = 0.0
        for lo in Swift.stride(from: 0, to: count, by: 64) {
            let x = images.slice(axis: 0, lo..<min(count, lo + 64))
            let xHat = withNoGrad { ae.decode(latents.slice(axis: 0, lo..<min(count, lo + 64)).copy()) }
            for (a, b) in zip(x.scalars, xHat.scalars) { squaredError += Double((a - b) * (a - b)); squared += Double(a * a) }
        }
        let latentShape = Array(latents.shape.dropFirst())
        let (latentMean, latentStd) = Self.channelStatistics(latents)
        try PlaneAutoencoderManifest(categories: set.categories, planeShape: shape, normalization: set.normalization, mirrored: !set.mirroredCategories.isEmpty,
                                     trainingShapes: set.folder.planes.count, latentShape: latentShape,
                                     latentMean: latentMean, latentStd: latentStd, mirroredCategories: set.mirroredCategories).write(to: output)
        var rng = SeededRandom(seed: 0)
        let points = (0..<iouPoints).flatMap { _ in (0..<3).map { _ in Float(rng.nextDouble() * 2 - 1) } }
        var ious: [String: [Double]] = [:]
        for (j, category) in set.folder.categoryOfFile.enumerated() {
            let i = set.originalIndex[j]
            let xHat = withNoGrad { ae.decode(latents.slice(axis: 0, i..<(i + 1)).copy()) }
            let original = decoder.evaluate(set.folder.planes[j], points: points)
            let reconstructed = decoder.evaluate(set.normalization.denormalize(xHat).reshaped(shape), points: points)
            var both = 0, either = 0
            for (a, b) in zip(original, reconstructed) { if a > 0 && b > 0 { both += 1 }; if a > 0 || b > 0 { either += 1 } }
            ious[category, default: []].append(either == 0 ? 1 : Double(both) / Double(either))
        }
        let quality = set.categories.map { c in
            CategoryQuality(category: c, shapes: ious[c]!.count, iouMedian: TriplaneEvalJob.quantile(ious[c]!, 0.5), iouP10: TriplaneEvalJob.quantile(ious[c]!, 0.1))
        }
        let tail = trainer.losses.suffix(50)
        return Report(run: output, shapes: set.folder.planes.count, steps: trainer.step, resumedFrom: resumedFrom,
                      finalLoss: tail.isEmpty ? .nan : tail.reduce(0, +) / Float(tail.count), parameters: trainer.model.parameterCount,
                      latentShape: latentShape, reconstructionMSE: squaredError / Double(images.count), imageMeanSquare: squared / Double(images.count),
                      quality: quality, seconds: Date().timeIntervalSince(start))
    }

    /// Per-channel mean and (population) standard deviation, at least 1e-6, of x [N, C, H, W]
    /// (`AutoencoderTrainer.channelStatistics`, floored: a channel the encoder left constant keeps a
    /// tiny positive deviation, since the map divides by it).
    static func channelStatistics(_ x: Tensor) -> (mean: [Float], std: [Float]) {
        let s = AutoencoderTrainer.channelStatistics(x)
        return (s.mean, s.deviation.map { max(1e-6, $0) })
    }
}
