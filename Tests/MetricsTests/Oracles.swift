import Foundation
import Geometry
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

/// Generalized winding number of a closed mesh at q by summing signed solid angles
/// (Van Oosterom & Strackee, IEEE TBME 1983; Jacobson et al., SIGGRAPH 2013): ≈1 inside, ≈0 outside.
func bruteWindingNumber(_ m: TriangleMesh, _ q: Vec3) -> Double {
    var w = 0.0
    for f in 0..<m.faceCount {
        let (a0, b0, c0) = m.corners(f)
        let a = (a0 - q).double, b = (b0 - q).double, c = (c0 - q).double
        let la = length(a), lb = length(b), lc = length(c)
        let num = dot(a, cross(b, c))
        let den = la * lb * lc + dot(a, b) * lc + dot(b, c) * la + dot(c, a) * lb
        w += 2 * atan2(num, den)
    }
    return w / (4 * Double.pi)
}

func bruteOccupancy(_ m: TriangleMesh, _ pts: [Vec3]) -> [Bool] {
    parallelMap(pts.count, minChunk: 256, repeating: false) { bruteWindingNumber(m, pts[$0]) > 0.5 }
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
