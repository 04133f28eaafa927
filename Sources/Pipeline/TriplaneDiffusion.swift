import Dataset
import Foundation
import Generators
import Geometry
import MeshIO
import NN
import Rendering
import Support
import TensorCore
import Triplanes

/// A trained triplane generator is a folder:
///
///     generator.json      kind, categories (label order), plane shape, normalization statistics
///     model.safetensors   the U-Net's EMA weights + training config (`DiffusionModelFile`)
///     decoder.safetensors the shared triplane decoder the planes were fitted with
///
/// `octoplane train diffusion` writes it (plus `state.safetensors`, the resumable training state,
/// and `log.jsonl`); `octoplane generate --model DIR` reads it.
public struct TriplaneGeneratorManifest: Codable, Sendable, Equatable {
    public static let kind = "octoplane-triplane-diffusion"
    public var kind = Self.kind
    public var version = 1
    /// Category names in label order (label k = categories[k]).
    public var categories: [String]
    /// [3, C, R, R] of one shape's planes.
    public var planeShape: [Int]
    public var normalization: PlaneNormalization
    /// Whether training added x-mirrored copies of shapes (of every shape when
    /// `mirroredCategories` is nil, as in manifests written before it existed).
    public var mirrored: Bool
    /// Shapes (before mirroring) the model was trained on.
    public var trainingShapes: Int
    /// The categories whose shapes were also trained mirrored (`TrainDiffusionJob.mirror`).
    public var mirroredCategories: [String]?
    /// The largest |value| of the normalized training planes (mirrored copies included): the
    /// sampler clamps its x̂₀ to ± this by default. The normalization keeps the tails beyond ±kσ,
    /// and they are where thin parts live: clamping the shipped model's training planes (k = 3)
    /// to ±1 cost lamps a median IoU of 0.09 against their unclamped decode. nil (files written
    /// before it existed): 1, ADM's clamp.
    public var x0Bound: Float?
    /// Present when the diffusion runs in a plane autoencoder's latent (`train diffusion
    /// --autoencoder`; the autoencoder's weights are RUN/autoencoder.safetensors): the latent's
    /// shape and the per-channel statistics that map it to the diffusion's unit scale. `x0Bound`
    /// then bounds the normalized latents.
    public var latent: LatentStage?

    /// Diffusion space x [latentChannels, h, w] ↔ the autoencoder's latent z = mean + std·x.
    public struct LatentStage: Codable, Sendable, Equatable {
        public var shape: [Int]
        public var mean: [Float]
        public var std: [Float]
    }

    public init(categories: [String], planeShape: [Int], normalization: PlaneNormalization, mirrored: Bool, trainingShapes: Int, x0Bound: Float?,
                latent: LatentStage? = nil, mirroredCategories: [String]? = nil) {
        self.categories = categories; self.planeShape = planeShape; self.normalization = normalization
        self.mirrored = mirrored; self.trainingShapes = trainingShapes; self.x0Bound = x0Bound; self.latent = latent
        self.mirroredCategories = mirroredCategories
    }

    /// [channels, h, w] of what the diffusion model samples: the latent, or the stacked planes.
    var sampleShape: [Int] { latent?.shape ?? [planeShape[0] * planeShape[1], planeShape[2], planeShape[3]] }

    static func read(_ dir: String) throws -> TriplaneGeneratorManifest {
        let path = dir + "/generator.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError.unreadable(path: path, reason: "no generator.json: is this a folder written by `octoplane train diffusion`?")
        }
        let m: TriplaneGeneratorManifest
        do { m = try JSONDecoder().decode(TriplaneGeneratorManifest.self, from: data) } catch {
            throw PipelineError.invalidInput(path: path, reason: "not a generator manifest (\(error))")
        }
        guard m.kind == kind, m.version == 1 else { throw PipelineError.invalidInput(path: path, reason: "kind \(m.kind) version \(m.version), expected \(kind) 1") }
        if let b = m.x0Bound, !(b.isFinite && b > 0) { throw PipelineError.invalidInput(path: path, reason: "x0Bound \(b) must be finite and > 0") }
        if let l = m.latent, l.shape.count != 3 || l.mean.count != l.shape[0] || l.std.count != l.shape[0] || !l.std.allSatisfy({ $0 > 0 && $0.isFinite }) {
            throw PipelineError.invalidInput(path: path, reason: "latent stage: shape \(l.shape) with \(l.mean.count) means and \(l.std.count) positive deviations")
        }
        return m
    }

    func write(to dir: String) throws {
        try AtomicFile.write(try JSONOutput.data(self), to: dir + "/generator.json")
    }
}

