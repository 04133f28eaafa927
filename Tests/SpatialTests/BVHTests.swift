import Foundation
import Testing
import Geometry
import Support
@testable import Spatial

// MARK: Oracles (naive references for the optimized traversals)

/// Brute force over every face: the smallest squared distance.
func bruteClosest(_ mesh: TriangleMesh, _ p: Vec3) -> Float {
    var best = Float.infinity
    for f in 0..<mesh.faceCount {
        let (a, b, c) = mesh.corners(f)
        best = min(best, lengthSquared(p - TrianglePrimitives.closestPoint(p, a, b, c).point))
    }
    return best
}
/// Exact winding number: the sum of every face's solid angle, in Double.
func bruteWinding(_ mesh: TriangleMesh, _ q: Vec3) -> Double {
    var s = 0.0
    for f in 0..<mesh.faceCount {
        let (a, b, c) = mesh.corners(f)
        let x = (a - q).double, y = (b - q).double, z = (c - q).double
        let lx = length(x), ly = length(y), lz = length(z)
        let num = dot(x, cross(y, z))
        let den = lx * ly * lz + dot(x, y) * lz + dot(y, z) * lx + dot(z, x) * ly
        s += 2 * atan2(num, den)
    }
    return s / (4 * .pi)
}

/// A random triangle soup in [-1, 1]³ (long and short, overlapping, some degenerate).
func randomSoup(_ n: Int, seed: UInt64) -> TriangleMesh {
    var rng = SeededRandom(seed: seed)
    var m = TriangleMesh()
    for i in 0..<n {
        let a = Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))
        let s = rng.uniform(0.02, 0.5)
        let b = a + s * Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))
        var c = a + s * Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))
        if i % 17 == 0 { c = a + 0.5 * (b - a) }   // collinear
        if i % 23 == 0 { c = a }                   // repeated corner
        let o = UInt32(m.positions.count)
        m.positions += [a, b, c]
        m.triangles.append(SIMD3(o, o + 1, o + 2))
    }
    return m
}

func randomPoints(_ n: Int, seed: UInt64, half: Float = 1.5) -> [Vec3] {
    var rng = SeededRandom(seed: seed)
    return (0..<n).map { _ in Vec3(rng.uniform(-half, half), rng.uniform(-half, half), rng.uniform(-half, half)) }
}

/// A unit sphere with bumps: closed, outward, not convex.
func bumpySphere(subdivisions: Int = 3, seed: UInt64 = 1) -> TriangleMesh {
    var m = TriangleMesh.icosphere(subdivisions: subdivisions, radius: 1)
    m.positions = m.positions.map { p in p * (1 + 0.15 * sin(5 * p.x) * cos(4 * p.y + Float(seed))) }
    return m
}

@Suite("BVH queries")
struct BVHQueryTests {
    @Test("closest point equals brute force on random soups and meshes (4 seeds, 1e-6)", arguments: [1, 2, 3, 4] as [UInt64])
    func closestMatchesBruteForce(seed: UInt64) {
        for mesh in [randomSoup(300, seed: seed), bumpySphere(subdivisions: 2, seed: seed)] {
            let bvh = TriangleBVH(mesh: mesh)
            let pts = randomPoints(1500, seed: seed &+ 100)
            let got = bvh.closestPoints(to: pts)
            for (i, p) in pts.enumerated() {
                let ref = bruteClosest(mesh, p).squareRoot()
                #expect(abs(got[i].distance - ref) <= 1e-6, "point \(p)")
                // The reported face and barycentrics reproduce the reported point.
                let (a, b, c) = mesh.corners(got[i].face)
                let w = got[i].barycentric
                #expect(length(a * w.x + b * w.y + c * w.z - got[i].point) < 1e-5)
                #expect(abs(length(p - got[i].point) - got[i].distance) < 1e-5)
            }
        }
    }

