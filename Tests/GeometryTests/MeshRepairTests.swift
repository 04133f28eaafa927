import Testing
import TestSupport
@testable import Geometry

@Suite("Mesh compaction, orientation and edge keys")
struct MeshRepairTests {
    @Test("compaction drops exactly the unreferenced vertices and keeps the others in order")
    func compaction() {
        var m = unitCube()
        // Two stray vertices, one before and one after the cube's, renumbering the faces.
        m.positions.insert([9, 9, 9], at: 0)
        m.triangles = m.triangles.map { $0 &+ 1 }
        m.positions.append([7, 7, 7])
        let (c, removed) = m.compacted()
        #expect(removed == 2)
        #expect(c.positions == unitCube().positions && c.triangles == unitCube().triangles)
        #expect(unitCube().compacted().removed == 0)
    }

    @Test("orientation: a cube with every other face flipped comes back consistent and outward; an inside-out one is turned outward")
    func orientation() {
        var scrambled = unitCube()
        for f in stride(from: 0, to: scrambled.faceCount, by: 2) {
            let t = scrambled.triangles[f]; scrambled.triangles[f] = SIMD3(t.x, t.z, t.y)
        }
        #expect(MeshTopology(scrambled).inconsistentlyOrientedEdges > 0)
        let fixed = scrambled.orientedConsistently()
        #expect(MeshTopology(fixed).inconsistentlyOrientedEdges == 0)
        #expect(abs(fixed.signedVolume - 1) < 1e-6)
        #expect(abs(unitCube().flipped().orientedConsistently().signedVolume - 1) < 1e-6)
        #expect(TriangleMesh().orientedConsistently().faceCount == 0)
    }

    @Test("the undirected edge key ignores direction and separates different edges")
    func edgeKey() {
        #expect(undirectedEdgeKey(3, 7) == undirectedEdgeKey(7, 3))
        #expect(undirectedEdgeKey(3, 7) == 3 << 32 | 7)
        #expect(undirectedEdgeKey(3, 7) != undirectedEdgeKey(3, 8))
        #expect(undirectedEdgeKey(.max, 0) == UInt64(UInt32.max))
    }
}
