import ArgumentParser
import Foundation
import Benchmarks

/// `octoplane bench nn [--json]`: the neural core's workloads (NFD triplane step, U-Net
/// forward+backward, matmul vs raw sgemm). `Scripts/bench-nn.py` runs it next to PyTorch.
struct BenchNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nn",
        abstract: "Neural core benchmark: NFD triplane step, U-Net fwd+bwd, matmul vs raw sgemm (build with -c release).")

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "Timed steps per workload (median reported).")
    var steps = 10

    @Option(help: "Untimed warm-up steps per workload.")
    var warmup = 2

    @Option(help: "Threads for BLAS and Octoplane's kernels (default: OCTOPLANE_THREADS, else all cores).")
    var threads: Int?

    @Option(help: "Comma-separated subset of workloads: triplane, unet, sgemm.")
    var only: String?

    func validate() throws {
        if steps < 1 { throw ValidationError("--steps must be at least 1") }
        if warmup < 0 { throw ValidationError("--warmup must not be negative") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let only {
            let bad = only.split(separator: ",").map(String.init).filter { !["triplane", "unet", "sgemm"].contains($0) }
            if !bad.isEmpty { throw ValidationError("unknown workload(s) \(bad.joined(separator: ", ")); choose from triplane, unet, sgemm") }
        }
    }

    func run() throws {
        var job = BenchNNJob()
        job.threads = threads
        job.options.steps = steps
        job.options.warmup = warmup
        if let only { job.options.only = Set(only.split(separator: ",").map(String.init)) }
        let quietProgress = json
        job.progress = { msg in if !quietProgress { FileHandle.standardError.write(Data("running \(msg)…\n".utf8)) } }
        try job.run().emit(json: json)
    }
}
