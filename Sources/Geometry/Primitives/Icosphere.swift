extension TriangleMesh {
    /// A sphere made by subdividing a regular icosahedron `subdivisions` times (each step splits
    /// every triangle into 4 at the edge midpoints, shared between neighbours) and projecting the
    /// vertices onto the sphere.
    ///
    /// - Parameters:
    ///   - subdivisions: 0…7; V = 10·4ⁿ + 2, F = 20·4ⁿ (n = 3: 642 vertices, 1280 faces).
    ///   - radius: > 0. Every vertex lies exactly (to rounding) at `radius` from `center`, so the
    ///     mesh is inscribed: its volume and area are slightly below the sphere's.
    ///   - center: the sphere's centre.
    /// - Returns: a closed, outward-oriented, genus-0 mesh (χ = 2).
    public static func icosphere(subdivisions: Int = 3, radius: Float = 1, center: Vec3 = .zero) -> TriangleMesh {
        precondition((0...7).contains(subdivisions), "icosphere subdivisions must be in 0...7")
        precondition(radius > 0 && radius.isFinite, "icosphere radius must be positive")
        let t: Float = (1 + Float(5).squareRoot()) / 2
        var pos: [Vec3] = [
            [-1, t, 0], [1, t, 0], [-1, -t, 0], [1, -t, 0],
            [0, -1, t], [0, 1, t], [0, -1, -t], [0, 1, -t],
            [t, 0, -1], [t, 0, 1], [-t, 0, -1], [-t, 0, 1],
        ].map(normalize)
        var tri: [SIMD3<UInt32>] = [
            [0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11],
            [1, 5, 9], [5, 11, 4], [11, 10, 2], [10, 7, 6], [7, 1, 8],
            [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8], [3, 8, 9],
            [4, 9, 5], [2, 4, 11], [6, 2, 10], [8, 6, 7], [9, 8, 1],
        ]
        for _ in 0..<subdivisions {
            var mid: [UInt64: UInt32] = [:]
            mid.reserveCapacity(tri.count * 3 / 2)
            func midpoint(_ a: UInt32, _ b: UInt32) -> UInt32 {
                let key = undirectedEdgeKey(a, b)
                if let m = mid[key] { return m }
                let m = UInt32(pos.count)
                pos.append(normalize(pos[Int(a)] + pos[Int(b)]))
                mid[key] = m
                return m
            }
            var next = [SIMD3<UInt32>]()
            next.reserveCapacity(tri.count * 4)
            for f in tri {
                let ab = midpoint(f.x, f.y), bc = midpoint(f.y, f.z), ca = midpoint(f.z, f.x)
                next += [SIMD3(f.x, ab, ca), SIMD3(f.y, bc, ab), SIMD3(f.z, ca, bc), SIMD3(ab, bc, ca)]
            }
            tri = next
        }
        return TriangleMesh(positions: pos.map { $0 * radius + center }, triangles: tri)
    }
}
