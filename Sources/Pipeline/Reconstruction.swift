import Extraction
import Fields
import Foundation
import Geometry
import MeshIO
import Metrics
import Octrees
import Spatial
import Triplanes

/// The reconstruction paths of Octoplane, in one place: the demo (`Demo`) and the regression
/// runner (`RegressRunJob`) both reconstruct through `ReconstructionMethod.reconstruct` and score
/// through `ReconstructionScorer`, so a change to either path shows in both.
///
/// Adding a method (e.g. triplane fit + decode) is one case of this enum: its name (`kind`), its
/// suite parameters (`init(kind:parameters:)`, `parameters`, `parameterLabel`) and its branch in
/// `reconstruct` — all in this file; suites, results, reports and the demo need no change.
public enum ReconstructionMethod: Sendable, Hashable {
    /// Signed distance (sign from the fast winding number, robust on non-watertight,
    /// interpenetrating parts) → sparse coarse-to-fine marching cubes with `resolution` lattice
    /// points per axis over [-0.55, 0.55]³ (2^k + 1 so the extraction can refine), refined by the
    /// distance bound (Lipschitz 1) so thin parts are not missed.
    case sdfMC(resolution: Int)
    /// The exact unsigned distance and its gradient → DualMesh-UDF (Zhang et al., ICCV 2023) with
    /// leaves at `depth` over [-0.55, 0.55]³. The mesh has no inside: its orientation is arbitrary.
    case udfDual(depth: Int)
    /// The exact surface-cell octree at `depth` (full depth 3) → OctGPT split-flag and Uni-3DAR
    /// child-mask tokens → decoded back (both round trips are checked) → flood-filled occupancy
    /// → marching cubes.
    case octree(depth: Int)
    /// Meshes another tool produced: `folder/<shape id>.<ext>` (any format assimp reads; the
    /// first of `externalExtensions` that exists). `normalized`: the meshes are already in the
    /// normalized frame of the input; otherwise they are in the input file's frame and get the
    /// input's normalizing transform.
    case external(folder: String, normalized: Bool)
    /// NFD phase 2 with the shared decoder (`decoder`: a file, or "" for the shipped one):
    /// planes fitted in `steps` steps to NFD samples of the shape, decoded by dense marching
    /// cubes on a `resolution`³ lattice over the NFD frame, mapped back to the unit cube.
    case triplane(steps: Int, resolution: Int, decoder: String)

    /// Every `kind` a suite may name.
    public static let kinds = ["sdf-mc", "udf-dual", "octree", "external", "triplane"]

    /// Why suite settings do not make a method; the suite reader names the field.
    public enum SpecError: Error, Equatable {
        case unknownMethod(String)
        case unknownKey(String, allowed: [String])
        case invalid(key: String, reason: String)
    }

    /// A method from its suite spelling: `kind` and its parameters (defaults: sdf-mc resolution
    /// 129 in 3…1025; udf-dual and octree depth 7 in 2…9; external `folder` required,
    /// `normalized` false). Throws `SpecError` for an unknown kind, an unknown parameter or a value
    /// out of range.
    public init(kind: String, parameters p: [String: MethodParameter]) throws {
        func only(_ allowed: [String]) throws {
            for k in p.keys.sorted() where !allowed.contains(k) { throw SpecError.unknownKey(k, allowed: allowed) }
        }
        func int(_ key: String, default d: Int, in range: ClosedRange<Int>) throws -> Int {
            guard let v = p[key] else { return d }
            guard case let .int(i) = v, range.contains(i) else {
                throw SpecError.invalid(key: key, reason: "must be an integer in \(range.lowerBound)…\(range.upperBound), got \(v)")
            }
            return i
        }
        switch kind {
        case "sdf-mc":
            try only(["resolution"]); self = .sdfMC(resolution: try int("resolution", default: 129, in: 3...1025))
        case "udf-dual":
            try only(["depth"]); self = .udfDual(depth: try int("depth", default: 7, in: 2...9))
        case "octree":
            try only(["depth"]); self = .octree(depth: try int("depth", default: 7, in: 2...9))
        case "external":
            try only(["folder", "normalized"])
            guard case let .string(folder)? = p["folder"], !folder.isEmpty else {
                throw SpecError.invalid(key: "folder", reason: "an external method needs the folder of its meshes")
            }
            var normalized = false
            if let v = p["normalized"] {
                guard case let .bool(b) = v else { throw SpecError.invalid(key: "normalized", reason: "must be true or false, got \(v)") }
                normalized = b
            }
            self = .external(folder: folder, normalized: normalized)
        case "triplane":
            try only(["steps", "resolution", "decoder"])
            var decoder = ""
            if let v = p["decoder"] {
                guard case let .string(d) = v else { throw SpecError.invalid(key: "decoder", reason: "must be a path, got \(v)") }
                decoder = d
            }
            self = .triplane(steps: try int("steps", default: TriplaneFitSettings().steps, in: 1...100_000),
                             resolution: try int("resolution", default: 129, in: 9...1025), decoder: decoder)
        default:
            throw SpecError.unknownMethod(kind)
        }
    }