/// Mirrors planes [3, C, R, R] across x = 0: planes (x,y) and (x,z) are flipped along u (their
/// width axis, which is x); (y,z) does not see x. The mirrored shape's occupancy at (x, y, z) is
/// the original's at (−x, y, z), exactly, for every aggregation.
func mirroredX(_ planes: Tensor) -> Tensor {
    let c = planes.shape[1], r = planes.shape[2]
    let out = planes.copy()
    let src = planes.data, dst = out.mutableData
    for p in [0, 2] { for ch in 0..<c { for v in 0..<r { for u in 0..<r {
        dst[((p * c + ch) * r + v) * r + u] = src[((p * c + ch) * r + v) * r + (r - 1 - u)]
    } } } }
    return out
}

/// The planes of a `convert --to triplane` folder with their categories (the synset folder each
/// file sits in, named through the built-in synset table when it knows it).
struct TriplaneFolder {
    /// The folder itself.
    var root: String
    var files: [String]
    var planes: [Tensor]
    var categoryOfFile: [String]
    var normalization: PlaneNormalization

    init(_ dir: String) throws {
        let all = try npyFiles(under: dir)
        guard !all.isEmpty else { throw PipelineError.invalidInput(path: dir, reason: "no planes files (.npy) — make them with `octoplane convert ROOT --to triplane --out DIR`") }
        let first = try TriplaneFile.read(all[0])
        root = dir
        files = all
        planes = try all.map { try TriplaneFile.read($0, expected: first.shape) }
        normalization = try PlaneNormalization.read(dir + "/normalization.json", expectedChannels: first.shape[0] * first.shape[1])
        categoryOfFile = all.map { f in
            let parent = ((f as NSString).deletingLastPathComponent as NSString).lastPathComponent
            return SynthCategory(name: parent)?.rawValue ?? parent
        }
    }
}

/// A `convert --to triplane` folder as training images: every shape's planes normalized (the
/// folder's statistics, with k overridden by `normalizationK`), stacked on channels
/// [3·C, R, R], each also mirrored across x (right after it) when `mirror` picks its category —
/// under `auto` by `MirrorInvariance` over the Euclidean distances of the normalized images —
/// labelled by category in `trainingCategoryOrder`. What `train diffusion` and `train autoencoder`
/// both learn from.
struct TriplaneTrainingSet {
    let folder: TriplaneFolder
    let normalization: PlaneNormalization
    let categories: [String]
    /// [M, 3·C, R, R] normalized images and their labels (M = shapes + the mirrored ones).
    let dataset: DiffusionDataset
    /// The image index of each folder shape (its mirror, if any, follows it).
    let originalIndex: [Int]
    /// The categories trained mirrored too, in label order, and under `auto` the evidence.
    let mirroredCategories: [String]
    let mirrorEvidence: [MirrorInvariance]
    /// [3, C, R, R] of one shape's planes.
    var planeShape: [Int] { folder.planes[0].shape }
    /// The largest |value| of the normalized images.
    let largestMagnitude: Float

