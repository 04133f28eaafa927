import Dataset
import Foundation
import Generators
import Geometry
import MeshIO
import Octrees
import Support
import TensorCore

/// A trained octree generator is a folder:
///
///     generator.json      kind, categories (label order), structure depth, surface stage defaults
///     model.safetensors   the transformer's EMA weights + training config (`OctreeModelFile`)
///
/// `octoplane train octree` writes it (plus `state.safetensors`, the resumable training state, and
/// `log.jsonl`); `octoplane generate --model DIR` reads it (telling it from a triplane generator by `kind`).
public struct OctreeGeneratorManifest: Codable, Sendable, Equatable {
    public static let kind = "octoplane-octree-transformer"
    public var kind = Self.kind
    public var version = 1
    /// Category names in label order (label k = categories[k]).
    public var categories: [String]
    /// Structure depth D of the sequences (surface cells on a 2^D grid).
    public var depth: Int
    /// Whether training added x-mirrored copies of shapes (of every shape when
    /// `mirroredCategories` is nil, as in manifests written before it existed).
    public var mirrored: Bool
    /// Shapes (before mirroring) the model was trained on.
    public var trainingShapes: Int
    /// The categories whose shapes were also trained mirrored (`TrainOctreeJob.mirror`).
    public var mirroredCategories: [String]? = nil

    /// The manifest of `dir`, or nil when `dir/generator.json` is absent or of another kind.
    static func readIfOctree(_ dir: String) throws -> OctreeGeneratorManifest? {
        let path = dir + "/generator.json"
        guard let data = FileManager.default.contents(atPath: path),
              let probe = try? JSONDecoder().decode(Kind.self, from: data), probe.kind == kind else { return nil }
        let m: OctreeGeneratorManifest
        do { m = try JSONDecoder().decode(OctreeGeneratorManifest.self, from: data) } catch {
            throw PipelineError.invalidInput(path: path, reason: "not an octree generator manifest (\(error))")
        }
        guard m.version == 1 else { throw PipelineError.invalidInput(path: path, reason: "version \(m.version), expected 1") }
        return m
    }
    private struct Kind: Decodable { var kind: String }

    func write(to dir: String) throws {
        try AtomicFile.write(try JSONOutput.data(self), to: dir + "/generator.json")
    }
}

/// Child-mask sequences of structure depth `depth` with their categories, from either
/// - a folder of trees (`.octree`) and/or child-mask token files (`.npy`/`.npz` of
///   `octoplane octree encode --tokens childmask`), the category being each file's folder; every
///   tree must have finest depth `depth` and be non-adaptive, every token file be child masks of
///   that depth (anything else: `PipelineError.invalidInput` naming the file); or
/// - a ShapeNet-layout mesh root (`octoplane synth` writes one), each mesh normalized into
///   [-0.8, 0.8]³ and built into its surface octree at `depth` (`OctreeBuildJob.build`).
struct OctreeSequenceFolder {
    var sequences: [ChildMaskSequence] = []
    var categoryOfItem: [String] = []
    var fromMeshes = false
    /// From a mesh root: every normalized mesh (octree frame) with its structure tree, in item
    /// order — the learned surface stage's training data.
    var shapes: [(mesh: TriangleMesh, tree: Octree)] = []

    static let treeExtensions = [".octree", ".npy", ".npz"]

