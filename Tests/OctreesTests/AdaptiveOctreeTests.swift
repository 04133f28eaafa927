import Testing
import Geometry
import Support
@testable import Octrees

@Suite("Adaptive octree")
struct AdaptiveOctreeTests {
    @Test("every input point lies within tolerance × its leaf's edge of the leaf's plane, with fewer nodes than the full tree",
          arguments: Fixtures.shapes.map(\.name))
    func errorBound(name: String) throws {
        let mesh = Fixtures.shapes.first { $0.name == name }!.mesh
        let s = Fixtures.surfacePoints(mesh, count: 20_000)
        let tolerance: Float = 0.05, depth = 7
        let adaptive = try Octree(adaptivePoints: s.points, normals: s.normals, depth: depth, fullDepth: 2, tolerance: tolerance)
        let full = try Octree(points: s.points, depth: depth, fullDepth: 2)
        #expect(adaptive.nodeCount < full.nodeCount)
        #expect(adaptive.isAdaptive)
        for p in s.points {
            let (d, i) = try #require(adaptive.locate(p))
            #expect(adaptive.levels[d].kinds[i] == .leaf)
            let plane = adaptive.planes[d][i]
            let dist = abs(dot(Vec3(plane.x, plane.y, plane.z), p) + plane.w)
            let bound = d == depth ? Octree.cellSize(depth: d) * 0.8661 : tolerance * Octree.cellSize(depth: d)
            #expect(dist <= bound * 1.0001 + 1e-6, "\(name): point \(p) is \(dist) from its depth-\(d) leaf plane")
        }
        // The other way: every decoded surface cell has a point-holding cell in its 3×3×3 block.
        let occupied = Fixtures.occupiedCells(s.points, depth: depth)[depth]
        for k in adaptive.surfaceCells() {
            let c = SIMD3<Int32>(truncatingIfNeeded: Morton.decode(k))
            var near = false
            for dx in Int32(-1)...1 { for dy in Int32(-1)...1 { for dz in Int32(-1)...1 {
                let q = c &+ SIMD3(dx, dy, dz)
                if all(q .>= 0) && occupied.contains(SIMD3<UInt32>(truncatingIfNeeded: q)) { near = true }
            } } }
            #expect(near, "\(name): decoded cell \(c) overhangs the surface")
        }
        // Both serializations round-trip the adaptive structure.
        for scheme in OctreeTokens.Scheme.allCases {
            let back = try Octree(tokens: adaptive.tokens(scheme))
            #expect(back.levels == adaptive.levels)
        }
    }

    @Test("flat faces end coarse: most of a box's surface sits in leaves far above the finest depth, a torus's deeper")
    func flatIsCoarse() throws {
        /// Depth of the leaf holding each point, sorted.
        func pointLeafDepths(_ shape: Int) throws -> [Int] {
            let s = Fixtures.surfacePoints(Fixtures.shapes[shape].mesh, count: 20_000)
            let t = try Octree(adaptivePoints: s.points, normals: s.normals, depth: 7, fullDepth: 1)
            return try s.points.map { try #require(t.locate($0)).depth }.sorted()
        }
        let box = try pointLeafDepths(2), torus = try pointLeafDepths(1)
        // Points more than ~2 cells of depth 5 from an edge (≈ 75% of the box's area) need no finer leaf.
        #expect(box[box.count / 2] <= 5)
        #expect(box.filter { $0 <= 5 }.count * 2 > box.count)
        #expect(box[box.count / 2] < torus[torus.count / 2])
    }

    @Test("the least-squares plane fit agrees with a brute-force plane search on random planar and curved sets")
    func planeFit() {
        var rng = SeededRandom(seed: 4)
        for _ in 0..<50 {
            let n = normalize(Vec3(rng.normal(), rng.normal(), rng.normal()))
            let u = normalize(cross(n, Vec3(0.3, 0.5, 0.8))), v = cross(n, u)
            let o = Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1))
            let pts = (0..<40).map { _ in o + u * rng.uniform(-0.1, 0.1) + v * rng.uniform(-0.1, 0.1) + n * rng.uniform(-0.001, 0.001) }
            let fit = PlaneFit(pts[...])!
            #expect(abs(abs(dot(Vec3(fit.plane.x, fit.plane.y, fit.plane.z), n)) - 1) < 1e-3)
            #expect(fit.maxDistance <= 0.002)
            // maxDistance is the true max residual of the returned plane.
            let m = pts.map { abs(dot(Vec3(fit.plane.x, fit.plane.y, fit.plane.z), $0) + fit.plane.w) }.max()!
            #expect(abs(m - fit.maxDistance) < 1e-6)
        }
        // Two points: the fallback normal decides.
        let two = PlaneFit([Vec3(0, 0, 0), Vec3(1, 0, 0)][...], fallbackNormal: Vec3(0, 0, 2))!
        #expect(abs(two.plane.z - 1) < 1e-6)
        #expect(PlaneFit([Vec3]()[...]) == nil)
    }
}