    init(_ dir: String, normalizationK: Float?, mirror: MirrorPolicy) throws {
        folder = try TriplaneFolder(dir)
        var normalization = folder.normalization
        if let k = normalizationK {
            try PlaneNormalization.validate(k: k)
            normalization.k = k
        }
        self.normalization = normalization
        categories = trainingCategoryOrder(folder.categoryOfFile)
        // Each shape normalized once, and mirrored once where a policy may mirror it: the per-channel
        // normalization is elementwise, so mirroring the normalized planes equals normalizing the
        // mirrored ones exactly.
        let normalized = folder.planes.map { normalization.normalize($0) }
        let mirrors = mirror == MirrorPolicy.none ? [] : normalized.map(mirroredX), categoryOfFile = folder.categoryOfFile
        let (mirrored, evidence) = mirror.decide(categories) { cat in
            let members = categoryOfFile.indices.filter { categoryOfFile[$0] == cat }
            let images = members.map { normalized[$0].scalars }, flipped = members.map { mirrors[$0].scalars }
            func euclidean(_ a: [Float], _ b: [Float]) -> Double {
                var s = 0.0
                for (x, y) in zip(a, b) { s += Double((x - y) * (x - y)) }
                return s.squareRoot()
            }
            return MirrorInvariance(category: cat, shapes: members.count, distance: { euclidean(images[$0], images[$1]) },
                                    mirrored: { euclidean(flipped[$0], images[$1]) })
        }
        mirroredCategories = categories.filter(mirrored.contains); mirrorEvidence = evidence
        var images: [Tensor] = [], labels: [Int] = [], originals: [Int] = []
        for (i, cat) in folder.categoryOfFile.enumerated() {
            let label = categories.firstIndex(of: cat)!, shape = normalized[i].shape
            originals.append(images.count)
            for q in mirrored.contains(cat) ? [normalized[i], mirrors[i]] : [normalized[i]] {
                images.append(q.reshaped([1, shape[0] * shape[1], shape[2], shape[3]]))
                labels.append(label)
            }
        }
        originalIndex = originals
        largestMagnitude = images.reduce(Float(0)) { m, x in UnsafeBufferPointer(start: x.data, count: x.count).reduce(m) { max($0, abs($1)) } }
        dataset = try DiffusionDataset(images: Tensor.concat(images, axis: 0), labels: labels)
    }

    /// Copies the decoder the planes were fitted with (the folder's own `decoder.safetensors`, else
    /// the shipped one) to `RUN/decoder.safetensors` unless it is there, and loads it.
    func copyDecoder(to output: String) throws -> TriplaneDecoder {
        let fm = FileManager.default
        let source = ((folder.root) as NSString).appendingPathComponent("decoder.safetensors")
        if !fm.fileExists(atPath: output + "/decoder.safetensors") {
            let src = fm.fileExists(atPath: source) ? source : try ShippedModels.resolve(nil, default: ShippedModels.triplaneDecoder)
            try AtomicFile.write(try Data(contentsOf: URL(fileURLWithPath: src)), to: output + "/decoder.safetensors")
        }
        return try TriplaneDecoder.load(from: output + "/decoder.safetensors").decoder
    }
}

/// `octoplane train diffusion TRIPLANE_DIR --out RUN [--config FILE] [--resume]`: a class-
/// conditional DDPM/DDIM U-Net on the normalized planes stacked on channels ([3·C, R, R]),
/// conditioned on the category, with classifier-free-guidance label dropout and (by default) every
/// shape also mirrored across x where its category's mirror images look like its data (`mirror`). Progress line (loss, steps/s, ETA), one JSON log line every 10
/// steps, and every `checkpointEvery` steps the resumable state and the sampling model, atomically.
public struct TrainDiffusionJob: Job {
    public var data: String
    public var output: String
    /// nil: `defaultConfig` for the data's shape and categories.
    public var config: DiffusionTrainingConfig? = nil
    public var steps: Int? = nil
    /// Which categories also train x-mirrored (see `MirrorPolicy`).
    public var mirror = MirrorPolicy.auto
    /// k of the planes' mean ± kσ → [-1, 1] map for training, overriding the folder's (NFD's 16
    /// leaves the data at σ = 1/16 of the sampler's unit noise: a first run sampled only noise,
    /// while k = 3 gave recognisable categories at the same step count). nil: the folder's k.
    public var normalizationK: Float? = 3
    public var checkpointEvery = 250
    /// Every this many steps and at the end: `RUN/previews/step-NNNNNN.png`, two shapes per category
    /// sampled from the EMA weights (DDIM 25 steps, guidance 2, seed 0, 65³ lattice, generate's
    /// default `minComponent`). 0: none.
    /// `RUN/loss.png` (log-scale loss curve) is redrawn at every checkpoint.
    public var previewEvery = 1000
    /// Storage of `RUN/model.safetensors` (the sampling weights): F32, or F16 for shipping (half
    /// the size). The resumable state stays F32.
    public var modelDType: SafetensorsDType = .f32
    public var resume = false
    public var quiet = false
    /// A `train autoencoder` RUN: diffusion then runs in its latent (the training planes are
    /// normalized with the autoencoder's statistics, encoded to their posterior means and mapped
    /// to unit scale per channel); nil: on the planes themselves.
    public var autoencoder: String? = nil

