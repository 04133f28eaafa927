/// Invariant checks for `TriangleMesh`. Cheap enough to call at module boundaries in tests.
extension TriangleMesh {
    public enum InvariantViolation: Error, Equatable, CustomStringConvertible {
        case indexOutOfRange(face: Int, index: UInt32, vertexCount: Int)
        case nonFinitePosition(vertex: Int)
        case normalCountMismatch(normals: Int, vertices: Int)
        public var description: String {
            switch self {
            case let .indexOutOfRange(f, i, n): return "face \(f) references vertex \(i) but the mesh has \(n) vertices"
            case let .nonFinitePosition(v): return "vertex \(v) has a NaN or infinite coordinate"
            case let .normalCountMismatch(n, v): return "\(n) normals for \(v) vertices"
            }
        }
    }
    /// Throws the first violated invariant: indices in range, finite positions, normals count.
    public func validate() throws {
        for (f, t) in triangles.enumerated() {
            for i in [t.x, t.y, t.z] where Int(i) >= positions.count {
                throw InvariantViolation.indexOutOfRange(face: f, index: i, vertexCount: positions.count)
            }
        }
        for (v, p) in positions.enumerated() where !p.isFinite { throw InvariantViolation.nonFinitePosition(vertex: v) }
        if let n = normals, n.count != positions.count { throw InvariantViolation.normalCountMismatch(normals: n.count, vertices: positions.count) }
    }
}
