import Geometry
import Spatial
import Support
@testable import Metrics

// Naive references kept beside the optimized code (micrograd / llm.c style).

/// Brute-force nearest distances (Euclidean) and indices from every point of `a` to `b`.
func bruteNearest(_ a: [Vec3], _ b: [Vec3]) -> (d: [Double], idx: [Int]) {
    var d = [Double](), idx = [Int]()
    for p in a {
        var best = Float.infinity, bi = -1
        for (j, q) in b.enumerated() { let e = lengthSquared(p - q); if e < best { best = e; bi = j } }
        d.append(Double(best.squareRoot())); idx.append(bi)
    }
    return (d, idx)
}

/// Inside/outside of every point by the Sampling side's fast winding number (Barill et al. 2018),
/// itself tested against a brute-force solid-angle sum in SpatialTests.
func meshOccupancy(_ m: TriangleMesh, _ pts: [Vec3]) -> [Bool] {
    TriangleBVH(mesh: m).occupancy(pts)
}

func randomCloud(_ n: Int, seed: UInt64, scale: Float = 0.5) -> [Vec3] {
    var rng = SeededRandom(seed: seed)
    return (0..<n).map { _ in Vec3(rng.uniform(-scale, scale), rng.uniform(-scale, scale), rng.uniform(-scale, scale)) }
}

/// An n × n grid on the plane z = 0 with spacing h.
func planeGrid(_ n: Int, spacing h: Float) -> [Vec3] {
    var out: [Vec3] = []
    for i in 0..<n { for j in 0..<n { out.append(Vec3(Float(i) * h, Float(j) * h, 0)) } }
    return out
}
