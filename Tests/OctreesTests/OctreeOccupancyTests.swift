import Testing
import Geometry
import Support
@testable import Octrees

/// Oracle for triangle–box overlap: clip the triangle by the box's 6 half-spaces (Sutherland–Hodgman);
/// they overlap iff something is left.
func clipOverlaps(_ tri: [Vec3], center: Vec3, halfSize h: Float) -> Bool {
    var poly = tri.map { $0 - center }
    for axis in 0..<3 {
        for side in [Float(1), -1] {
            // Keep side·p[axis] ≤ h.
            var out = [Vec3]()
            for i in 0..<poly.count {
                let p = poly[i], q = poly[(i + 1) % poly.count]
                let dp = side * p[axis] - h, dq = side * q[axis] - h
                if dp <= 0 { out.append(p) }
                if (dp < 0 && dq > 0) || (dp > 0 && dq < 0) { out.append(p + (q - p) * (dp / (dp - dq))) }
            }
            poly = out
            if poly.isEmpty { return false }
        }
    }
    return true
}

@Suite("Octree from meshes, occupancy volumes and voxel meshes")
struct OctreeOccupancyTests {
    @Test("the SAT triangle–box test agrees with polygon clipping on random triangles and boxes")
    func satVersusClipping() {
        var rng = SeededRandom(seed: 21)
        var agreed = 0, overlaps = 0
        for _ in 0..<20_000 {
            let s: Float = rng.uniform(0.05, 1.5)
            let tri = (0..<3).map { _ in Vec3(rng.uniform(-1, 1), rng.uniform(-1, 1), rng.uniform(-1, 1)) * s }
            let c = Vec3(rng.uniform(-0.6, 0.6), rng.uniform(-0.6, 0.6), rng.uniform(-0.6, 0.6))
            let h: Float = rng.uniform(0.02, 0.4)
            let oracle = clipOverlaps(tri, center: c, halfSize: h)
            // Skip near-ties, where rounding may decide either way.
            guard clipOverlaps(tri, center: c, halfSize: h * 0.999) == clipOverlaps(tri, center: c, halfSize: h * 1.001) else { continue }
            #expect(TriangleBoxOverlap.overlaps(tri[0], tri[1], tri[2], center: c, halfSize: h) == oracle)
            agreed += 1; if oracle { overlaps += 1 }
        }
        #expect(agreed > 19_000 && overlaps > 2_000 && overlaps < agreed - 2_000)
    }

    @Test("a mesh octree holds every cell a surface sample falls in, and its leaves lie within one cell of the surface")
    func meshTree() throws {
        for (mesh, distance, slack) in [
            (Fixtures.shapes[0].mesh, { (p: Vec3) in Fixtures.sphereDistance(p, r: 0.7) }, Float(0.002)),
            (Fixtures.shapes[1].mesh, { (p: Vec3) in Fixtures.torusDistance(p, major: 0.55, minor: 0.2) }, Float(0.004)),
        ] {
            let depth = 6
            let tree = try Octree(mesh: mesh, depth: depth, fullDepth: 2)
            let points = Fixtures.surfacePoints(mesh, count: 20_000).points
            for p in points {
                let (d, i) = try #require(tree.locate(p))
                #expect(d == depth && tree.levels[d].kinds[i] == .leaf)
            }
            let h = Octree.cellSize(depth: depth)
            for (i, k) in tree.levels[depth].kinds.enumerated() where k == .leaf {
                #expect(distance(Octree.cellCenter(key: tree.levels[depth].keys[i], depth: depth)) <= h * 0.8661 + slack)
            }
            #expect(try Octree(tokens: tree.childMaskTokens()) == tree)
        }
    }

