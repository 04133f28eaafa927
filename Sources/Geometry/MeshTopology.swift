/// Combinatorial facts about a `TriangleMesh`, from its undirected edges.
///
/// - boundary edge: used by exactly 1 face; non-manifold edge: used by ≥ 3 faces.
/// - watertight: no boundary and no non-manifold edges (and not empty).
/// - Euler characteristic χ = V − E + F over *referenced* vertices (2 for a sphere, 0 for a torus).
/// - components: connected components of faces through shared vertices (`faceComponents`).
/// - inconsistently oriented edges: an interior edge whose two faces traverse it in the same
///   direction (a consistently oriented manifold has none).
public struct MeshTopology: Sendable, Equatable {
    public var vertexCount: Int
    public var edgeCount: Int
    public var faceCount: Int
    public var boundaryEdges: Int
    public var nonManifoldEdges: Int
    public var inconsistentlyOrientedEdges: Int
    public var components: Int

    public var eulerCharacteristic: Int { vertexCount - edgeCount + faceCount }
    public var isWatertight: Bool { faceCount > 0 && boundaryEdges == 0 && nonManifoldEdges == 0 }
    public var isEdgeManifold: Bool { nonManifoldEdges == 0 }

    public init(_ mesh: TriangleMesh) {
        var edgeUse: [UInt64: (count: Int32, directed: Int32)] = [:]
        edgeUse.reserveCapacity(mesh.faceCount * 3 / 2 + 1)
        var referenced = [Bool](repeating: false, count: mesh.vertexCount)
        for t in mesh.triangles {
            let v = [t.x, t.y, t.z]
            for k in 0..<3 {
                let a = v[k], b = v[(k + 1) % 3]
                referenced[Int(a)] = true
                let key = undirectedEdgeKey(a, b)
                let dir: Int32 = a < b ? 1 : -1
                if let e = edgeUse[key] { edgeUse[key] = (e.count + 1, e.directed + dir) } else { edgeUse[key] = (1, dir) }
            }
        }
        var boundary = 0, nonManifold = 0, inconsistent = 0
        for (_, e) in edgeUse {
            if e.count == 1 { boundary += 1 }
            else if e.count >= 3 { nonManifold += 1 }
            else if e.directed != 0 { inconsistent += 1 }
        }
        vertexCount = referenced.filter { $0 }.count
        edgeCount = edgeUse.count
        faceCount = mesh.faceCount
        boundaryEdges = boundary
        nonManifoldEdges = nonManifold
        inconsistentlyOrientedEdges = inconsistent
        components = mesh.faceComponents().count
    }
}

/// The key of an undirected edge {a, b}: the smaller index in the high 32 bits, the larger in the
/// low, so (a, b) and (b, a) give the same key. The one edge key of the package (topology counts,
/// icosphere midpoints, orientation propagation).
@inlinable public func undirectedEdgeKey(_ a: UInt32, _ b: UInt32) -> UInt64 {
    a < b ? UInt64(a) << 32 | UInt64(b) : UInt64(b) << 32 | UInt64(a)
}