    @Test("the triangle kernel is never beaten by a dense barycentric grid, degenerate triangles included")
    func triangleKernelOracle() {
        var rng = SeededRandom(seed: 9)
        for i in 0..<300 {
            let a = Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))
            let b = i % 5 == 0 ? a : Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))
            let c = i % 7 == 0 ? (a + b) * 0.5 : Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))
            let p = Vec3(rng.uniform(-2, 2), rng.uniform(-2, 2), rng.uniform(-2, 2))
            let (q, w) = TrianglePrimitives.closestPoint(p, a, b, c)
            #expect(w.min() >= -1e-5 && abs(w.sum() - 1) < 1e-5)
            #expect(length(a * w.x + b * w.y + c * w.z - q) < 1e-4)
            let d = length(p - q)
            let n = 60
            var grid = Float.infinity
            for u in 0...n { for v in 0...(n - u) {
                let s = Float(u) / Float(n), t = Float(v) / Float(n)
                grid = min(grid, length(p - (a * (1 - s - t) + b * s + c * t)))
            } }
            #expect(d <= grid + 1e-5)
            #expect(d >= grid - 0.05) // the grid spacing bounds how far above the optimum it can be
        }
    }

    @Test("first ray hit and crossing counts equal brute force over all faces")
    func raysMatchBruteForce() {
        let mesh = randomSoup(400, seed: 5)
        let bvh = TriangleBVH(mesh: mesh)
        var rng = SeededRandom(seed: 6)
        for _ in 0..<400 {
            let o = Vec3(rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5), rng.uniform(-1.5, 1.5))
            let d = normalize(Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)))
            var bestT = Float.infinity, count = 0
            for f in 0..<mesh.faceCount {
                let (a, b, c) = mesh.corners(f)
                if let h = TrianglePrimitives.intersect(origin: o, direction: d, a, b, c), h.t > 0 { bestT = min(bestT, h.t); count += 1 }
            }
            let hit = bvh.firstHit(origin: o, direction: d)
            #expect(hit?.t ?? .infinity == bestT)
            if let hit {
                let (a, b, c) = mesh.corners(hit.face)
                let w = hit.barycentric
                #expect(length(a * w.x + b * w.y + c * w.z - (o + hit.t * d)) < 1e-4)
            }
            #expect(bvh.crossingCount(origin: o, direction: d) == count)
        }
        // Axis-aligned rays (zero direction components) work too.
        let box = TriangleBVH(mesh: .box(size: [1, 1, 1]))
        #expect(box.crossingCount(origin: [0.1, 0.2, 0], direction: [0, 0, 1]) == 1)
        #expect(abs((box.firstHit(origin: [0.1, 0.2, -3], direction: [0, 0, 1])?.t ?? 0) - 2.5) < 1e-6)
    }

    @Test("the generic nearest search finds the nearest of a point set")
    func genericNearest() {
        let pts = randomPoints(500, seed: 11)
        let bvh = BVH(boxes: pts.map { AABB(min: $0, max: $0) }, maxLeafSize: 2)
        for q in randomPoints(200, seed: 12) {
            let (i, d2) = bvh.nearest(to: q) { k, _ in lengthSquared(pts[k] - q) }
            let ref = pts.indices.min { lengthSquared(pts[$0] - q) < lengthSquared(pts[$1] - q) }!
            #expect(d2 == lengthSquared(pts[ref] - q))
            #expect(lengthSquared(pts[i] - q) == d2)
        }
    }

    @Test("bad input: empty mesh, NaN queries, a single triangle, all-degenerate faces, NaN vertices")
    func badInput() {
        let empty = TriangleBVH(mesh: TriangleMesh())
        #expect(empty.closestPoint(to: .zero).distance == .infinity)
        #expect(empty.windingNumber(at: .zero) == 0)
        #expect(empty.firstHit(origin: .zero, direction: [1, 0, 0]) == nil)
        let tri = TriangleMesh(positions: [[0, 0, 0], [1, 0, 0], [0, 1, 0]], triangles: [[0, 1, 2]])
        let one = TriangleBVH(mesh: tri)
        #expect(one.closestPoint(to: [0.2, 0.2, 3]).distance == 3)
        #expect(one.closestPoint(to: Vec3(.nan, 0, 0)).distance.isNaN)
        #expect(one.windingNumber(at: Vec3(0, .nan, 0)).isNaN)
        #expect(!one.isInsideByParity(Vec3(0, 0, .nan)))
        #expect(one.closestPoint(to: Vec3(1e30, -1e30, 1e30)).distance.isFinite)
        let w = one.windingNumber(at: [0.2, 0.2, -1e-3])
        #expect(w > 0.4 && w < 0.5) // almost half the sphere of directions, seen from the back side
        let flat = TriangleMesh(positions: [[0, 0, 0], [1, 0, 0], [2, 0, 0], [0, 0, 0]], triangles: [[0, 1, 2], [0, 3, 3], [1, 1, 1]])
        let z = TriangleBVH(mesh: flat)
        #expect(abs(z.closestPoint(to: [1, 1, 0]).distance - 1) < 1e-6)
        #expect(z.windingNumber(at: [1, 1, 0]) == 0)
        #expect(z.crossingCount(origin: [1, -1, 0], direction: [0, 1, 0]) == 0)
        var nanMesh = tri
        nanMesh.positions.append(Vec3(.nan, 0, 0))
        nanMesh.triangles.append([0, 1, 3])
        let nb = TriangleBVH(mesh: nanMesh)
        #expect(nb.closestPoint(to: [0.2, 0.2, 1]).face == 0)
        #expect(nb.closestPoints(to: [Vec3(.nan, .nan, .nan), [0, 0, 2]]).map(\.distance).last == 2)
    }
}

