import Testing
import Geometry
import Support
@testable import Metrics

@Suite("Surface metrics: Chamfer, F-score, normal consistency, Hausdorff")
struct SurfaceMetricsTests {
    @Test("every metric agrees with a brute-force nearest-neighbour oracle", arguments: [UInt64(1), 2, 3])
    func matchesOracle(seed: UInt64) throws {
        let p = randomCloud(1500, seed: seed), r = randomCloud(1100, seed: seed + 50, scale: 0.45)
        var rng = SeededRandom(seed: seed + 99)
        let np = p.map { _ in normalize(Vec3(rng.normal(), rng.normal(), rng.normal())) }
        let nr = r.map { _ in normalize(Vec3(rng.normal(), rng.normal(), rng.normal())) }
        let m = try SurfaceMetrics.evaluate(predicted: .init(points: p, normals: np), reference: .init(points: r, normals: nr),
                                            thresholds: [0.01, 0.05])
        let (dpr, ipr) = bruteNearest(p, r), (drp, irp) = bruteNearest(r, p)
        func mean(_ x: [Double]) -> Double { x.reduce(0, +) / Double(x.count) }
        let acc = mean(dpr), comp = mean(drp)
        #expect(abs(m.accuracy - acc) < 1e-6 && abs(m.completeness - comp) < 1e-6)
        #expect(abs(m.chamferL1 - 0.5 * (acc + comp)) < 1e-6)
        #expect(abs(m.chamferL2 - (mean(dpr.map { $0 * $0 }) + mean(drp.map { $0 * $0 }))) < 1e-7)
        #expect(abs(m.hausdorff.value - max(dpr.max()!, drp.max()!)) < 1e-6)
        let nc = 0.5 * (mean(p.indices.map { Double(abs(dot(np[$0], nr[ipr[$0]]))) })
                        + mean(r.indices.map { Double(abs(dot(nr[$0], np[irp[$0]]))) }))
        #expect(abs(m.normalConsistency! - nc) < 1e-5)
        for f in m.fScores {
            let pr = mean(dpr.map { $0 <= Double(f.threshold) ? 1 : 0 }), rc = mean(drp.map { $0 <= Double(f.threshold) ? 1 : 0 })
            #expect(abs(f.precision - pr) < 1e-12 && abs(f.recall - rc) < 1e-12)
            #expect(abs(f.value - (pr + rc > 0 ? 2 * pr * rc / (pr + rc) : 0)) < 1e-12)
        }
    }

    @Test("identical clouds: Chamfer 0, F-score 1, normal consistency 1, Hausdorff 0")
    func identical() throws {
        let sphere = TriangleMesh.icosphere(subdivisions: 3, radius: 0.4)
        let c = try OrientedPointCloud(sampling: sphere, count: 20_000, seed: 4, role: "sphere")
        let m = try SurfaceMetrics.evaluate(predicted: c, reference: c)
        #expect(m.chamferL1 == 0 && m.chamferL2 == 0 && m.hausdorff.value == 0)
        #expect(m.fScores.allSatisfy { $0.value == 1 })
        #expect(abs(m.normalConsistency! - 1) < 1e-6)
        // Flipped normals are not penalized (|cos|, as in ONet).
        let flipped = OrientedPointCloud(points: c.points, normals: c.normals!.map { -$0 })
        #expect(abs(try SurfaceMetrics.evaluate(predicted: flipped, reference: c).normalConsistency! - 1) < 1e-6)
    }

    @Test("two independent samples of one sphere: small Chamfer, NC and F@1% near 1")
    func twoSamplesOfOneSurface() throws {
        let sphere = TriangleMesh.icosphere(subdivisions: 4, radius: 0.4)
        let a = try OrientedPointCloud(sampling: sphere, count: 100_000, seed: 1, role: "a")
        let b = try OrientedPointCloud(sampling: sphere, count: 100_000, seed: 2, role: "b")
        let m = try SurfaceMetrics.evaluate(predicted: a, reference: b)
        // Mean NN distance between two 100k samples of area ≈ 2.0: ≈ ½·sqrt(area/N) ≈ 0.0022.
        #expect(m.chamferL1 < 0.003)
        #expect(m.normalConsistency! > 0.99)
        #expect(m.fScores[1].value > 0.99)
    }

    @Test("perpendicular normals give normal consistency 0")
    func perpendicularNormals() throws {
        let pts = planeGrid(30, spacing: 0.01)
        let a = OrientedPointCloud(points: pts, normals: pts.map { _ in Vec3(0, 0, 1) })
        let b = OrientedPointCloud(points: pts, normals: pts.map { _ in Vec3(1, 0, 0) })
        #expect(try SurfaceMetrics.evaluate(predicted: a, reference: b).normalConsistency! == 0)
        // Half the reference normals tilted by 60°: NC = ½(1·½ + cos60·½)·2/2 = 0.75.
        let tilted = pts.indices.map { $0 % 2 == 0 ? Vec3(0, 0, 1) : Vec3(0, Float(3).squareRoot() / 2, 0.5) }
        let c = OrientedPointCloud(points: pts, normals: tilted)
        #expect(abs(try SurfaceMetrics.evaluate(predicted: a, reference: c).normalConsistency! - 0.75) < 1e-6)
    }

