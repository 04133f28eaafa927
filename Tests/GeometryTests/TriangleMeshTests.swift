import Testing
import TestSupport
@testable import Geometry

@Suite("A triangle mesh")
struct TriangleMeshTests {
    @Test("a closed cube is watertight with Euler characteristic 2, area 6 and volume 1")
    func cubeTopology() throws {
        let cube = unitCube()
        try cube.validate()
        let t = MeshTopology(cube)
        #expect(t.isWatertight)
        #expect(t.eulerCharacteristic == 2)
        #expect(t.components == 1)
        #expect(t.inconsistentlyOrientedEdges == 0)
        #expect(abs(cube.surfaceArea - 6) < 1e-6)
        #expect(abs(cube.signedVolume - 1) < 1e-6)
    }

    @Test("removing a face opens three boundary edges; flipping one makes orientation inconsistent")
    func openAndFlipped() {
        var open = unitCube()
        open.triangles.removeLast()
        #expect(MeshTopology(open).boundaryEdges == 3)
        var flippedOne = unitCube()
        let t = flippedOne.triangles[0]
        flippedOne.triangles[0] = SIMD3(t.x, t.z, t.y)
        #expect(MeshTopology(flippedOne).inconsistentlyOrientedEdges == 3)
    }

    @Test("the empty mesh is representable, empty-bounded and not watertight")
    func emptyMesh() throws {
        let m = TriangleMesh()
        try m.validate()
        #expect(m.bounds.isEmpty)
        #expect(!MeshTopology(m).isWatertight)
    }

    @Test("a similarity transform composed with its inverse is the identity")
    func transformInverse() {
        let tr = SimilarityTransform(scale: 2.5, translation: [0.25, -1, 3])
        let p = Vec3(0.1, 0.2, 0.3)
        #expect(length(tr.inverse.apply(tr.apply(p)) - p) < 1e-6)
        #expect(length(tr.composed(after: tr.inverse).apply(p) - p) < 1e-6)
    }

    @Test("an out-of-range index is reported by validate")
    func invalidIndex() {
        let m = TriangleMesh(positions: [.zero], triangles: [SIMD3(0, 0, 5)])
        #expect(throws: TriangleMesh.InvariantViolation.self) { try m.validate() }
    }
}
