import Foundation
import Geometry
import Metrics
import Octrees
import Spatial
import Support

/// `octoplane octree stats MESH --depths 5,6,7,8`: how well an octree of each depth reproduces a
/// mesh, and how long its token sequences are.
///
/// Per depth: the exact surface-cell tree of the mesh normalized into [-0.8, 0.8]³ (full depth
/// min(3, d − 1)), decoded (`Octree.reconstructMesh`: flood fill → marching cubes); then, with both
/// meshes scaled so the source's longest side is 1 (the ONet unit-cube convention):
/// - IoU on 100k uniform points in the padded union of the bounding boxes, inside by the winding
///   number (`VolumetricIoU`, `TriangleBVH.occupancy`);
/// - Chamfer-L1 (½(accuracy + completeness)) and F-score at τ = 1% on 100k area-weighted surface
///   samples of each mesh (`SurfaceMetrics`, ONet/ConvONet protocol).
public struct OctreeEvalJob: Job {
    /// The mesh file.
    public var input: String
    /// Depths to evaluate, 1…`Octree.maxVolumeDepth`.
    public var depths: [Int]
    /// Surface samples per mesh and uniform IoU points.
    public var samples = 100_000
    public var seed: UInt64 = 0
    public init(input: String, depths: [Int]) { self.input = input; self.depths = depths }

    public struct Row: Codable, Sendable {
        public var depth: Int
        public var nodes: Int
        public var leaves: Int
        public var splitTokens: Int
        public var childMaskTokens: Int
        public var iou: Double
        public var chamferL1: Double
        public var fScore1: Double
        public var watertight: Bool
        public var seconds: Double
    }
    public struct Report: JobReport, Codable, Sendable {
        public var text: String { "\(input) (\(faces) faces)\n" + markdown }
        public var input: String
        public var faces: Int
        public var rows: [Row]

        /// A markdown table.
        public var markdown: String {
            var s = "| depth | nodes | surface leaves | split flags (OctGPT) | child masks (Uni-3DAR) | IoU | Chamfer-L1 | F@1% |\n"
            s += "|---:|---:|---:|---:|---:|---:|---:|---:|\n"
            for r in rows {
                s += "| \(r.depth) | \(r.nodes) | \(r.leaves) | \(r.splitTokens) | \(r.childMaskTokens) | "
                s += String(format: "%.4f | %.5f | %.4f |\n", r.iou, r.chamferL1, r.fScore1)
            }
            return s
        }
    }

    public func run() throws -> Report {
        for d in depths where !(1...Octree.maxVolumeDepth).contains(d) {
            throw PipelineError.invalidOption(OctreeError.depthOutOfRange(depth: d, allowed: 1...Octree.maxVolumeDepth).description)
        }
        let (mesh, _) = try OctreeInput.loadNormalized(input)
        // Octree frame → unit longest side.
        let unit = SimilarityTransform(scale: 1 / max(mesh.bounds.longestSide, 1e-12), translation: .zero)
        let reference = mesh.transformed(by: unit)
        let refCloud = try PipelineError.reading(input) { try OrientedPointCloud(sampling: reference, count: samples, seed: seed, role: "reference") }
        let occupancy: (TriangleMesh, [Vec3]) throws -> [Bool] = { m, p in TriangleBVH(mesh: m).occupancy(p) }
        let progress = ProgressReporter("octree eval", total: depths.count)
        defer { progress.finish() }
        var rows = [Row]()
        for d in depths {
            let start = Date()
            var o = OctreeBuildJob.Options()
            o.depth = d; o.fullDepth = min(3, d - 1)
            let row = try PipelineError.reading(input) { () throws -> Row in
                let tree = try OctreeBuildJob.build(mesh, options: o)
                let decoded = try tree.reconstructMesh(inSourceFrame: false).transformed(by: unit)
                let cloud = try OrientedPointCloud(sampling: decoded, count: samples, seed: seed + 1, role: "prediction")
                let m = try SurfaceMetrics.evaluate(predicted: cloud, reference: refCloud, thresholds: [0.01])
                let iou = try VolumetricIoU.compute(decoded, reference, count: samples, seed: seed + 2, occupancy: occupancy)
                return Row(depth: d, nodes: tree.nodeCount, leaves: tree.leafCount, splitTokens: tree.splitFlagTokens().count,
                           childMaskTokens: tree.childMaskTokens().count, iou: iou, chamferL1: m.chamferL1,
                           fScore1: m.fScores[0].value, watertight: MeshTopology(decoded).isWatertight,
                           seconds: Date().timeIntervalSince(start))
            }
            rows.append(row)
            progress.advance()
        }
        return Report(input: input, faces: mesh.faceCount, rows: rows)
    }
}
