/// An indexed triangle mesh: the value every stage passes around.
///
/// - `positions`: V vertices, Float32 world coordinates.
/// - `triangles`: F faces, each three indices into `positions` (UInt32), counter-clockwise seen
///   from outside for outward orientation (right-hand rule: normal = (b − a) × (c − a)).
/// - `normals`: nil, or exactly V per-vertex unit normals.
///
/// The empty mesh (no vertices, no faces) is a valid value (`TriangleMesh()`); an all-outside
/// field extracts to it. Invariants are checked by `validate()` (see `TriangleMesh+Invariants`).
public struct TriangleMesh: Sendable, Equatable {
    public var positions: [Vec3]
    public var triangles: [SIMD3<UInt32>]
    public var normals: [Vec3]?

    public init(positions: [Vec3] = [], triangles: [SIMD3<UInt32>] = [], normals: [Vec3]? = nil) {
        self.positions = positions
        self.triangles = triangles
        self.normals = normals
    }

    public var vertexCount: Int { positions.count }
    public var faceCount: Int { triangles.count }
    public var isEmpty: Bool { triangles.isEmpty }
    public var bounds: AABB { AABB(points: positions) }

    /// The three corners of face `f`.
    @inlinable public func corners(_ f: Int) -> (Vec3, Vec3, Vec3) {
        let t = triangles[f]
        return (positions[Int(t.x)], positions[Int(t.y)], positions[Int(t.z)])
    }
    /// Area of face `f` (0 for degenerate faces).
    @inlinable public func faceArea(_ f: Int) -> Float {
        let (a, b, c) = corners(f)
        return 0.5 * length(cross(b - a, c - a))
    }
    /// Unnormalized face normal (b − a) × (c − a); its length is twice the area.
    @inlinable public func faceNormalScaled(_ f: Int) -> Vec3 {
        let (a, b, c) = corners(f)
        return cross(b - a, c - a)
    }
    /// Total surface area, accumulated in Double.
    public var surfaceArea: Double {
        var s = 0.0
        for f in 0..<faceCount { s += Double(faceArea(f)) }
        return s
    }
    /// Signed volume by the divergence theorem (positive for a closed, outward-oriented mesh).
    public var signedVolume: Double {
        var s = 0.0
        for f in 0..<faceCount {
            let (a, b, c) = corners(f)
            s += dot(a.double, cross(b.double, c.double))
        }
        return s / 6
    }

    /// Area-weighted vertex normals (angle weighting is not needed for rendering/metrics here).
    public func computeVertexNormals() -> [Vec3] {
        var n = [Vec3](repeating: .zero, count: vertexCount)
        for f in 0..<faceCount {
            let fn = faceNormalScaled(f)
            let t = triangles[f]
            n[Int(t.x)] += fn; n[Int(t.y)] += fn; n[Int(t.z)] += fn
        }
        return n.map(normalize)
    }
    public mutating func recomputeNormals() { normals = computeVertexNormals() }

    /// Applies `x ↦ s·x + t` to positions (normals keep their direction; s < 0 would flip them).
    public func transformed(by tr: SimilarityTransform) -> TriangleMesh {
        var m = self
        m.positions = positions.map(tr.apply)
        if tr.scale < 0, let n = normals { m.normals = n.map { -$0 } }
        return m
    }

    /// Appends `other`, offsetting its indices. Normals survive only if both have them.
    public mutating func append(_ other: TriangleMesh) {
        let off = UInt32(positions.count)
        if let n0 = normals, let n1 = other.normals { normals = n0 + n1 } else { normals = nil }
        positions += other.positions
        triangles += other.triangles.map { $0 &+ SIMD3(repeating: off) }
    }
    /// All meshes merged into one.
    public static func merged(_ meshes: [TriangleMesh]) -> TriangleMesh {
        var m = TriangleMesh()
        if let first = meshes.first { m = first }
        for x in meshes.dropFirst() { m.append(x) }
        return m
    }

    /// Faces flipped (b and c swapped), normals negated.
    public func flipped() -> TriangleMesh {
        var m = self
        m.triangles = triangles.map { SIMD3($0.x, $0.z, $0.y) }
        m.normals = normals?.map { -$0 }
        return m
    }
}
