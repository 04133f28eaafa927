import Foundation
import Geometry
import MeshIO
import Octrees

/// `octoplane octree decode`: token file (or tree file) → mesh (OBJ / PLY by extension).
public enum OctreeDecodeJob {
    public struct Report: Codable, Sendable {
        public var input: String
        public var output: String
        public var depth: Int
        /// Whether the flood fill found an interior (false: open or leaky shell, decoded as a skin).
        public var filled: Bool
        public var vertices: Int
        public var faces: Int
        public var watertight: Bool
        public var frame: String
    }

    public static func run(input: String, output: String) throws -> Report {
        let (tree, tokens) = try OctreeInput.readTree(input)
        let (mesh, filled) = try OctreeJobError.at(input) { try tree.reconstruct() }
        try OctreeJobError.at(output) { try MeshWriter.write(mesh, to: output) }
        return Report(input: input, output: output, depth: tree.depth, filled: filled, vertices: mesh.vertexCount, faces: mesh.faceCount,
                      watertight: MeshTopology(mesh).isWatertight,
                      frame: tokens == nil ? "source (the tree file's frame)" : "octree frame [-1, 1]³ (token files carry no frame)")
    }
}
