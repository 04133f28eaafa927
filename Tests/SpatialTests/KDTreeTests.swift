import Testing
import Geometry
import Support
@testable import Spatial

/// Brute-force oracle: the nearest point by scanning all, ties to the smallest index.
private func bruteNearest(_ q: Vec3, _ pts: [Vec3]) -> NearestNeighbor {
    var best = NearestNeighbor(index: -1, distanceSquared: .infinity)
    for (i, p) in pts.enumerated() {
        let d = lengthSquared(p - q)
        if d < best.distanceSquared { best = NearestNeighbor(index: Int32(i), distanceSquared: d) }
    }
    return best
}

private func randomCloud(_ n: Int, seed: UInt64, scale: Float = 1) -> [Vec3] {
    var rng = SeededRandom(seed: seed)
    return (0..<n).map { _ in Vec3(rng.uniform(-scale, scale), rng.uniform(-scale, scale), rng.uniform(-scale, scale)) }
}

@Suite("k-d tree nearest neighbours")
struct KDTreeTests {
    @Test("nearest equals brute force on random clouds, several seeds and leaf sizes", arguments: [1, 2, 3, 4, 5])
    func matchesBruteForce(seed: UInt64) throws {
        let n = [1, 7, 100, 3_000, 20_000][Int(seed) - 1]
        let pts = randomCloud(n, seed: seed)
        // Queries inside and well outside the cloud's box.
        let queries = randomCloud(500, seed: seed &+ 100, scale: 1.5)
        for leaf in [1, 4, 10, 32] {
            let tree = KDTree(points: pts, leafSize: leaf)
            try tree.validate()
            let batched = tree.nearest(queries)
            for (i, q) in queries.enumerated() {
                let b = bruteNearest(q, pts)
                #expect(batched[i] == b)
                #expect(tree.nearest(to: q) == b)
            }
        }
    }

    @Test("clustered and anisotropic clouds (a thin sheet, two far clusters) match brute force")
    func clustered() throws {
        var rng = SeededRandom(seed: 9)
        var pts: [Vec3] = []
        for _ in 0..<4000 { pts.append(Vec3(rng.uniform(0, 1), rng.uniform(0, 1), rng.uniform(0, 1e-4))) }
        for _ in 0..<4000 { pts.append(Vec3(100, 0, 0) + Vec3(rng.normal(), rng.normal(), rng.normal()) * 0.01) }
        let tree = KDTree(points: pts, leafSize: 8)
        try tree.validate()
        let queries = randomCloud(400, seed: 10, scale: 2) + (0..<200).map { _ in Vec3(rng.uniform(90, 110), 0, 0) }
        let res = tree.nearest(queries)
        for (i, q) in queries.enumerated() { #expect(res[i] == bruteNearest(q, pts)) }
    }

    @Test("batched results do not depend on coherence or the thread count")
    func threadIndependence() {
        let pts = randomCloud(30_000, seed: 21)
        let qs = randomCloud(30_000, seed: 22)
        let tree = KDTree(points: pts)
        let one = Parallelism.withThreadCount(1) { tree.nearest(qs) }
        let two = Parallelism.withThreadCount(2) { tree.nearest(qs) }
        let coherent = Parallelism.withThreadCount(2) { tree.nearest(qs, coherent: true) }
        #expect(one == two)
        #expect(one == coherent)
        // A tree built with one thread equals one built in parallel.
        let serialTree = Parallelism.withThreadCount(1) { KDTree(points: pts) }
        #expect(serialTree.points == tree.points && serialTree.order == tree.order)
    }

    @Test("duplicate points: distance 0, ties go to the smallest input index")
    func duplicates() throws {
        let base = randomCloud(50, seed: 3)
        let pts = base + base + base
        let tree = KDTree(points: pts, leafSize: 4)
        try tree.validate()
        let res = tree.nearest(base)
        for i in 0..<base.count { #expect(res[i] == NearestNeighbor(index: Int32(i), distanceSquared: 0)) }
        // All points equal: one leaf-sized degenerate split after another.
        let same = [Vec3](repeating: Vec3(1, 2, 3), count: 1000)
        let t2 = KDTree(points: same, leafSize: 3)
        try t2.validate()
        #expect(t2.nearest(to: Vec3(1, 2, 4)) == NearestNeighbor(index: 0, distanceSquared: 1))
    }

    @Test("an empty tree answers index −1 at infinite distance")
    func empty() {
        let tree = KDTree(points: [])
        #expect(tree.isEmpty)
        #expect(tree.nearest(to: .zero).index == -1)
        #expect(tree.nearest([.zero, .one]).allSatisfy { $0.index == -1 && $0.distanceSquared == .infinity })
    }

    @Test("Morton order is a permutation and keeps neighbours close")
    func morton() {
        let pts = randomCloud(10_000, seed: 5)
        let ord = KDTree.mortonOrder(pts)
        #expect(Set(ord).count == pts.count)
        var walk: Float = 0, randomWalk: Float = 0
        for i in 1..<pts.count {
            walk += length(pts[Int(ord[i])] - pts[Int(ord[i - 1])])
            randomWalk += length(pts[i] - pts[i - 1])
        }
        #expect(walk < randomWalk / 5)
    }

    @Test("the radix order equals a stable comparison sort of the keys, duplicates in input order")
    func radixOrder() {
        var rng = SeededRandom(seed: 8)
        for n in [0, 1, 7, 5000] {
            let keys = (0..<n).map { _ in UInt32(rng.uniform(0, 1) * 1e4) * (1 << 16) % (1 << 30) }
            let ref = keys.indices.sorted { (keys[$0], $0) < (keys[$1], $1) }.map(Int32.init)
            #expect(MortonOrder.radixOrder(keys) == ref)
        }
    }
}
