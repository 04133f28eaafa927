import Geometry

/// The occupied leaf cells of an octree as a box mesh, for pictures: every leaf (surface cell of
/// any depth) becomes a cube, and a cube face is kept unless the cell across it is a leaf at least
/// as large (which then covers the whole face).
///
/// - `mesh`: 4 unshared vertices and 2 triangles per kept face, counter-clockwise seen from
///   outside the cube (outward normals), in the octree frame unless `inSourceFrame` (then mapped
///   by `frame.inverse`).
/// - `faceDepths[f]`: the depth of the leaf triangle f belongs to (F entries), so faces can be
///   coloured by depth (`OctreeVoxelMesh.color(depth:)`).
/// - The empty tree gives the empty mesh.
public struct OctreeVoxelMesh: Sendable {
    public var mesh: TriangleMesh
    public var faceDepths: [UInt8]

    public init(_ tree: Octree, inSourceFrame: Bool = false) {
        var positions = [Vec3](), triangles = [SIMD3<UInt32>](), depths = [UInt8]()
        // Face d·2 + s: axis d, side s (0 = −, 1 = +); corners listed counter-clockwise from outside.
        let probeStep = Octree.cellSize(depth: tree.depth) / 2
        for d in 0...tree.depth {
            let h = Octree.cellSize(depth: d)
            for (i, kind) in tree.levels[d].kinds.enumerated() where kind == .leaf {
                let box = Octree.cellBounds(key: tree.levels[d].keys[i], depth: d)
                let c = (box.min + box.max) / 2
                for axis in 0..<3 {
                    for side in [-1, 1] as [Float] {
                        var probe = c
                        probe[axis] += side * (h / 2 + probeStep)
                        if let (nd, ni) = tree.locate(probe), tree.levels[nd].kinds[ni] == .leaf, nd <= d { continue }
                        let u = (axis + 1) % 3, v = (axis + 2) % 3
                        var q = [Vec3](repeating: c, count: 4)
                        for (j, (su, sv)) in [(-1, -1), (1, -1), (1, 1), (-1, 1)].enumerated() {
                            q[j][axis] += side * h / 2
                            q[j][u] += Float(su) * h / 2
                            q[j][v] += Float(sv) * h / 2
                        }
                        // (u, v, axis) is right-handed, so this order faces +axis; flip for −axis.
                        if side < 0 { q.reverse() }
                        let base = UInt32(positions.count)
                        positions += q
                        triangles.append(SIMD3(base, base + 1, base + 2))
                        triangles.append(SIMD3(base, base + 2, base + 3))
                        depths += [UInt8(d), UInt8(d)]
                    }
                }
            }
        }
        var m = TriangleMesh(positions: positions, triangles: triangles)
        if inSourceFrame { m = m.transformed(by: tree.frame.inverse) }
        mesh = m
        faceDepths = depths
    }

    /// A colour per depth 0…10 (linear RGB in [0, 1]): a perceptually ordered ramp from deep
    /// blue (coarse) through teal and green to yellow (depth 10), sampled from viridis.
    public static func color(depth: Int) -> SIMD3<Float> {
        let ramp: [SIMD3<Float>] = [
            [0.267, 0.005, 0.329], [0.283, 0.141, 0.458], [0.254, 0.265, 0.530], [0.207, 0.372, 0.553],
            [0.164, 0.471, 0.558], [0.128, 0.567, 0.551], [0.135, 0.659, 0.518], [0.267, 0.749, 0.441],
            [0.478, 0.821, 0.318], [0.741, 0.873, 0.150], [0.993, 0.906, 0.144],
        ]
        return ramp[min(max(depth, 0), ramp.count - 1)]
    }
    /// `color(depth:)` for every face.
    public var faceColors: [SIMD3<Float>] { faceDepths.map { OctreeVoxelMesh.color(depth: Int($0)) } }
}
