import ArgumentParser
import Foundation
import Generators
import Pipeline

/// `octoplane train diffusion …`: generative model training.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train generators: diffusion on triplanes, a transformer over octree tokens, or a plane autoencoder (the latent stage).",
        subcommands: [Diffusion.self, OctreeGPT.self, Autoencoder.self]
    )

    struct Diffusion: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a class-conditional DDPM/DDIM U-Net on a folder of triplanes (from `convert --to triplane`).",
            discussion: """
            Writes RUN/generator.json, RUN/model.safetensors (EMA weights: what `generate --model RUN` samples with), \
            RUN/decoder.safetensors, RUN/state.safetensors (the whole training state), RUN/log.jsonl, RUN/loss.png \
            (redrawn at every checkpoint) and RUN/previews/step-N.png (two decoded samples per category). \
            A killed run continues with --resume from its last checkpoint, on the same loss curve.
            """)
        @Argument(help: "Folder of planes (.npy, (3, C, R, R)) with normalization.json, categories by synset folder.") var data: String
        @Option(help: "Run folder to write.") var out: String
        @Option(help: "Training config (JSON: model, schedule, prediction, batchSize, learningRate, totalSteps, minSNRGamma, …); default: the shipped recipe (with --autoencoder: 4,000 steps, min-SNR-γ 5; on planes: 6,000 steps, unweighted).") var config: String?
        @Option(help: "Total training steps (overrides the config's totalSteps).") var steps: Int?
        @Option(help: "Steps between checkpoints.") var checkpointEvery = 250
        @Option(help: "Steps between preview sheets of decoded samples (0: none).") var previewEvery = 1000
        @Option(help: "Categories also trained x-mirrored: auto (those whose mirror images look like their data: each category's median mirror image → nearest shape distance at most its shapes' median nearest-neighbour distance), all or none.") var mirror: MirrorPolicy = .auto
        @Flag(help: "Write RUN/model.safetensors as float16 (half the size; the training state stays float32).") var float16 = false
        @Option(help: "k of the mean ± k·σ → [-1, 1] map used for training (the folder's statistics, this k; 0: the folder's own k).") var normalizationK: Float = 3
        @Option(help: "A `train autoencoder` RUN trained on this folder: diffuse in its latent (the U-Net's input is the latent; default config for its channels).") var autoencoder: String?
        @Flag(help: "Continue from RUN/state.safetensors.") var resume = false
        @Flag(help: "No progress lines.") var quiet = false
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            var job = TrainDiffusionJob(data: data, output: out)
            job.autoencoder = autoencoder
            job.config = try config.map { try DiffusionTrainingConfig.load($0) }
            job.steps = steps; job.checkpointEvery = checkpointEvery; job.previewEvery = previewEvery; job.mirror = mirror
            job.normalizationK = normalizationK == 0 ? nil : normalizationK; job.modelDType = float16 ? .f16 : .f32
            job.resume = resume; job.quiet = quiet
            let r = try job.run()
            print(json ? r.json : r.text)
        }
    }
}

