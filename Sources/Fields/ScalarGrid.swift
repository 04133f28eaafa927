import Geometry

/// A dense scalar grid sampled at the *vertices* of a regular lattice spanning `bounds`.
///
/// - `resolution` = (nx, ny, nz) samples per axis, each ≥ 2 for a non-empty box.
/// - `values[(i * ny + j) * nz + k]` is the field at grid point (i, j, k): x-major, z fastest,
///   exactly a C-order numpy array of shape (nx, ny, nz) indexed `[i, j, k]`.
/// - Grid-to-world: `x_i = bounds.min.x + i · (bounds.max.x − bounds.min.x) / (nx − 1)`, same for
///   y and z (like scikit-image's `marching_cubes(spacing=…)` plus an offset, and PyMCubes).
public struct ScalarGrid: Sendable, Equatable {
    public var resolution: SIMD3<Int>
    public var bounds: AABB
    public var values: [Float]

    public init(resolution: SIMD3<Int>, bounds: AABB, values: [Float]) {
        precondition(resolution.x >= 1 && resolution.y >= 1 && resolution.z >= 1, "grid resolution must be ≥ 1")
        precondition(values.count == resolution.x * resolution.y * resolution.z, "values.count must be nx·ny·nz")
        self.resolution = resolution; self.bounds = bounds; self.values = values
    }
    /// Samples `field` on an n³ lattice over `bounds` (batched through `values(at:)`).
    public init(sampling field: some ScalarField, resolution n: Int, bounds: AABB) {
        let res = SIMD3(n, n, n)
        var pts = [Vec3](); pts.reserveCapacity(n * n * n)
        let step = ScalarGrid.spacing(resolution: res, bounds: bounds)
        for i in 0..<n { for j in 0..<n { for k in 0..<n {
            pts.append(bounds.min + Vec3(Float(i), Float(j), Float(k)) * step)
        } } }
        self.init(resolution: res, bounds: bounds, values: field.values(at: pts))
    }

    public static func spacing(resolution: SIMD3<Int>, bounds: AABB) -> Vec3 {
        let d = SIMD3<Float>(Float(max(resolution.x - 1, 1)), Float(max(resolution.y - 1, 1)), Float(max(resolution.z - 1, 1)))
        return (bounds.max - bounds.min) / d
    }
    public var spacing: Vec3 { ScalarGrid.spacing(resolution: resolution, bounds: bounds) }
    @inlinable public func index(_ i: Int, _ j: Int, _ k: Int) -> Int { (i * resolution.y + j) * resolution.z + k }
    @inlinable public subscript(i: Int, j: Int, k: Int) -> Float { values[index(i, j, k)] }
    /// World position of grid point (i, j, k).
    public func position(_ i: Int, _ j: Int, _ k: Int) -> Vec3 {
        bounds.min + Vec3(Float(i), Float(j), Float(k)) * spacing
    }
}
