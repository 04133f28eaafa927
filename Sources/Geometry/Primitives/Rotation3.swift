import Foundation

/// A 3×3 rotation matrix, stored as its three columns (the images of the x, y and z axes).
///
/// Conventions: right-handed, column vectors (`apply(p) = c0·p.x + c1·p.y + c2·p.z`), angles in
/// radians, positive angles counter-clockwise when looking down the axis towards the origin.
/// `simd_quatf` is Apple-only, so Octoplane carries this small value type instead.
public struct Rotation3: Sendable, Hashable {
    public var c0: Vec3, c1: Vec3, c2: Vec3

    /// From columns; they must be orthonormal with determinant +1 (checked loosely).
    public init(columns c0: Vec3, _ c1: Vec3, _ c2: Vec3) {
        precondition(abs(dot(cross(c0, c1), c2) - 1) < 1e-3, "Rotation3 columns must be orthonormal and right-handed")
        self.c0 = c0; self.c1 = c1; self.c2 = c2
    }
    public static let identity = Rotation3(columns: [1, 0, 0], [0, 1, 0], [0, 0, 1])

    /// Rotation by `angle` radians about the (not necessarily unit, non-zero) `axis` (Rodrigues).
    public init(axis: Vec3, angle: Float) {
        let k = normalize(axis)
        precondition(k != .zero, "rotation axis must be non-zero")
        let c = Foundation.cos(angle), s = Foundation.sin(angle), t = 1 - c
        func col(_ e: Vec3) -> Vec3 { e * c + cross(k, e) * s + k * (dot(k, e) * t) }
        self.init(columns: col([1, 0, 0]), col([0, 1, 0]), col([0, 0, 1]))
    }
    public static func aboutX(_ a: Float) -> Rotation3 { Rotation3(axis: [1, 0, 0], angle: a) }
    public static func aboutY(_ a: Float) -> Rotation3 { Rotation3(axis: [0, 1, 0], angle: a) }
    public static func aboutZ(_ a: Float) -> Rotation3 { Rotation3(axis: [0, 0, 1], angle: a) }

    /// The shortest rotation taking unit direction `from` to unit direction `to` (both normalized
    /// here). Antiparallel inputs turn by π about an axis perpendicular to `from`.
    public init(from a: Vec3, to b: Vec3) {
        let u = normalize(a), v = normalize(b)
        let c = dot(u, v)
        if c > 1 - 1e-7 { self = .identity; return }
        if c < -1 + 1e-7 {
            var p = cross(u, [1, 0, 0])
            if lengthSquared(p) < 1e-6 { p = cross(u, [0, 1, 0]) }
            self.init(axis: p, angle: .pi); return
        }
        self.init(axis: cross(u, v), angle: Foundation.acos(Swift.min(1, Swift.max(-1, c))))
    }

    @inlinable public func apply(_ p: Vec3) -> Vec3 { c0 * p.x + c1 * p.y + c2 * p.z }
    /// `self ∘ other`: apply `other` first.
    public static func * (a: Rotation3, b: Rotation3) -> Rotation3 {
        Rotation3(columns: a.apply(b.c0), a.apply(b.c1), a.apply(b.c2))
    }
    public var transpose: Rotation3 {
        Rotation3(columns: [c0.x, c1.x, c2.x], [c0.y, c1.y, c2.y], [c0.z, c1.z, c2.z])
    }
    public var inverse: Rotation3 { transpose }
}

extension TriangleMesh {
    /// Places a part: `x ↦ R·x + t` on positions and `n ↦ R·n` on normals. A rotation keeps
    /// orientation, so a closed outward mesh stays closed and outward.
    public func transformed(rotation r: Rotation3 = .identity, translation t: Vec3 = .zero) -> TriangleMesh {
        var m = self
        m.positions = positions.map { r.apply($0) + t }
        m.normals = normals?.map { r.apply($0) }
        return m
    }

    /// Axis-aligned scaling `x ↦ s ⊙ x` (about the origin). A negative number of negative factors
    /// that is odd would mirror the mesh, so the faces are flipped then to keep outward orientation.
    /// Vertex normals are recomputed when present (non-uniform scaling does not preserve them).
    public func scaled(by s: Vec3) -> TriangleMesh {
        precondition(s.x != 0 && s.y != 0 && s.z != 0 && s.isFinite, "scale factors must be finite and non-zero")
        var m = self
        m.positions = positions.map { $0 * s }
        let negatives = (s.x < 0 ? 1 : 0) + (s.y < 0 ? 1 : 0) + (s.z < 0 ? 1 : 0)
        if negatives % 2 == 1 { m.triangles = triangles.map { SIMD3($0.x, $0.z, $0.y) } }
        if normals != nil { m.normals = m.computeVertexNormals() }
        return m
    }
}