    @Test("flood fill recovers the solid of closed shapes: interior inside, outside outside, volume close to the true one")
    func floodFill() throws {
        let r: Float = 0.7, depth = 6
        let sphere = try Octree(mesh: Fixtures.shapes[0].mesh, depth: depth).occupancyVolume()
        #expect(sphere.filled)
        let n = sphere.n, h = Octree.cellSize(depth: depth)
        for x in 0..<n { for y in 0..<n { for z in 0..<n {
            let c = (Vec3(Float(x), Float(y), Float(z)) + 0.5) * h - 1
            switch sphere.labels[sphere.index(x, y, z)] {
            case .interior: #expect(length(c) < r)
            case .outside: #expect(length(c) > r - 0.01)   // the icosphere is inscribed
            case .shell: break
            }
        } } }
        let icoVolume = Float(4.0 / 3.0 * Double.pi) * r * r * r
        #expect(abs(sphere.volume - icoVolume) / icoVolume < 0.04)
        // Genus 1: the hole of the torus is outside.
        let torus = try Octree(mesh: Fixtures.shapes[1].mesh, depth: depth).occupancyVolume()
        let m = n / 2
        #expect(torus.labels[torus.index(m, m, m)] == .outside)
        #expect(torus.labels[torus.index(m + Int(0.55 / h), m, m)] == .interior)
        let torusVolume = 2 * Float.pi * Float.pi * 0.55 * 0.2 * 0.2
        #expect(abs(torus.volume - torusVolume) / torusVolume < 0.06)
    }

    @Test("an inside classifier gives the same labels as the flood fill on a closed shell")
    func classifier() throws {
        let tree = try Octree(mesh: Fixtures.shapes[0].mesh, depth: 5)
        let flood = try tree.occupancyVolume()
        let classified = try tree.occupancyVolume { $0.map { length($0) < 0.69 } }
        #expect(flood == classified)
    }

    @Test("a shell with holes leaks and comes back unfilled; depths beyond 9 are refused")
    func leaksAndLimits() throws {
        let sparse = Fixtures.surfacePoints(Fixtures.shapes[0].mesh, count: 300).points
        let v = try Octree(points: sparse, depth: 6).occupancyVolume()
        #expect(!v.filled)
        #expect(v.count(.shell) > 0)
        #expect(throws: OctreeError.depthOutOfRange(depth: 10, allowed: 1...9)) { try Octree(points: [.zero], depth: 10).occupancyVolume() }
    }

    @Test("adaptive leaves rasterize to finest cells near their plane, and the solid still fills")
    func adaptiveSurfaceCells() throws {
        let s = Fixtures.surfacePoints(Fixtures.shapes[2].mesh, count: 40_000)   // box
        let adaptive = try Octree(adaptivePoints: s.points, normals: s.normals, depth: 6, fullDepth: 1)
        let cells = adaptive.surfaceCells()
        let h = Octree.cellSize(depth: 6)
        // Box surface: max-norm distance to the box (half extents 0.6, 0.4, 0.5).
        let half = Vec3(0.6, 0.4, 0.5)
        for k in cells {
            let c = Octree.cellCenter(key: k, depth: 6)
            let q: Vec3 = Vec3(abs(c.x), abs(c.y), abs(c.z)) - half
            let outside: Float = length(pointwiseMax(q, Vec3.zero))
            let inside: Float = min(q.max(), 0)
            let bound: Float = h * 1.5 * 1.7321 + 1e-4   // a point lies in the 3×3×3 block around the cell
            #expect(abs(outside + inside) <= bound)
        }
        let v = try adaptive.occupancyVolume()
        #expect(v.filled)
        #expect(abs(v.volume - 1.2 * 0.8 * 1.0) / 0.96 < 0.06)
    }

    @Test("the voxel mesh of a non-adaptive tree encloses exactly its leaves' volume, with outward faces")
    func voxelMesh() throws {
        for tree in [try Octree(points: Fixtures.clusteredPoints(500, seed: 4), depth: 5),
                     try Octree(mesh: Fixtures.shapes[1].mesh, depth: 5)] {
            let v = OctreeVoxelMesh(tree)
            var vol: Double = 0
            for f in 0..<v.mesh.faceCount {
                let (a, b, c) = v.mesh.corners(f)
                vol += Double(dot(a, cross(b, c))) / 6
            }
            let h = Double(Octree.cellSize(depth: 5))
            #expect(abs(vol - Double(tree.leafCount) * h * h * h) < 1e-4)
            #expect(v.faceDepths.count == v.mesh.faceCount && v.faceDepths.allSatisfy { $0 == 5 })
            #expect(v.mesh.faceCount < 12 * tree.leafCount)   // hidden faces are dropped
        }
        let adaptive = try Octree(adaptivePoints: Fixtures.surfacePoints(Fixtures.shapes[2].mesh).points, depth: 6, fullDepth: 1)
        let va = OctreeVoxelMesh(adaptive)
        #expect(Set(va.faceDepths).count > 2)
        #expect(OctreeVoxelMesh(try Octree(points: [], depth: 3)).mesh.isEmpty)
    }
}

