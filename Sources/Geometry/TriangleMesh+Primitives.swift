import Foundation

/// Procedural meshes for tests and benchmarks. All are outward-oriented (counter-clockwise seen
/// from outside), closed (except `grid`), and carry exact analytic unit vertex normals.
extension TriangleMesh {
    /// A geodesic sphere: the icosahedron with each face split into 4 `subdivisions` times, the new
    /// vertices pushed onto the sphere. F = 20·4^s faces, V = 10·4^s + 2 vertices
    /// (s = 5: 20,480 faces; s = 6: 81,920 faces). χ = 2, watertight.
    public static func icosphere(subdivisions: Int, radius: Float = 1, center: Vec3 = .zero) -> TriangleMesh {
        precondition(subdivisions >= 0 && subdivisions <= 9, "icosphere subdivisions must be in 0…9")
        let t = Float((1 + 5.0.squareRoot()) / 2)
        var p: [Vec3] = [
            [-1, t, 0], [1, t, 0], [-1, -t, 0], [1, -t, 0],
            [0, -1, t], [0, 1, t], [0, -1, -t], [0, 1, -t],
            [t, 0, -1], [t, 0, 1], [-t, 0, -1], [-t, 0, 1],
        ].map(normalize)
        var f: [SIMD3<UInt32>] = [
            [0, 11, 5], [0, 5, 1], [0, 1, 7], [0, 7, 10], [0, 10, 11],
            [1, 5, 9], [5, 11, 4], [11, 10, 2], [10, 7, 6], [7, 1, 8],
            [3, 9, 4], [3, 4, 2], [3, 2, 6], [3, 6, 8], [3, 8, 9],
            [4, 9, 5], [2, 4, 11], [6, 2, 10], [8, 6, 7], [9, 8, 1],
        ]
        for _ in 0..<subdivisions {
            var mid: [UInt64: UInt32] = [:]
            mid.reserveCapacity(f.count * 3 / 2)
            func midpoint(_ a: UInt32, _ b: UInt32) -> UInt32 {
                let key = a < b ? UInt64(a) << 32 | UInt64(b) : UInt64(b) << 32 | UInt64(a)
                if let m = mid[key] { return m }
                p.append(normalize(p[Int(a)] + p[Int(b)]))
                let m = UInt32(p.count - 1)
                mid[key] = m
                return m
            }
            var g = [SIMD3<UInt32>]()
            g.reserveCapacity(f.count * 4)
            for tri in f {
                let ab = midpoint(tri.x, tri.y), bc = midpoint(tri.y, tri.z), ca = midpoint(tri.z, tri.x)
                g += [[tri.x, ab, ca], [tri.y, bc, ab], [tri.z, ca, bc], [ab, bc, ca]]
            }
            f = g
        }
        return TriangleMesh(positions: p.map { $0 * radius + center }, triangles: f, normals: p)
    }

    /// The axis-aligned box `[min, max]` as 24 vertices (4 per face, so each face has its own
    /// normals) and 12 triangles.
    public static func box(_ b: AABB) -> TriangleMesh {
        precondition(!b.isEmpty, "box needs a non-empty AABB")
        var pos = [Vec3](), nrm = [Vec3](), tri = [SIMD3<UInt32>]()
        // For each axis and side, the face's outward normal n and two in-face axes u, v with u × v = n.
        for axis in 0..<3 {
            for side in [Float(-1), 1] {
                var n = Vec3.zero; n[axis] = side
                var u = Vec3.zero; u[(axis + 1) % 3] = 1
                var v = Vec3.zero; v[(axis + 2) % 3] = 1
                if side < 0 { swap(&u, &v) }
                let c = b.center + n * (b.extent[axis] / 2)
                let hu = dot(b.extent, u) / 2, hv = dot(b.extent, v) / 2
                let base = UInt32(pos.count)
                for (su, sv) in [(Float(-1), Float(-1)), (1, -1), (1, 1), (-1, 1)] {
                    pos.append(c + u * (su * hu) + v * (sv * hv))
                    nrm.append(n)
                }
                tri += [[base, base + 1, base + 2], [base, base + 2, base + 3]]
            }
        }
        return TriangleMesh(positions: pos, triangles: tri, normals: nrm)
    }

    /// A torus around the +Y axis: major radius `R`, tube radius `r`, `majorSegments × minorSegments`
    /// quads, so F = 2·M·m faces (M = 250, m = 200: exactly 100,000). χ = 0, watertight.
    public static func torus(majorRadius R: Float = 1, minorRadius r: Float = 0.35, majorSegments M: Int, minorSegments m: Int) -> TriangleMesh {
        precondition(M >= 3 && m >= 3, "a torus needs at least 3 segments each way")
        var pos = [Vec3](), nrm = [Vec3](), tri = [SIMD3<UInt32>]()
        pos.reserveCapacity(M * m); nrm.reserveCapacity(M * m); tri.reserveCapacity(2 * M * m)
        for i in 0..<M {
            let u = 2 * Double.pi * Double(i) / Double(M)
            let radial = Vec3(Float(cos(u)), 0, Float(-sin(u)))
            for j in 0..<m {
                let v = 2 * Double.pi * Double(j) / Double(m)
                let n = radial * Float(cos(v)) + Vec3(0, Float(sin(v)), 0)
                pos.append(radial * R + n * r)
                nrm.append(n)
            }
        }
        func idx(_ i: Int, _ j: Int) -> UInt32 { UInt32((i % M) * m + (j % m)) }
        for i in 0..<M {
            for j in 0..<m {
                let a = idx(i, j), b = idx(i + 1, j), c = idx(i + 1, j + 1), d = idx(i, j + 1)
                tri += [[a, b, c], [a, c, d]]
            }
        }
        return TriangleMesh(positions: pos, triangles: tri, normals: nrm)
    }
}