@Suite("Fast winding number")
struct WindingNumberTests {
    @Test("the SIMD atan2 is within 3e-7 rad of Foundation's on every octant, 0/0 and infinities")
    func simdAtan2() {
        var rng = SeededRandom(seed: 40)
        var worst: Float = 0
        for _ in 0..<20_000 {
            let y = SIMD4<Float>(rng.uniform(-3, 3), rng.uniform(-1e-3, 1e-3), rng.uniform(-1e4, 1e4), 0)
            let x = SIMD4<Float>(rng.uniform(-3, 3), rng.uniform(-1e4, 1e4), rng.uniform(-1e-3, 1e-3), rng.uniform(-1, 1))
            let got = TrianglePrimitives.atan2(y, x)
            for k in 0..<4 { worst = max(worst, abs(got[k] - Float(Foundation.atan2(Double(y[k]), Double(x[k]))))) }
        }
        #expect(worst < 3e-7, "worst \(worst)")
        #expect(TrianglePrimitives.atan2(.zero, .zero) == .zero)
        #expect(TrianglePrimitives.atan2(SIMD4(repeating: 1), SIMD4(repeating: 0)) == SIMD4(repeating: Float.pi / 2))
    }

    @Test("the SIMD leaf sum equals the scalar solid angles, padding lanes contributing nothing")
    func simdLeafSum() {
        let soup = randomSoup(40, seed: 41)
        var corners = [Vec3]()
        for f in 0..<soup.faceCount { let (a, b, c) = soup.corners(f); corners += [a, b, c] }
        for q in randomPoints(200, seed: 42) {
            for (s0, n) in [(0, 1), (3, 3), (7, 4), (11, 9)] {
                var ref: Float = 0
                for s in s0..<(s0 + n) { ref += TrianglePrimitives.solidAngle(q, corners[3 * s], corners[3 * s + 1], corners[3 * s + 2]) }
                let got = corners.withUnsafeBufferPointer { TrianglePrimitives.solidAngleSum(q, $0.baseAddress!, s0, n) }
                #expect(abs(got - ref) < 1e-5 * Float(n))
            }
        }
    }

