import ArgumentParser
import Foundation
import Pipeline

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
        let paths = meshes.isEmpty ? try defaultQueryBenchMeshes(meshDirectory: meshDir) : meshes
        let rows = try benchQueries(meshPaths: paths, points: points, repeats: repeats, exportDirectory: meshDir + "/queried") { line in
            FileHandle.standardError.write((line + "\n").data(using: .utf8)!)
        }
        if json {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try e.encode(rows), as: UTF8.self))
            return
        }
        print("mesh | faces | points | BVH build s | parity grid s | winding M/s | parity×1 M/s | parity×3 M/s | UDF M/s | inside | parity≠winding")
        for r in rows {
            print(String(format: "%@ | %d | %d | %.3f | %.3f | %.2f | %.2f | %.2f | %.3f | %.1f%% | %.2f%%", r.mesh, r.faces, r.points, r.buildSeconds, r.parityGridSeconds,
                         r.windingPointsPerSecond / 1e6, r.parity1PointsPerSecond / 1e6, r.parity3PointsPerSecond / 1e6,
                         r.udfPointsPerSecond / 1e6, 100 * r.insideFraction, 100 * r.parityDisagreement))
        }
    }
}
