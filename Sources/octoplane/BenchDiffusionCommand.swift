import ArgumentParser
import Benchmarks
import Foundation

/// `octoplane bench diffusion [--json]`: training steps of the default triplane diffusion recipe.
/// `Scripts/bench-diffusion.sh` runs it next to `Scripts/diffusion_torch.py bench-train`.
struct BenchDiffusionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diffusion",
        abstract: "Diffusion training-step benchmark: forward + backward + Adam + EMA of the default recipe's U-Net (build with -c release).")

    @Flag(help: "Print JSON instead of a line.") var json = false
    @Option(help: "Batch size.") var batch = 32
    @Option(help: "Input channels (3·C of the planes).") var channels = 24
    @Option(help: "Input resolution R.") var size = 32
    @Option(help: "Categories (class-conditional).") var classes = 6
    @Option(help: "Timed steps (median reported).") var steps = 5
    @Option(help: "Untimed warm-up steps.") var warmup = 1
    @Option(help: "Threads for BLAS and Octoplane's kernels (default: OCTOPLANE_THREADS, else all cores).") var threads: Int?

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        var job = BenchDiffusionJob()
        job.batch = batch; job.channels = channels; job.size = size; job.classes = classes
        job.steps = steps; job.warmup = warmup; job.threads = threads
        try job.run().emit(json: json)
    }
}
