import ArgumentParser
import Foundation
import Generators
import Pipeline

/// `octoplane train diffusion …`: generative model training.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train generators: diffusion on triplanes.",
        subcommands: [Diffusion.self]
    )

    struct Diffusion: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a class-conditional DDPM/DDIM U-Net on a folder of triplanes (from `convert --to triplane`).",
            discussion: """
            Writes RUN/generator.json, RUN/model.safetensors (EMA weights: what `generate --model RUN` samples with), \
            RUN/decoder.safetensors, RUN/state.safetensors (the whole training state) and RUN/log.jsonl. \
            A killed run continues with --resume from its last checkpoint, on the same loss curve.
            """)
        @Argument(help: "Folder of planes (.npy, (3, C, R, R)) with normalization.json, categories by synset folder.") var data: String
        @Option(help: "Run folder to write.") var out: String
        @Option(help: "Training config (JSON: model, schedule, prediction, batchSize, learningRate, totalSteps, …); default: the shipped recipe.") var config: String?
        @Option(help: "Total training steps (overrides the config's totalSteps).") var steps: Int?
        @Option(help: "Steps between checkpoints.") var checkpointEvery = 250
        @Flag(help: "Do not add the x-mirrored copy of every shape.") var noMirror = false
        @Option(help: "k of the mean ± k·σ → [-1, 1] map used for training (the folder's statistics, this k; 0: the folder's own k).") var normalizationK: Float = 3
        @Flag(help: "Continue from RUN/state.safetensors.") var resume = false
        @Flag(help: "No progress lines.") var quiet = false
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            var job = TrainDiffusionJob(data: data, output: out)
            job.config = try config.map { try DiffusionTrainingConfig.load($0) }
            job.steps = steps; job.checkpointEvery = checkpointEvery; job.mirror = !noMirror
            job.normalizationK = normalizationK == 0 ? nil : normalizationK
            job.resume = resume; job.quiet = quiet
            let r = try job.run()
            print(json ? r.json : r.text)
        }
    }
}

/// `octoplane generate --model RUN …`: new shapes from a trained generator.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate new shapes from a trained triplane diffusion model (meshes + a PNG sheet).",
        discussion: """
        (`octoplane sample` is the point sampler of meshes; new shapes come from `generate`.) \
        Planes are sampled by DDIM (or --ddpm), mapped back with the training normalization, decoded by the \
        model's triplane decoder and meshed by sparse marching cubes over [-1, 1]³.
        """)
    @Option(help: "Model folder (from `octoplane train diffusion`).") var model: String
    @Option(name: .short, help: "Number of shapes.") var n = 16
    @Option(help: "Category (name or synset id); default: cycle through the model's categories.") var category: String?
    @Option(help: "Sampling steps.") var steps = 50
    @Option(help: "Classifier-free guidance weight (0: unconditional).") var guidance: Float = 2
    @Option(help: "Seed.") var seed: UInt64 = 0
    @Flag(help: "DDPM ancestral sampling instead of DDIM.") var ddpm = false
    @Option(help: "Marching-cubes lattice points per axis (2^k + 1).") var resolution = 129
    @Option(help: "Output folder.") var out: String
    @Flag(help: "Print the report as JSON.") var json = false

    func run() throws {
        var job = GenerateJob(model: model, output: out)
        job.count = n; job.category = category; job.steps = steps; job.guidance = guidance; job.seed = seed
        job.ddpm = ddpm; job.resolution = resolution
        let r = try job.run()
        print(json ? r.json : r.text)
    }
}
