import Testing
import Fields
import Geometry
@testable import Extraction

@Suite("Sparse marching cubes on distance fields")
struct SparseLipschitzTests {
    /// A plate 0.03 thick whose slab holds no coarse lattice point (coarse spacing 0.125 at
    /// 129 points and 3 levels; the slab spans y ∈ [0.045, 0.075]).
    static let plate = RoundedBoxSDF(center: Vec3(0.02, 0.06, -0.03), halfExtent: Vec3(0.7, 0.015, 0.6), radius: 0.005)

    @Test("a thin plate between coarse points is missed by the sign rule and found, exactly as dense, with the Lipschitz rule")
    func thinPlate() throws {
        let bounds = AABB.cube(halfSize: 1)
        let dense = try MarchingCubes.extract(ScalarGrid(sampling: Self.plate, resolution: 129, bounds: bounds))
        #expect(!dense.isEmpty)
        let signOnly = try SparseMarchingCubes.extract(Self.plate, bounds: bounds, resolution: 129, levels: 3)
        #expect(signOnly.mesh.isEmpty, "the sign rule sees no crossing on the coarse lattice")
        let lipschitz = try SparseMarchingCubes.extract(Self.plate, bounds: bounds, resolution: 129, levels: 3, lipschitz: 1)
        #expect(lipschitz.mesh.positions == dense.positions)
        #expect(lipschitz.mesh.triangles == dense.triangles)
        #expect(lipschitz.evaluations < lipschitz.denseEvaluations / 3, "\(lipschitz.evaluations)")
    }
}
