import Testing
import Geometry
import Support
@testable import Metrics

@Suite("Generation metrics: pairwise Chamfer, MMD, COV, 1-NNA")
struct GenerationMetricsTests {
    @Test("PointFlow Chamfer on a hand-made pair: mean squared both ways, summed")
    func handChamfer() throws {
        let x: [Vec3] = [Vec3(0, 0, 0)], y: [Vec3] = [Vec3(1, 0, 0), Vec3(3, 0, 0)]
        // X→Y: 1² = 1; Y→X: (1² + 3²)/2 = 5; CD = 6.
        let m = try PairwiseChamfer.matrix([x, y])
        #expect(m[0, 1] == 6 && m[1, 0] == 6 && m[0, 0] == 0)
        #expect(try ChamferDistance.l2(x, y) == 6)
    }

    @Test("the pairwise matrix equals per-pair brute force and is symmetric")
    func matrixOracle() throws {
        let shapes = (0..<6).map { randomCloud(300, seed: UInt64($0) + 1, scale: Float($0 + 1) * 0.1) }
        let m = try PairwiseChamfer.matrix(shapes)
        for i in 0..<6 {
            for j in 0..<6 {
                let a = bruteNearest(shapes[i], shapes[j]).d, b = bruteNearest(shapes[j], shapes[i]).d
                let cd = a.map { $0 * $0 }.reduce(0, +) / 300 + b.map { $0 * $0 }.reduce(0, +) / 300
                #expect(abs(m[i, j] - cd) < 1e-6 * max(1, cd))
                #expect(m[i, j] == m[j, i])
            }
        }
    }

    @Test("MMD and COV on hand-made matrices")
    func handMMDCOV() {
        // 3 generated × 2 reference.
        let gr = DistanceMatrix([[1, 5], [2, 0.5], [3, 4]])
        #expect(GenerationMetrics.mmd(gr) == 0.75)          // (min(1,2,3) + min(5,0.5,4)) / 2
        #expect(GenerationMetrics.coverage(gr) == 1)         // g0→r0, g1→r1, g2→r0
        let collapsed = DistanceMatrix([[1, 2], [1, 3], [0.5, 9]])
        #expect(GenerationMetrics.coverage(collapsed) == 0.5) // every sample picks r0
        #expect(GenerationMetrics.mmd(collapsed) == 1.25)     // (0.5 + 2) / 2
    }

    @Test("1-NNA on a hand-made matrix")
    func handNNA() {
        // Order [R0, R1, G0, G1]. R0's nearest is G0 (wrong), R1's is R0 (right),
        // G0's is R0 (wrong), G1's is G0 (right): 2 of 4.
        let m = DistanceMatrix([[0, 2, 1, 5],
                                [2, 0, 3, 4],
                                [1, 3, 0, 2],
                                [5, 4, 2, 0]])
        #expect(GenerationMetrics.oneNNA(m, referenceCount: 2) == 0.5)
    }

    @Test("1-NNA is 100% for far-apart sets and near 50% for two samples of one distribution")
    func nnaExtremes() throws {
        func shape(_ seed: UInt64, offset: Vec3) -> [Vec3] {
            var rng = SeededRandom(seed: seed)
            let s = rng.uniform(0.2, 0.6)   // a random size per shape, from the same distribution
            return (0..<256).map { _ in offset + Vec3(rng.normal(), rng.normal(), rng.normal()) * s }
        }
        let ref = (0..<40).map { shape(UInt64($0), offset: .zero) }
        let far = (0..<40).map { shape(UInt64(1000 + $0), offset: Vec3(50, 0, 0)) }
        let same = (0..<40).map { shape(UInt64(2000 + $0), offset: .zero) }
        let a = try GenerationMetrics.evaluate(generated: far, reference: ref)
        #expect(a.nnaCD == 1)
        #expect(a.covCD <= 1 && a.mmdCD > 2000)
        let b = try GenerationMetrics.evaluate(generated: same, reference: ref)
        #expect(abs(b.nnaCD - 0.5) < 0.15)
        #expect(b.covCD > 0.3)
    }

    @Test("a generated set equal to the reference covers it fully with MMD 0")
    func identicalSets() throws {
        let ref = (0..<8).map { randomCloud(200, seed: UInt64($0) + 7) }
        let g = try GenerationMetrics.evaluate(generated: ref, reference: ref)
        #expect(g.mmdCD == 0 && g.covCD == 1)
    }

    @Test("empty sets and bad shapes are typed errors naming the shape")
    func badInputs() {
        let s = [randomCloud(10, seed: 1)]
        #expect(throws: MetricsError.emptySet(role: "generated set")) { try GenerationMetrics.evaluate(generated: [], reference: s) }
        #expect(throws: MetricsError.emptySet(role: "reference set")) { try GenerationMetrics.evaluate(generated: s, reference: []) }
        #expect(throws: MetricsError.emptyPointCloud(role: "generated[1]")) {
            try GenerationMetrics.evaluate(generated: s + [[]], reference: s)
        }
        var nan = randomCloud(10, seed: 2); nan[0].x = .infinity
        #expect(throws: MetricsError.nonFinite(role: "b.ply", what: "point", index: 0)) {
            try GenerationMetrics.evaluate(generated: s, reference: [nan], referenceNames: ["b.ply"])
        }
    }
}
