import ArgumentParser
import Benchmarks
import Foundation

/// `octoplane bench render [--json] [--frames 7] [--size 512] [--threads N]`: ms per frame and
/// millions of triangles per second of the CPU rasterizer (build with -c release).
struct BenchRenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Renderer benchmark: ms per 512² frame and M triangles/s on 82k, 328k and 1M-face meshes.")

    @Flag(help: "Print JSON instead of a table.")
    var json = false
    @Option(help: "Timed frames per case (the median is reported).")
    var frames = 7
    @Option(help: "Image size in pixels (square).")
    var size = 512
    @Option(help: "Worker threads (default: OCTOPLANE_THREADS or all cores).")
    var threads: Int?

    func validate() throws {
        if frames < 1 { throw ValidationError("--frames must be ≥ 1") }
        if size < 16 || size > 4096 { throw ValidationError("--size must be 16…4096") }
        if let t = threads, t < 1 { throw ValidationError("--threads must be ≥ 1") }
    }

    func run() throws {
        var job = BenchRenderJob()
        job.frames = frames; job.size = size; job.threads = threads
        try job.run().emit(json: json)
    }
}
