/// Typed errors for bad metric inputs. `role` names the offending input ("prediction",
/// "reference", "generated[3]", …) so that the CLI can say which file is at fault.
public enum MetricsError: Error, Equatable, CustomStringConvertible {
    /// A point cloud with no points (or a mesh that sampled to none).
    case emptyPointCloud(role: String)
    /// A mesh with no faces or zero surface area: nothing to sample.
    case emptyMesh(role: String)
    /// A NaN or infinite coordinate (point or normal) at `index`.
    case nonFinite(role: String, what: String, index: Int)
    /// Two arrays that must pair up do not (normals vs points, occupancies vs points, …).
    case countMismatch(role: String, what: String, expected: Int, got: Int)
    /// A set of shapes with no shapes in it.
    case emptySet(role: String)
    /// A parameter outside its domain (a threshold ≤ 0, a sample count ≤ 0, …).
    case invalidParameter(String)

    public var description: String {
        switch self {
        case let .emptyPointCloud(r): return "\(r): the point cloud is empty"
        case let .emptyMesh(r): return "\(r): the mesh has no faces with area, nothing to sample"
        case let .nonFinite(r, w, i): return "\(r): \(w) \(i) has a NaN or infinite coordinate"
        case let .countMismatch(r, w, e, g): return "\(r): expected \(e) \(w), got \(g)"
        case let .emptySet(r): return "\(r): the set holds no shapes"
        case let .invalidParameter(m): return "invalid parameter: \(m)"
        }
    }
}
