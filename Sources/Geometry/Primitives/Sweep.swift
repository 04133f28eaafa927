import Foundation

extension TriangleMesh {
    /// A closed tube swept along a polyline: a circle of `radius` (or per-point `radii`) carried
    /// along `path`. Handles, runners, lamp arms, struts. See `sweep(path:section:scales:closed:up:)`.
    ///
    /// - Parameters:
    ///   - path: N ≥ 2 points (N ≥ 3 when `closed`); consecutive points must differ.
    ///   - radius: tube radius (> 0) used where `radii` is nil.
    ///   - radii: nil or N radii, one per path point (linear taper in between).
    ///   - sides: points around the tube (≥ 3); the tube is inscribed in the circle.
    ///   - closed: the path is a loop (last point joins the first): a genus-1 tube (χ = 0).
    ///     Otherwise both ends get flat caps (χ = 2).
    public static func sweep(path: [Vec3], radius: Float, radii: [Float]? = nil, sides: Int = 16, closed: Bool = false) -> TriangleMesh {
        precondition(sides >= 3, "sides must be ≥ 3")
        let section = RingMesh.circle(sides).map { SIMD2<Float>($0.0, $0.1) }
        let r = radii ?? [Float](repeating: radius, count: path.count)
        precondition(r.count == path.count && r.allSatisfy { $0 > 0 }, "one positive radius per path point")
        return sweep(path: path, section: section, scales: r.map { SIMD2($0, $0) }, closed: closed)
    }

    /// A general sweep (generalized cylinder): the 2D polygon `section` is placed at every path
    /// point in the plane perpendicular to the path, scaled by `scales[i]`, and consecutive copies
    /// are stitched.
    ///
    /// - Frames: the section's x axis is `up` projected off the first tangent (default: the world
    ///   axis least aligned with it), carried along by rotation-minimizing frames (double
    ///   reflection: Wang, Jüttler, Zheng & Liu, "Computation of rotation minimizing frames",
    ///   ACM TOG 2008), so the tube does not twist. On a closed loop the leftover twist is spread
    ///   evenly over the loop so the last ring meets the first.
    /// - Corners: at an interior path point the section lies in the bisector plane of the two
    ///   segments and is stretched by 1/cos(θ/2) across the bend (θ the turn angle, clamped at
    ///   150°), so the wall keeps its thickness through the corner (a mitre joint). Use finely
    ///   sampled paths for smooth bends.
    /// - Parameters:
    ///   - path: N ≥ 2 points (≥ 3 when `closed`), consecutive points distinct.
    ///   - section: S ≥ 3 points (x, y) of a simple polygon, star-shaped around (0, 0) (the caps are
    ///     fans from the path point); either winding.
    ///   - scales: nil (all 1) or N per-point factors for the section's (x, y).
    ///   - closed: a loop (χ = 0) instead of a capped tube (χ = 2).
    ///   - up: hint for the section's x axis at the first point.
    /// - Returns: closed and outward-oriented, provided the swept section does not self-intersect
    ///   (the bend radius must exceed the section size).
    public static func sweep(path: [Vec3], section: [SIMD2<Float>], scales: [SIMD2<Float>]? = nil, closed: Bool = false, up: Vec3? = nil) -> TriangleMesh {
        let n = path.count
        precondition(n >= (closed ? 3 : 2), "a sweep path needs ≥ 2 points (≥ 3 when closed)")
        precondition(section.count >= 3, "a sweep section needs ≥ 3 points")
        let sc = scales ?? [SIMD2<Float>](repeating: [1, 1], count: n)
        precondition(sc.count == n, "one scale per path point")
        // Segment directions d[i] = path[i+1] − path[i] (wrapping when closed).
        let segCount = closed ? n : n - 1
        var dirs = [Vec3]()
        for i in 0..<segCount {
            let d = path[(i + 1) % n] - path[i]
            precondition(length(d) > 0, "consecutive sweep path points must differ (index \(i))")
            dirs.append(normalize(d))
        }
        // Tangent and mitre data per path point.
        var tangents = [Vec3](), bend = [Vec3](), stretch = [Float]()
        for i in 0..<n {
            let tin: Vec3? = closed ? dirs[(i + n - 1) % n] : (i > 0 ? dirs[i - 1] : nil)
            let tout: Vec3? = closed ? dirs[i] : (i < n - 1 ? dirs[i] : nil)
            switch (tin, tout) {
            case let (a?, b?):
                var t = normalize(a + b)
                if t == .zero { t = a }  // a full reversal: degenerate, keep going straight
                tangents.append(t)
                let k = b - a
                bend.append(lengthSquared(k) > 1e-12 ? normalize(k - t * dot(k, t)) : .zero)
                stretch.append(1 / Swift.max(dot(a, t), cosf(75 * .pi / 180)))
            case let (a?, nil): tangents.append(a); bend.append(.zero); stretch.append(1)
            case let (nil, b?): tangents.append(b); bend.append(.zero); stretch.append(1)
            default: fatalError("unreachable")
            }
        }
        // Rotation-minimizing frames by double reflection.
        func firstNormal(_ t: Vec3) -> Vec3 {
            if let u = up {
                let p = u - t * dot(u, t)
                if lengthSquared(p) > 1e-10 { return normalize(p) }
            }
            let a = Vec3(Swift.abs(t.x), Swift.abs(t.y), Swift.abs(t.z))
            let axis: Vec3 = a.x <= a.y && a.x <= a.z ? [1, 0, 0] : (a.y <= a.z ? [0, 1, 0] : [0, 0, 1])
            return normalize(axis - t * dot(axis, t))
        }
        func transport(_ r: Vec3, _ x0: Vec3, _ t0: Vec3, _ x1: Vec3, _ t1: Vec3) -> Vec3 {
            let v1 = x1 - x0
            let c1 = dot(v1, v1)
            let rL = r - v1 * (2 / c1 * dot(v1, r))
            let tL = t0 - v1 * (2 / c1 * dot(v1, t0))
            let v2 = t1 - tL
            let c2 = dot(v2, v2)
            let out = c2 > 1e-12 ? rL - v2 * (2 / c2 * dot(v2, rL)) : rL
            return normalize(out - t1 * dot(out, t1))
        }
        var normals = [firstNormal(tangents[0])]
        for i in 1..<n { normals.append(transport(normals[i - 1], path[i - 1], tangents[i - 1], path[i], tangents[i])) }
        if closed {
            // Twist left after going once around, spread linearly over the loop.
            let back = transport(normals[n - 1], path[n - 1], tangents[n - 1], path[0], tangents[0])
            let t0 = tangents[0]
            let angle = atan2f(dot(cross(back, normals[0]), t0), dot(back, normals[0]))
            for i in 1..<n {
                normals[i] = Rotation3(axis: tangents[i], angle: angle * Float(i) / Float(n)).apply(normals[i])
            }
        }
        var rings = [[Vec3]]()
        rings.reserveCapacity(n)
        for i in 0..<n {
            let t = tangents[i], u = normals[i], v = cross(t, u)
            rings.append(section.map { s in
                var o = u * (s.x * sc[i].x) + v * (s.y * sc[i].y)
                if bend[i] != .zero { o += bend[i] * (dot(o, bend[i]) * (stretch[i] - 1)) }
                return path[i] + o
            })
        }
        return closed ? RingMesh.build(rings: rings, start: nil, end: nil, loop: true)
                      : RingMesh.build(rings: rings, start: path[0], end: path[n - 1])
    }
}