    init(_ root: String, depth: Int) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir), isDir.boolValue else {
            throw PipelineError.unreadable(path: root, reason: "no such folder")
        }
        let files = (FileManager.default.enumerator(atPath: root)?.compactMap { $0 as? String } ?? [])
            .filter { f in Self.treeExtensions.contains { f.hasSuffix($0) } }.sorted()
        func category(_ folder: String) -> String { SynthCategory(name: folder)?.rawValue ?? folder }
        if !files.isEmpty {
            for f in files {
                let path = root + "/" + f
                sequences.append(try Self.sequence(path, depth: depth))
                categoryOfItem.append(category(((path as NSString).deletingLastPathComponent as NSString).lastPathComponent))
            }
            return
        }
        fromMeshes = true
        let items = try PipelineError.reading(root) { try ShapeNetSource(root: root).items(shard: (0, 1)).items }
        guard !items.isEmpty else {
            throw PipelineError.invalidInput(path: root, reason: "no trees (.octree), child-mask token files (.npy/.npz) or ShapeNet-layout meshes")
        }
        var options = OctreeBuildJob.Options()
        options.depth = depth; options.fullDepth = 0
        for item in items {
            let (mesh, frame) = try OctreeInput.loadNormalized(item.meshPath)
            let tree = try PipelineError.reading(item.meshPath) { try OctreeBuildJob.build(mesh, options: options, frame: frame) }
            shapes.append((mesh, tree))
            sequences.append(try Self.sequence(tree, path: item.meshPath, depth: depth))
            categoryOfItem.append(category(String(item.key.split(separator: "/").first ?? "")))
        }
    }

    /// The sequence of a tree or token file, checked against the structure depth.
    static func sequence(_ path: String, depth: Int) throws -> ChildMaskSequence {
        let (tree, tokens) = try OctreeInput.readTree(path)
        if let tokens, tokens.scheme != .childMask {
            throw PipelineError.invalidInput(path: path, reason: "\(tokens.scheme) tokens: the octree generator reads child masks (`octoplane octree encode --tokens childmask`)")
        }
        return try sequence(tree, path: path, depth: depth)
    }

    static func sequence(_ tree: Octree, path: String, depth: Int) throws -> ChildMaskSequence {
        guard tree.depth == depth else {
            throw PipelineError.invalidInput(path: path, reason: "a depth-\(tree.depth) tree; the structure depth is \(depth) (rebuild with `octoplane octree build --depth \(depth)`, or train with --depth \(tree.depth))")
        }
        guard !tree.isAdaptive else { throw PipelineError.invalidInput(path: path, reason: "an adaptive tree: the generator needs every leaf at depth \(depth)") }
        guard !tree.isEmpty else { throw PipelineError.invalidInput(path: path, reason: "an empty tree (no surface)") }
        do { return try ChildMaskSequence(tokens: tree.childMaskTokens().tokens, depth: depth) } catch {
            throw PipelineError.invalidInput(path: path, reason: String(describing: error))
        }
    }
}

/// `octoplane train octree TREES_DIR|ROOT --out RUN [--config FILE] [--steps N] [--resume]`: a
/// class-conditional octree transformer (`OctreeTrainer`: one model for next-token and parallel
/// decoding) on the child-mask sequences of the folder's trees (see `OctreeSequenceFolder`), the
/// shapes of each category whose mirror images look like its data also x-mirrored (`mirror`; a
/// mirror image identical to its shape is not added twice). The step loop, log, loss plot and previews are
/// `GeneratorTrainingLoop`'s; every `checkpointEvery` steps the resumable state and the sampling
/// model are written, atomically.
public struct TrainOctreeJob: Job {
    public var data: String
    public var output: String
    /// nil: `defaultConfig` for the data.
    public var config: OctreeTrainingConfig? = nil
    /// Structure depth when no config is given.
    public var depth = 5
    public var steps: Int? = nil
    /// Which categories also train x-mirrored (`auto`: by `MirrorInvariance` over the Chamfer
    /// distances of the depth-≤ 5 leaf cells, `LeafSetChamfer`).
    public var mirror = MirrorPolicy.auto
    public var checkpointEvery = 100
    /// Every this many steps and at the end: `RUN/previews/step-NNNNNN.png`, two shapes per category
    /// sampled from the EMA weights (generate's defaults: next-token decoding, seed 0). 0: none.
    /// `RUN/loss.png` (log-scale loss curve) is redrawn at every checkpoint.
    public var previewEvery = 500
    /// Storage of `RUN/model.safetensors` (the sampling weights): F32, or F16 for shipping (half
    /// the size). The resumable state stays F32.
    public var modelDType: SafetensorsDType = .f32
    public var resume = false
    public var quiet = false
    /// The learned surface stage (`RUN/surface/`, see `trainSurface`), trained after the
    /// transformer when the data are meshes: its config (nil: `SurfaceDecoderConfig`'s defaults,
    /// radius 3), steps (nil: the config's; 0: no surface stage, generation then blurs), and the
    /// labelled points per training shape.
    public var surfaceConfig: SurfaceDecoderConfig? = nil
    public var surfaceSteps: Int? = nil
    public var surfacePointsPerShape = 16_384
    /// Train only the surface stage into `output`, an existing octree generator (its
    /// `generator.json` and `model.safetensors`, e.g. a copy of a shipped model, which carries no
    /// training state): the transformer is left as it is, the trees are built at the manifest's
    /// depth from `data`, which must be a mesh root. `RUN/surface/` is replaced (or, with `resume`,
    /// continued from its state).
    public var surfaceOnly = false

    public init(data: String, output: String) { self.data = data; self.output = output }

