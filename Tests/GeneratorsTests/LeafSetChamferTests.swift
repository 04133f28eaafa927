import Foundation
import Support
import Testing
@testable import Generators

@Suite("Leaf-set Chamfer distances (the mirror test of train octree --mirror auto)")
struct LeafSetChamferTests {
    @Test("the distance transform equals the brute-force squared distance to the nearest site, and is +∞ without sites")
    func distanceTransformMatchesBruteForce() {
        let n = 9
        var rng = SeededRandom(seed: 4)
        let sites = Array(Set((0..<7).map { _ in Int32(rng.next() % UInt64(n * n * n)) })).sorted()
        let field = LeafSetChamfer.squaredDistanceTransform(sites: sites, n: n)
        for c in 0..<(n * n * n) {
            let (x, y, z) = (c / (n * n), (c / n) % n, c % n)
            let brute = sites.map { s -> Int in
                let (a, b, d) = (Int(s) / (n * n), (Int(s) / n) % n, Int(s) % n)
                return (x - a) * (x - a) + (y - b) * (y - b) + (z - d) * (z - d)
            }.min()!
            #expect(field[c] == Float(brute), "cell \(x), \(y), \(z)")
        }
        #expect(LeafSetChamfer.squaredDistanceTransform(sites: [], n: 4).allSatisfy { $0 == .infinity })
    }

    @Test("two single cells 3 apart are 9 + 9 apart; a shape is 0 from itself; the distance is symmetric")
    func closedForms() throws {
        let a = try sequence(depth: 3) { x, y, z in x == 1 && y == 2 && z == 2 }
        let b = try sequence(depth: 3) { x, y, z in x == 4 && y == 2 && z == 2 }
        let c = try shell(depth: 3, radius: 2.2)
        let d = LeafSetChamfer([a, b, c])
        #expect(d.distance(0, 1) == 18 && d.distance(0, 0) == 0 && d.distance(2, 2) == 0)
        #expect(d.distance(1, 2) == d.distance(2, 1) && d.distance(0, 2) > 0)
    }

    @Test("the mirrored distance is the distance of the explicitly mirrored sequence; a symmetric shell's mirror is itself")
    func mirroredDistanceIsTheMirrorsDistance() throws {
        let wedge = try sequence(depth: 4) { x, y, z in x + y < 9 && z == 3 && x > 1 }
        let knob = try sequence(depth: 4) { x, y, z in (x == 12 && y == 8) || (abs(x - 6) <= 2 && y == 8 && z == 8) }
        let sphere = try shell(depth: 4, radius: 5.3)
        let seqs = [wedge, knob, sphere]
        let d = LeafSetChamfer(seqs), explicit = LeafSetChamfer(seqs + seqs.map { $0.mirroredX() })
        for i in 0..<3 { for j in 0..<3 {
            #expect(abs(d.mirroredDistance(i, j) - explicit.distance(3 + i, j)) < 1e-9, "mirror of \(i) against \(j)")
        } }
        #expect(d.mirroredDistance(2, 2) == 0 && d.mirroredDistance(0, 0) > 0 && d.mirroredDistance(1, 1) > 0)
    }

    @Test("sequences deeper than maxDepth are measured on their ancestors at maxDepth")
    func coarsened() throws {
        let fine = try shell(depth: 5, radius: 9.1), other = try shell(depth: 5, radius: 5.2)
        let coarse = ChildMaskSequence(leaves: fine.leaves.map { OctreeNodePosition(depth: 4, x: $0.x / 2, y: $0.y / 2, z: $0.z / 2) }, depth: 4)
        let coarseOther = ChildMaskSequence(leaves: other.leaves.map { OctreeNodePosition(depth: 4, x: $0.x / 2, y: $0.y / 2, z: $0.z / 2) }, depth: 4)
        let a = LeafSetChamfer([fine, other], maxDepth: 4), b = LeafSetChamfer([coarse, coarseOther], maxDepth: 4)
        #expect(a.n == 16 && a.distance(0, 1) == b.distance(0, 1) && a.distance(0, 1) > 0)
    }
}
