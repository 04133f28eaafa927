import ArgumentParser
import Benchmarks
import Foundation

/// `octoplane bench queries [MESH…] [--points N] [--repeats R] [--mesh-dir DIR] [--json]`.
struct BenchQueriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queries",
        abstract: "Occupancy (winding number, ray parity) and UDF query throughput on meshes.",
        discussion: "Without meshes: 2CylinderEngine.glb and Wuson.ply from assimp-testmodels and an 82k-face icosphere (written to --mesh-dir). Scripts/bench-queries.py runs this and the Open3D / libigl peers on the same files.")

    @Argument(help: "Mesh files (default: the three benchmark meshes).")
    var meshes: [String] = []
    @Option(help: "Uniform query points per mesh.")
    var points: Int = 1_000_000
    @Option(help: "Runs per figure (the median is reported).")
    var repeats: Int = 3
    @Option(help: "Folder for the generated icosphere and the queried meshes as PLY (for the peers).")
    var meshDir: String = FileManager.default.temporaryDirectory.path + "/octoplane-bench-meshes"
    @Flag(help: "Print JSON (one object per mesh, in an array).")
    var json = false

    func validate() throws {
        if points < 1 { throw ValidationError("--points must be ≥ 1") }
        if repeats < 1 { throw ValidationError("--repeats must be ≥ 1") }
    }

    func run() throws {
        var job = BenchQueriesJob(meshDirectory: meshDir)
        job.meshes = meshes; job.points = points; job.repeats = repeats
        job.progress = { line in FileHandle.standardError.write(Data((line + "\n").utf8)) }
        try job.run().emit(json: json)
    }
}