    /// The recipe for `classes` categories at structure depth `depth` whose longest training
    /// sequence has `longest` tokens: 4 layers, width 128, 4 heads (0.8 M parameters), batch 8,
    /// AdamW 1e-3 with 100 warmup steps and a cosine decay over 3,000 steps, half the sequences
    /// seen in parallel mode; context = 1.25 × longest, rounded up to 256.
    public static func defaultConfig(depth: Int, classes: Int, longest: Int) -> OctreeTrainingConfig {
        let context = max(256, (longest * 5 / 4 + 255) / 256 * 256)
        return OctreeTrainingConfig(model: OctreeTransformerConfig(depth: depth, contextLength: context, embedDim: 128, heads: 4, layers: 4,
                                                                   mlpRatio: 4, classCount: classes))
    }

    public struct Report: JobReport {
        public var run: String
        public var shapes: Int
        public var categories: [String]
        public var depth: Int
        public var longestSequence: Int
        public var meanSequence: Double
        public var steps: Int
        public var resumedFrom: Int?
        public var finalLoss: Float
        public var parameters: Int
        /// The learned surface stage's steps and loss (mean of the last 50); nil when none was trained.
        public var surfaceSteps: Int?
        public var surfaceLoss: Float?
        /// True when only the surface stage was trained (`surfaceOnly`): the transformer's fields
        /// (steps, loss, parameters) are then 0 / NaN.
        public var surfaceOnly = false
        /// Sequences trained on: the shapes plus the mirror images added.
        public var sequences = 0
        /// The categories trained mirrored too, and under `--mirror auto` the evidence per category.
        public var mirroredCategories: [String] = []
        public var mirrorEvidence: [MirrorInvariance] = []
        public var seconds: Double
        public var text: String {
            if surfaceOnly {
                return String(format: "%@: surface stage only (the transformer left as it is), %d steps on %d shapes (%@), depth %d, BCE %.4f (mean of the last 50); %.1f s",
                              run, surfaceSteps ?? 0, shapes, categories.joined(separator: ", "), depth, surfaceLoss ?? .nan, seconds)
            }
            return String(format: "%@: %d steps%@ on %d shapes (%@; %d sequences with the mirror images), depth %d, sequences of %.0f tokens on average (longest %d), loss %.4f (mean of the last 50), %d parameters; %@; %.1f s",
                   run, steps, resumedFrom.map { " (resumed at \($0))" } ?? "", shapes, categories.joined(separator: ", "), sequences, depth, meanSequence,
                   longestSequence, finalLoss, parameters,
                   surfaceSteps.map { String(format: "surface stage %d steps, BCE %.4f", $0, surfaceLoss ?? .nan) } ?? "no learned surface stage (generation blurs)",
                   seconds) + mirrorLines(mirroredCategories, mirrorEvidence)
        }
    }

