import Geometry

/// What `TriangleMesh.cleanedFaces()` removed.
public struct FaceCleaningReport: Sendable, Equatable, Codable {
    /// Faces with a repeated vertex index or zero area (exactly, in Double).
    public var droppedDegenerate: Int = 0
    /// Faces touching a vertex with a NaN or infinite coordinate.
    public var droppedNonFinite: Int = 0
    /// Vertices no longer referenced by any face, removed by compaction.
    public var droppedUnreferencedVertices: Int = 0
    public init() {}
}

extension TriangleMesh {
    /// Drops non-finite and degenerate faces and then every unreferenced vertex (compaction).
    ///
    /// - A face is *non-finite* when one of its corners has a NaN or ±Inf coordinate (checked
    ///   first; such a face is not also counted as degenerate).
    /// - A face is *degenerate* when two of its indices are equal, or when its corners are exactly
    ///   collinear: the cross product (b − a) × (c − a), evaluated in Double from the Float corners,
    ///   is the zero vector. Slivers with tiny but non-zero area are kept (they are valid geometry).
    /// - Compaction keeps the surviving vertices in their original order (a stable renumbering),
    ///   so a mesh that needs no cleaning comes back bit-identical. Normals follow their vertices.
    ///
    /// Faces keep their order and orientation.
    public func cleanedFaces() -> (mesh: TriangleMesh, report: FaceCleaningReport) {
        var report = FaceCleaningReport()
        let finite = positions.map(\.isFinite)
        var kept: [SIMD3<UInt32>] = []
        kept.reserveCapacity(triangles.count)
        for t in triangles {
            let i = Int(t.x), j = Int(t.y), k = Int(t.z)
            if !(finite[i] && finite[j] && finite[k]) { report.droppedNonFinite += 1; continue }
            if t.x == t.y || t.y == t.z || t.x == t.z { report.droppedDegenerate += 1; continue }
            let a = positions[i].double, b = positions[j].double, c = positions[k].double
            if cross(b - a, c - a) == .zero { report.droppedDegenerate += 1; continue }
            kept.append(t)
        }
        var out = self
        out.triangles = kept
        let (compacted, removed) = out.compacted()
        report.droppedUnreferencedVertices = removed
        return (compacted, report)
    }
}
