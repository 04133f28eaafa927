import Geometry

/// A unit cube [0, 1]³ as 12 outward triangles (the smallest closed mesh with χ = 2), with a fixed
/// vertex and face order that the Geometry and MeshIO tests count on.
public func unitCube() -> TriangleMesh {
    let p: [Vec3] = [
        [0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 1, 0],
        [0, 0, 1], [1, 0, 1], [1, 1, 1], [0, 1, 1],
    ]
    let f: [SIMD3<UInt32>] = [
        [0, 2, 1], [0, 3, 2], [4, 5, 6], [4, 6, 7], [0, 1, 5], [0, 5, 4],
        [2, 3, 7], [2, 7, 6], [1, 2, 6], [1, 6, 5], [0, 4, 7], [0, 7, 3],
    ]
    return TriangleMesh(positions: p, triangles: f)
}
