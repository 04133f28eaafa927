import Testing
@testable import Geometry
import TestSupport

@Suite("Area-weighted surface sampling")
struct SurfaceSamplingTests {
    @Test("points lie on the faces they name, with those faces' unit normals")
    func pointsOnFaces() {
        let cube = unitCube()
        let s = cube.sampleSurface(count: 2000, seed: 7)
        #expect(s.points.count == 2000 && s.normals.count == 2000 && s.faces.count == 2000)
        for i in 0..<s.points.count {
            let f = Int(s.faces[i])
            let (a, _, _) = cube.corners(f)
            let n = normalize(cube.faceNormalScaled(f))
            #expect(abs(dot(s.points[i] - a, n)) < 1e-5)          // on the face's plane
            #expect(length(s.normals[i] - n) < 1e-5)
            #expect(all(s.points[i] .>= Vec3(repeating: -1e-6)) && all(s.points[i] .<= Vec3(repeating: 1 + 1e-6)))
        }
    }

    @Test("face frequencies follow area: a face 3× larger gets ~3× the points")
    func areaWeighting() {
        // Two disjoint triangles with areas 0.5 and 1.5.
        let m = TriangleMesh(positions: [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1], [3, 0, 1], [0, 1, 1]],
                             triangles: [[0, 1, 2], [3, 4, 5]])
        let s = m.sampleSurface(count: 40_000, seed: 1)
        let big = s.faces.filter { $0 == 1 }.count
        #expect(abs(Double(big) / 40_000 - 0.75) < 0.01)
    }

    @Test("the same seed gives the same points; a mesh with no area gives none")
    func determinismAndEmpty() {
        let cube = unitCube()
        #expect(cube.sampleSurface(count: 100, seed: 3).points == cube.sampleSurface(count: 100, seed: 3).points)
        #expect(cube.sampleSurface(count: 100, seed: 3).points != cube.sampleSurface(count: 100, seed: 4).points)
        let flat = TriangleMesh(positions: [[0, 0, 0], [1, 0, 0], [2, 0, 0]], triangles: [[0, 1, 2]])
        #expect(flat.sampleSurface(count: 10, seed: 0).points.isEmpty)
        #expect(TriangleMesh().sampleSurface(count: 10, seed: 0).points.isEmpty)
    }
}
