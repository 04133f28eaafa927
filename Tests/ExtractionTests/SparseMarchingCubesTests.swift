import Testing
import Fields
import Geometry
import Support
@testable import Extraction

@Suite("Sparse (coarse-to-fine) marching cubes")
struct SparseMarchingCubesTests {
    /// A smooth field with two components of different size and a genus-1 part.
    static let field = ClosureField { p in
        min(SphereSDF(center: Vec3(0.3, 0.2, -0.1), radius: 0.35).value(at: p),
            TorusSDF(center: Vec3(-0.25, -0.2, 0.15), majorRadius: 0.4, minorRadius: 0.15).value(at: p))
    }

    @Test("sparse extraction equals dense extraction (triangles, positions, normals) with a fraction of the evaluations")
    func equalsDense() throws {
        let bounds = AABB.cube(halfSize: 1)
        for (n, levels) in [(65, 2), (97, 5), (129, 3)] {
            let dense = try MarchingCubes.extract(ScalarGrid(sampling: Self.field, resolution: n, bounds: bounds))
            let sparse = try SparseMarchingCubes.extract(Self.field, bounds: bounds, resolution: n, levels: levels)
            #expect(sparse.mesh.positions == dense.positions, "n = \(n)")
            #expect(sparse.mesh.triangles == dense.triangles, "n = \(n)")
            #expect(sparse.mesh.normals == dense.normals, "n = \(n)")
            #expect(sparse.evaluations < sparse.denseEvaluations / 2, "n = \(n): \(sparse.evaluations)")
            #expect(sparse.evaluationsPerLevel.count == levels + 2)
        }
        // inside = higher on the negated field
        let neg = ClosureField { -Self.field.value(at: $0) }
        let d = try MarchingCubes.extract(ScalarGrid(sampling: neg, resolution: 65, bounds: bounds), level: 0.05, inside: .higher)
        let s = try SparseMarchingCubes.extract(neg, bounds: bounds, resolution: 65, level: 0.05, inside: .higher)
        #expect(s.mesh == d)
    }

    @Test("at 257³ a smooth surface costs a small fraction of the 17M dense evaluations")
    func fraction() throws {
        let r = try SparseMarchingCubes.extract(SphereSDF(radius: 0.6), bounds: .cube(halfSize: 1), resolution: 257, normals: false)
        #expect(SparseMarchingCubes.defaultLevels(resolution: 257) == 4)
        #expect(Double(r.evaluations) < 0.1 * Double(r.denseEvaluations))
        #expect(MeshTopology(r.mesh).isWatertight)
        #expect(MeshTopology(r.mesh).eulerCharacteristic == 2)
    }

    @Test("an incompatible level count is a typed error; an empty field gives the empty mesh")
    func edges() throws {
        #expect(throws: ExtractionError.incompatibleLevels(resolution: 64, levels: 2)) {
            try SparseMarchingCubes.extract(SphereSDF(radius: 0.5), bounds: .cube(halfSize: 1), resolution: 64, levels: 2)
        }
        let r = try SparseMarchingCubes.extract(ClosureField { _ in 1 }, bounds: .cube(halfSize: 1), resolution: 33)
        #expect(r.mesh.isEmpty)
        #expect(r.evaluations < 33 * 33 * 33)
    }
}
