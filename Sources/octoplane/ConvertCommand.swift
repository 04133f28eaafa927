import ArgumentParser
import Pipeline
import Sampling
import Spatial
import Triplanes

/// `octoplane convert ROOT --out DIR [--categories …] [--preset onet|nfd|udf] [--shard i/n] [--jobs N]`.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a ShapeNet v1/v2 tree to ONet, NFD or UDF sample files (resumable, shardable).",
        discussion: """
        Outputs: onet → DIR/<synset>/<model>/{points,pointcloud}.npz; nfd → DIR/<synset>/<model>.npy; \
        udf → DIR/<synset>/<model>.npz; --to triplane → DIR/<synset>/<model>.npy planes (3, C, R, R) fitted with the \
        shared decoder, each model's fit IoU and seconds in the manifest, DIR/normalization.json at the end. Completed models are skipped on a rerun; failures go to \
        DIR/failures[.shard-i-of-n].jsonl and converted models to DIR/manifest[.shard-i-of-n].jsonl. \
        Slurm: --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT; Kubernetes indexed job: \
        --shard $JOB_COMPLETION_INDEX/<completions>.
        """)

    @Argument(help: "ShapeNet root (folders named by 8-digit synset ids).")
    var root: String
    @Option(help: "Output folder.")
    var out: String
    @Option(parsing: .upToNextOption, help: "Categories to convert: names (chair, table, …; the tree's taxonomy.json or ShapeNet's) or synset ids (default: all).")
    var categories: [String] = []
    @Option(help: "onet, nfd or udf.")
    var preset: SamplePreset = .nfd
    @Option(help: "samples (the preset's files) or triplane (fitted planes, NFD phase 2).")
    var to: Target = .samples
    @Option(help: "--to triplane: decoder (.safetensors); default: the shipped one.")
    var decoder: String?
    @Option(help: "--to triplane: fit steps per model.")
    var fitSteps = TriplaneFitSettings().steps
    @Option(help: "--to triplane: fit TV weight (smoother planes are easier for the diffusion model to learn).")
    var fitTv = TriplaneFitSettings().tvWeight
    @Option(help: "--to triplane: fit L2 weight.")
    var fitL2 = TriplaneFitSettings().l2Weight
    @Option(help: "--to triplane: fit learning-rate schedule, cosine (annealed to 0) or constant (NFD; the default before 2026-12-04, with --fit-steps 300).")
    var fitSchedule = TriplaneFitSettings().schedule
    @Option(help: "--to triplane: k of the normalization's mean ± k·σ → [-1, 1].")
    var normalizationK: Float = 16
    @Option(help: "Query points per model (default: the preset's).")
    var points: Int?
    @Option(help: "This process's share i/n of the models (0 ≤ i < n).")
    var shard: String = "0/1"
    @Option(help: "Models converted at once (threads are split between them).")
    var jobs: Int = 1
    @Option(help: "Base seed (each model's seed also depends on its id).")
    var seed: UInt64 = 0
    @Option(help: "Inside test: winding (default) or parity.")
    var inside: InsideTestOption = .winding
    @Flag(help: "No progress line.")
    var quiet = false
    @Flag(help: "Print the summary as JSON.")
    var json = false

    enum Target: String, ExpressibleByArgument, CaseIterable { case samples, triplane }

    func validate() throws {
        if fitSteps < 1 { throw ValidationError("--fit-steps must be ≥ 1") }
        if !(normalizationK > 0 && normalizationK.isFinite) { throw ValidationError("--normalization-k must be > 0") }
        if let p = points, p < 1 { throw ValidationError("--points must be ≥ 1") }
        if jobs < 1 { throw ValidationError("--jobs must be ≥ 1") }
    }

    func run() throws {
        let settings = SampleSettings(preset: preset, count: points, seed: seed, insideTest: inside.test(rays: 3))
        let options = ConvertOptions(outputDirectory: out, settings: settings, shard: try parseShard(shard), jobs: jobs, quiet: quiet)
        let target: ConvertJob<ShapeNetSource>.Target
        switch to {
        case .samples: target = .samples
        case .triplane:
            var t = TriplaneConvertSettings()
            t.decoder = decoder; t.fit.steps = fitSteps; t.fit.tvWeight = fitTv; t.fit.l2Weight = fitL2; t.fit.schedule = fitSchedule; t.normalizationK = normalizationK
            if let p = points { t.samplePoints = p }
            target = .triplane(t)
        }
        let summary = try ConvertJob(source: ShapeNetSource(root: root, categories: categories), options: options, target: target).run()
        summary.emit(json: json)
        if summary.failed > 0 { throw ExitCode(3) }
    }
}
