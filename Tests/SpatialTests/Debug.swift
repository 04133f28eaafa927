import Testing
import Geometry
import Support
@testable import Spatial
@Test func debugKernel() {
    var rng = SeededRandom(seed: 9)
    for i in 0..<300 {
        let a = Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))
        let b = i % 5 == 0 ? a : Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))
        let c = i % 7 == 0 ? (a + b) * 0.5 : Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))
        let p = Vec3(rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-2, 2))
        let (q, w) = TrianglePrimitives.closestPoint(p, a, b, c)
        let d = length(p - q)
        let da = length(p-a), db = length(p-b), dc = length(p-c)
        if d > min(da, db, dc) + 1e-5 { print("BAD", i, a, b, c, p, q, w, d, da, db, dc) }
    }
}
