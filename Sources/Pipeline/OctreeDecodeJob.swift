import Foundation
import Geometry
import MeshIO
import Octrees

/// `octoplane octree decode`: token file (or tree file) → mesh (OBJ / PLY by extension), through
/// the flood-filled occupancy and marching cubes.
public struct OctreeDecodeJob: Job {
    public var input: String
    public var output: String
    public init(input: String, output: String) { self.input = input; self.output = output }

    public struct Report: JobReport, Codable, Sendable {
        public var text: String {
            "\(output): \(vertices) vertices, \(faces) faces, \(watertight ? "watertight" : "not watertight")"
                + (filled ? "" : " (no interior found: open or leaky shell, decoded as a skin)") + "; \(frame)"
        }
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

    public func run() throws -> Report {
        let (tree, tokens) = try OctreeInput.readTree(input)
        let (mesh, filled) = try PipelineError.reading(input) { try tree.reconstruct() }
        try PipelineError.writing(output) { try MeshWriter.write(mesh, to: output) }
        return Report(input: input, output: output, depth: tree.depth, filled: filled, vertices: mesh.vertexCount, faces: mesh.faceCount,
                      watertight: MeshTopology(mesh).isWatertight,
                      frame: tokens == nil ? "source (the tree file's frame)" : "octree frame [-1, 1]³ (token files carry no frame)")
    }
}
