import Foundation
import Testing
import Geometry
import Spatial
import Support
@testable import Sampling

@Suite("Point samplers")
struct PointSamplerTests {
    @Test("uniform points stay in the box, fill it evenly, and repeat for the same seed")
    func uniform() {
        let box = AABB(min: [-1, 0, 2], max: [1, 0.5, 3])
        let p = PointSampler.uniform(in: box, count: 20_000, seed: 3)
        #expect(p.count == 20_000 && p.allSatisfy(box.contains))
        #expect(p == PointSampler.uniform(in: box, count: 20_000, seed: 3))
        #expect(p != PointSampler.uniform(in: box, count: 20_000, seed: 4))
        // Each octant of the box gets ≈ 1/8 of the points.
        let c = box.center
        var counts = [Int](repeating: 0, count: 8)
        for q in p { counts[(q.x > c.x ? 1 : 0) + (q.y > c.y ? 2 : 0) + (q.z > c.z ? 4 : 0)] += 1 }
        #expect(counts.allSatisfy { abs(Double($0) / 20_000 - 0.125) < 0.01 })
        #expect(PointSampler.uniform(in: .empty, count: 10, seed: 1).isEmpty)
    }

    @Test("near-surface points lie at Gaussian distances: mean |offset| ≈ σ√(2/π) along the normal of a large plane")
    func nearSurfaceOnPlane() {
        let plane = TriangleMesh(positions: [[-50, -50, 0], [50, -50, 0], [50, 50, 0], [-50, 50, 0]], triangles: [[0, 1, 2], [0, 2, 3]])
        for sigma: Float in [0.01, 0.1] {
            let p = PointSampler.nearSurface(plane, count: 40_000, sigmas: [sigma], seed: 5)
            var sumAbs = 0.0, sumSq = 0.0
            for q in p { sumAbs += Double(abs(q.z)); sumSq += Double(q.z * q.z) }
            let meanAbs = sumAbs / Double(p.count), sd = (sumSq / Double(p.count)).squareRoot()
            #expect(abs(meanAbs / Double(sigma) - (2 / Double.pi).squareRoot()) < 0.02)
            #expect(abs(sd / Double(sigma) - 1) < 0.02)
        }
        // A mixture alternates its σs: even rows σ₀, odd rows σ₁.
        let mix = PointSampler.nearSurface(plane, count: 40_000, sigmas: [0.01, 0.1], seed: 6)
        var even = 0.0, odd = 0.0
        for (i, q) in mix.enumerated() { if i % 2 == 0 { even += Double(q.z * q.z) } else { odd += Double(q.z * q.z) } }
        let sEven = (even / 20_000).squareRoot(), sOdd = (odd / 20_000).squareRoot()
        #expect(abs(sEven / 0.01 - 1) < 0.03)
        #expect(abs(sOdd / 0.1 - 1) < 0.03)
        #expect(mix == PointSampler.nearSurface(plane, count: 40_000, sigmas: [0.01, 0.1], seed: 6))
    }

    @Test("surface points lie on the mesh with its outward unit normals")
    func surface() {
        let sphere = TriangleMesh.icosphere(subdivisions: 3, radius: 1)
        let bvh = TriangleBVH(mesh: sphere)
        let (p, n) = PointSampler.surface(sphere, count: 5000, seed: 7)
        #expect(p.count == 5000 && n.count == 5000)
        let d = bvh.unsignedDistances(to: p, gradients: false).distances
        #expect(d.allSatisfy { $0 < 1e-5 })
        let normalsOK = zip(p, n).allSatisfy { (q: Vec3, m: Vec3) -> Bool in abs(length(m) - 1) < 1e-5 && dot(q, m) > 0.9 }
        #expect(normalsOK)
    }
}

/// A closed, outward sphere of radius r (ONet frame: longest side 2r → 1).
func sphere(_ r: Float = 1, center: Vec3 = .zero) -> TriangleMesh { .icosphere(subdivisions: 4, radius: r, center: center) }

