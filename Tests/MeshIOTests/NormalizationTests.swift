import Foundation
import Testing
import Geometry
@testable import MeshIO
import TestSupport

@Suite("Normalization conventions")
struct NormalizationTests {
    /// A lopsided, off-centre box-ish mesh: extents (3, 1.5, 0.25) around (100, -7, 2).
    func offCentre() -> TriangleMesh {
        var m = unitCube()
        m.positions = m.positions.map { Vec3(100, -7, 2) + ($0 - 0.5) * Vec3(3, 1.5, 0.25) }
        return m
    }
    func near(_ a: Float, _ b: Float, ulps: Float = 4) -> Bool { abs(a - b) <= ulps * Swift.max(abs(a), abs(b), 1).ulp }

    @Test("ONet centres the bbox and maps the longest edge to 1 − padding", arguments: [Float(0), 0.1, 0.25])
    func onet(padding: Float) {
        let (m, _) = offCentre().normalized(.onet(padding: padding))
        let b = m.bounds
        #expect(near(b.longestSide, 1 - padding))
        #expect(near(b.max.x, (1 - padding) / 2) && near(b.min.x, -(1 - padding) / 2))
        #expect(abs(b.center.y) < 1e-6 && abs(b.center.z) < 1e-6)
        #expect(near(b.extent.y, 0.5 * (1 - padding)))
    }

    @Test("NFD makes the longest side span [-1, 1]")
    func nfd() {
        let (m, _) = offCentre().normalized(.nfd)
        #expect(near(m.bounds.min.x, -1) && near(m.bounds.max.x, 1))
        #expect(near(m.bounds.extent.y, 1) && near(m.bounds.extent.z, 1.0 / 6))
    }

    @Test("the unit sphere puts the farthest vertex at distance 1 from the bbox centre")
    func sphere() {
        let (m, _) = offCentre().normalized(.unitSphere)
        let r = m.positions.map { length($0) }.max()!
        #expect(near(r, 1))
        #expect(length(m.bounds.center) < 1e-6)
    }

    @Test("every normalization transform inverts: normalized points map back to the originals",
          arguments: [NormalizationConvention.onet, .onet(padding: 0.1), .nfd, .unitSphere])
    func inverts(_ c: NormalizationConvention) throws {
        for mesh in [offCentre(), awkwardMeshFinite()] {
            let (n, t) = mesh.normalized(c)
            let back = n.transformed(by: t.inverse)
            let size = mesh.bounds.diagonal
            for (p, q) in zip(mesh.positions, back.positions) {
                let magnitude: Float = Swift.max(Swift.max(Swift.abs(p.x), Swift.abs(p.y), Swift.abs(p.z)), 1)
                let tolerance: Float = 4 * size.ulp + 4 * magnitude.ulp
                #expect(length(p - q) <= tolerance, "\(p) came back as \(q)")
            }
            let id = t.inverse.composed(after: t)
            // t⁻¹ ∘ t rounds at the magnitude of the original centre, |t| / s.
            let centreMagnitude: Float = length(t.translation) / t.scale
            let drift: Float = 8 * Swift.max(centreMagnitude, 1).ulp
            #expect(near(id.scale, 1) && length(id.translation) <= drift)
            #expect(n.triangles == mesh.triangles)
        }
    }

    @Test("a mesh that spans no length has no normalization")
    func degenerate() {
        #expect(NormalizationConvention.nfd.transform(for: []) == nil)
        #expect(NormalizationConvention.onet.transform(for: [Vec3(1, 2, 3), Vec3(1, 2, 3)]) == nil)
        #expect(NormalizationConvention.unitSphere.transform(for: [Vec3(1, 2, 3)]) == nil)
        #expect(NormalizationConvention.nfd.transform(for: [Vec3(.nan, 0, 0), Vec3(1, 1, 1)]) == nil)
    }

    /// Random points in a moderate range (huge exponents would overflow after scaling).
    func awkwardMeshFinite() -> TriangleMesh {
        var m = awkwardMesh()
        m.positions = m.positions.enumerated().map { i, _ in
            Vec3(Float(i % 17) * 0.37 - 2, Float(i % 5) * 11.1 + 30, Float(i % 11) * -0.013)
        }
        return m
    }
}

@Suite("Position welding")
struct WeldingTests {
    @Test("welding a triangle soup of a cube restores 8 vertices and a watertight χ = 2 surface")
    func weldsSoup() {
        let cube = unitCube()
        var soup = TriangleMesh()
        for f in 0..<cube.faceCount {
            let (a, b, c) = cube.corners(f)
            let o = UInt32(soup.vertexCount)
            soup.positions += [a, b, c]
            soup.triangles.append(SIMD3(o, o + 1, o + 2))
        }
        #expect(MeshTopology(soup).components == 12)
        let (w, merged) = soup.weldedByPosition()
        #expect(w.vertexCount == 8 && merged == 28)
        let t = MeshTopology(w)
        #expect(t.isWatertight && t.eulerCharacteristic == 2 && t.inconsistentlyOrientedEdges == 0)
        #expect(abs(w.signedVolume - 1) < 1e-6)
        // First occurrences keep their order.
        #expect(w.positions.first == soup.positions.first)
    }

    @Test("−0 and +0 weld, distinct positions never do")
    func signedZero() {
        let m = TriangleMesh(positions: [[0, 0, 0], [-0.0, 0, 0], [1, 0, 0], [0, 1, 0], [Float(1).nextUp, 0, 0]],
                             triangles: [[0, 2, 3], [1, 3, 4]])
        let (w, merged) = m.weldedByPosition()
        #expect(merged == 1 && w.vertexCount == 4)
        #expect(w.triangles == [SIMD3(0, 1, 2), SIMD3(0, 2, 3)])
    }
}

@Suite("Normalization transform agreement")
struct NormalizationAgreementTests {
    @Test("the returned Float transform reproduces the Double-computed positions within a few ulps of |translation|",
          arguments: [NormalizationConvention.onet, .nfd, .unitSphere])
    func agrees(_ c: NormalizationConvention) {
        var m = unitCube()
        m.positions = m.positions.map { Vec3(1234.5, -77, 0.125) + $0 * Vec3(3, 2, 1) }
        let (n, t) = m.normalized(c)
        let tolerance: Float = 4 * Swift.max(length(t.translation), 1).ulp
        for (p, q) in zip(m.positions, n.positions) { #expect(length(t.apply(p) - q) <= tolerance) }
    }
}