    /// The suite parameters of this method (what `init(kind:parameters:)` reads back).
    public var parameters: [String: MethodParameter] {
        switch self {
        case let .sdfMC(r): return ["resolution": .int(r)]
        case let .udfDual(d), let .octree(d): return ["depth": .int(d)]
        case let .external(f, n): return ["folder": .string(f), "normalized": .bool(n)]
        case let .triplane(st, r, d): return ["steps": .int(st), "resolution": .int(r)].merging(d.isEmpty ? [:] : ["decoder": .string(d)]) { a, _ in a }
        }
    }

    /// The same method with its paths resolved against `base` (a suite's folder).
    public func resolvingPaths(against base: String) -> ReconstructionMethod {
        if case let .external(f, n) = self, !f.hasPrefix("/"), !base.isEmpty {
            return .external(folder: (base as NSString).appendingPathComponent(f), normalized: n)
        }
        if case let .triplane(st, r, d) = self, !d.isEmpty, !d.hasPrefix("/"), !base.isEmpty {
            return .triplane(steps: st, resolution: r, decoder: (base as NSString).appendingPathComponent(d))
        }
        return self
    }

    /// The family name used in suite files and reports.
    public var kind: String {
        switch self {
        case .sdfMC: return "sdf-mc"
        case .udfDual: return "udf-dual"
        case .octree: return "octree"
        case .external: return "external"
        case .triplane: return "triplane"
        }
    }

    /// The one parameter that sets the method's resolution, for reports ("129³", "depth 7").
    public var parameterLabel: String {
        switch self {
        case let .sdfMC(r): return "\(r)³"
        case let .udfDual(d), let .octree(d): return "depth \(d)"
        case let .external(f, n): return "\(f)\(n ? " (normalized)" : "")"
        case let .triplane(st, r, _): return "\(st) steps, \(r)³"
        }
    }

    /// True when the mesh has no meaningful orientation (rendered two-sided).
    public var isUnoriented: Bool { if case .udfDual = self { return true } else { return false } }

    /// File extensions tried, in order, for an external method's meshes.
    public static let externalExtensions = ["ply", "obj", "off", "stl", "glb", "gltf"]

    /// Box every built-in extraction works in: the unit cube padded by 10% (ONet's `points.npz` box).
    public static let extractionBounds = AABB.cube(halfSize: 0.55)

    /// What a reconstruction produced.
    public struct Output {
        public var mesh: TriangleMesh
        /// Field queries the extraction made (nil where not meaningful).
        public var fieldEvaluations: Int?
        /// Extra counts (token lengths and leaves for the octree).
        public var notes: [String: Int] = [:]
        /// The octree behind an `octree` reconstruction (for depth-coloured renders).
        public var tree: Octree?
    }

