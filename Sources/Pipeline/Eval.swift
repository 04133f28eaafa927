import ArrayIO
import Foundation
import Geometry
import MeshIO
import Metrics
import Sampling
import Spatial
import Support

/// Settings of the reconstruction evaluation. Defaults follow ONet / ConvONet.
public struct EvalOptions: Sendable {
    /// Surface points sampled on each mesh (ONet: 100k). A `pointcloud.npz` is used whole.
    public var points: Int = 100_000
    /// Seed of every random draw (surface samples, IoU points): same seed, same numbers.
    public var seed: UInt64 = 0
    /// F-score thresholds, absolute (0.5%, 1%, 2% of a unit cube side).
    public var thresholds: [Float] = FScore.defaultThresholds
    /// Uniform points for mesh-vs-mesh IoU (ONet's `points.npz` has 100k).
    public var iouPoints: Int = 100_000
    /// Inside test applied to meshes for IoU (winding number: robust to open predictions).
    public var insideTest: InsideTest = .default
    public init() {}
}

/// What one input turned out to be.
public enum EvalInputKind: String, Codable, Sendable {
    case mesh, pointCloud = "point-cloud", onetPointCloud = "onet-pointcloud", onetPoints = "onet-points",
         onetFolder = "onet-folder"
}

/// The result of `octoplane eval PRED GT`. Codable (`--json`); `text` is the table.
public struct EvalReport: JobReport, Codable, Sendable, Equatable {
    public var prediction: String
    public var predictionKind: EvalInputKind
    public var reference: String
    public var referenceKind: EvalInputKind
    public var seed: UInt64
    /// Chamfer-L1/L2, NC, F-scores, Hausdorff; nil when the reference has no surface (points.npz).
    public var surface: SurfaceMetrics?
    /// Volumetric IoU; nil when either side has no volume (a point-cloud prediction or reference).
    public var iou: Double?
    /// Query points behind `iou`, and where they came from ("points.npz", "uniform").
    public var iouPoints: Int?
    public var iouSource: String?

    public var text: String {
        var rows: [(String, String, String)] = []
        func f(_ x: Double) -> String { String(format: "%.6g", x) }
        if let s = surface {
            rows.append(("Chamfer-L1 (ONet)", f(s.chamferL1), "½(accuracy + completeness), mean Euclidean NN distance"))
            rows.append(("  accuracy", f(s.accuracy), "prediction → reference"))
            rows.append(("  completeness", f(s.completeness), "reference → prediction"))
            rows.append(("Chamfer-L2 (PointFlow)", f(s.chamferL2), "mean squared NN distance, both directions summed"))
            if let nc = s.normalConsistency { rows.append(("normal consistency", f(nc), "mean |cos| to the NN's normal, both directions")) }
            for fs in s.fScores {
                rows.append((String(format: "F-score @ %g", fs.threshold), f(fs.value), "precision \(f(fs.precision)), recall \(f(fs.recall))"))
            }
            rows.append(("Hausdorff", f(s.hausdorff.value), "max of \(f(s.hausdorff.predictedToReference)) (P→R), \(f(s.hausdorff.referenceToPredicted)) (R→P)"))
        }
        if let iou { rows.append(("IoU", f(iou), "\(iouPoints ?? 0) points (\(iouSource ?? ""))")) }
        var lines = ["prediction  \(prediction) (\(predictionKind.rawValue))",
                     "reference   \(reference) (\(referenceKind.rawValue))"]
        if let s = surface { lines.append("points      \(s.predictedPoints) predicted, \(s.referencePoints) reference; seed \(seed)") }
        lines.append(textTable(["metric", "value", "definition"], rows.map { [$0.0, $0.1, $0.2] }))
        return lines.joined(separator: "\n")
    }
}

/// A loaded evaluation input: a surface sample (with normals when known), occupancy samples,
/// and the mesh when there is one (for inside tests).
struct EvalInput {
    var kind: EvalInputKind
    var mesh: TriangleMesh?
    var cloud: OrientedPointCloud?
    var occupancy: OnetPoints?
}

/// `octoplane eval PRED GT`: ONet / ConvONet reconstruction metrics.
///
/// - PRED: a mesh (any format assimp reads) or an (N, 3) `.npy` point cloud.
/// - GT: a mesh; an ONet `pointcloud.npz` (surface points + normals, used whole); an ONet
///   `points.npz` (uniform points + occupancies: IoU only); an ONet model folder holding either or
///   both; or an (N, 3) `.npy` cloud.
///
/// Meshes are sampled with `options.points` area-weighted surface points (prediction with
/// `seed`, a mesh reference with `seed + 1`). IoU: on `points.npz`'s points against its stored
/// occupancies, or, for two meshes, on `options.iouPoints` uniform points in the union of their
/// boxes (`VolumetricIoU`), inside/outside by `options.insideTest`. Both inputs must be in the
/// same frame (ONet data: the normalized unit cube); nothing is rescaled here.
///
/// Errors: `PipelineError.invalidInput` naming the file (unrecognized input, data a metric rejects,
/// a pair with nothing to compare), `.invalidOption`; `MeshIOError` / `ArrayIOError` from readers.
public struct EvalJob: Job {
    public var prediction: String
    public var reference: String
    public var options: EvalOptions
    public init(prediction: String, reference: String, options: EvalOptions = EvalOptions()) {
        self.prediction = prediction; self.reference = reference; self.options = options
    }
    public func run() throws -> EvalReport { try evaluateReconstruction(prediction: prediction, reference: reference, options: options) }
}

