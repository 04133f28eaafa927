import Foundation
import Generators
import Geometry
import MeshIO
import Octrees

/// `octoplane octree decode`: token file (or tree file) → mesh (OBJ / PLY by extension), through
/// the flood-filled occupancy and marching cubes; with `surfaceDepth`, through the octree
/// generator's surface stage instead (`Octree.smoothMesh`: the occupancy blurred by `smoothing`
/// cells of the tree's depth and marched at `surfaceDepth`), so a real shape's tree can be seen
/// — and scored — exactly as a generated one is.
public struct OctreeDecodeJob: Job {
    public var input: String
    public var output: String
    /// nil: the plain decoder. Else the surface stage's lattice depth, tree depth…`Octree.maxVolumeDepth`.
    public var surfaceDepth: Int? = nil
    /// Blur of the surface stage in cells of the tree's finest depth (finite, ≥ 0).
    public var smoothing: Float = 0.5
    /// A learned surface stage to mesh through instead of the blur (with `surfaceDepth`): a
    /// surface model file, or an octree generator's RUN folder (its `surface/model.safetensors`).
    public var surfaceModel: String? = nil
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
        guard smoothing.isFinite && smoothing >= 0 else { throw PipelineError.invalidOption("--smoothing must be finite and ≥ 0") }
        let (tree, tokens) = try OctreeInput.readTree(input)
        if let d = surfaceDepth, !(tree.depth...Octree.maxVolumeDepth).contains(d) {
            throw PipelineError.invalidOption("--surface-depth must lie in \(tree.depth)…\(Octree.maxVolumeDepth) for this depth-\(tree.depth) tree")
        }
        let surface = try surfaceModel.map { path in
            try SurfaceDecoderFile.loadChecked(path.hasSuffix(".safetensors") ? path : SurfaceDecoderFile.path(inRun: path))
        }
        let (mesh, filled) = try PipelineError.reading(input) { () throws -> (TriangleMesh, Bool) in
            guard let d = surfaceDepth else { return try tree.reconstruct() }
            return (try tree.surfaceStageMesh(targetDepth: d, learned: surface, smoothing: smoothing, inSourceFrame: tokens == nil), true)
        }
        try PipelineError.writing(output) { try MeshWriter.write(mesh, to: output) }
        return Report(input: input, output: output, depth: tree.depth, filled: filled, vertices: mesh.vertexCount, faces: mesh.faceCount,
                      watertight: MeshTopology(mesh).isWatertight,
                      frame: tokens == nil ? "source (the tree file's frame)" : "octree frame [-1, 1]³ (token files carry no frame)")
    }
}
