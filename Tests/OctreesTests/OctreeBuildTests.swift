import Testing
import Fields
import Geometry
import Support
@testable import Octrees

@Suite("Octree construction and lookup")
struct OctreeBuildTests {
    @Test("levels above the full depth are complete; leaves are exactly the cells holding points", arguments: [UInt64(1), 2])
    func pointTree(seed: UInt64) throws {
        let points = Fixtures.clusteredPoints(3_000, seed: seed)
        let tree = try Octree(points: points, depth: 7, fullDepth: 3)
        for d in 0...3 { #expect(tree.levels[d].count == 1 << (3 * d)) }
        let occ = Fixtures.occupiedCells(points, depth: 7)
        for d in 0...7 {
            let occupiedKeys = Set(zip(tree.levels[d].keys, tree.occupied[d]).filter(\.1).map { Morton.decode($0.0) })
            #expect(occupiedKeys == occ[d], "depth \(d)")
        }
        for p in points.prefix(500) {
            let (d, i) = try #require(tree.locate(p))
            #expect(d == 7 && tree.levels[d].kinds[i] == .leaf)
            #expect(Octree.cellBounds(key: tree.levels[d].keys[i], depth: d).padded(by: 1e-6).contains(p))
        }
    }

    @Test("parent, child and neighbour lookups agree with brute-force key arithmetic")
    func lookups() throws {
        let tree = try Octree(points: Fixtures.clusteredPoints(2_000, seed: 5), depth: 6, fullDepth: 1)
        for d in 1...6 {
            let keys = tree.levels[d].keys
            for i in stride(from: 0, to: keys.count, by: 7) {
                let p = tree.parent(depth: d, index: i)
                #expect(tree.levels[d - 1].keys[p] == keys[i] >> 3)
                #expect(tree.child(depth: d - 1, index: p, Int(keys[i] & 7)) == i)
                let xyz = SIMD3<Int32>(truncatingIfNeeded: Morton.decode(keys[i]))
                for off in [SIMD3<Int32>(1, 0, 0), SIMD3(-1, 0, 0), SIMD3(0, 1, 0), SIMD3(0, 0, -1), SIMD3(1, 1, 1)] {
                    let q = xyz &+ off
                    let n = Int32(1 << d)
                    let expected: Int? = all(q .>= 0) && all(q .< n)
                        ? keys.firstIndex(of: Morton.encode(SIMD3<UInt32>(truncatingIfNeeded: q))) : nil
                    #expect(tree.neighbor(depth: d, index: i, offset: off) == expected)
                }
            }
            for (i, k) in tree.levels[d].kinds.enumerated() where k != .split { #expect(tree.child(depth: d, index: i, 0) == nil) }
        }
    }

    @Test("every leaf of a surface octree lies within one cell of the surface, and every surface point is in a leaf",
          arguments: [5, 7])
    func leavesNearSurface(depth: Int) throws {
        let r: Float = 0.7
        let sphere = Fixtures.surfacePoints(Fixtures.shapes[0].mesh, count: 30_000).points.map { normalize($0) * r }
        let torus = Fixtures.surfacePoints(Fixtures.shapes[1].mesh, count: 30_000).points
        let cases: [([Vec3], (Vec3) -> Float, Float)] = [
            (sphere, { Fixtures.sphereDistance($0, r: r) }, 1e-5),
            (torus, { Fixtures.torusDistance($0, major: 0.55, minor: 0.2) }, 0.004),   // tessellation error
        ]
        let h = Octree.cellSize(depth: depth)
        for (points, distance, slack) in cases {
            let fromPoints = try Octree(points: points, depth: depth, fullDepth: 2)
            let field = ClosureField { distance($0) }
            let fromField = try Octree(distance: field, depth: depth, fullDepth: 2)
            for tree in [fromPoints, fromField] {
                for (i, k) in tree.levels[depth].kinds.enumerated() where k == .leaf {
                    let c = Octree.cellCenter(key: tree.levels[depth].keys[i], depth: depth)
                    // One cell: the surface passes within half a cell diagonal of the leaf's centre.
                    #expect(distance(c) <= h * 0.8661 + slack)
                }
            }
            // The distance-field tree is conservative: it contains every point-tree leaf.
            let fieldLeaves = Set(fromField.levels[depth].keys.enumerated().filter { fromField.levels[depth].kinds[$0.offset] == .leaf }.map(\.element))
            for (i, k) in fromPoints.levels[depth].kinds.enumerated() where k == .leaf {
                #expect(fieldLeaves.contains(fromPoints.levels[depth].keys[i]) || slack > 1e-4)
            }
        }
    }

    @Test("the grid / occupancy octree keeps exactly the cells whose corners change sign, and lies inside the distance octree")
    func gridTree() throws {
        let depth = 5, r: Float = 0.62
        let sdf = ClosureField { length($0) - r }
        let occupancy = ClosureField { length($0) <= r ? 1 : 0 }
        let fromSDF = try Octree(grid: ScalarGrid(sampling: sdf, resolution: 33, bounds: .cube(halfSize: 1)), level: 0, depth: depth)
        let fromOcc = try Octree(occupancy: occupancy, depth: depth)
        let fromDistance = try Octree(distance: ClosureField { abs(length($0) - r) }, depth: depth)
        #expect(fromSDF.leafCount == fromOcc.leafCount)
        let h = Octree.cellSize(depth: depth)
        // Oracle: a cell is a leaf iff its 8 corners straddle the sphere.
        var expected = Set<UInt32>()
        for i in 0..<32 { for j in 0..<32 { for k in 0..<32 {
            var inside = 0
            for c in 0..<8 {
                let p = Vec3(Float(i + (c >> 2)), Float(j + ((c >> 1) & 1)), Float(k + (c & 1))) * h - 1
                if length(p) - r > 0 { inside += 1 }
            }
            if inside != 0 && inside != 8 { expected.insert(Morton.encode(SIMD3(UInt32(i), UInt32(j), UInt32(k)))) }
        } } }
        let leaves = Set(fromSDF.levels[depth].keys.enumerated().filter { fromSDF.levels[depth].kinds[$0.offset] == .leaf }.map(\.element))
        #expect(leaves == expected)
        let conservative = Set(fromDistance.levels[depth].keys.enumerated().filter { fromDistance.levels[depth].kinds[$0.offset] == .leaf }.map(\.element))
        #expect(leaves.isSubset(of: conservative))
        #expect(throws: OctreeError.self) { try Octree(grid: ScalarGrid(sampling: sdf, resolution: 20, bounds: .cube(halfSize: 1)), level: 0, depth: depth) }
    }

    @Test("normalizing frame maps a mesh's bounds into [-0.8, 0.8]³ and its inverse maps back")
    func frame() {
        let b = AABB(min: Vec3(2, 3, 4), max: Vec3(6, 5, 5))
        let f = Octree.normalizingFrame(for: b)
        #expect(length(f.apply(b.center)) < 1e-6)
        #expect(abs(f.apply(b.max).x - 0.8) < 1e-6)
        #expect(length(f.inverse.apply(f.apply(b.min)) - b.min) < 1e-5)
    }
}
