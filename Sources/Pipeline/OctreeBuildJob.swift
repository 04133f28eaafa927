import Foundation
import Geometry
import Octrees
import Support

/// `octoplane octree build`: mesh file → octree file. Loads `input`, normalizes it into
/// [-0.8, 0.8]³ (the frame is stored to map back), builds, and writes the tree file atomically.
/// Errors: `MeshIOError` (unreadable mesh), `PipelineError` naming the file (bad depths, an empty
/// mesh, an unwritable output).
public struct OctreeBuildJob: Job {
    public var input: String
    public var output: String
    public var options: Options
    public init(input: String, output: String, options: Options = Options()) {
        self.input = input; self.output = output; self.options = options
    }

    /// How the tree is built.
    public struct Options: Sendable, Equatable {
        /// Finest depth, 1…10.
        public var depth: Int = 7
        /// Depths above it are split everywhere (0…depth).
        public var fullDepth: Int = 3
        /// Adaptive O-CNN-style tree: coarse leaves with planes where the surface is flat.
        public var adaptive: Bool = false
        /// Flatness tolerance of adaptive leaves, as a fraction of the leaf's edge.
        public var tolerance: Float = 0.05
        /// Build from this many area-weighted surface samples (O-CNN); nil: from the triangles
        /// themselves (exact surface cells). Adaptive trees always use samples (200k by default).
        public var points: Int? = nil
        public var seed: UInt64 = 0
        public init() {}
    }

    public struct Report: JobReport, Codable, Sendable {
        public var text: String { "\(output): \(method), \(String(format: "%.2f", seconds)) s\n\(tree.text)" }
        public var input: String
        public var output: String
        public var method: String
        public var seconds: Double
        public var tree: OctreeSummary
    }

    /// Builds the tree of `mesh` (already in the octree frame [-1, 1]³).
    public static func build(_ mesh: TriangleMesh, options o: Options, frame: SimilarityTransform = .identity) throws -> Octree {
        guard Octree.depthRange.contains(o.depth) else { throw OctreeError.depthOutOfRange(depth: o.depth, allowed: Octree.depthRange) }
        guard (0...o.depth).contains(o.fullDepth) else { throw OctreeError.depthOutOfRange(depth: o.fullDepth, allowed: 0...o.depth) }
        guard !mesh.isEmpty else { throw OctreeError.emptyInput("the mesh has no faces") }
        if o.adaptive || o.points != nil {
            let s = mesh.sampleSurface(count: o.points ?? 200_000, seed: o.seed)
            guard !s.points.isEmpty else { throw OctreeError.emptyInput("the mesh has zero area") }
            return o.adaptive
                ? try Octree(adaptivePoints: s.points, normals: s.normals, depth: o.depth, fullDepth: o.fullDepth, tolerance: o.tolerance, frame: frame)
                : try Octree(points: s.points, depth: o.depth, fullDepth: o.fullDepth, frame: frame)
        }
        return try Octree(mesh: mesh, depth: o.depth, fullDepth: o.fullDepth, frame: frame)
    }

    public func run() throws -> Report {
        let start = Date()
        let (mesh, frame) = try OctreeInput.loadNormalized(input)
        let tree = try PipelineError.reading(input) { try Self.build(mesh, options: options, frame: frame) }
        try PipelineError.writing(output) { try OctreeFile.write(tree, to: output) }
        let method = options.adaptive ? "adaptive, \(options.points ?? 200_000) samples, tolerance \(options.tolerance)"
            : options.points.map { "O-CNN, \($0) samples" } ?? "exact triangle–cell overlap"
        return Report(input: input, output: output, method: method, seconds: Date().timeIntervalSince(start), tree: OctreeSummary(tree))
    }
}