    public func run() throws -> Report {
        let start = Date()
        guard checkpointEvery >= 1 else { throw PipelineError.invalidOption("--checkpoint-every must be ≥ 1") }
        guard previewEvery >= 0 else { throw PipelineError.invalidOption("--preview-every must be ≥ 0") }
        if surfaceOnly { return try runSurfaceOnly(start: start) }
        let d = config?.model.depth ?? depth
        guard (1...8).contains(d) else { throw PipelineError.invalidOption("--depth must lie in 1…8, got \(d)") }
        let folder = try OctreeSequenceFolder(data, depth: d)
        let categories = trainingCategoryOrder(folder.categoryOfItem)
        let (mirrored, evidence) = mirror.decide(categories) { cat in
            let members = zip(folder.sequences, folder.categoryOfItem).filter { $0.1 == cat }.map(\.0)
            let chamfer = LeafSetChamfer(members)
            return MirrorInvariance(category: cat, shapes: members.count, distance: chamfer.distance, mirrored: chamfer.mirroredDistance)
        }
        let mirroredCategories = categories.filter(mirrored.contains)
        var sequences: [ChildMaskSequence] = [], labels: [Int] = []
        for (s, cat) in zip(folder.sequences, folder.categoryOfItem) {
            let label = categories.firstIndex(of: cat)!
            // A mirror image equal to its shape (a mirror-symmetric structure) would only repeat it.
            let m = mirrored.contains(cat) ? s.mirroredX() : s
            for q in m == s ? [s] : [s, m] { sequences.append(q); labels.append(label) }
        }
        let longest = sequences.map(\.count).max() ?? 0
        var cfg = config ?? Self.defaultConfig(depth: d, classes: categories.count, longest: longest)
        if let s = steps { cfg.totalSteps = s; cfg.warmupSteps = min(cfg.warmupSteps, s) }
        let trainer = try OctreeTrainer(config: cfg, data: OctreeSequenceDataset(sequences: sequences, labels: labels))
        let fm = FileManager.default
        try fm.createDirectory(atPath: output, withIntermediateDirectories: true)
        let statePath = output + "/state.safetensors"
        let resumedFrom = try resumeTraining(statePath: statePath, allowed: resume) { try trainer.resume(from: $0); return trainer.step }
        let manifest = OctreeGeneratorManifest(categories: categories, depth: d, mirrored: !mirrored.isEmpty, trainingShapes: folder.sequences.count,
                                               mirroredCategories: mirroredCategories)
        try manifest.write(to: output)
        var loop = GeneratorTrainingLoop(label: "train octree", output: output, totalSteps: cfg.totalSteps, checkpointEvery: checkpointEvery,
                                         previewEvery: previewEvery, progressEvery: 25, lossTitle: "TRAIN OCTREE LOSS (CROSS-ENTROPY)", quiet: quiet)
        loop.modelDType = modelDType
        try loop.run(trainer, resumed: resumedFrom != nil, start: start) { step in
            let model = TrainedGenerator.octree(OctreeGenerator(manifest: manifest, file: OctreeModelFile(trainer)))
            try GeneratorTrainingLoop.writePreview(model, settings: GenerationSettings(), step: step, output: output)
        }
        var surface: (steps: Int, loss: Float)? = nil
        if folder.fromMeshes && surfaceSteps != 0 { surface = try trainSurface(folder.shapes, start: start) }
        let tail = trainer.losses.suffix(50)
        return Report(run: output, shapes: folder.sequences.count, categories: categories, depth: d, longestSequence: longest,
                      meanSequence: Double(sequences.map(\.count).reduce(0, +)) / Double(max(1, sequences.count)), steps: trainer.step,
                      resumedFrom: resumedFrom, finalLoss: tail.isEmpty ? .nan : tail.reduce(0, +) / Float(tail.count),
                      parameters: trainer.model.parameterCount, surfaceSteps: surface?.steps, surfaceLoss: surface?.loss,
                      sequences: sequences.count, mirroredCategories: mirroredCategories, mirrorEvidence: evidence, seconds: Date().timeIntervalSince(start))
    }
}

/// A trained octree generator in memory: the transformer (EMA weights) and its manifest. Samples
/// child-mask sequences, decodes one into its tree and meshes it through the surface stage.
struct OctreeGenerator {
    var manifest: OctreeGeneratorManifest
    var file: OctreeModelFile
    /// The learned surface stage (`RUN/surface/model.safetensors`), when the run has one.
    var surface: SurfaceDecoderFile? = nil

    /// The octree frame is [-0.8, 0.8]³ (`Octree.normalizingFrame`); × 1.25 gives NFD's [-1, 1]³,
    /// the frame of the triplane generator and of `eval-generator`'s reference shapes (both frames
    /// centre the bounding box and scale its longest side).
    static let toNFDFrame: Float = 1.25

    init(manifest: OctreeGeneratorManifest, file: OctreeModelFile, surface: SurfaceDecoderFile? = nil) {
        self.manifest = manifest; self.file = file; self.surface = surface
    }

    /// Reads a RUN folder written by `train octree` (generator.json, model.safetensors, and
    /// surface/model.safetensors when it has a learned surface stage).
    init(run dir: String, manifest: OctreeGeneratorManifest) throws {
        file = try OctreeModelFile.load(dir + "/model.safetensors")
        let surfacePath = SurfaceDecoderFile.path(inRun: dir)
        if FileManager.default.fileExists(atPath: surfacePath) { surface = try SurfaceDecoderFile.loadChecked(surfacePath) }
        guard file.config.model.depth == manifest.depth else {
            throw PipelineError.invalidInput(path: dir + "/model.safetensors", reason: "structure depth \(file.config.model.depth), generator.json says \(manifest.depth)")
        }
        self.manifest = manifest
    }

    /// One sequence per label, drawn in order from `rng`.
    func sample(labels: [Int], settings: OctreeSamplerSettings, rng: inout SeededRandom) -> [ChildMaskSequence] {
        let sampler = OctreeSampler(model: file.network, settings: settings)
        return labels.map { sampler.sample(label: $0, rng: &rng) }
    }