    public init(data: String, output: String) { self.data = data; self.output = output }

    /// The shipped recipe's U-Net for [channels, R, R] inputs and `classes` categories: base 64
    /// (3.08M parameters at 24 channels; base 32 scored worse on the same data — the model card),
    /// multipliers 1-2-2, one block per level, self-attention at the lowest level (downsampling rate
    /// 4, i.e. R/4 pixels) and in the middle; batch 32, Adam 5e-4 (200 warmup steps, cosine to 0),
    /// v-prediction on the cosine schedule, label dropout 0.1, EMA 0.999.
    ///
    /// `latent` (diffusion in an autoencoder's latent, the shipped model since 2026-12-05): 4,000
    /// steps with min-SNR-γ 5 loss weighting (Hang et al. 2023). On the procedural collection this
    /// scored a three-seed mean 1-NNA of 62.0% against 69.3% for 6,000 unweighted steps on the same
    /// latent and data, its samples as far from the training shapes as unseen shapes lie, where
    /// 6,000 weighted steps drew chairs at half that distance (the model card). On the planes
    /// themselves: 6,000 steps, unweighted (the plane model shipped before).
    public static func defaultConfig(channels: Int, classes: Int, latent: Bool = false) -> DiffusionTrainingConfig {
        var c = DiffusionTrainingConfig(model: UNetConfig(inChannels: channels, baseChannels: 64, channelMultipliers: [1, 2, 2],
                                                          resBlocksPerLevel: 1, attentionResolutions: [4], attentionHeads: 4,
                                                          groups: 8, classCount: classes))
        c.batchSize = 32; c.learningRate = 5e-4; c.warmupSteps = 200; c.totalSteps = latent ? 4_000 : 6_000
        c.prediction = .v; c.schedule = .cosine; c.labelDropout = 0.1; c.emaDecay = 0.999
        c.minSNRGamma = latent ? 5 : 0
        return c
    }

    /// The config this job trains with for [channels, R, R] inputs: `config`, or the default recipe
    /// (the latent one when `autoencoder` is set), with `steps` overriding its total.
    public func trainingConfig(channels: Int, classes: Int) -> DiffusionTrainingConfig {
        var cfg = config ?? Self.defaultConfig(channels: channels, classes: classes, latent: autoencoder != nil)
        if let s = steps { cfg.totalSteps = s }
        return cfg
    }

    public struct Report: JobReport {
        public var run: String
        public var shapes: Int
        public var categories: [String]
        public var steps: Int
        public var resumedFrom: Int?
        public var finalLoss: Float
        public var parameters: Int
        /// The categories trained mirrored too, and under `--mirror auto` the evidence per category.
        public var mirroredCategories: [String] = []
        public var mirrorEvidence: [MirrorInvariance] = []
        public var seconds: Double
        public var text: String {
            String(format: "%@: %d steps%@ on %d shapes (%@), loss %.4f (mean of the last 50), %d parameters, %.1f s", run, steps,
                   resumedFrom.map { " (resumed at \($0))" } ?? "", shapes, categories.joined(separator: ", "), finalLoss, parameters, seconds)
                + mirrorLines(mirroredCategories, mirrorEvidence)
        }
    }