    @Test("Chamfer is symmetric, and scales linearly (L1) and quadratically (L2) with a uniform scale")
    func symmetryAndScaling() throws {
        let a = randomCloud(3000, seed: 11), b = randomCloud(2000, seed: 12, scale: 0.3).map { $0 + Vec3(0.1, 0, 0) }
        let l1 = try ChamferDistance.l1(a, b), l2 = try ChamferDistance.l2(a, b)
        let l1r = try ChamferDistance.l1(b, a), l2r = try ChamferDistance.l2(b, a)
        #expect(abs(l1 - l1r) < 1e-9 && abs(l2 - l2r) < 1e-9)
        for s: Float in [0.5, 2, 8] {
            let sa = a.map { $0 * s }, sb = b.map { $0 * s }
            let sl1 = try ChamferDistance.l1(sa, sb), sl2 = try ChamferDistance.l2(sa, sb)
            #expect(abs(sl1 / l1 - Double(s)) < 1e-4 * Double(s))
            #expect(abs(sl2 / l2 - Double(s * s)) < 1e-4 * Double(s * s))
        }
    }

    @Test("a known rigid offset gives the known Chamfer, F-score and Hausdorff")
    func knownOffset() throws {
        // Grid spacing 0.02, offset 0.008 along the plane's normal: every nearest neighbour is
        // the shifted copy (0.008 < 0.02), so every distance is exactly the offset.
        let a = planeGrid(40, spacing: 0.02)
        let d: Float = 0.008
        let b = a.map { $0 + Vec3(0, 0, d) }
        let m = try SurfaceMetrics.evaluate(predicted: .init(points: b), reference: .init(points: a), thresholds: [0.005, 0.01])
        #expect(abs(m.chamferL1 - Double(d)) < 1e-7)
        #expect(abs(m.chamferL2 - 2 * Double(d) * Double(d)) < 1e-8)
        #expect(abs(m.hausdorff.value - Double(d)) < 1e-7)
        #expect(m.fScores[0].value == 0 && m.fScores[1].value == 1)
        #expect(m.normalConsistency == nil)
        // Only half the points shifted: precision = recall = ½ at τ < d, so F = ½.
        let half = a.indices.map { $0 < a.count / 2 ? a[$0] + Vec3(0, 0, d) : a[$0] }
        let h = try SurfaceMetrics.evaluate(predicted: .init(points: half), reference: .init(points: a), thresholds: [0.005])
        #expect(h.fScores[0].precision == 0.5 && h.fScores[0].recall == 0.5 && h.fScores[0].value == 0.5)
        #expect(abs(h.chamferL1 - Double(d) / 2) < 1e-7)
    }

    @Test("evaluation is deterministic: same seed, same numbers, whatever the thread count")
    func deterministic() throws {
        let torus = TriangleMesh.torus(major: 0.3, minor: 0.1)
        let sphere = TriangleMesh.icosphere(subdivisions: 3, radius: 0.35)
        func run() throws -> SurfaceMetrics {
            try SurfaceMetrics.evaluate(predicted: .init(sampling: torus, count: 30_000, seed: 7, role: "p"),
                                        reference: .init(sampling: sphere, count: 30_000, seed: 8, role: "r"))
        }
        let one = try Parallelism.withThreadCount(1) { try run() }
        #expect(try Parallelism.withThreadCount(2) { try run() } == one)
    }

    @Test("bad inputs raise typed errors naming the input")
    func badInputs() throws {
        let good = OrientedPointCloud(points: randomCloud(10, seed: 1))
        #expect(throws: MetricsError.emptyPointCloud(role: "prediction")) {
            try SurfaceMetrics.evaluate(predicted: .init(points: []), reference: good)
        }
        var nan = randomCloud(10, seed: 2); nan[3].y = .nan
        #expect(throws: MetricsError.nonFinite(role: "reference", what: "point", index: 3)) {
            try SurfaceMetrics.evaluate(predicted: good, reference: .init(points: nan))
        }
        #expect(throws: MetricsError.countMismatch(role: "prediction", what: "normals (one per point)", expected: 10, got: 9)) {
            try SurfaceMetrics.evaluate(predicted: .init(points: good.points, normals: Array(repeating: Vec3(0, 0, 1), count: 9)), reference: good)
        }
        #expect(throws: MetricsError.self) { try SurfaceMetrics.evaluate(predicted: good, reference: good, thresholds: [0]) }
        #expect(throws: MetricsError.emptyMesh(role: "prediction")) {
            try OrientedPointCloud(sampling: TriangleMesh(), count: 100, seed: 0, role: "prediction")
        }
        #expect(throws: MetricsError.emptyPointCloud(role: "reference")) { try ChamferDistance.l1(good.points, []) }
        #expect(MetricsError.nonFinite(role: "pred.obj", what: "vertex", index: 2).description.contains("pred.obj"))
    }
}
