import Geometry
import Metrics
import Spatial

/// `count` area-weighted surface points of `mesh` on the boundary of the solid it encloses: faces
/// that lie inside another part (a wheel's hidden half inside a car's body, a chair leg's top inside
/// the seat — meshes assembled from overlapping closed parts, as ShapeNet's and the procedural
/// collection's are) are not part of that boundary, and no generator of solids (occupancy,
/// octrees, marching cubes) can produce them; sampling them makes real shapes trivially told apart
/// from any generated one. The same reason ONet evaluates on watertight remeshes.
///
/// A sample p with face normal n is kept when min(w(p + εn), w(p − εn)) < ½, w the generalized
/// winding number of the whole mesh (`TriangleBVH.windingNumber`, Barill et al. 2018) and ε = 10⁻³
/// of the mesh's longest side: one side of a boundary face is outside everything, both sides of a
/// hidden face are inside another part (orientation-agnostic). Samples are drawn in rounds of
/// 2·count, 4·count, … (at most 32·count, seeded as `OrientedPointCloud(sampling:)`) until `count`
/// are kept; a mesh where fewer survive (an open soup whose "inside" is ill-defined) gives its
/// plain samples. Throws as `OrientedPointCloud(sampling:)` for empty or non-finite meshes.
func solidSurfaceCloud(_ mesh: TriangleMesh, count: Int, seed: UInt64, role: String) throws -> [Vec3] {
    let plain = try OrientedPointCloud(sampling: mesh, count: count, seed: seed, role: role)
    let bvh = TriangleBVH(mesh: mesh)
    let b = mesh.bounds
    let eps = 1e-3 * max(b.max.x - b.min.x, b.max.y - b.min.y, b.max.z - b.min.z)
    var factor = 2
    while factor <= 32 {
        let s = try OrientedPointCloud(sampling: mesh, count: factor * count, seed: seed, role: role)
        let normals = s.normals ?? []
        let outer = bvh.windingNumbers(at: zip(s.points, normals).map { $0 + eps * $1 })
        let inner = bvh.windingNumbers(at: zip(s.points, normals).map { $0 - eps * $1 })
        let kept = s.points.indices.filter { min(outer[$0], inner[$0]) < 0.5 }
        if kept.count >= count { return kept.prefix(count).map { s.points[$0] } }
        factor *= 2
    }
    return plain.points
}