    /// Reconstructs `mesh` — a shape already normalized the ONet way (unit cube) — from its
    /// fields. `bvh` is the mesh's BVH (shared with scoring). `shapeId` names the mesh an external
    /// method looks up; `toNormalized` maps an external mesh in the input's frame into the
    /// normalized one.
    ///
    /// Throws the extractors' typed errors, `MeshIOError` for an unreadable external mesh,
    /// `PipelineError.invalidInput` when an external folder has no mesh for `shapeId`, and
    /// `PipelineError.failed` when an octree token round trip changes the tree.
    public func reconstruct(_ mesh: TriangleMesh, bvh: TriangleBVH, shapeId: String,
                            toNormalized: SimilarityTransform = .identity) throws -> Output {
        let bounds = Self.extractionBounds
        switch self {
        case let .sdfMC(resolution):
            let mc = try SparseMarchingCubes.extract(MeshSignedDistanceField(bvh), bounds: bounds, resolution: resolution,
                                                     level: 0, inside: .lower, lipschitz: 1)
            return Output(mesh: mc.mesh, fieldEvaluations: mc.evaluations)
        case let .udfDual(depth):
            let dual = try DualMeshUDF.extract(MeshDistanceField(bvh), options: .init(bounds: bounds, depth: depth))
            return Output(mesh: dual.mesh, fieldEvaluations: dual.stats.evaluations)
        case let .octree(depth):
            let frame = Octree.normalizingFrame(for: mesh.bounds)
            let tree = try Octree(mesh: mesh.transformed(by: frame), depth: depth, fullDepth: min(3, depth - 1), frame: frame)
            let split = tree.tokens(.splitFlags), masks = tree.tokens(.childMask)
            var decoded = try Octree(tokens: masks)
            guard try Octree(tokens: split) == decoded, decoded.levels == tree.levels else {
                throw PipelineError.failed("octree token round trip changed the tree of \(shapeId)")
            }
            decoded.frame = frame
            return Output(mesh: try decoded.reconstructMesh(), fieldEvaluations: nil,
                          notes: ["splitTokens": split.count, "childMaskTokens": masks.count, "leaves": tree.leafCount],
                          tree: tree)
        case let .external(folder, normalized):
            guard let path = Self.externalMesh(folder: folder, shapeId: shapeId) else {
                throw PipelineError.invalidInput(path: folder, reason: "no mesh for shape '\(shapeId)' (tried \(shapeId).{\(Self.externalExtensions.joined(separator: ","))})")
            }
            let m = try MeshLoader.load(path: path).mesh
            return Output(mesh: normalized ? m : m.transformed(by: toNormalized), fieldEvaluations: nil)
        case let .triplane(steps, resolution, decoderPath):
            let path = try ShippedModels.resolve(decoderPath.isEmpty ? nil : decoderPath, default: ShippedModels.triplaneDecoder)
            let decoder = try TriplaneDecoder.load(from: path).decoder
            var fit = TriplaneFitSettings(); fit.steps = steps
            let out = try MeshTriplaneFit(settings: fit, iouPoints: 0).run(mesh: mesh, decoder: decoder, seed: stableHash(shapeId))
            if let s = out.fit.nonFiniteAtStep { throw TriplaneError.nonFiniteLoss(step: s) }
            let decoded = try decodeTriplane(try TriplaneField(decoder: decoder, planes: out.planes), resolution: resolution, method: .mc)
            // Back from NFD's frame to the (unit-cube) frame of `mesh`.
            guard let toNFD = NormalizationConvention.nfd.transform(for: mesh.positions) else {
                throw PipelineError.invalidInput(path: shapeId, reason: "the shape spans no length")
            }
            return Output(mesh: decoded.transformed(by: toNFD.inverse), fieldEvaluations: nil)
        }
    }

    /// The mesh file an external folder holds for `shapeId`, or nil.
    public static func externalMesh(folder: String, shapeId: String) -> String? {
        for ext in externalExtensions {
            let p = (folder as NSString).appendingPathComponent("\(shapeId).\(ext)")
            if FileManager.default.fileExists(atPath: p) { return p }
        }
        return nil
    }
}

/// One suite parameter of a reconstruction method: an integer, a boolean or a string (JSON).
public enum MethodParameter: Codable, Sendable, Hashable, CustomStringConvertible {
    case int(Int), bool(Bool), string(String)

    public init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let i = try? c.decode(Int.self) { self = .int(i) }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else { self = .string(try c.decode(String.self)) }
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case let .int(i): try c.encode(i)
        case let .bool(b): try c.encode(b)
        case let .string(s): try c.encode(s)
        }
    }
    public var description: String {
        switch self {
        case let .int(i): return "\(i)"
        case let .bool(b): return "\(b)"
        case let .string(s): return "\"\(s)\""
        }
    }
}

