import Geometry

/// A `ScalarGrid` read as a continuous field: the trilinear interpolant of its samples, with the
/// interpolant's exact gradient (piecewise, world units). Points outside `grid.bounds` are clamped
/// to the box (the field is constant along the outward normal there, gradient 0 in that axis).
///
/// `transform` maps each sample value before interpolation (e.g. `abs` to read an SDF grid as an
/// unsigned distance for `DualMeshUDF`); it is applied once, at construction.
public struct TrilinearGridField: GradientField {
    public let grid: ScalarGrid

    public init(_ grid: ScalarGrid, transform: ((Float) -> Float)? = nil) {
        precondition(grid.resolution.x >= 2 && grid.resolution.y >= 2 && grid.resolution.z >= 2, "trilinear needs ≥ 2 samples per axis")
        var g = grid
        if let t = transform { g.values = g.values.map(t) }
        self.grid = g
    }

    public func value(at p: Vec3) -> Float { valueAndGradient(at: p).0 }

    public func valueAndGradient(at p: Vec3) -> (Float, Vec3) {
        let r = grid.resolution
        let h = grid.spacing
        let q = (p - grid.bounds.min) / h
        var i = SIMD3<Int>(0, 0, 0), f = Vec3.zero
        for a in 0..<3 {
            let x = Swift.min(Swift.max(q[a], 0), Float(r[a] - 1))
            let c = Swift.min(Int(x), r[a] - 2)
            i[a] = c; f[a] = x - Float(c)
        }
        var v = [Float](repeating: 0, count: 8)
        for c in 0..<8 { v[c] = grid[i.x + (c & 1), i.y + (c >> 1 & 1), i.z + (c >> 2)] }
        // Interpolate along z, then y, then x, keeping partial derivatives.
        let z00 = v[0] + (v[4] - v[0]) * f.z, z10 = v[1] + (v[5] - v[1]) * f.z
        let z01 = v[2] + (v[6] - v[2]) * f.z, z11 = v[3] + (v[7] - v[3]) * f.z
        let y0 = z00 + (z01 - z00) * f.y, y1 = z10 + (z11 - z10) * f.y
        let value = y0 + (y1 - y0) * f.x
        let dx = y1 - y0
        let dy = (z01 - z00) + ((z11 - z10) - (z01 - z00)) * f.x
        let d00 = v[4] - v[0], d10 = v[5] - v[1], d01 = v[6] - v[2], d11 = v[7] - v[3]
        let dz0 = d00 + (d01 - d00) * f.y, dz1 = d10 + (d11 - d10) * f.y
        let dz = dz0 + (dz1 - dz0) * f.x
        var g = Vec3(dx, dy, dz) / h
        for a in 0..<3 where q[a] < 0 || q[a] > Float(r[a] - 1) { g[a] = 0 }
        return (value, g)
    }
}
