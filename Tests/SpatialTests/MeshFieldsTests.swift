import Testing
import Geometry
import Fields
import Support
@testable import Spatial

@Suite("Mesh distance, signed distance and occupancy fields")
struct MeshFieldsTests {
    @Test("the default inside rule is orientation-free: an inside-out sphere (w = −1 inside) is inside by |w| > ½, like ray parity")
    func insideOutMesh() {
        var m = TriangleMesh.icosphere(subdivisions: 3, radius: 0.5)
        m.triangles = m.triangles.map { SIMD3($0.x, $0.z, $0.y) }
        #expect(m.signedVolume < 0)
        let bvh = TriangleBVH(mesh: m)
        let pts = [Vec3(0, 0, 0), Vec3(0.2, -0.1, 0.3), Vec3(0.9, 0, 0), Vec3(0, 0.7, 0.2)]
        #expect(bvh.windingNumber(at: pts[0]) < -0.9)
        #expect(bvh.occupancy(pts) == [true, true, false, false])
        #expect(bvh.occupancy(pts, test: .rayParity()) == [true, true, false, false])
        #expect(bvh.isInside(pts[1]) && !bvh.isInside(pts[2]))
    }

    @Test("UDF gradient is a unit vector matching central finite differences away from the medial axis")
    func udfGradientMatchesFiniteDifferences() {
        let mesh = bumpySphere(subdivisions: 3)
        let field = MeshDistanceField(mesh: mesh)
        let pts = randomPoints(600, seed: 31, half: 1.6)
        let (v, g) = field.valuesAndGradients(at: pts)
        var checked = 0
        for (i, p) in pts.enumerated() {
            #expect(abs(length(g[i]) - 1) < 1e-4)
            #expect(v[i] == field.value(at: p))
            // Skip points whose closest feature is ambiguous (medial axis) or very near the surface.
            guard v[i] > 0.05 else { continue }
            let h: Float = 1e-3
            var fd = Vec3.zero
            var smooth = true
            for k in 0..<3 {
                var e = Vec3.zero; e[k] = h
                fd[k] = (field.value(at: p + e) - field.value(at: p - e)) / (2 * h)
                // Near the medial axis the closest feature jumps within the stencil: skip there.
                smooth = smooth && length(field.valueAndGradient(at: p + e).1 - g[i]) < 5e-3
                    && length(field.valueAndGradient(at: p - e).1 - g[i]) < 5e-3
            }
            guard smooth else { continue }
            checked += 1
            #expect(length(fd - g[i]) < 1e-2, "p = \(p)")
        }
        #expect(checked > 300)
    }

    @Test("SDF is negative inside, positive outside, |SDF| = UDF, for both inside tests")
    func sdfSigns() {
        let mesh = TriangleMesh.icosphere(subdivisions: 3, radius: 0.8)
        let bvh = TriangleBVH(mesh: mesh)
        let pts = randomPoints(3000, seed: 32, half: 1.2)
        let udf = MeshDistanceField(bvh).values(at: pts)
        for test in [InsideTest.windingNumber(), .rayParity(rays: 3)] {
            let sdf = MeshSignedDistanceField(bvh, test: test)
            let (s, g) = sdf.valuesAndGradients(at: pts)
            let occ = MeshOccupancyField(bvh, test: test).values(at: pts)
            for (i, p) in pts.enumerated() {
                #expect(abs(s[i]) == udf[i])
                let r = length(p)
                if abs(r - 0.8) > 0.02 {
                    #expect((s[i] < 0) == (r < 0.8), "\(test) p = \(p)")
                    #expect(occ[i] == (r < 0.8 ? 1 : 0))
                    // The signed gradient points away from the centre on both sides.
                    #expect(dot(g[i], p) > 0)
                }
            }
            #expect(sdf.value(at: [0, 0, 0]) < 0 && sdf.value(at: [1, 1, 1]) > 0)
        }
    }

    @Test("gradient on the surface is the face normal; empty meshes and NaN queries give defined values")
    func edgeCases() {
        let tri = TriangleMesh(positions: [[0, 0, 0], [1, 0, 0], [0, 1, 0]], triangles: [[0, 1, 2]])
        let f = MeshDistanceField(mesh: tri)
        let (d, g) = f.valueAndGradient(at: [0.2, 0.2, 0])
        #expect(d < 1e-6 && g == [0, 0, 1])
        let empty = MeshDistanceField(mesh: TriangleMesh())
        #expect(empty.value(at: .zero) == .infinity && empty.valueAndGradient(at: .zero).1 == .zero)
        let (nv, ng) = f.valuesAndGradients(at: [Vec3(.nan, 0, 0)])
        #expect(nv[0].isNaN && ng[0] == .zero)
        #expect(MeshOccupancyField(mesh: tri).values(at: [Vec3(.nan, 0, 0), [0.2, 0.2, 0.1]]) == [0, 0])
    }
}