    @Test("equals the exact solid-angle sum within 1e-3 away from the surface (β = 10), within 0.1 at the default β = 2")
    func matchesExactSum() {
        for mesh in [bumpySphere(subdivisions: 3), randomSoup(500, seed: 3), TriangleMesh.torus(major: 0.7, minor: 0.25)] {
            let bvh = TriangleBVH(mesh: mesh)
            let pts = randomPoints(800, seed: 21).filter { bvh.closestPoint(to: $0).distance > 0.02 }
            let exact = pts.map { bruteWinding(mesh, $0) }
            // The order-2 expansion's error falls like β⁻³; β = 10 is the accuracy setting.
            let accurate = bvh.windingNumbers(at: pts, beta: 10)
            let worstAccurate = zip(accurate, exact).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(worstAccurate < 1e-3, "worst error at β = 10: \(worstAccurate)")
            // The default (Barill et al.'s and libigl's β = 2) trades accuracy for speed, but stays
            // far from the ½ threshold that decides occupancy.
            let fast = bvh.windingNumbers(at: pts)
            let errors = zip(fast, exact).map { abs(Double($0) - $1) }
            #expect(errors.max() ?? 0 < 0.1)
            #expect(errors.reduce(0, +) / Double(max(1, errors.count)) < 0.01)
            // The exact single-point path agrees with the batched one.
            #expect(pts.prefix(50).enumerated().allSatisfy { bvh.windingNumber(at: $1, beta: 10) == accurate[$0] })
        }
    }

    @Test("≈1 inside and ≈0 outside a closed mesh")
    func insideOutside() {
        let bvh = TriangleBVH(mesh: .icosphere(subdivisions: 3, radius: 1))
        for p in randomPoints(2000, seed: 4, half: 2) {
            let r = length(p)
            guard abs(r - 1) > 0.05 else { continue }
            let w = bvh.windingNumber(at: p, beta: 10)
            #expect(abs(w - (r < 1 ? 1 : 0)) < 1e-3, "r = \(r), w = \(w)")
            #expect(abs(bvh.windingNumber(at: p) - (r < 1 ? 1 : 0)) < 0.1)
        }
    }

    @Test("a small hole punched in a closed mesh keeps the labels of points far from it")
    func holePunched() {
        var m = TriangleMesh.icosphere(subdivisions: 3, radius: 1)
        // Remove the faces around the +z pole (about 1% of the area).
        m.triangles.removeAll { t in (m.positions[Int(t.x)] + m.positions[Int(t.y)] + m.positions[Int(t.z)]).z / 3 > 0.97 }
        #expect(MeshTopology(m).boundaryEdges > 0)
        let bvh = TriangleBVH(mesh: m)
        for p in randomPoints(3000, seed: 5, half: 2) {
            let r = length(p)
            guard r < 0.8 || r > 1.2, length(p - [0, 0, 1]) > 0.5 else { continue }
            #expect((bvh.windingNumber(at: p) > 0.5) == (r < 1), "p = \(p)")
        }
    }

    @Test("two interpenetrating closed parts: inside either counts as inside")
    func interpenetrating() {
        let m = TriangleMesh.merged([.icosphere(subdivisions: 3, radius: 0.6, center: [-0.3, 0, 0]),
                                     .box(size: [1, 0.8, 0.8], center: [0.4, 0, 0])])
        let bvh = TriangleBVH(mesh: m)
        for p in randomPoints(3000, seed: 6, half: 1.2) {
            let inSphere = length(p - [-0.3, 0, 0]) < 0.6
            let inBox = abs(p.x - 0.4) < 0.5 && abs(p.y) < 0.4 && abs(p.z) < 0.4
            guard bvh.closestPoint(to: p).distance > 0.01 else { continue }
            #expect((bvh.windingNumber(at: p) > 0.5) == (inSphere || inBox), "p = \(p)")
        }
    }

    @Test("winding occupancy agrees with ray parity on watertight meshes (≥ 99.9%)")
    func agreesWithParity() {
        for mesh in [bumpySphere(subdivisions: 4), TriangleMesh.torus(major: 0.6, minor: 0.3), TriangleMesh.box(size: [1.5, 0.5, 1])] {
            #expect(MeshTopology(mesh).isWatertight)
            let bvh = TriangleBVH(mesh: mesh)
            let pts = randomPoints(20_000, seed: 7, half: 1.3)
            let w = bvh.windingNumbers(at: pts)
            let par = bvh.insideByParity(pts, rays: 3)
            let agree = zip(w, par).filter { ($0 > 0.5) == $1 }.count
            #expect(Double(agree) / Double(pts.count) >= 0.999, "\(agree) / \(pts.count)")
        }
    }
}
