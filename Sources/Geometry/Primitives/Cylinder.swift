extension TriangleMesh {
    /// A capped cylinder along +Y, or a truncated cone when the radii differ, or a cone when one
    /// radius is 0 (that end becomes a pole).
    ///
    /// - Parameters:
    ///   - radius: bottom radius (at y = −height/2), ≥ 0.
    ///   - topRadius: top radius (at y = +height/2), ≥ 0; nil means `radius` (a straight cylinder).
    ///     At least one of the two radii must be > 0.
    ///   - height: > 0.
    ///   - segments: points around (≥ 3). The mesh is inscribed in the true cylinder.
    ///   - center: centre of the axis segment.
    /// - Returns: closed, outward-oriented, χ = 2 (flat caps are fans around an axis vertex).
    public static func cylinder(radius: Float, topRadius: Float? = nil, height: Float, segments: Int = 32, center: Vec3 = .zero) -> TriangleMesh {
        let r1 = topRadius ?? radius
        precondition(radius >= 0 && r1 >= 0 && (radius > 0 || r1 > 0), "cylinder radii must be ≥ 0, one of them > 0")
        precondition(height > 0 && height.isFinite, "cylinder height must be positive")
        let h = height / 2
        var profile: [SIMD2<Float>] = []
        profile.append([radius, -h])
        profile.append([r1, h])
        // `revolved` turns an end with r = 0 into a pole; flat caps otherwise.
        return revolved(profile: profile, segments: segments, center: center)
    }

    /// A capped cylinder (or cone frustum) whose axis runs from `a` to `b`: a strut, leg or rod
    /// between two points. `radius` at `a`, `topRadius` (default `radius`) at `b`.
    public static func cylinder(from a: Vec3, to b: Vec3, radius: Float, topRadius: Float? = nil, segments: Int = 32) -> TriangleMesh {
        let d = b - a
        let l = length(d)
        precondition(l > 0, "cylinder endpoints must differ")
        let c = cylinder(radius: radius, topRadius: topRadius, height: l, segments: segments)
        return c.transformed(rotation: Rotation3(from: [0, 1, 0], to: d), translation: (a + b) / 2)
    }
}
