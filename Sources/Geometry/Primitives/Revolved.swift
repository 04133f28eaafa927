import Foundation

extension TriangleMesh {
    /// A surface of revolution about the +Y axis (through the origin) from a 2D profile.
    ///
    /// - Parameters:
    ///   - profile: P ≥ 2 points (r, y) — r the distance from the axis (≥ 0), y the height —
    ///     listed from one end of the solid to the other (bottom to top or top to bottom: the
    ///     orientation is fixed afterwards). Interior points need r > 0. An end point with r = 0
    ///     becomes a pole on the axis; an end point with r > 0 is closed by a flat disc (fan from
    ///     the axis point at that height). Consecutive points must differ.
    ///   - segments: points per ring (≥ 3); vertex k of a ring is at angle 2πk/S from +X towards −Z
    ///     (counter-clockwise seen from +Y).
    ///   - center: added to every vertex (the axis passes through it).
    /// - Returns: a closed, outward-oriented mesh, χ = 2, as long as the profile does not cross
    ///   itself or the axis. Vases and mugs with walls: give the outer wall going up and the inner
    ///   wall coming down (a closed loop in the (r, y) half-plane, ending at the axis).
    public static func revolved(profile: [SIMD2<Float>], segments: Int = 48, center: Vec3 = .zero) -> TriangleMesh {
        precondition(profile.count >= 2, "a revolved profile needs at least two points")
        precondition(segments >= 3, "segments must be ≥ 3")
        precondition(profile.allSatisfy { $0.x >= 0 && $0.x.isFinite && $0.y.isFinite }, "profile radii must be ≥ 0 and finite")
        precondition(profile.dropFirst().dropLast().allSatisfy { $0.x > 0 }, "interior profile points must be off the axis (r > 0)")
        precondition(zip(profile, profile.dropFirst()).allSatisfy { $0 != $1 }, "consecutive profile points must differ")
        let circle = RingMesh.circle(segments)
        var pts = profile
        var start: Vec3? = nil, end: Vec3? = nil
        let first = pts.first!, last = pts.last!
        if first.x == 0 { start = Vec3(0, first.y, 0) + center; pts.removeFirst() } else { start = Vec3(0, first.y, 0) + center }
        if last.x == 0 { end = Vec3(0, last.y, 0) + center; pts.removeLast() } else { end = Vec3(0, last.y, 0) + center }
        precondition(!pts.isEmpty, "a revolved profile needs a point off the axis")
        let rings = pts.map { p in circle.map { c in Vec3(p.x * c.0, p.y, -p.x * c.1) + center } }
        return RingMesh.build(rings: rings, start: start, end: end)
    }

    /// A ring-shaped solid of revolution about the +Y axis: a closed polygon in the (r, y)
    /// half-plane, not touching the axis, revolved into a genus-1 solid (lamp shades, open sleeves,
    /// rims, washers). A circle profile gives a torus.
    ///
    /// - Parameters:
    ///   - loop: P ≥ 3 points (r, y), r > 0, a simple polygon (either winding; the last point joins
    ///     the first). Consecutive points must differ.
    ///   - segments: points per ring (≥ 3), at angles 2πk/S from +X towards −Z.
    ///   - center: added to every vertex.
    /// - Returns: closed, outward-oriented, χ = 0.
    public static func revolved(loop: [SIMD2<Float>], segments: Int = 48, center: Vec3 = .zero) -> TriangleMesh {
        precondition(loop.count >= 3, "a revolved loop needs at least three points")
        precondition(segments >= 3, "segments must be ≥ 3")
        precondition(loop.allSatisfy { $0.x > 0 && $0.x.isFinite && $0.y.isFinite }, "loop radii must be > 0 and finite")
        let circle = RingMesh.circle(segments)
        let rings = loop.map { p in circle.map { c in Vec3(p.x * c.0, p.y, -p.x * c.1) + center } }
        return RingMesh.build(rings: rings, start: nil, end: nil, loop: true)
    }
}
