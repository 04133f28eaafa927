import Support

/// Area-weighted random points on a mesh surface, with the face normal at each point.
///
/// - Faces are chosen with probability ∝ area (inverse CDF on the prefix sums, binary search), a
///   point inside the face by the square-root barycentric map (Turk, "Generating random points in
///   triangles", Graphics Gems 1990): p = (1−√r1)·a + √r1(1−r2)·b + √r1·r2·c.
/// - Normals are the unit face normals (b − a) × (c − a), so they follow the face orientation.
/// - Deterministic for a given seed. Degenerate faces have zero area and are never chosen.
/// - Edge cases: a mesh with zero total area (or no faces) returns empty arrays.
public struct SurfaceSample: Sendable {
    /// (N,) points on the surface.
    public var points: [Vec3]
    /// (N,) unit normals of the faces the points lie on.
    public var normals: [Vec3]
    /// (N,) index of the face each point lies on.
    public var faces: [Int32]
    public init(points: [Vec3], normals: [Vec3], faces: [Int32]) { self.points = points; self.normals = normals; self.faces = faces }
}

extension TriangleMesh {
    public func sampleSurface(count: Int, seed: UInt64) -> SurfaceSample {
        var cdf = [Double](repeating: 0, count: faceCount)
        var total = 0.0
        for f in 0..<faceCount {
            let a = Double(faceArea(f))
            total += a.isFinite ? a : 0
            cdf[f] = total
        }
        guard count > 0, total > 0 else { return SurfaceSample(points: [], normals: [], faces: []) }
        var rng = SeededRandom(seed: seed)
        var pts = [Vec3](), nrm = [Vec3](), fcs = [Int32]()
        pts.reserveCapacity(count); nrm.reserveCapacity(count); fcs.reserveCapacity(count)
        for _ in 0..<count {
            let u = rng.nextDouble() * total
            var lo = 0, hi = faceCount - 1
            while lo < hi { let mid = (lo + hi) / 2; if cdf[mid] <= u { lo = mid + 1 } else { hi = mid } }
            let (a, b, c) = corners(lo)
            let s = rng.nextFloat().squareRoot(), r2 = rng.nextFloat()
            pts.append(a * (1 - s) + b * (s * (1 - r2)) + c * (s * r2))
            nrm.append(normalize(cross(b - a, c - a)))
            fcs.append(Int32(lo))
        }
        return SurfaceSample(points: pts, normals: nrm, faces: fcs)
    }
}
