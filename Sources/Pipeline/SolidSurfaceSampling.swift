import Geometry
import Metrics
import Spatial

/// `count` area-weighted surface points of `mesh` (`OrientedPointCloud(sampling:)`), with
/// `solidOnly` only those on the boundary of the solid the mesh encloses: faces that lie inside
/// another part (a wheel's hidden half inside a car's body, a chair leg's top inside the seat —
/// meshes assembled from overlapping closed parts, as ShapeNet's and the procedural collection's
/// are) are not part of that boundary, and no generator of solids (occupancy, octrees, marching
/// cubes) can produce them; sampling them makes real shapes trivially told apart from any
/// generated one. The same reason ONet evaluates on watertight remeshes.
///
/// A sample p with face normal n is kept when w(p + εn) < ½ or w(p − εn) < ½, w the generalized
/// winding number of the whole mesh (`TriangleBVH.windingNumber`, Barill et al. 2018) and ε = 10⁻³
/// of the mesh's longest side: one side of a boundary face is outside everything, both sides of a
/// hidden face are inside another part (orientation-agnostic). Samples are drawn in rounds of
/// 2·count, 4·count, … (at most 32·count, seeded as `OrientedPointCloud(sampling:)`) until `count`
/// are kept; a mesh where fewer survive (an open soup whose "inside" is ill-defined) gives its
/// plain samples. Throws as `OrientedPointCloud(sampling:)` for empty or non-finite meshes.
func surfaceCloud(_ mesh: TriangleMesh, count: Int, seed: UInt64, role: String, solidOnly: Bool) throws -> [Vec3] {
    func plain(_ n: Int) throws -> OrientedPointCloud { try OrientedPointCloud(sampling: mesh, count: n, seed: seed, role: role) }
    guard solidOnly else { return try plain(count).points }
    let bvh = TriangleBVH(mesh: mesh)
    let b = mesh.bounds
    let eps = 1e-3 * max(b.max.x - b.min.x, b.max.y - b.min.y, b.max.z - b.min.z)
    var factor = 2
    while factor <= 32 {
        let s = try plain(factor * count)
        let normals = s.normals ?? []
        let outer = bvh.windingNumbers(at: zip(s.points, normals).map { $0 + eps * $1 })
        // The other side only where this one is inside something.
        let undecided = s.points.indices.filter { outer[$0] >= 0.5 }
        let inner = bvh.windingNumbers(at: undecided.map { s.points[$0] - eps * normals[$0] })
        var keep = outer.map { $0 < 0.5 }
        for (j, i) in undecided.enumerated() where inner[j] < 0.5 { keep[i] = true }
        let kept = s.points.indices.filter { keep[$0] }
        if kept.count >= count { return kept.prefix(count).map { s.points[$0] } }
        factor *= 2
    }
    return try plain(count).points
}
