import Geometry
import Support
@testable import Octrees

/// Shared test shapes and independent (naive) oracles.
enum Fixtures {
    /// `n` uniform random points in [-1, 1]³.
    static func randomPoints(_ n: Int, seed: UInt64) -> [Vec3] {
        var rng = SeededRandom(seed: seed)
        return (0..<n).map { _ in Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)) }
    }
    /// Random points clustered around a few centres (a sparse, uneven tree).
    static func clusteredPoints(_ n: Int, seed: UInt64) -> [Vec3] {
        var rng = SeededRandom(seed: seed)
        let centres = (0..<4).map { _ in Vec3(rng.uniform(-0.8, 0.8), rng.uniform(-0.8, 0.8), rng.uniform(-0.8, 0.8)) }
        return (0..<n).map { i in
            let c = centres[i % centres.count]
            return (c + 0.1 * Vec3(rng.normal(), rng.normal(), rng.normal())).clamped(lowerBound: Vec3(repeating: -1), upperBound: Vec3(repeating: 1))
        }
    }
    /// The bundled analytic shapes, each fitted into [-0.8, 0.8]³.
    static let shapes: [(name: String, mesh: TriangleMesh)] = [
        ("icosphere", TriangleMesh.icosphere(subdivisions: 4, radius: 0.7)),
        ("torus", TriangleMesh.torus(major: 0.55, minor: 0.2)),
        ("box", TriangleMesh.box(size: Vec3(1.2, 0.8, 1.0))),
        ("cylinder", TriangleMesh.cylinder(radius: 0.4, height: 1.4)),
    ]
    /// Surface samples of a bundled shape.
    static func surfacePoints(_ mesh: TriangleMesh, count: Int = 20_000, seed: UInt64 = 7) -> SurfaceSample {
        mesh.sampleSurface(count: count, seed: seed)
    }

    /// Occupied cells of every depth by plain integer arithmetic (no Morton keys): `[d]` is the set
    /// of coordinates at depth d of the cells holding a point.
    static func occupiedCells(_ points: [Vec3], depth: Int) -> [Set<SIMD3<UInt32>>] {
        let n = Float(1 << depth)
        var finest = Set<SIMD3<UInt32>>()
        for p in points {
            var c = SIMD3<UInt32>(0, 0, 0)
            for a in 0..<3 { c[a] = UInt32(min(max(((p[a] + 1) / 2 * n).rounded(.down), 0), n - 1)) }
            finest.insert(c)
        }
        var sets = [Set<SIMD3<UInt32>>](repeating: [], count: depth + 1)
        for d in 0...depth { sets[d] = Set(finest.map { $0 &>> UInt32(depth - d) }) }
        return sets
    }

    /// Expected token counts of the O-CNN point octree, from `occupiedCells`.
    static func expectedCounts(_ points: [Vec3], depth: Int, fullDepth: Int) -> (split: Int, childMask: Int, leaves: Int) {
        let occ = occupiedCells(points, depth: depth)
        precondition(!points.isEmpty)
        func splits(_ d: Int) -> Int { d < fullDepth ? 1 << (3 * d) : occ[d].count }
        let s = max(fullDepth, 1)
        var split = 1 << (3 * s)
        for d in (s + 1)..<(depth + 1) { split += 8 * splits(d - 1) }
        let childMask = (0..<depth).reduce(0) { $0 + occ[$1].count }
        return (split, childMask, occ[depth].count)
    }

    /// Distance from `p` to the sphere of radius r at the origin.
    static func sphereDistance(_ p: Vec3, r: Float) -> Float { abs(length(p) - r) }
    /// Distance from `p` to the analytic ring torus about +Y (as `TriangleMesh.torus` builds it).
    static func torusDistance(_ p: Vec3, major: Float, minor: Float) -> Float {
        let q = SIMD2<Float>(SIMD2<Float>(p.x, p.z).length - major, p.y)
        return abs(q.length - minor)
    }
}

extension SIMD2 where Scalar == Float {
    var length: Float { (x * x + y * y).squareRoot() }
}
