import Geometry

/// A point cloud with optional unit normals: what every reconstruction metric consumes.
///
/// - `points`: (N,) positions, world units (ONet data: the unit cube [-0.5, 0.5]³).
/// - `normals`: nil, or (N,) unit normals; only normal consistency reads them, and their sign is
///   ignored there (ONet takes |cos|).
///
/// Build one from a mesh with `init(sampling:count:seed:role:)` (area-weighted, seeded) or from
/// arrays (an ONet `pointcloud.npz`). `validated(role:)` is the typed-error gate.
public struct OrientedPointCloud: Sendable, Equatable {
    public var points: [Vec3]
    public var normals: [Vec3]?

    public init(points: [Vec3], normals: [Vec3]? = nil) { self.points = points; self.normals = normals }

    public var count: Int { points.count }

    /// `count` area-weighted surface points of `mesh` with their face normals
    /// (`TriangleMesh.sampleSurface`, deterministic for a seed). Throws `emptyMesh` for a mesh
    /// without area and `nonFinite` for NaN vertices; `count` must be ≥ 1.
    public init(sampling mesh: TriangleMesh, count: Int, seed: UInt64, role: String) throws {
        guard count >= 1 else { throw MetricsError.invalidParameter("point count must be ≥ 1, got \(count)") }
        for (v, p) in mesh.positions.enumerated() where !p.isFinite {
            throw MetricsError.nonFinite(role: role, what: "vertex", index: v)
        }
        let s = mesh.sampleSurface(count: count, seed: seed)
        guard !s.points.isEmpty else { throw MetricsError.emptyMesh(role: role) }
        self.init(points: s.points, normals: s.normals)
    }

    /// Throws unless the cloud is non-empty, finite, and has as many normals as points.
    @discardableResult
    public func validated(role: String) throws -> OrientedPointCloud {
        guard !points.isEmpty else { throw MetricsError.emptyPointCloud(role: role) }
        try Self.checkFinite(points, role: role, what: "point")
        if let n = normals {
            guard n.count == points.count else {
                throw MetricsError.countMismatch(role: role, what: "normals (one per point)", expected: points.count, got: n.count)
            }
            try Self.checkFinite(n, role: role, what: "normal")
        }
        return self
    }

    static func checkFinite(_ xs: [Vec3], role: String, what: String) throws {
        for (i, p) in xs.enumerated() where !p.isFinite { throw MetricsError.nonFinite(role: role, what: what, index: i) }
    }
}
