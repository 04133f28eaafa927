import Foundation
import Geometry
import MeshIO

/// What `octoplane info` reports about a mesh file: counts, bounds, topology (from
/// `MeshTopology`) and what loading dropped. Codable for `--json` (keys as the property names).
///
/// Topology (edges, boundary/non-manifold edges, components, χ, watertight) is computed after
/// welding vertices with exactly equal positions (`weldedByPosition`): a flat-shaded file stores
/// each corner separately and would otherwise read as a soup of disconnected triangles.
/// `vertices` counts the loaded vertices, `weldedVertices` the distinct positions.
public struct MeshInfo: JobReport, Codable, Sendable, Equatable {
    public var path: String
    public var vertices: Int
    public var weldedVertices: Int
    public var faces: Int
    public var hasNormals: Bool
    public var boundsMin: [Float]
    public var boundsMax: [Float]
    public var extent: [Float]
    public var surfaceArea: Double
    /// Signed volume (divergence theorem); meaningful only when `watertight`.
    public var signedVolume: Double
    public var watertight: Bool
    public var components: Int
    public var edges: Int
    public var boundaryEdges: Int
    public var nonManifoldEdges: Int
    public var inconsistentlyOrientedEdges: Int
    public var eulerCharacteristic: Int
    public var load: LoadReport

    public init(path: String, loaded: LoadedMesh) {
        let m = loaded.mesh
        let welded = m.weldedByPosition().mesh
        let topo = MeshTopology(welded)
        let b = m.bounds
        self.path = path
        vertices = m.vertexCount
        weldedVertices = welded.vertexCount
        faces = m.faceCount
        hasNormals = m.normals != nil
        boundsMin = [b.min.x, b.min.y, b.min.z]
        boundsMax = [b.max.x, b.max.y, b.max.z]
        extent = [b.extent.x, b.extent.y, b.extent.z]
        surfaceArea = m.surfaceArea
        signedVolume = m.signedVolume
        watertight = topo.isWatertight
        components = topo.components
        edges = topo.edgeCount
        boundaryEdges = topo.boundaryEdges
        nonManifoldEdges = topo.nonManifoldEdges
        inconsistentlyOrientedEdges = topo.inconsistentlyOrientedEdges
        eulerCharacteristic = topo.eulerCharacteristic
        load = loaded.report
    }

    /// Human-readable lines, one fact per line.
    public var text: String {
        func v(_ a: [Float]) -> String { "(\(a.map { "\($0)" }.joined(separator: ", ")))" }
        var lines = [
            "file:        \(path)",
            "vertices:    \(vertices)\(hasNormals ? " (with normals)" : "")\(weldedVertices != vertices ? ", \(weldedVertices) distinct positions" : "")",
            "triangles:   \(faces)",
            "bounds:      \(v(boundsMin)) … \(v(boundsMax))",
            "extent:      \(v(extent))",
            "area:        \(surfaceArea)",
            "watertight:  \(watertight ? "yes" : "no")\(watertight ? ", volume \(signedVolume)" : "")",
            "components:  \(components)",
            "edges:       \(edges) (boundary \(boundaryEdges), non-manifold \(nonManifoldEdges), inconsistently oriented \(inconsistentlyOrientedEdges)); topology on welded positions",
            "Euler χ:     \(eulerCharacteristic)",
            "scene:       \(load.meshCount) mesh(es), \(load.meshInstances) instance(s), \(load.nodeCount) node(s)",
            "dropped:     \(load.droppedDegenerate) degenerate, \(load.droppedNonFinite) NaN/Inf triangle(s); \(load.droppedPoints) point(s), \(load.droppedLines) line(s); \(load.droppedUnreferencedVertices) unused vertex(es)",
        ]
        if load.mirroredInstances > 0 { lines.append("mirrored:    \(load.mirroredInstances) instance(s) placed by a mirroring transform (winding reversed)") }
        return lines.joined(separator: "\n")
    }
}

/// `octoplane info MESH`: loads the file through assimp and describes it. Unreadable files throw
/// `MeshIOError` (naming the file).
public struct InfoJob: Job {
    /// The mesh file (any format assimp reads).
    public var path: String
    public init(path: String) { self.path = path }
    public func run() throws -> MeshInfo { MeshInfo(path: path, loaded: try MeshLoader.load(path: path)) }
}
