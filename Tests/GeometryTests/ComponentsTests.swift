import Testing
import TestSupport
@testable import Geometry

@Suite("Connected components of a mesh")
struct ComponentsTests {
    /// The unit cube scaled by `s` and moved by `t`, appended to `mesh`.
    static func adding(cubeOf s: Float, at t: Vec3, to mesh: TriangleMesh) -> TriangleMesh {
        let c = unitCube(), base = UInt32(mesh.vertexCount)
        return TriangleMesh(positions: mesh.positions + c.positions.map { $0 * s + t },
                            triangles: mesh.triangles + c.triangles.map { $0 &+ SIMD3(repeating: base) })
    }

    @Test("three disjoint cubes are three components, numbered in order of their first face; the empty mesh has none")
    func labels() {
        var m = Self.adding(cubeOf: 1, at: .zero, to: TriangleMesh())
        m = Self.adding(cubeOf: 0.5, at: Vec3(3, 0, 0), to: m)
        m = Self.adding(cubeOf: 0.1, at: Vec3(0, 3, 0), to: m)
        let (labels, count) = m.faceComponents()
        #expect(count == 3 && MeshTopology(m).components == 3)
        #expect(labels == [Int](repeating: 0, count: 12) + [Int](repeating: 1, count: 12) + [Int](repeating: 2, count: 12))
        #expect(TriangleMesh().faceComponents().count == 0)
    }

    @Test("pieces under the volume fraction of the largest go with their vertices; the rest is untouched")
    func removal() throws {
        var m = Self.adding(cubeOf: 1, at: .zero, to: TriangleMesh())
        m = Self.adding(cubeOf: 0.5, at: Vec3(3, 0, 0), to: m)     // volume 0.125
        m = Self.adding(cubeOf: 0.1, at: Vec3(0, 3, 0), to: m)     // volume 0.001
        let (kept, removed) = m.removingSmallComponents(fraction: 0.05)
        #expect(removed == 1 && kept.faceCount == 24 && kept.vertexCount == 16)
        try kept.validate()
        #expect(Swift.abs(kept.signedVolume - 1.125) < 1e-6)
        #expect(m.removingSmallComponents(fraction: 0.5).mesh.faceCount == 12)
        #expect(m.removingSmallComponents(fraction: 0).mesh == m)
        #expect(TriangleMesh().removingSmallComponents(fraction: 0.5).removed == 0)
    }
}
