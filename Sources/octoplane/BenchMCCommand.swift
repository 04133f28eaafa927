import ArgumentParser
import Benchmarks

/// `octoplane bench mc [GRID.npy…] [--json] [--runs N] [--save-grids DIR] [--no-dual]`.
struct BenchMCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mc",
        abstract: "Marching cubes (union of 20 spheres at 128³/256³, or given SDF grids), sparse 257³ and DualMesh-UDF timings.")

    @Argument(help: "SDF grids (.npy, over [-1, 1]³, inside = lower, level 0); default: the built-in union of spheres.")
    var grids: [String] = []
    @Option(help: "Timed runs per grid (the median is reported).")
    var runs = 5
    @Option(help: "Write the built-in grids as float32 .npy into this folder (for Scripts/bench-mc.py).")
    var saveGrids: String?
    @Flag(help: "Skip the DualMesh-UDF timings.")
    var noDual = false
    @Flag(help: "Skip the sparse extraction row.")
    var noSparse = false
    @Flag(help: "Print JSON.")
    var json = false

    func validate() throws {
        if runs < 1 { throw ValidationError("--runs must be ≥ 1") }
    }

    func run() throws {
        var job = BenchMCJob()
        job.grids = grids; job.saveGridsTo = saveGrids; job.runs = runs; job.dual = !noDual; job.sparse = !noSparse
        try job.run().emit(json: json)
    }
}