    public func run() throws -> Report {
        let start = Date()
        guard checkpointEvery >= 1 else { throw PipelineError.invalidOption("--checkpoint-every must be ≥ 1") }
        guard previewEvery >= 0 else { throw PipelineError.invalidOption("--preview-every must be ≥ 0") }
        let stage = try autoencoder.map { try LatentTrainingStage($0) }
        let set = try TriplaneTrainingSet(data, normalizationK: stage?.manifest.normalization.k ?? normalizationK, mirror: mirror)
        let folder = set.folder, normalization = set.normalization, categories = set.categories, shape = set.planeShape
        var training = set.dataset, bound = set.largestMagnitude, latent: TriplaneGeneratorManifest.LatentStage? = nil
        if let stage {
            (training, latent) = try stage.encode(set)
            bound = training.images.scalars.reduce(0) { max($0, abs($1)) }
        }
        let cfg = trainingConfig(channels: training.itemShape[0], classes: categories.count)
        let trainer = try DiffusionTrainer(config: cfg, data: training)
        let fm = FileManager.default
        try fm.createDirectory(atPath: output, withIntermediateDirectories: true)
        let statePath = output + "/state.safetensors"
        let resumedFrom = try resumeTraining(statePath: statePath, allowed: resume) { try trainer.resume(from: $0); return trainer.step }
        let manifest = TriplaneGeneratorManifest(categories: categories, planeShape: shape, normalization: normalization,
                                                 mirrored: !set.mirroredCategories.isEmpty, trainingShapes: folder.planes.count, x0Bound: bound, latent: latent,
                                                 mirroredCategories: set.mirroredCategories)
        try manifest.write(to: output)
        if let stage { try stage.model.save(to: output + "/autoencoder.safetensors", dtype: modelDType) }
        let decoder = try set.copyDecoder(to: output)
        var loop = GeneratorTrainingLoop(label: "train diffusion", output: output, totalSteps: cfg.totalSteps, checkpointEvery: checkpointEvery,
                                         previewEvery: previewEvery, progressEvery: 50, lossTitle: "TRAIN DIFFUSION LOSS (\(cfg.prediction))", quiet: quiet)
        loop.modelDType = modelDType
        var preview = GenerationSettings(); preview.steps = 25; preview.resolution = 65
        try loop.run(trainer, resumed: resumedFrom != nil, start: start) { step in
            let model = TrainedGenerator.diffusion(try TriplaneGenerator(manifest: manifest, model: DiffusionModelFile(trainer), decoder: decoder,
                                                                         autoencoder: stage?.model.network))
            try GeneratorTrainingLoop.writePreview(model, settings: preview, step: step, output: output)
        }
        let tail = trainer.losses.suffix(50)
        return Report(run: output, shapes: folder.planes.count, categories: categories, steps: trainer.step, resumedFrom: resumedFrom,
                      finalLoss: tail.isEmpty ? .nan : tail.reduce(0, +) / Float(tail.count), parameters: trainer.model.parameterCount,
                      mirroredCategories: set.mirroredCategories, mirrorEvidence: set.mirrorEvidence, seconds: Date().timeIntervalSince(start))
    }
}

/// A `train autoencoder` RUN as the latent stage of a diffusion training: its manifest and EMA model.
struct LatentTrainingStage {
    let manifest: PlaneAutoencoderManifest
    let model: AutoencoderModelFile