/// `octoplane generate --model RUN …`: new shapes from a trained generator.
extension TrainCommand {
    struct OctreeGPT: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "octree",
            abstract: "Train a class-conditional octree transformer on child-mask token sequences (next-token and parallel decoding).",
            discussion: """
            DATA is a folder of trees (.octree) and/or child-mask token files (.npy/.npz from `octree encode --tokens childmask`), \
            categories by folder, all of finest depth --depth; or a ShapeNet-layout mesh root (e.g. from `octoplane synth`), \
            built into depth --depth surface octrees. Writes RUN/generator.json, RUN/model.safetensors (EMA weights: what \
            `generate --model RUN` samples with), RUN/state.safetensors (the whole training state), RUN/log.jsonl, \
            RUN/loss.png (at every checkpoint) and RUN/previews/step-N.png (every --preview-every steps). \
            From meshes, a second stage follows: the learned surface decoder in RUN/surface/ (the same files), trained on \
            labelled points of the training meshes around their trees; generation meshes through it (without it, through a blur). \
            --surface-only trains just that stage into an existing model folder (e.g. a copy of a shipped one, which has no \
            training state), from the mesh root DATA, leaving the transformer as it is. \
            A killed run continues with --resume from its last checkpoint, on the same loss curve.
            """)
        @Argument(help: "Folder of trees / token files, or a ShapeNet-layout mesh root.") var data: String
        @Option(help: "Run folder to write.") var out: String
        @Option(help: "Training config (JSON: model {depth, contextLength, embedDim, heads, layers, …}, batchSize, learningRate, totalSteps, parallelFraction, dropout, …); default: the recipe.") var config: String?
        @Option(help: "Structure depth (finest depth of the trees) when no --config is given.") var depth = 5
        @Option(help: "Total training steps (overrides the config's totalSteps).") var steps: Int?
        @Option(help: "Steps between checkpoints.") var checkpointEvery = 100
        @Option(help: "Steps between preview sheets of sampled shapes (0: none).") var previewEvery = 500
        @Option(help: "Categories also trained x-mirrored: auto (those whose mirror images look like their data: each category's median mirror image → nearest shape distance at most its shapes' median nearest-neighbour distance), all or none.") var mirror: MirrorPolicy = .auto
        @Option(help: "Surface stage steps (meshes only; 0: no learned surface stage).") var surfaceSteps: Int?
        @Option(help: "Surface stage config (JSON: radius, hidden, batchSize, learningRate, totalSteps, …).") var surfaceConfig: String?
        @Option(help: "Labelled points per training shape for the surface stage.") var surfacePoints = 16_384
        @Flag(help: "Train only the surface stage into RUN, an existing model (generator.json + model.safetensors, e.g. a copy of a shipped one); DATA: a mesh root.")
        var surfaceOnly = false
        @Flag(help: "Write RUN/model.safetensors as float16 (half the size; the training state stays float32).") var float16 = false
        @Flag(help: "Continue from RUN/state.safetensors.") var resume = false
        @Flag(help: "No progress lines.") var quiet = false
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            var job = TrainOctreeJob(data: data, output: out)
            job.config = try config.map { try OctreeTrainingConfig.load($0) }
            job.depth = depth; job.steps = steps; job.checkpointEvery = checkpointEvery; job.previewEvery = previewEvery; job.mirror = mirror
            job.surfaceSteps = surfaceSteps; job.surfaceConfig = try surfaceConfig.map { try SurfaceDecoderConfig.load($0) }
            job.surfacePointsPerShape = surfacePoints; job.surfaceOnly = surfaceOnly
            job.modelDType = float16 ? .f16 : .f32
            job.resume = resume; job.quiet = quiet
            let r = try job.run()
            print(json ? r.json : r.text)
        }
    }
}

extension TrainCommand {
    struct Autoencoder: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a plane autoencoder (a KL-regularized conv VAE: stacked planes ↔ a small latent image) on a folder of triplanes.",
            discussion: """
            The latent stage of triplane diffusion: it learns from the same normalized planes as `train diffusion`, by default every shape also mirrored. \
            Writes RUN/autoencoder.json (plane shape, normalization, latent shape and per-channel latent statistics), \
            RUN/model.safetensors (EMA weights), RUN/decoder.safetensors, RUN/state.safetensors, RUN/log.jsonl, RUN/loss.png and \
            RUN/previews/step-N.png (each category's first shape decoded from its planes and from their reconstruction). \
            The report gives, per category, the IoU between the occupancy of each training shape's planes and of their \
            reconstruction. A killed run continues with --resume.
            """)
        @Argument(help: "Folder of planes (.npy, (3, C, R, R)) with normalization.json, categories by synset folder.") var data: String
        @Option(help: "Run folder to write.") var out: String
        @Option(help: "Training config (JSON: model {inChannels, channels, blocksPerLevel, latentChannels, groups}, klWeight, occupancyWeight, decoderNoise, batchSize, learningRate, totalSteps, …); default: widths 64-128, 8 latent channels.") var config: String?
        @Option(help: "Total training steps (overrides the config's totalSteps).") var steps: Int?
        @Option(help: "Steps between checkpoints.") var checkpointEvery = 250
        @Option(help: "Steps between preview sheets (0: none).") var previewEvery = 500
        @Option(help: "Uniform points per shape for the final IoU of the reconstructions.") var iouPoints = 32_768
        @Option(help: "Categories also trained x-mirrored: all (a reconstruction model gains from every plausible shape), auto (those whose mirror images look like their data) or none.") var mirror: MirrorPolicy = .all
        @Flag(help: "Write RUN/model.safetensors as float16.") var float16 = false
        @Option(help: "k of the mean ± k·σ → [-1, 1] map (as train diffusion; 0: the folder's own k).") var normalizationK: Float = 3
        @Flag(help: "Continue from RUN/state.safetensors.") var resume = false
        @Flag(help: "No progress lines.") var quiet = false
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            var job = TrainAutoencoderJob(data: data, output: out)
            job.config = try config.map { try AutoencoderTrainingConfig.load($0) }
            job.steps = steps; job.checkpointEvery = checkpointEvery; job.previewEvery = previewEvery; job.iouPoints = iouPoints
            job.mirror = mirror; job.normalizationK = normalizationK == 0 ? nil : normalizationK; job.modelDType = float16 ? .f16 : .f32
            job.resume = resume; job.quiet = quiet
            let r = try job.run()
            print(json ? r.json : r.text)
        }
    }
}

