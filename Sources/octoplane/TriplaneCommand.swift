import ArgumentParser
import Foundation
import Pipeline
import Triplanes

extension TriplaneAggregation: ExpressibleByArgument {}
extension TriplaneTarget: ExpressibleByArgument {}

/// `octoplane triplane …`: NFD triplanes — train the shared decoder, fit planes, decode them.
struct TriplaneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triplane",
        abstract: "NFD triplanes: train the shared decoder (phase 1), fit an object's planes (phase 2), decode planes to a mesh.",
        subcommands: [TrainDecoder.self, Fit.self, Decode.self, Eval.self]
    )

    /// The representation's shape, shared by the commands that create a decoder.
    struct ConfigOptions: ParsableArguments {
        @Option(help: "Plane resolution R (planes are 3 × C × R × R).") var resolution = TriplaneConfig().resolution
        @Option(help: "Feature channels C per plane.") var channels = TriplaneConfig().channels
        @Option(help: "How plane features combine: sum (NFD), concat or product.") var aggregation = TriplaneConfig().aggregation
        @Option(parsing: .upToNextOption, help: "Hidden widths of the decoder MLP.") var hidden: [Int] = TriplaneConfig().hidden
        @Option(help: "Columns of the Fourier matrix B (0: no Fourier mapping).") var fourier = TriplaneConfig().fourierFeatures
        @Option(help: "Standard deviation of B.") var fourierScale = TriplaneConfig().fourierScale
        var config: TriplaneConfig {
            TriplaneConfig(resolution: resolution, channels: channels, aggregation: aggregation, hidden: hidden,
                           fourierFeatures: fourier, fourierScale: fourierScale)
        }
    }

    struct TrainDecoder: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "train-decoder",
            abstract: "Phase 1: train the shared decoder jointly with the planes of every object under DATA (NFD .npy samples).",
            discussion: """
            DATA: a folder of NFD sample files, as `octoplane convert ROOT --preset nfd --out DATA` writes them. \
            Writes DECODER (safetensors, config in its metadata) at every checkpoint, the full training state to \
            DECODER.state.safetensors and a JSON-lines log to DECODER.log.jsonl. A killed run continues with --resume.
            """)
        @Argument(help: "Folder of NFD .npy sample files (searched recursively).") var data: String
        @Option(help: "Decoder file to write (.safetensors).") var out: String
        @OptionGroup var shape: ConfigOptions
        @Option(help: "Optimization steps.") var steps = DecoderTrainingSettings().steps
        @Option(help: "Objects per step.") var objectsPerStep = DecoderTrainingSettings().objectsPerStep
        @Option(help: "Points per object per step (drawn at random from all its rows).") var pointsPerObject = DecoderTrainingSettings().pointsPerObject
        @Option(help: "Decoder learning rate (Adam).") var decoderLr = DecoderTrainingSettings().decoderLearningRate
        @Option(help: "Plane learning rate (one Adam per object, sparse).") var planeLr = DecoderTrainingSettings().planeLearningRate
        @Option(help: "EDR weight.") var edr = DecoderTrainingSettings().edrWeight
        @Option(help: "TV weight (per object).") var tv = DecoderTrainingSettings().tvWeight
        @Option(help: "L2 weight (per object).") var l2 = DecoderTrainingSettings().l2Weight
        @Option(help: "Rows kept per object (half near-surface, half uniform).") var rowsPerObject = 100_000
        @Option(help: "Steps between checkpoints.") var checkpointEvery = 250
        @Option(help: "Seed.") var seed: UInt64 = 0
        @Flag(help: "Continue from DECODER.state.safetensors.") var resume = false
        @Flag(help: "No progress lines.") var quiet = false
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            var job = TriplaneTrainDecoderJob(data: data, output: out)
            job.config = shape.config
            job.settings = DecoderTrainingSettings(steps: steps, objectsPerStep: objectsPerStep, pointsPerObject: pointsPerObject,
                                                   decoderLearningRate: decoderLr, planeLearningRate: planeLr, edrWeight: edr,
                                                   tvWeight: tv, l2Weight: l2, seed: seed)
            job.rowsPerObject = rowsPerObject
            job.checkpointEvery = checkpointEvery
            job.resume = resume; job.quiet = quiet
            let r = try job.run()
            print(json ? r.json : r.text)
        }
    }

    struct Fit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Phase 2: fit one object's planes with the shared decoder frozen (a mesh is sampled on the fly).",
            discussion: """
            INPUT: a mesh (any format assimp reads; normalized to NFD's [-1, 1] frame and sampled with the NFD preset) or an \
            NFD samples .npy of shape (N, 4). Output: float32 .npy of shape (3, C, R, R), NFD's layout. With a mesh the \
            report gives the IoU on 100k uniform points; --metric-resolution also decodes and scores Chamfer-L1 / F@1%.
            """)
        @Argument(help: "Mesh file or NFD samples (.npy).") var input: String
        @Option(name: .shortAndLong, help: "Planes file to write (.npy).") var output: String
        @Option(help: "Decoder (.safetensors); default: the shipped Assets/models/triplane-decoder.safetensors.") var decoder: String?
        @Option(help: "Optimization steps.") var steps = TriplaneFitSettings().steps
        @Option(help: "Points per step (drawn at random from all sample rows).") var pointsPerStep = TriplaneFitSettings().pointsPerStep
        @Option(help: "Learning rate (Adam).") var lr = TriplaneFitSettings().learningRate
        @Option(help: "EDR weight.") var edr = TriplaneFitSettings().edrWeight
        @Option(help: "TV weight (smoother planes are easier for a generator to learn).") var tv = TriplaneFitSettings().tvWeight
        @Option(help: "L2 weight.") var l2 = TriplaneFitSettings().l2Weight
        @Option(help: "Learning-rate schedule: constant or cosine (annealed to 0).") var schedule = TriplaneFitSettings().schedule
        @Option(help: "NFD sample rows drawn from a mesh.") var samplePoints = 200_000
        @Option(help: "Decode at this lattice size and report Chamfer-L1 / F@1% against the mesh.") var metricResolution: Int?
        @Option(help: "Seed.") var seed: UInt64 = 0
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            var job = TriplaneFitJob(input: input, output: output)
            job.decoder = decoder
            job.settings = TriplaneFitSettings(steps: steps, pointsPerStep: pointsPerStep, learningRate: lr, edrWeight: edr,
                                               tvWeight: tv, l2Weight: l2, schedule: schedule)
            job.samplePoints = samplePoints; job.metricResolution = metricResolution; job.seed = seed
            let r = try job.run()
            print(json ? r.json : r.text)
        }
    }

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Planes (.npy, (3, C, R, R)) → mesh through the shared decoder and dense marching cubes over [-1, 1]³.")
        enum Method: String, ExpressibleByArgument, CaseIterable { case mc, dual }
        @Argument(help: "Planes file (.npy).") var input: String
        @Option(name: .shortAndLong, help: "Mesh to write: .obj or .ply.") var output: String
        @Option(help: "Decoder (.safetensors); default: the shipped one.") var decoder: String?
        @Option(help: "Lattice points per axis (dense: the decoder runs at each; 129 samples every plane cell 4 times).") var resolution = 129
        @Option(help: "mc (marching cubes of the occupancy logit) or dual (dual UDF extractor).") var method: Method = .mc
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            var job = TriplaneDecodeJob(input: input, output: output)
            job.decoder = decoder; job.resolution = resolution
            job.method = method == .mc ? .mc : .dual
            let r = try job.run()
            print(json ? r.json : r.text)
        }
    }

    struct Eval: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Quality of a decoder: fit every model (phase 2), then IoU on 100k uniform points and Chamfer-L1 / F@1% of the decoded mesh.",
            discussion: "INPUT: a ShapeNet v1/v2 root (e.g. from `octoplane synth` with a seed the decoder never saw) or mesh files.")
        @Argument(help: "ShapeNet root or mesh files.") var inputs: [String]
        @Option(parsing: .upToNextOption, help: "Categories of the root (default: all).") var categories: [String] = []
        @Option(help: "At most this many models per category.") var limit: Int?
        @Option(help: "Decoder (.safetensors); default: the shipped one.") var decoder: String?
        @Option(help: "Fit steps per model.") var steps = TriplaneFitSettings().steps
        @Option(help: "Fit TV weight.") var tv = TriplaneFitSettings().tvWeight
        @Option(help: "Fit L2 weight.") var l2 = TriplaneFitSettings().l2Weight
        @Option(help: "Fit learning rate (Adam).") var lr = TriplaneFitSettings().learningRate
        @Option(help: "Fit learning-rate schedule: constant or cosine (annealed to 0).") var schedule = TriplaneFitSettings().schedule
        @Option(help: "Lattice of the decoded meshes (points per axis).") var metricResolution = 129
        @Option(help: "Seed.") var seed: UInt64 = 0
        @Flag(help: "No progress line.") var quiet = false
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            var job = TriplaneEvalJob(inputs: inputs)
            job.categories = categories; job.limit = limit; job.decoder = decoder
            job.settings.steps = steps; job.settings.tvWeight = tv; job.settings.l2Weight = l2
            job.settings.learningRate = lr; job.settings.schedule = schedule
            job.metricResolution = metricResolution; job.seed = seed; job.quiet = quiet
            let r = try job.run()
            print(json ? r.json : r.text)
        }
    }
}

extension TriplaneFitSchedule: ExpressibleByArgument {}