    init(_ dir: String) throws {
        let path = dir + "/autoencoder.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw PipelineError.unreadable(path: path, reason: "no autoencoder.json: is this a folder written by `octoplane train autoencoder`?")
        }
        do { manifest = try JSONDecoder().decode(PlaneAutoencoderManifest.self, from: data) } catch {
            throw PipelineError.invalidInput(path: path, reason: "not an autoencoder manifest (\(error))")
        }
        guard manifest.kind == PlaneAutoencoderManifest.kind, manifest.version == 1 else {
            throw PipelineError.invalidInput(path: path, reason: "kind \(manifest.kind) version \(manifest.version), expected \(PlaneAutoencoderManifest.kind) 1")
        }
        model = try AutoencoderModelFile.load(dir + "/model.safetensors")
    }

    /// The training images encoded to posterior means and mapped to unit scale per channel with
    /// the autoencoder's latent statistics, labels kept; and the stage the generator records.
    /// `set` must be normalized exactly as the autoencoder's training planes were.
    func encode(_ set: TriplaneTrainingSet) throws -> (DiffusionDataset, TriplaneGeneratorManifest.LatentStage) {
        guard set.planeShape == manifest.planeShape, set.normalization == manifest.normalization else {
            throw PipelineError.invalidInput(path: set.folder.root, reason: "the autoencoder was trained on \(manifest.planeShape) planes with other normalization statistics: train it on this folder")
        }
        let stage = TriplaneGeneratorManifest.LatentStage(shape: manifest.latentShape, mean: manifest.latentMean, std: manifest.latentStd)
        let unit = channelAffine(model.network.posteriorMeans(set.dataset.images), scale: stage.std.map { 1 / $0 }, shift: zip(stage.mean, stage.std).map { -$0 / $1 })
        return (try DiffusionDataset(images: unit, labels: set.dataset.labels), stage)
    }
}

/// y[n, c, h, w] = shift[c] + scale[c] · x[n, c, h, w] (no gradient recorded).
func channelAffine(_ x: Tensor, scale: [Float], shift: [Float]) -> Tensor {
    let c = x.shape[1], hw = x.shape[2] * x.shape[3]
    precondition(scale.count == c && shift.count == c, "channelAffine: \(c) channels, \(scale.count) scales")
    let out = Tensor(uninitializedShape: x.shape)
    let src = x.data, dst = out.mutableData
    for i in 0..<x.count { let ch = (i / hw) % c; dst[i] = shift[ch] + scale[ch] * src[i] }
    return out
}

/// `octoplane generate --model DIR [-n 16] [--category chair] [--steps 50] [--guidance 2] [--seed S] --out OUT`:
/// new shapes from a trained generator of either family (told apart by DIR/generator.json's kind):
/// - triplane diffusion: DDIM (or DDPM) sampling of normalized planes, clipped x₀, mapped back with
///   the training normalization, decoded by the shared decoder and dense marching cubes over
///   [-1, 1]³ → `OUT/<category>-<k>.obj` and `.npy` planes;
/// - octree transformer (`generateOctree`): next-token or parallel decoding, the surface stage →
///   `OUT/<category>-<k>.obj` and `.npz` child-mask tokens;
/// and `OUT/sheet.png` (one labelled render per shape). Without `--category`, samples cycle through
/// the categories.
public struct GenerateJob: Job {
    /// A RUN folder; nil: the shipped model (`Assets/models/triplane-diffusion`).
    public var model: String?
    public var output: String
    public var count = 16
    public var category: String? = nil
    public var seed: UInt64 = 0
    public var settings = GenerationSettings()
    public var quiet = false

    public init(model: String?, output: String) { self.model = model; self.output = output }

    public struct Shape: Codable, Sendable {
        public var category: String
        public var mesh: String
        /// The sampled latent: planes `.npy` (diffusion) or child-mask tokens `.npz` (octree).
        public var planes: String
        public var faces: Int
        public var watertight: Bool
    }