    /// The tree of `sequence` (`Octree(childMasks:)` re-checks it) and its mesh in the octree frame:
    /// the surface stage at `surfaceDepth` (nil: max(structure depth, 7)) — the learned one
    /// (`Octree.learnedSurfaceMesh`) when the run has it and `stage` is `.learned`, else the blur
    /// (`Octree.smoothMesh`, `smoothing` structure cells); the structure depth itself, or a
    /// structure that leaves nothing: the plain octree decoder — without the closed pieces smaller
    /// than `minComponent` × the largest one's volume.
    func decode(_ sequence: ChildMaskSequence, surfaceDepth: Int?, stage: SurfaceStage, smoothing: Float,
                minComponent: Double) throws -> (tree: Octree, mesh: TriangleMesh) {
        let tree = try Octree(childMasks: sequence.tokens, depth: manifest.depth, fullDepth: 0)
        let target = surfaceDepth ?? max(manifest.depth, 7)
        var mesh = target == manifest.depth
            ? try tree.reconstructMesh(inSourceFrame: false)
            : try tree.surfaceStageMesh(targetDepth: target, learned: stage == .learned ? surface : nil, smoothing: smoothing)
        if mesh.triangles.isEmpty { mesh = try tree.reconstructMesh(inSourceFrame: false) }
        return (tree, mesh.removingSmallComponents(fraction: minComponent).mesh)
    }

    /// Checks the surface-stage options against this model.
    func validate(surfaceDepth: Int?, smoothing: Float) throws {
        guard surfaceDepth == nil || (manifest.depth...Octree.maxVolumeDepth).contains(surfaceDepth!) else {
            throw PipelineError.invalidOption("--surface-depth must lie in \(manifest.depth)…\(Octree.maxVolumeDepth) for this model")
        }
        guard smoothing.isFinite && smoothing >= 0 else { throw PipelineError.invalidOption("--smoothing must be finite and ≥ 0") }
    }
}

extension SurfaceDecoderFile {
    /// Where a RUN folder of `train octree` keeps its learned surface stage.
    static func path(inRun dir: String) -> String { dir + "/surface/model.safetensors" }

    /// `load`, plus the check that its input width is that of octree patches of its radius.
    static func loadChecked(_ path: String) throws -> SurfaceDecoderFile {
        let s = try load(path)
        let f = OccupancyVolume.patchWidth(radius: s.config.radius)
        guard s.config.inputs == f else {
            throw PipelineError.invalidInput(path: path, reason: "\(s.config.inputs) inputs, but octree patches of radius \(s.config.radius) have \(f) features")
        }
        return s
    }
}

extension GenerateJob {
    /// The octree half of `generate` (`OctreeGenerator`): sequences drawn by `OctreeSampler`
    /// (`settings`: decoding, temperature, top-k, top-p, MaskGIT steps per depth), decoded and meshed
    /// by the surface stage → `OUT/<category>-<k>.obj` and `.npz` child-mask tokens.
    func generateOctree(_ manifest: OctreeGeneratorManifest, model: String) throws -> (shapes: [Shape], meshes: [TriangleMesh], sampling: Double, decoding: Double) {
        let labels = try labels(manifest.categories)
        let generator = try OctreeGenerator(run: model, manifest: manifest)
        try generator.validate(surfaceDepth: settings.surfaceDepth, smoothing: settings.smoothing)
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        var t = Date()
        var rng = SeededRandom(seed: seed)
        let sequences = generator.sample(labels: labels, settings: settings.octreeSampler, rng: &rng)
        let sampling = Date().timeIntervalSince(t)
        t = Date()
        var shapes: [Shape] = [], meshes: [TriangleMesh] = []
        var perCategory: [String: Int] = [:]
        for (s, label) in zip(sequences, labels) {
            let cat = manifest.categories[label]
            let k = perCategory[cat, default: 0]; perCategory[cat] = k + 1
            let base = "\(output)/\(cat)-\(k)"
            let (tree, mesh) = try generator.decode(s, surfaceDepth: settings.surfaceDepth, stage: settings.surface, smoothing: settings.smoothing,
                                                    minComponent: settings.minComponent)
            try TokenFile.write(tree.childMaskTokens(), to: base + ".npz")
            try MeshWriter.write(mesh, to: base + ".obj")
            meshes.append(mesh)
            shapes.append(Shape(category: cat, mesh: base + ".obj", planes: base + ".npz", faces: mesh.triangles.count,
                                watertight: MeshTopology(mesh).isWatertight))
        }
        return (shapes, meshes, sampling, Date().timeIntervalSince(t))
    }
}
