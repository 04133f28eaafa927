import Geometry

extension TriangleMesh {
    /// Merges vertices with exactly equal positions (`==`, so −0 and +0 merge; nothing else is
    /// snapped) and renumbers faces; the first occurrence of each position keeps its place in
    /// the order. Normals are dropped (corners that shared a position but not a normal — a
    /// flat-shaded file — have no single normal any more).
    ///
    /// Files such as flat-shaded PLY/OBJ or STL store each face corner as its own vertex, so their
    /// topology (watertightness, components, χ) is only meaningful after welding; `octoplane info`
    /// reports topology on this welded mesh. Faces that become degenerate are kept (see
    /// `cleanedFaces()`).
    public func weldedByPosition() -> (mesh: TriangleMesh, merged: Int) {
        var first: [Vec3: UInt32] = [:]
        first.reserveCapacity(vertexCount)
        var remap = [UInt32](repeating: 0, count: vertexCount)
        var out: [Vec3] = []
        out.reserveCapacity(vertexCount)
        for (i, p) in positions.enumerated() {
            // Map -0 to +0 so that the dictionary's hashing agrees with ==.
            let key = p + Vec3.zero
            if let j = first[key] { remap[i] = j } else {
                let j = UInt32(out.count)
                first[key] = j; remap[i] = j; out.append(p)
            }
        }
        let tris = triangles.map { SIMD3(remap[Int($0.x)], remap[Int($0.y)], remap[Int($0.z)]) }
        return (TriangleMesh(positions: out, triangles: tris, normals: nil), vertexCount - out.count)
    }
}