    public struct Report: JobReport {
        public var model: String
        /// "diffusion", or the octree decoding ("next-token" / "parallel").
        public var method: String
        public var shapes: [Shape]
        public var sheet: String
        public var samplingSeconds: Double
        public var decodingSeconds: Double
        public var renderingSeconds: Double
        public var secondsPerShape: Double
        public var text: String {
            String(format: "%d shapes (%@) → %@ (sheet %@); sampling %.1f s, decoding %.1f s, rendering %.1f s: %.2f s per shape",
                   shapes.count, method, (sheet as NSString).deletingLastPathComponent, sheet, samplingSeconds, decodingSeconds, renderingSeconds, secondsPerShape)
        }
    }

    /// Labels for `count` shapes: `category` (name or synset id) everywhere, or cycling.
    func labels(_ categories: [String]) throws -> [Int] {
        guard let name = category else { return (0..<count).map { $0 % categories.count } }
        let wanted = SynthCategory(name: name)?.rawValue ?? name
        guard let k = categories.firstIndex(of: wanted) else {
            throw PipelineError.invalidOption("unknown category '\(name)': this model knows \(categories.joined(separator: ", "))")
        }
        return [Int](repeating: k, count: count)
    }

    public func run() throws -> Report {
        guard count >= 1 else { throw PipelineError.invalidOption("-n must be ≥ 1") }
        try settings.validate()
        let model = try ShippedModels.resolve(self.model, default: ShippedModels.triplaneDiffusion)
        let result: (shapes: [Shape], meshes: [TriangleMesh], sampling: Double, decoding: Double)
        let method: String
        if let manifest = try OctreeGeneratorManifest.readIfOctree(model) {
            result = try generateOctree(manifest, model: model)
            method = settings.decoding.rawValue
        } else {
            result = try generateDiffusion(model)
            method = "diffusion"
        }
        let t = Date()
        let sheet = try TriplaneGenerator.sheet(result.meshes, labels: result.shapes.map { "\($0.category) \($0.faces)f" })
        try PNG.write(sheet, to: output + "/sheet.png")
        let renderingSeconds = Date().timeIntervalSince(t)
        return Report(model: model, method: method, shapes: result.shapes, sheet: output + "/sheet.png", samplingSeconds: result.sampling,
                      decodingSeconds: result.decoding, renderingSeconds: renderingSeconds,
                      secondsPerShape: (result.sampling + result.decoding) / Double(count))
    }

    private func generateDiffusion(_ model: String) throws -> (shapes: [Shape], meshes: [TriangleMesh], sampling: Double, decoding: Double) {
        let generator = try TriplaneGenerator(run: model)
        let manifest = generator.manifest
        let labels = try labels(manifest.categories)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        var t = Date()
        let x = generator.sample(labels: labels, settings: settings, seed: seed)
        let samplingSeconds = Date().timeIntervalSince(t)
        t = Date()
        var shapes: [Shape] = [], meshes: [TriangleMesh] = []
        var perCategory: [String: Int] = [:]
        for i in 0..<count {
            let (planes, mesh) = try generator.decode(x, index: i, resolution: settings.resolution, minComponent: settings.minComponent)
            let cat = manifest.categories[labels[i]]
            let k = perCategory[cat, default: 0]; perCategory[cat] = k + 1
            let base = "\(output)/\(cat)-\(k)"
            try TriplaneFile.write(planes, to: base + ".npy")
            try MeshWriter.write(mesh, to: base + ".obj")
            meshes.append(mesh)
            shapes.append(Shape(category: cat, mesh: base + ".obj", planes: base + ".npy", faces: mesh.triangles.count,
                                watertight: MeshTopology(mesh).isWatertight))
        }
        return (shapes, meshes, samplingSeconds, Date().timeIntervalSince(t))
    }
}

/// A trained triplane generator in memory: the denoiser (EMA weights), the plane normalization it
/// trained with and the shared decoder the planes were fitted with. Samples normalized planes
/// [n, 3·C, R, R], maps one back to [3, C, R, R] and decodes it to a closed mesh over [-1, 1]³.
struct TriplaneGenerator {
    var manifest: TriplaneGeneratorManifest
    var model: DiffusionModelFile
    var decoder: TriplaneDecoder
    /// The latent stage's decoder half (nil: the model samples planes directly).
    var autoencoder: PlaneAutoencoder?