@Suite("Octree decoding to meshes")
struct OctreeDecodingTests {
    @Test("tokens → tree → mesh gives a watertight mesh within about one finest cell of the source", arguments: [4, 6])
    func decode(depth: Int) throws {
        let r: Float = 0.7
        let tree = try Octree(mesh: Fixtures.shapes[0].mesh, depth: depth, fullDepth: 2)
        for scheme in OctreeTokens.Scheme.allCases {
            let mesh = try Octree(tokens: tree.tokens(scheme)).reconstructMesh()
            let topo = MeshTopology(mesh)
            #expect(topo.isWatertight)
            #expect(topo.eulerCharacteristic == 2)
            let h = Octree.cellSize(depth: depth)
            for p in mesh.positions { #expect(Fixtures.sphereDistance(p, r: r) <= h + 0.01) }
        }
        // Unbiased: the decoded sphere's mean radius error is a small fraction of a cell.
        let sphere = try tree.reconstructMesh()
        let mean = sphere.positions.reduce(Float(0)) { $0 + length($1) - r } / Float(sphere.vertexCount)
        #expect(abs(mean) < 0.1 * Octree.cellSize(depth: depth) + 0.003)   // + the icosphere's inscription
        // The torus keeps its genus.
        let torus = try Octree(mesh: Fixtures.shapes[1].mesh, depth: 6).reconstructMesh()
        #expect(MeshTopology(torus).eulerCharacteristic == 0 && MeshTopology(torus).isWatertight)
    }

    @Test("sheets thinner than a cell survive decoding as one-cell slabs; open surfaces decode to a closed skin")
    func thinSheets() throws {
        let plate = TriangleMesh.box(size: Vec3(1.2, 0.01, 1.0))
        let tree = try Octree(mesh: plate, depth: 5)
        let (mesh, filled) = try tree.reconstruct()
        #expect(!mesh.isEmpty && MeshTopology(mesh).isWatertight)
        _ = filled
        let h = Octree.cellSize(depth: 5)
        #expect(abs(mesh.bounds.extent.x - 1.2) < 1.5 * h && mesh.bounds.extent.y <= 2 * h + 1e-4)
        let triangle = TriangleMesh(positions: [Vec3(-0.5, -0.5, 0.1), Vec3(0.5, -0.5, 0.1), Vec3(0, 0.5, 0.1)], triangles: [SIMD3(0, 1, 2)])
        let skin = try Octree(mesh: triangle, depth: 5).reconstruct()
        #expect(!skin.filled && MeshTopology(skin.mesh).isWatertight && skin.mesh.bounds.extent.z <= 2 * h + 1e-4)
    }

    @Test("the decoded mesh returns to the source frame; the empty tree decodes to the empty mesh")
    func frames() throws {
        let mesh = Fixtures.shapes[2].mesh.transformed(by: SimilarityTransform(scale: 3, translation: Vec3(5, 0, -2)))
        let frame = Octree.normalizingFrame(for: mesh.bounds)
        let tree = try Octree(mesh: mesh.transformed(by: frame), depth: 5, frame: frame)
        let back = try tree.reconstructMesh()
        #expect(length(back.bounds.center - mesh.bounds.center) < 0.1)
        #expect(abs(back.bounds.longestSide - mesh.bounds.longestSide) < 0.3)
        #expect(try Octree(points: [], depth: 4).reconstructMesh().isEmpty)
    }
}
