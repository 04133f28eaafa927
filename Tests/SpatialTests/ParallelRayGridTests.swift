import Foundation
import Testing
import Geometry
import Support
@testable import Spatial

@Suite("Parallel-ray grid (the ray-parity kernel)")
struct ParallelRayGridTests {
    /// Brute force: Möller–Trumbore against every face, counting hits with t > 0.
    func bruteCrossings(_ mesh: TriangleMesh, _ o: Vec3, _ d: Vec3) -> Int {
        var count = 0
        for f in 0..<mesh.faceCount {
            let (a, b, c) = mesh.corners(f)
            if let h = TrianglePrimitives.intersect(origin: o, direction: d, a, b, c), h.t > 0 { count += 1 }
        }
        return count
    }

    func corners(_ mesh: TriangleMesh) -> [Vec3] {
        (0..<mesh.faceCount).flatMap { f -> [Vec3] in let (a, b, c) = mesh.corners(f); return [a, b, c] }
    }

    @Test("crossing counts equal brute-force ray casting on random soups, directions and grid sizes", arguments: [1, 2, 3])
    func matchesBruteForce(seed: UInt64) {
        let mesh = randomSoup(300, seed: seed)
        var rng = SeededRandom(seed: seed + 100)
        for cells in [Float(0.05), 0.5, 4] {
            let d = normalize(Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)))
            let grid = ParallelRayGrid(corners: corners(mesh), direction: d, cellsPerTriangle: cells)
            // Every face with area is binned (the soup's faces 17k and 23k are degenerate).
            let withArea = (0..<mesh.faceCount).filter { $0 % 17 != 0 && $0 % 23 != 0 }.count
            #expect(grid.triangleCount >= withArea && grid.triangleCount <= mesh.faceCount)
            let pts = randomPoints(500, seed: seed + 200, half: 1.6)
            let batched = grid.crossingCounts(pts)
            for (i, p) in pts.enumerated() {
                let ref = bruteCrossings(mesh, p, d)
                #expect(grid.crossingCount(p) == ref, "p = \(p), d = \(d), cells/triangle = \(cells)")
                #expect(Int(batched[i]) == ref)
            }
        }
    }

    @Test("a ray through an edge shared by two faces crosses the surface once, not zero or two times")
    func sharedEdgesCountOnce() {
        // Along +z the frame is the identity, so points on the faces' diagonals project exactly
        // onto the shared edges of the box's top and bottom faces.
        let grid = ParallelRayGrid(corners: corners(.box(size: [1, 1, 1])), direction: [0, 0, 1])
        for k in 1..<64 {
            let s = Float(k) / 64 - 0.5
            for p in [Vec3(s, s, 0), Vec3(s, -s, 0), Vec3(s, 0, 0), Vec3(0, s, 0.25)] {
                #expect(grid.crossingCount(p) == 1, "p = \(p)")
                #expect(grid.crossingCount(p - [0, 0, 1]) == 2, "below the box: p = \(p)")
                #expect(grid.crossingCount(p + [0, 0, 1]) == 0, "above the box: p = \(p)")
            }
        }
    }

    @Test("faces parallel to the rays, NaN corners and NaN or far queries count nothing")
    func badInput() {
        // A face in the plane z = 0 (containing the ray direction y) and a face with a NaN corner.
        let flat = [Vec3(0, 0, 0), [1, 0, 0], [0, 1, 0], Vec3(.nan, 0, 0), [1, 1, 1], [0, 1, 0]]
        let grid = ParallelRayGrid(corners: flat, direction: [0, 1, 0])
        #expect(grid.triangleCount == 0)
        #expect(grid.crossingCount([0.2, -1, 0.2]) == 0)
        let empty = ParallelRayGrid(corners: [], direction: [1, 2, 3])
        #expect(empty.crossingCounts([.zero, Vec3(repeating: .nan)]) == [0, 0])
        let box = ParallelRayGrid(corners: corners(.box(size: [1, 1, 1])), direction: normalize(Vec3(0.3, 0.2, 1)))
        #expect(box.crossingCount(Vec3(.nan, 0, 0)) == 0)
        #expect(box.crossingCount([1e30, -1e30, 0]) == 0)
        #expect(box.crossingCount([0.1, 0.05, 0.02]) == 1)
    }

    @Test("the parity vote through the grids equals the vote of brute-force ray casting")
    func parityVoteMatchesBruteForce() {
        let mesh = TriangleMesh.merged([.icosphere(subdivisions: 3, radius: 0.6, center: [-0.3, 0, 0]),
                                        .box(size: [1, 0.8, 0.8], center: [0.4, 0, 0])])
        let bvh = TriangleBVH(mesh: mesh)
        let pts = randomPoints(2000, seed: 9, half: 1.2)
        let fast = bvh.insideByParity(pts, rays: 3)
        for (i, p) in pts.enumerated() {
            var votes = 0
            for d in TriangleBVH.parityDirections.prefix(3) where bruteCrossings(mesh, p, d) & 1 == 1 { votes += 1 }
            #expect(fast[i] == (votes >= 2), "p = \(p)")
            #expect(bvh.isInsideByParity(p, rays: 3) == fast[i])
        }
    }
}
