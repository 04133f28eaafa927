import ArgumentParser
import Benchmarks

/// `octoplane bench chamfer [A.npy B.npy] [--points N] [--repeats R] [--json]`.
struct BenchChamferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chamfer",
        abstract: "Time Chamfer-L1 between two point clouds (k-d tree builds + queries both ways).")

    @Argument(help: "Two (N, 3) .npy clouds; without them, two built-in 100k-point surface samples.")
    var clouds: [String] = []
    @Option(help: "Points per built-in cloud.")
    var points = 100_000
    @Option(help: "Timed repeats (the median is reported).")
    var repeats = 5
    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        if !(clouds.isEmpty || clouds.count == 2) { throw ValidationError("give two .npy clouds or none") }
        if points < 1 || repeats < 1 { throw ValidationError("--points and --repeats must be ≥ 1") }
    }

    func run() throws {
        var job = BenchChamferJob()
        if clouds.count == 2 { job.clouds = (clouds[0], clouds[1]) }
        job.points = points; job.repeats = repeats
        try job.run().emit(json: json)
    }
}