@Suite("Sampling presets")
struct PresetTests {
    @Test("ONet: 100k float16 points in [-0.55, 0.55]³, inside fraction of a sphere ≈ its volume share, labels equal parity")
    func onet() throws {
        let mesh = sphere(3, center: [10, -2, 5])   // not normalized: the recipe must normalize it
        let out = try SampleRecipe.run(mesh, settings: SampleSettings(preset: .onet, count: 20_000, seed: 1))
        guard case let .onet(points, cloud) = out else { Issue.record("wrong output"); return }
        #expect(points.points.count == 20_000 && cloud.points.count == 100_000)
        #expect(points.points.allSatisfy { $0.max() <= 0.55 && $0.min() >= -0.55 })
        #expect(points.points == roundedToFloat16(points.points))
        let locError = length(points.loc - Vec3(10, -2, 5))
        #expect(locError < 1e-3)
        #expect(abs(points.scale - 6) < 1e-2)
        // Sphere of radius 0.5 (icosphere inscribed: a bit less) in a cube of side 1.1.
        let expected = (4.0 / 3 * Double.pi * 0.125) / (1.1 * 1.1 * 1.1)
        #expect(abs(out.insideFraction - expected) < 0.015)
        // Occupancy agrees with the analytic sphere away from the tessellation band.
        for (p, o) in zip(points.points, points.occupancies) where abs(length(p) - 0.5) > 0.01 { #expect(o == (length(p) < 0.5)) }
        // The cloud lies on the normalized sphere, normals outward.
        let cloudOK = zip(cloud.points, cloud.normals).allSatisfy { (p: Vec3, n: Vec3) -> Bool in abs(length(p) - 0.5) < 0.01 && dot(p, n) > 0 }
        #expect(cloudOK)
        // Same seed → same result; parity labels agree on this watertight mesh.
        #expect(try SampleRecipe.run(mesh, settings: SampleSettings(preset: .onet, count: 20_000, seed: 1)) == out)
        let parity = try SampleRecipe.run(mesh, settings: SampleSettings(preset: .onet, count: 20_000, seed: 1, insideTest: .rayParity()))
        guard case let .onet(pp, _) = parity else { Issue.record("wrong output: \(parity)"); return }
        let agree = zip(pp.occupancies, points.occupancies).filter { $0 == $1 }.count
        #expect(Double(agree) / 20_000 >= 0.999)
    }

    @Test("NFD: near-surface rows first (within a few σ of the surface), then uniform rows in [-1, 1]³")
    func nfd() throws {
        let mesh = TriangleMesh.box(size: [2, 1, 0.5])
        let out = try SampleRecipe.run(mesh, settings: SampleSettings(preset: .nfd, count: 20_000, seed: 2))
        guard case let .nfd(s) = out else { Issue.record("wrong output"); return }
        #expect(s.points.count == 20_000)
        let normalized = mesh.normalized(.nfd).mesh
        #expect(abs(normalized.bounds.max.x - 1) < 1e-6 && abs(normalized.bounds.min.x + 1) < 1e-6)
        let d = TriangleBVH(mesh: normalized).unsignedDistances(to: s.points, gradients: false).distances
        #expect(d[..<10_000].allSatisfy { $0 < 0.06 })                 // 6σ
        #expect(s.points[10_000...].allSatisfy { $0.max() <= 1 && $0.min() >= -1 })
        // About half the near rows are inside; uniform rows: inside share = box volume / 8.
        let nearIn = Double(s.occupancies[..<10_000].filter { $0 }.count) / 10_000
        #expect(abs(nearIn - 0.5) < 0.05)
        let uniIn = Double(s.occupancies[10_000...].filter { $0 }.count) / 10_000
        #expect(abs(uniIn - (2 * 1 * 0.5) / 8) < 0.01)    // the box spans 2 × 1 × 0.5 of the 2³ cube
    }

    @Test("UDF: distances match brute force, gradients are unit and point away from the surface")
    func udf() throws {
        let mesh = TriangleMesh.torus(major: 0.6, minor: 0.2)
        let out = try SampleRecipe.run(mesh, settings: SampleSettings(preset: .udf, count: 4000, seed: 3))
        guard case let .udf(s) = out else { Issue.record("wrong output"); return }
        let (m, tr) = mesh.normalized(.nfd)
        #expect(abs(s.scale - 1 / tr.scale) < 1e-6)
        let bvh = TriangleBVH(mesh: m)
        for i in stride(from: 0, to: 4000, by: 7) {
            var best = Float.infinity
            for f in 0..<m.faceCount {
                let (a, b, c) = m.corners(f)
                best = min(best, length(s.points[i] - TrianglePrimitives.closestPoint(s.points[i], a, b, c).point))
            }
            #expect(abs(s.udf[i] - best) < 1e-5)
            #expect(abs(length(s.gradients[i]) - 1) < 1e-4)
            // Stepping back along the gradient by the distance lands on the surface.
            let foot = s.points[i] - s.udf[i] * s.gradients[i]
            #expect(bvh.closestPoint(to: foot).distance < 1e-4)
        }
    }

    @Test("bad input: empty and zero-area meshes and invalid settings throw typed errors; holed, flipped, duplicated meshes sample fine")
    func badInput() throws {
        #expect(throws: SamplingError.self) { try SampleRecipe.run(TriangleMesh(), settings: SampleSettings(preset: .nfd, count: 10)) }
        let flat = TriangleMesh(positions: [[0, 0, 0], [1, 0, 0], [2, 0, 0]], triangles: [[0, 1, 2], [0, 0, 1]])
        #expect(throws: SamplingError.degenerateMesh("its surface area is zero")) { try SampleRecipe.run(flat, settings: SampleSettings(preset: .onet, count: 10)) }
        var bad = SampleSettings(preset: .nfd, count: 10); bad.sigmas = [-1]
        #expect(throws: SamplingError.self) { try SampleRecipe.run(sphere(), settings: bad) }
        var nanMesh = sphere(); nanMesh.positions[0] = Vec3(.nan, 0, 0)
        #expect(throws: SamplingError.self) { try SampleRecipe.run(nanMesh, settings: SampleSettings(preset: .nfd, count: 10)) }
        // A single triangle: defined labels (a flat triangle has no inside), no hang.
        let tri = TriangleMesh(positions: [[0, 0, 0], [1, 0, 0], [0, 1, 0]], triangles: [[0, 1, 2]])
        let t = try SampleRecipe.run(tri, settings: SampleSettings(preset: .nfd, count: 2000, seed: 1))
        #expect(t.insideFraction < 0.01)
        // Holes, flips and duplicates: the winding number keeps most labels right.
        var messy = sphere(0.5)
        messy.triangles.removeAll { t in messy.positions[Int(t.x)].z > 0.48 }          // a hole
        for i in stride(from: 0, to: messy.triangles.count, by: 10) { let t = messy.triangles[i]; messy.triangles[i] = [t.x, t.z, t.y] } // 10% flipped
        messy.triangles += messy.triangles.prefix(200)                                    // duplicates
        let out = try SampleRecipe.run(messy, settings: SampleSettings(preset: .onet, count: 10_000, seed: 4))
        guard case let .onet(p, _) = out else { Issue.record("wrong output"); return }
        var wrong = 0
        for (q, o) in zip(p.points, p.occupancies) where abs(length(q) - 0.5) > 0.05 && o != (length(q) < 0.5) { wrong += 1 }
        #expect(Double(wrong) / 10_000 < 0.02, "\(wrong) wrong labels")
    }
}
