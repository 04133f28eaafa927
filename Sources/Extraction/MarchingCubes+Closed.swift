import Fields
import Geometry

extension MarchingCubes {
    /// `extract`, closed where the solid reaches the grid's border: when any border grid point is
    /// inside, the grid is first padded by one lattice step on every side with a value strictly
    /// outside (`level ∓ 1`), so the surface closes within one step beyond the border instead of
    /// staying open there. Grids whose border is all outside are extracted as they are (the same
    /// mesh as `extract`, bit for bit). The output is then watertight and edge-manifold (MC33's
    /// guarantee away from the border, see the type) unless empty.
    ///
    /// What decoders of solids want (the octree decoders: a sampled structure may put shell cells
    /// on the outermost layer of the cube, where `extract` left the mesh open).
    public static func extractClosed(_ grid: ScalarGrid, level: Float, inside: InsideConvention) throws -> TriangleMesh {
        let (nx, ny, nz) = (grid.resolution.x, grid.resolution.y, grid.resolution.z)
        let sgn: Float = inside == .higher ? 1 : -1
        func isInside(_ i: Int, _ j: Int, _ k: Int) -> Bool { sgn * (grid[i, j, k] - level) >= 0 }
        var touches = false
        scan: for i in 0..<nx { for j in 0..<ny { for k in 0..<nz
            where (i == 0 || i == nx - 1 || j == 0 || j == ny - 1 || k == 0 || k == nz - 1) && isInside(i, j, k) {
            touches = true; break scan
        } } }
        guard touches else { return try extract(grid, level: level, inside: inside) }
        let (px, py, pz) = (nx + 2, ny + 2, nz + 2)
        var values = [Float](repeating: level - sgn, count: px * py * pz)
        for i in 0..<nx { for j in 0..<ny { for k in 0..<nz { values[((i + 1) * py + j + 1) * pz + k + 1] = grid[i, j, k] } } }
        let step = grid.spacing
        let padded = ScalarGrid(resolution: SIMD3(px, py, pz), bounds: AABB(min: grid.bounds.min - step, max: grid.bounds.max + step), values: values)
        return try extract(padded, level: level, inside: inside)
    }
}