    init(manifest: TriplaneGeneratorManifest, model: DiffusionModelFile, decoder: TriplaneDecoder, autoencoder: PlaneAutoencoder? = nil) throws {
        guard decoder.config.planeShape == manifest.planeShape else {
            throw TriplaneError.planesMismatch(expected: decoder.config.planeShape, actual: manifest.planeShape)
        }
        if let latent = manifest.latent {
            guard let ae = autoencoder, ae.config.latentChannels == latent.shape[0],
                  ae.config.inChannels == manifest.planeShape[0] * manifest.planeShape[1] else {
                throw PipelineError.invalidInput(path: "autoencoder.safetensors", reason: "the generator samples latents \(latent.shape) of \(manifest.planeShape) planes; the autoencoder does not map them")
            }
        }
        guard model.config.model.inChannels == manifest.sampleShape[0] else {
            throw PipelineError.invalidInput(path: "model.safetensors", reason: "the U-Net takes \(model.config.model.inChannels) channels, the generator samples \(manifest.sampleShape)")
        }
        self.manifest = manifest; self.model = model; self.decoder = decoder; self.autoencoder = manifest.latent == nil ? nil : autoencoder
    }

    /// Reads a RUN folder (generator.json, model.safetensors, decoder.safetensors, and
    /// autoencoder.safetensors for a latent model).
    init(run dir: String) throws {
        let manifest = try TriplaneGeneratorManifest.read(dir)
        try self.init(manifest: manifest, model: try DiffusionModelFile.load(dir + "/model.safetensors"),
                      decoder: try TriplaneDecoder.load(from: dir + "/decoder.safetensors").decoder,
                      autoencoder: manifest.latent == nil ? nil : try AutoencoderModelFile.load(dir + "/autoencoder.safetensors").network)
    }

    /// Normalized planes [labels.count, 3·C, R, R], one per label, from `seed`; x̂₀ clamped to
    /// `settings.clipX0`, by default to the training data's bound (`manifest.x0Bound`). A latent
    /// model samples normalized latents, maps them to the autoencoder's scale and decodes them.
    func sample(labels: [Int], settings: GenerationSettings, seed: UInt64) -> Tensor {
        let x = model.sampler(settings.diffusionSampler(dataBound: manifest.x0Bound ?? 1))
            .sample(model.network, shape: [labels.count] + manifest.sampleShape, labels: labels, seed: seed)
        guard let latent = manifest.latent, let ae = autoencoder else { return x }
        return withNoGrad { ae.decode(channelAffine(x, scale: latent.std, shift: latent.mean)) }
    }

    /// Sample `index` of `batch` as planes [3, C, R, R] in the decoder's units and its mesh
    /// (marching cubes on a `resolution`³ lattice, closed at the box), without the closed pieces
    /// smaller than `minComponent` × the largest one's volume (`removingSmallComponents`; 0 keeps all).
    func decode(_ batch: Tensor, index: Int, resolution: Int, minComponent: Double = 0) throws -> (planes: Tensor, mesh: TriangleMesh) {
        let planes = manifest.normalization.denormalize(batch.slice(axis: 0, index..<(index + 1)).reshaped(manifest.planeShape))
        let mesh = try decodeTriplane(try TriplaneField(decoder: decoder, planes: planes), resolution: resolution, method: .mc)
        return (planes, mesh.removingSmallComponents(fraction: minComponent).mesh)
    }

    /// One labelled 192 px render per mesh, `columns` per row (default: up to 8).
    static func sheet(_ meshes: [TriangleMesh], labels: [String], columns: Int? = nil) throws -> RGBImage {
        let images = try meshes.map { try Renderer.render(mesh: $0, azimuth: 35, elevation: 20, options: RenderOptions(width: 192, height: 192)) }
        return ContactSheet.compose(images: images, columns: columns ?? min(8, ContactSheet.defaultColumns(for: meshes.count)), labels: labels)
    }
}
