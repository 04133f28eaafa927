extension TriangleMesh {
    /// An axis-aligned ellipsoid x²/a² + y²/b² + z²/c² = 1 (shifted to `center`): an icosphere of
    /// radius 1 scaled by `radii` = (a, b, c). Vertices lie on the ellipsoid (inscribed mesh).
    ///
    /// - Parameters:
    ///   - radii: semi-axes along x, y, z, all > 0.
    ///   - subdivisions: icosphere level, 0…7 (F = 20·4ⁿ).
    ///   - center: the ellipsoid's centre.
    /// - Returns: a closed, outward-oriented genus-0 mesh (χ = 2). Rotate it with
    ///   `transformed(rotation:translation:)` for other orientations.
    public static func ellipsoid(radii: Vec3, subdivisions: Int = 3, center: Vec3 = .zero) -> TriangleMesh {
        precondition(radii.x > 0 && radii.y > 0 && radii.z > 0 && radii.isFinite, "ellipsoid radii must be positive")
        var m = icosphere(subdivisions: subdivisions, radius: 1)
        m.positions = m.positions.map { $0 * radii + center }
        return m
    }
}
