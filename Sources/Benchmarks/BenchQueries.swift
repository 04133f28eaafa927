import Foundation
import Geometry
import MeshIO
import Sampling
import Spatial
import Support

/// One mesh's figures from `octoplane bench queries` (points per second, median of `repeats`).
public struct QueryBenchRow: Codable, Sendable {
    public var mesh: String
    /// The source file.
    public var path: String
    /// The triangles actually queried (after loading), written as binary PLY for the peers, or
    /// "" when no export folder was given.
    public var exported: String
    public var faces: Int
    public var points: Int
    public var threads: Int
    /// BVH + winding-node build time (s).
    public var buildSeconds: Double
    /// Seconds to build one direction's parity grid (not in the parity rates, like the BVH).
    public var parityGridSeconds: Double
    /// Occupancy by the fast winding number (β = 2), points/s.
    public var windingPointsPerSecond: Double
    /// Occupancy by ray parity, one ray (Open3D's default), points/s.
    public var parity1PointsPerSecond: Double
    /// Occupancy by ray parity, majority of 3 rays, points/s.
    public var parity3PointsPerSecond: Double
    /// Unsigned distance + gradient, points/s.
    public var udfPointsPerSecond: Double
    /// Inside share by the winding number, and the share of points where 3-ray parity disagrees.
    public var insideFraction: Double
    public var parityDisagreement: Double
}

/// The query box of the benchmark: the mesh's bounding box padded by 5% of its longest side on
/// every side (the Python peers script uses the same box).
func queryBenchBox(_ mesh: TriangleMesh) -> AABB {
    let b = mesh.bounds
    return b.padded(by: 0.05 * b.longestSide)
}

/// The default benchmark meshes: the 121k-face CAD engine and Wuson from assimp-testmodels, and
/// an 82k-face icosphere (written as PLY into `meshDirectory` so that peers read the same one).
func defaultQueryBenchMeshes(meshDirectory: String) throws -> [String] {
    let assimp = "/usr/share/assimp/models"
    var out = [assimp + "/glTF2/2CylinderEngine-glTF-Binary/2CylinderEngine.glb", assimp + "/PLY/Wuson.ply"]
    try FileManager.default.createDirectory(atPath: meshDirectory, withIntermediateDirectories: true)
    let ico = meshDirectory + "/icosphere-82k.ply"
    try MeshWriter.write(TriangleMesh.icosphere(subdivisions: 6, radius: 1), to: ico)
    out.append(ico)
    return out
}

/// Times occupancy (winding number, 1- and 3-ray parity) and UDF queries on `points` uniform
/// points in `queryBenchBox` of each mesh (seeded), each the median of `repeats` runs.
/// With `exportDirectory`, each loaded mesh is also written there as `<name>.ply` so that peers
/// query exactly the same triangles.
func benchQueries(meshPaths: [String], points: Int, repeats: Int, exportDirectory: String? = nil,
                         progress: ((String) -> Void)? = nil) throws -> [QueryBenchRow] {
    precondition(points > 0 && repeats > 0)
    var rows = [QueryBenchRow]()
    for path in meshPaths {
        let mesh = try MeshLoader.load(path: path).mesh
        let name = URL(fileURLWithPath: path).lastPathComponent
        progress?("\(name): \(mesh.faceCount) faces")
        var exported = ""
        if let dir = exportDirectory {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            exported = dir + "/" + URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent + ".ply"
            try MeshWriter.write(mesh, to: exported)
        }
        let q = PointSampler.uniform(in: queryBenchBox(mesh), count: points, seed: 42)
        func median(_ body: () -> Void) -> Double {
            var t = [Double]()
            for _ in 0..<repeats { let s = Date(); body(); t.append(Date().timeIntervalSince(s)) }
            return t.sorted()[t.count / 2]
        }
        var bvh: TriangleBVH!
        let build = median { bvh = TriangleBVH(mesh: mesh) }
        var wn = [Bool](), par3 = [Bool]()
        let tW = median { wn = bvh.occupancy(q, test: .windingNumber()) }
        let tGrid = median { _ = bvh.makeParityGrid(0) }
        bvh.prepareParity(rays: 3)
        let t1 = median { _ = bvh.occupancy(q, test: .rayParity(rays: 1)) }
        let t3 = median { par3 = bvh.occupancy(q, test: .rayParity(rays: 3)) }
        let tU = median { _ = bvh.unsignedDistances(to: q, gradients: true) }
        let inside = Double(wn.lazy.filter { $0 }.count) / Double(points)
        let disagree = Double(zip(wn, par3).lazy.filter { $0 != $1 }.count) / Double(points)
        let n = Double(points)
        rows.append(QueryBenchRow(mesh: name, path: path, exported: exported, faces: mesh.faceCount, points: points, threads: Parallelism.threadCount,
                                  buildSeconds: build, parityGridSeconds: tGrid, windingPointsPerSecond: n / tW, parity1PointsPerSecond: n / t1,
                                  parity3PointsPerSecond: n / t3, udfPointsPerSecond: n / tU,
                                  insideFraction: inside, parityDisagreement: disagree))
    }
    return rows
}