private func evaluateReconstruction(prediction: String, reference: String, options: EvalOptions) throws -> EvalReport {
    guard options.points >= 1, options.iouPoints >= 1 else {
        throw PipelineError.invalidOption("--points and --iou-points must be ≥ 1")
    }
    let pred = try loadEvalInput(prediction, allowOnet: false)
    let ref = try loadEvalInput(reference, allowOnet: true)
    let predCloud = try surfaceCloud(pred, path: prediction, count: options.points, seed: options.seed)
    let refCloud = try surfaceCloud(ref, path: reference, count: options.points, seed: options.seed &+ 1)
    var report = EvalReport(prediction: prediction, predictionKind: pred.kind, reference: reference, referenceKind: ref.kind,
                            seed: options.seed)
    if let p = predCloud, let r = refCloud {
        report.surface = try SurfaceMetrics.evaluate(predicted: p, reference: r, thresholds: options.thresholds)
    }
    let occupancy: (TriangleMesh, [Vec3]) -> [Bool] = { m, pts in TriangleBVH(mesh: m).occupancy(pts, test: options.insideTest) }
    if let pm = pred.mesh {
        if let occ = ref.occupancy {
            report.iou = try wrapMetrics(reference) { try VolumetricIoU.compute(occupancy(pm, occ.points), occ.occupancies) }
            report.iouPoints = occ.points.count
            report.iouSource = "points.npz"
        } else if let rm = ref.mesh {
            report.iou = try VolumetricIoU.compute(pm, rm, count: options.iouPoints, seed: options.seed &+ 2, occupancy: occupancy)
            report.iouPoints = options.iouPoints
            report.iouSource = "uniform in the padded union box, \(options.insideTest)"
        }
    }
    if report.surface == nil && report.iou == nil {
        throw PipelineError.invalidInput(path: reference, reason: "cannot compare with '\(prediction)': a points.npz reference only supports IoU, which needs a mesh prediction")
    }
    return report
}

/// Surface sample of an input: its own cloud, or `count` points on its mesh.
private func surfaceCloud(_ input: EvalInput, path: String, count: Int, seed: UInt64) throws -> OrientedPointCloud? {
    if let c = input.cloud { return try wrapMetrics(path) { try c.validated(role: path) } }
    guard let m = input.mesh else { return nil }
    return try wrapMetrics(path) { try OrientedPointCloud(sampling: m, count: count, seed: seed, role: path) }
}

private let onetPointCloudName = "pointcloud.npz", onetPointsName = "points.npz"

private func loadEvalInput(_ path: String, allowOnet: Bool) throws -> EvalInput {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
        throw PipelineError.invalidInput(path: path, reason: "no such file or folder")
    }
    let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
    if isDir.boolValue {
        guard allowOnet else { throw PipelineError.invalidInput(path: path, reason: "is a folder; give a mesh or an (N, 3) .npy cloud") }
        let pc = path + "/" + onetPointCloudName, pt = path + "/" + onetPointsName
        let hasPC = FileManager.default.fileExists(atPath: pc), hasPT = FileManager.default.fileExists(atPath: pt)
        guard hasPC || hasPT else {
            throw PipelineError.invalidInput(path: path, reason: "folder holds neither \(onetPointCloudName) nor \(onetPointsName)")
        }
        var input = EvalInput(kind: .onetFolder)
        if hasPC { input.cloud = try readOnetCloud(pc) }
        if hasPT { input.occupancy = try OnetPoints.read(path: pt) }
        return input
    }
    switch ext {
    case "npy":
        return EvalInput(kind: .pointCloud, cloud: OrientedPointCloud(points: try readCloudNpy(path)))
    case "npz":
        guard allowOnet else { throw PipelineError.invalidInput(path: path, reason: "a prediction must be a mesh or an (N, 3) .npy cloud") }
        let members = try Npz.read(path)
        if members["occupancies"] != nil { return EvalInput(kind: .onetPoints, occupancy: try OnetPoints.read(path: path)) }
        if members["points"] != nil { return EvalInput(kind: .onetPointCloud, cloud: try readOnetCloud(path)) }
        throw PipelineError.invalidInput(path: path, reason: "an .npz with neither 'occupancies' (points.npz) nor 'points' (pointcloud.npz)")
    default:
        return EvalInput(kind: .mesh, mesh: try MeshLoader.load(path: path).mesh)
    }
}

private func readOnetCloud(_ path: String) throws -> OrientedPointCloud {
    let c = try OnetPointCloud.read(path: path)
    return OrientedPointCloud(points: c.points, normals: c.normals)
}

