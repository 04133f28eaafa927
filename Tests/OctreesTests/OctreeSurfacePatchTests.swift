import Fields
import Geometry
import Support
import Testing
@testable import Octrees

/// Inside-positive occupancy of a sphere of radius 0.6 at the origin.
private struct Ball: ScalarField {
    func value(at p: Vec3) -> Float { 0.6 - length(p) }
}

@Suite("Learned surface stage: blended cell patches, the band, and extraction")
struct OctreeSurfacePatchTests {
    let volume: OccupancyVolume

    init() throws {
        volume = try Octree(occupancy: Ball(), level: 0, depth: 4).occupancyVolume()
    }

    @Test("a point's eight cells carry trilinear weights summing to one and offsets within a cell, and a cell centre reads only its own cell")
    func blendWeights() {
        var rng = SeededRandom(seed: 3)
        let points = (0..<200).map { _ in Vec3(rng.nextFloat(), rng.nextFloat(), rng.nextFloat()) * 1.9 - 0.95 }
        let q = volume.patchQuery(points, radius: 1)
        #expect(q.pointCount == 200 && q.cellOfRow.count == 1600 && q.patches.count == q.cellCount * OccupancyVolume.patchWidth(radius: 1))
        for p in 0..<200 {
            let w = q.weights[p * 8..<(p + 1) * 8]
            #expect(abs(w.reduce(0, +) - 1) < 1e-5 && w.allSatisfy { $0 >= 0 })
            // The weighted offsets average to zero: the point is the weighted mean of its cells' centres.
            for axis in 0..<3 {
                let mean = (0..<8).map { q.weights[p * 8 + $0] * q.offsets[(p * 8 + $0) * 3 + axis] }.reduce(0, +)
                #expect(abs(mean) < 1e-5)
            }
        }
        #expect(q.offsets.allSatisfy { abs($0) <= 1 })
        // The centre of cell (5, 6, 7) of 16: all weight on one cell, whose patch centre flag is its label.
        let h = Octree.cellSize(depth: 4)
        let centre = Vec3(5.5, 6.5, 7.5) * h - 1
        let c = volume.patchQuery([centre], radius: 0)
        let heavy = (0..<8).filter { c.weights[$0] > 0.999 }
        #expect(heavy.count == 1)
        let row = c.cellOfRow[heavy[0]], label = volume.labels[volume.index(5, 6, 7)]
        #expect(c.patches[row * 2] == (label == .shell ? 1 : 0) && c.patches[row * 2 + 1] == (label == .interior ? 1 : 0))
    }

    @Test("a cell's patch flags its neighbours' labels in x-major order, and nothing beyond the cube")
    func patchLayout() {
        let n = volume.n, r = 2, side = 2 * r + 1
        let cells = [SIMD3(0, 0, 0), SIMD3(8, 8, 8), SIMD3(-1, 3, n), SIMD3(3, 9, 12)]
        let patches = volume.patches(cells, radius: r)
        for (i, c) in cells.enumerated() {
            for k in 0..<(side * side * side) {
                let d = SIMD3(k / (side * side) - r, (k / side) % side - r, k % side - r), x = c &+ d
                let inside = (0..<3).allSatisfy { x[$0] >= 0 && x[$0] < n }
                let label = inside ? volume.labels[volume.index(x.x, x.y, x.z)] : .outside
                let row = i * OccupancyVolume.patchWidth(radius: r) + 2 * k
                #expect(patches[row] == (label == .shell ? 1 : 0) && patches[row + 1] == (label == .interior ? 1 : 0))
            }
        }
    }

    @Test("the band is every cell within Chebyshev distance d of a shell cell", arguments: [0, 1, 2])
    func band(dilation: Int) {
        let n = volume.n
        let shell = volume.labels.indices.filter { volume.labels[$0] == .shell }.map { SIMD3($0 / (n * n), ($0 / n) % n, $0 % n) }
        let band = volume.band(dilation: dilation)
        for i in stride(from: 0, to: n * n * n, by: 7) {
            let c = SIMD3(i / (n * n), (i / n) % n, i % n)
            let near = shell.contains { s in (0..<3).allSatisfy { abs(s[$0] - c[$0]) <= dilation } }
            #expect(band[i] == near)
        }
    }

    @Test("with a decoder that reads only each cell's own label, the learned-stage mesh is watertight and within a cell of the sphere")
    func extraction() throws {
        let tree = try Octree(occupancy: Ball(), level: 0, depth: 4)
        let mesh = try tree.learnedSurfaceMesh(targetDepth: 6, radius: 0) { q in
            (0..<q.pointCount).map { p in
                (0..<8).map { k -> Float in
                    let row = q.cellOfRow[p * 8 + k]
                    return q.weights[p * 8 + k] * (q.patches[row * 2 + 1] == 1 ? 1 : q.patches[row * 2] == 1 ? 0 : -1)
                }.reduce(0, +)
            }
        }
        #expect(!mesh.triangles.isEmpty && MeshTopology(mesh).isWatertight)
        let h = Octree.cellSize(depth: 4)
        #expect(mesh.positions.allSatisfy { abs(length($0) - 0.6) < h })
        #expect(try Octree(points: [], depth: 3).learnedSurfaceMesh(targetDepth: 3, radius: 1) { q in [Float](repeating: -1, count: q.pointCount) }.triangles.isEmpty)
    }

    @Test("a perturbed structure keeps the volume at rate 0, loses about the dropped share of its shell, refills by the flood, and is seeded")
    func perturbed() {
        #expect(volume.perturbed(drop: 0, add: 0, seed: 1) == volume)
        let shell = volume.count(.shell)
        let p = volume.perturbed(drop: 0.2, add: 0, seed: 1)
        #expect(p == volume.perturbed(drop: 0.2, add: 0, seed: 1) && p != volume.perturbed(drop: 0.2, add: 0, seed: 2))
        #expect(abs(Double(p.count(.shell)) / Double(shell) - 0.8) < 0.08)
        // A one-cell-thick leak lets the outside in: no cell is interior unless the flood could not reach it.
        let none = volume.perturbed(drop: 1, add: 0, seed: 1)
        #expect(none.count(.shell) == 0 && none.count(.interior) == 0)
        let more = volume.perturbed(drop: 0, add: 0.3, seed: 1)
        #expect(more.count(.shell) > shell && zip(more.labels, volume.labels).allSatisfy { $1 != .shell || $0 == .shell })
    }
}