extension OctreeDecoding: ExpressibleByArgument {}
extension SurfaceStage: ExpressibleByArgument {}
extension DiffusionSamplerKind: ExpressibleByArgument {}
extension MirrorPolicy: ExpressibleByArgument {}

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate new shapes from a trained generator, triplane diffusion or octree transformer (meshes + a PNG sheet).",
        discussion: """
        (`octoplane sample` is the point sampler of meshes; new shapes come from `generate`.) \
        Diffusion: planes are sampled by DDIM, 50 steps (or --sampler ddpm: ancestral, 100 steps), mapped back with the training normalization, decoded by the \
        model's triplane decoder and meshed by dense marching cubes over [-1, 1]³ (the decoder runs at every lattice point, so no thin part is lost). \
        Octree transformer: child-mask sequences by --decoding next-token or parallel (MaskGIT steps per depth: --steps), \
        only valid masks drawn, decoded into trees and meshed by the surface stage (blurred occupancy at --surface-depth).
        """)
    @Option(help: "Model folder (from `octoplane train diffusion` or `train octree`) or a shipped model's name (triplane-diffusion, octree-transformer); default: the shipped diffusion model.") var model: String?
    @Option(name: .short, help: "Number of shapes.") var n = 16
    @Option(help: "Category (name or synset id); default: cycle through the model's categories.") var category: String?
    @Option(help: "Seed.") var seed: UInt64 = 0
    @OptionGroup var sampling: GenerationOptions
    @Option(help: "Output folder.") var out: String
    @Flag(help: "Print the report as JSON.") var json = false

    func run() throws {
        var job = GenerateJob(model: model, output: out)
        job.count = n; job.category = category; job.seed = seed; job.settings = sampling.settings
        let r = try job.run()
        print(json ? r.json : r.text)
    }
}

/// `octoplane eval-generator --model RUN --reference ROOT [--training ROOT] …`: per-category quality table.
struct EvalGeneratorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-generator",
        abstract: "Score a trained generator per category against held-out shapes (PointFlow 1-NNA / COV / MMD) and its training set.",
        discussion: """
        For each category: -n shapes are generated and compared with -n reference shapes of a ShapeNet-style root \
        (use a synth seed training never saw) by the protocol of `eval-set`; with --training, every sample's Chamfer \
        distance to its nearest training shape is reported next to the reference shapes' own (copies show up as \
        samples much closer to the training set than unseen shapes), and the training shapes are scored as if \
        generated. Also the share of non-empty, watertight, in-box meshes and seconds per shape. \
        --out writes the meshes and OUT/<category>.png: samples over their nearest training shapes.
        """)
    @Option(help: "Model folder (from `octoplane train diffusion` or `train octree`) or a shipped model's name; default: the shipped diffusion model.") var model: String?
    @Option(help: "ShapeNet-style root of held-out reference shapes.") var reference: String
    @Option(help: "ShapeNet-style root of the training shapes (for nearest-training distances).") var training: String?
    @Option(name: .short, help: "Shapes generated (and references used) per category.") var n = 32
    @Option(help: "Category to evaluate (repeatable); default: all of the model's.") var category: [String] = []
    @Option(help: "Seed (category k samples with seed + k).") var seed: UInt64 = 0
    @Option(parsing: .upToNextOption, help: "Run the protocol once per seed (e.g. --seeds 0 100 200: new samples and surface points each) and summarize 1-NNA, COV and MMD per category over them; replaces --seed. With --out: OUT/seed-S/.") var seeds: [UInt64] = []
    @Option(help: "Surface points per shape.") var points = 2048
    @Flag(help: "Sample every face of every mesh, also reference faces hidden inside other parts (default: each solid's boundary only).") var allFaces = false
    @OptionGroup var sampling: GenerationOptions
    @Option(help: "Folder for the generated meshes and per-category sheets.") var out: String?
    @Flag(help: "No progress line.") var quiet = false
    @Flag(help: "Print the report as JSON.") var json = false

    func run() throws {
        var job = GeneratorEvalJob(model: model, reference: reference)
        job.training = training; job.count = n; job.categories = category; job.settings = sampling.settings
        job.seed = seed; job.seeds = seeds; job.points = points; job.solidSurface = !allFaces; job.output = out; job.quiet = quiet
        let r = try job.run()
        print(json ? r.json : r.text)
    }
}

