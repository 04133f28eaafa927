/// Axis-aligned bounding box. The empty box (`AABB.empty`) has `min = +inf`, `max = -inf`, so
/// that `union` with anything returns the other operand; `isEmpty` tells it apart.
public struct AABB: Sendable, Hashable, CustomStringConvertible {
    public var min: Vec3
    public var max: Vec3

    public init(min: Vec3, max: Vec3) { self.min = min; self.max = max }
    public static let empty = AABB(min: Vec3(repeating: .infinity), max: Vec3(repeating: -.infinity))
    /// The cube [-h, h]³.
    public static func cube(halfSize h: Float) -> AABB { AABB(min: Vec3(repeating: -h), max: Vec3(repeating: h)) }

    public init<S: Sequence>(points: S) where S.Element == Vec3 {
        var b = AABB.empty
        for p in points { b.formUnion(p) }
        self = b
    }

    public var isEmpty: Bool { !(min.x <= max.x && min.y <= max.y && min.z <= max.z) }
    public var center: Vec3 { (min + max) * 0.5 }
    public var extent: Vec3 { isEmpty ? .zero : max - min }
    public var longestSide: Float { extent.max() }
    public var diagonal: Float { length(extent) }
    public var surfaceArea: Float { let e = extent; return 2 * (e.x * e.y + e.y * e.z + e.z * e.x) }

    public mutating func formUnion(_ p: Vec3) { min = pointwiseMin(min, p); max = pointwiseMax(max, p) }
    public mutating func formUnion(_ b: AABB) { min = pointwiseMin(min, b.min); max = pointwiseMax(max, b.max) }
    public func union(_ b: AABB) -> AABB { var c = self; c.formUnion(b); return c }
    public func contains(_ p: Vec3) -> Bool { all(p .>= min) && all(p .<= max) }
    /// Grown by `margin` on every side.
    public func padded(by margin: Float) -> AABB { AABB(min: min - margin, max: max + margin) }
    /// Squared distance from `p` to the box (0 inside).
    @inlinable public func distanceSquared(to p: Vec3) -> Float {
        let d = pointwiseMax(pointwiseMax(min - p, p - max), .zero)
        return dot(d, d)
    }
    public var description: String { isEmpty ? "AABB(empty)" : "AABB(\(min) … \(max))" }
}
