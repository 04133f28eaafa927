import ArgumentParser
import Pipeline
import Sampling
import Spatial

/// `octoplane convert ROOT --out DIR [--categories …] [--preset onet|nfd|udf] [--shard i/n] [--jobs N]`.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert a ShapeNet v1/v2 tree to ONet, NFD or UDF sample files (resumable, shardable).",
        discussion: """
        Outputs: onet → DIR/<synset>/<model>/{points,pointcloud}.npz; nfd → DIR/<synset>/<model>.npy; \
        udf → DIR/<synset>/<model>.npz. Completed models are skipped on a rerun; failures go to \
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

    func validate() throws {
        if let p = points, p < 1 { throw ValidationError("--points must be ≥ 1") }
        if jobs < 1 { throw ValidationError("--jobs must be ≥ 1") }
    }

    func run() throws {
        let settings = SampleSettings(preset: preset, count: points, seed: seed, insideTest: inside.test(rays: 3))
        let options = ConvertOptions(outputDirectory: out, settings: settings, shard: try parseShard(shard), jobs: jobs, quiet: quiet)
        let summary = try convertModels(ShapeNetSource(root: root, categories: categories), options: options)
        print(json ? summary.json : summary.text)
        if summary.failed > 0 { throw ExitCode(3) }
    }
}