/// How shapes are drawn from a generator: the options `generate` and `eval-generator` share.
struct GenerationOptions: ParsableArguments {
    @Option(help: "Sampling steps (diffusion: default 50 with DDIM, 100 with DDPM) or MaskGIT steps per depth (octree parallel decoding, default 8).") var steps: Int?
    @Option(help: "Diffusion: classifier-free guidance weight (0: unconditional).") var guidance: Float = 2
    @Option(help: "Diffusion: ddim (deterministic, η = 0, default 50 steps) or ddpm (ancestral, default 100 steps).") var sampler: DiffusionSamplerKind = .ddim
    @Option(help: "Diffusion: marching-cubes lattice points per axis (dense: the decoder runs at each).") var resolution = 129
    @Option(help: "Diffusion: clamp x̂₀ to ± this while sampling (default: the model's bound, the largest |value| of its normalized training planes — of its unit-scale latents for a latent model; 0: no clamping).") var clipX0: Float?
    @Option(help: "Octree: next-token (default: better and, at depth 5, faster) or parallel (MaskGIT within a depth).") var decoding: OctreeDecoding = .nextToken
    @Option(help: "Octree: sampling temperature (0: greedy).") var temperature: Float = 1
    @Option(help: "Octree: keep the k most probable masks (0: all).") var topK = 0
    @Option(help: "Octree: nucleus sampling, keep the most probable masks up to this probability mass (1: all).") var topP: Float = 1
    @Option(help: "Octree: depth of the surface lattice (default max(structure depth, 7); the structure depth: the plain octree decoder).") var surfaceDepth: Int?
    @Option(help: "Octree: blur of the occupancy before marching cubes, in structure cells.") var smoothing: Float = 0.5
    @Option(help: "Octree: surface stage, learned (the model's local decoder, when it has one) or blur.") var surface: SurfaceStage = .learned
    @Option(help: "Drop closed pieces smaller than this fraction of the largest one's volume (0: keep all).") var minComponent = GenerationSettings.defaultMinComponent

    var settings: GenerationSettings {
        var s = GenerationSettings()
        s.steps = steps; s.guidance = guidance; s.sampler = sampler; s.resolution = resolution; s.decoding = decoding
        s.temperature = temperature; s.topK = topK; s.topP = topP; s.surfaceDepth = surfaceDepth; s.smoothing = smoothing; s.surface = surface; s.minComponent = minComponent; s.clipX0 = clipX0
        return s
    }
}

/// `octoplane weights IN -o OUT [--dtype f16|f32]`: a safetensors file's tensors in another float dtype.
struct WeightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights",
        abstract: "Rewrite a safetensors file (a model, a decoder) with its tensors as float16 (half the size) or float32.",
        discussion: "Metadata is kept; every reader in Octoplane converts F16 back to F32 on load. Reports the largest relative rounding error.")
    enum DType: String, ExpressibleByArgument, CaseIterable { case f16, f32 }
    @Argument(help: "Input .safetensors.") var input: String
    @Option(name: .shortAndLong, help: "Output .safetensors (written atomically).") var output: String
    @Option(help: "f16 or f32.") var dtype: DType = .f16
    @Flag(help: "Print the report as JSON.") var json = false

    func run() throws {
        var job = ConvertWeightsJob(input: input, output: output)
        job.dtype = dtype == .f16 ? .f16 : .f32
        try job.run().emit(json: json)
    }
}