/// The metric protocol of a reconstruction (ONet / ConvONet): surface points per side, F-score
/// thresholds, uniform IoU points, and the seeds that make every draw reproducible.
public struct MetricProtocol: Codable, Sendable, Hashable {
    /// Area-weighted surface points sampled on each mesh (ONet: 100k).
    public var points: Int = 100_000
    /// F-score thresholds τ, absolute (1% of the unit cube side by default).
    public var fScoreThresholds: [Float] = [0.01]
    /// Uniform points in the padded union box for IoU (inside = |winding number| > ½).
    public var iouPoints: Int = 100_000
    /// Base seed: the reference is sampled with `seed + 1`, the prediction with `seed + 2`, the
    /// IoU points drawn with `seed + 3` (the demo's 1, 2, 3 at seed 0).
    public var seed: UInt64 = 0
    public init() {}
    public init(points: Int, fScoreThresholds: [Float], iouPoints: Int, seed: UInt64) {
        self.points = points; self.fScoreThresholds = fScoreThresholds; self.iouPoints = iouPoints; self.seed = seed
    }
}

/// Every score of one reconstruction against its input. An empty reconstruction scores
/// Chamfer NaN, normal consistency nil, F-scores 0 and IoU 0 (a NaN Chamfer is a failure to a
/// regression gate, never a pass).
public struct ReconstructionScores: Codable, Sendable, Equatable {
    public var chamferL1: Double
    public var chamferL2: Double
    public var normalConsistency: Double?
    /// One per threshold of the protocol, in its order.
    public var fScores: [Double]
    public var iou: Double
    public var hausdorff: Double
    public var faces: Int
    public var watertight: Bool
    public var nonManifoldEdges: Int
}

/// Scores reconstructions of one input mesh by a `MetricProtocol`; the reference sample and the
/// BVH are made once and shared by every method.
public struct ReconstructionScorer {
    public let reference: TriangleMesh
    public let bvh: TriangleBVH
    public let metricProtocol: MetricProtocol
    let referenceCloud: OrientedPointCloud

    /// `bvh` must be the BVH of `reference` when given (the demo builds it once for the fields).
    public init(reference: TriangleMesh, bvh: TriangleBVH? = nil, protocol p: MetricProtocol) throws {
        self.reference = reference
        self.bvh = bvh ?? TriangleBVH(mesh: reference)
        metricProtocol = p
        referenceCloud = try OrientedPointCloud(sampling: reference, count: p.points, seed: p.seed &+ 1, role: "reference")
    }

    /// Scores `out`. Throws `MetricsError` for NaN vertices in `out`.
    public func score(_ out: TriangleMesh) throws -> ReconstructionScores {
        let topo = MeshTopology(out)
        var r = ReconstructionScores(chamferL1: .nan, chamferL2: .nan, normalConsistency: nil,
                                     fScores: metricProtocol.fScoreThresholds.map { _ in 0 }, iou: 0, hausdorff: .nan,
                                     faces: out.triangles.count, watertight: topo.isWatertight,
                                     nonManifoldEdges: topo.nonManifoldEdges)
        guard !out.isEmpty else { return r }
        let pred = try OrientedPointCloud(sampling: out, count: metricProtocol.points, seed: metricProtocol.seed &+ 2, role: "prediction")
        let m = try SurfaceMetrics.evaluate(predicted: pred, reference: referenceCloud, thresholds: metricProtocol.fScoreThresholds)
        r.chamferL1 = m.chamferL1; r.chamferL2 = m.chamferL2; r.normalConsistency = m.normalConsistency
        r.fScores = m.fScores.map(\.value); r.hausdorff = m.hausdorff.value
        // Inside = |winding number| > ½: a global orientation flip (UDF meshes have no inside)
        // does not turn a shape inside out.
        let inside: (TriangleMesh, [Vec3]) -> [Bool] = { m, pts in
            let tree = m.triangles.count == reference.triangles.count && m.positions == reference.positions ? bvh : TriangleBVH(mesh: m)
            return tree.windingNumbers(at: pts).map { abs($0) > 0.5 }
        }
        r.iou = try VolumetricIoU.compute(out, reference, count: metricProtocol.iouPoints, seed: metricProtocol.seed &+ 3, occupancy: inside)
        return r
    }
}
