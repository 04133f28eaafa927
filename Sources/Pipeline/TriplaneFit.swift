import Extraction
import Fields
import Foundation
import Geometry
import MeshIO
import Metrics
import Sampling
import Spatial
import Support
import TensorCore
import Triplanes

/// How well a set of planes reproduces its source mesh: IoU on uniform points of the [-1, 1]³
/// frame, and (when the planes were decoded) Chamfer-L1, normal consistency and F@1% by the ONet
/// protocol, measured in ONet's unit frame (the NFD frame halved) so the figures compare with
/// `eval` and the demo.
public struct TriplaneQuality: Codable, Sendable, Equatable {
    public var iou: Double
    public var iouPoints: Int
    public var chamferL1: Double?
    public var normalConsistency: Double?
    public var fScore1: Double?
    public var decodedFaces: Int?
}

/// One mesh → NFD samples → planes, with the work shared by `triplane fit` and
/// `convert --to triplane`.
struct MeshTriplaneFit {
    var settings: TriplaneFitSettings
    /// Rows of NFD samples drawn per mesh (half near-surface, half uniform).
    var samplePoints = 200_000
    /// Uniform points for the IoU (0: no IoU).
    var iouPoints = 100_000
    /// Marching-cubes lattice for the surface metrics (nil: not decoded).
    var metricResolution: Int? = nil
    var metricPoints = 100_000

    struct Output {
        var planes: Tensor
        var fit: TriplaneFitResult
        var quality: TriplaneQuality?
        var sampleSeconds: Double
        var fitSeconds: Double
        var faces: Int
        /// Share of the sample rows inside the mesh.
        var insideFraction: Double
    }

    /// Typed errors for settings no fit can use (these and the fit's own); jobs call it before any
    /// sampling or fitting, so a bad option does not waste the work before it. `samplePointsFlag`
    /// names the option that set `samplePoints` (`convert` calls it `--points`).
    func validate(samplePointsFlag: String = "--sample-points") throws {
        guard samplePoints >= 2 else { throw PipelineError.invalidOption("\(samplePointsFlag) must be ≥ 2, got \(samplePoints)") }
        guard iouPoints >= 0 else { throw PipelineError.invalidOption("IoU points must be ≥ 0, got \(iouPoints)") }
        if let r = metricResolution, r < 3 { throw PipelineError.invalidOption("--metric-resolution must be ≥ 3") }
        try settings.validate()
    }

    func run(mesh raw: TriangleMesh, decoder: TriplaneDecoder, seed: UInt64) throws -> Output {
        var t = Date()
        var s = SampleSettings(preset: .nfd, count: samplePoints, seed: seed)
        s.insideTest = .default
        guard case let .nfd(nfd) = try SampleRecipe.run(raw, settings: s) else { preconditionFailure("NFD preset gives NFD samples") }
        var xyz = [Float](); xyz.reserveCapacity(3 * nfd.points.count)
        for p in nfd.points { xyz += [p.x, p.y, p.z] }
        let samples = try TriplaneSamples(points: xyz, targets: nfd.occupancies.map { $0 ? 1 : 0 }, source: "mesh samples")
        let sampleSeconds = Date().timeIntervalSince(t)
        t = Date()
        var fs = settings; fs.seed = seed
        let fit = try TriplaneFitting.fit(samples, decoder: decoder, settings: fs)
        let fitSeconds = Date().timeIntervalSince(t)
        var quality: TriplaneQuality? = nil
        if iouPoints > 0 {
            let (mesh, _) = raw.normalized(.nfd)
            quality = try Self.quality(planes: fit.planes, decoder: decoder, mesh: mesh, iouPoints: iouPoints,
                                       metricResolution: metricResolution, metricPoints: metricPoints, seed: seed)
        }
        return Output(planes: fit.planes, fit: fit, quality: quality, sampleSeconds: sampleSeconds, fitSeconds: fitSeconds, faces: raw.triangles.count,
                      insideFraction: SampleOutput.nfd(nfd).insideFraction)
    }

    /// IoU of `planes` against `mesh` (already in the [-1, 1] frame) on uniform points, and the
    /// surface metrics of its decoded mesh when `metricResolution` is set.
    static func quality(planes: Tensor, decoder: TriplaneDecoder, mesh: TriangleMesh, iouPoints: Int,
                        metricResolution: Int?, metricPoints: Int, seed: UInt64) throws -> TriplaneQuality {
        let pts = PointSampler.uniform(in: AABB.cube(halfSize: 1), count: iouPoints, seed: seed ^ 0x10_0000)
        let truth = TriangleBVH(mesh: mesh).occupancy(pts)
        let field = try TriplaneField(decoder: decoder, planes: planes)
        let pred = field.values(at: pts).map { $0 > 0 }
        var inter = 0, union = 0
        for (a, b) in zip(pred, truth) { if a && b { inter += 1 }; if a || b { union += 1 } }
        var q = TriplaneQuality(iou: union == 0 ? 1 : Double(inter) / Double(union), iouPoints: iouPoints)
        if let res = metricResolution {
            let out = try decodeTriplane(field, resolution: res, method: .mc)
            q.decodedFaces = out.triangles.count
            if !out.isEmpty {
                let half = SimilarityTransform(scale: 0.5, translation: .zero)
                let pred = try OrientedPointCloud(sampling: out.transformed(by: half), count: metricPoints, seed: 2, role: "prediction")
                let ref = try OrientedPointCloud(sampling: mesh.transformed(by: half), count: metricPoints, seed: 1, role: "reference")
                let m = try SurfaceMetrics.evaluate(predicted: pred, reference: ref, thresholds: [0.01])
                q.chamferL1 = m.chamferL1; q.normalConsistency = m.normalConsistency; q.fScore1 = m.fScores[0].value
            } else {
                q.chamferL1 = .nan; q.fScore1 = 0
            }
        }
        return q
    }
}

/// How `triplane decode` meshes a field.
public enum TriplaneDecodeMethod: String, Codable, Sendable, CaseIterable {
    /// Marching cubes of the occupancy logit at 0 (or of the UDF at a small level) on the dense lattice.
    case mc
    /// The dual UDF extractor on the decoded UDF (target `udf`), gradients by central differences.
    case dual
}

/// Meshes a triplane field over [-1, 1]³ on a `resolution`³ lattice. Occupancy meshes are closed:
/// the lattice reaches two cells past [-1, 1]³, where every point counts as outside, so a shape that
/// touches the frame's border (the NFD frame puts the longest side exactly on it) is capped there.
///
/// **Dense, not coarse-to-fine.** Marching cubes evaluates the decoder at every lattice point
/// (129³ ≈ 2.1M points, ≈ 1.2 s on one core). The coarse-to-fine pass (`SparseMarchingCubes`, MISE)
/// finds a part only through a coarse corner or a block next to an already crossed one, and a
/// decoded logit has no Lipschitz bound to refine by: at 129³ from a 17³ coarse lattice it cut
/// chair legs and runners thinner than the coarse spacing (≈ 0.14) and lost a chair made of rods
/// whole (a fitted training chair, IoU 0.946, came out empty). The decoder's cost is the price of
/// never losing a part; the SDF extraction of meshes (an exact distance, `lipschitz: 1`) stays sparse.
func decodeTriplane(_ field: TriplaneField, resolution: Int, method: TriplaneDecodeMethod) throws -> TriangleMesh {
    let margin = 2 * 2 / Float(max(2, resolution - 5))
    let box = AABB.cube(halfSize: 1 + margin)
    switch (method, field.decoder.config.target) {
    case (.mc, .occupancy):
        return try SparseMarchingCubes.extract(OutsideBeyondFrame(field: field, outside: -1), bounds: box, resolution: resolution,
                                               levels: 0, level: 0, inside: .higher).mesh
    case (.mc, .udf):
        // A UDF has no inside: the level set at ¼ cell is a thin double shell around the surface.
        let h = 2 * box.max.x / Float(resolution - 1)
        return try SparseMarchingCubes.extract(OutsideBeyondFrame(field: field, outside: 1), bounds: box, resolution: resolution,
                                               levels: 0, level: 0.25 * h, inside: .lower).mesh
    case (.dual, _):
        var depth = 1
        while (1 << depth) < resolution - 1 { depth += 1 }
        return try DualMeshUDF.extract(FiniteDifferenceUDF(field: field, absolute: field.decoder.config.target == .occupancy),
                                       options: .init(bounds: AABB.cube(halfSize: 1), depth: depth)).mesh
    }
}

/// A triplane field with every point outside the [-1, 1]³ frame given `outside` (the planes carry
/// nothing there).
struct OutsideBeyondFrame: ScalarField {
    let field: TriplaneField
    let outside: Float
    func value(at p: Vec3) -> Float { values(at: [p])[0] }
    func values(at points: [Vec3]) -> [Float] {
        var v = field.values(at: points)
        for (i, p) in points.enumerated() where max(abs(p.x), abs(p.y), abs(p.z)) > 1 { v[i] = outside }
        return v
    }
}

/// A decoded field read as an unsigned distance with central-difference gradients (h = 1e-3), for
/// the dual extractor. `absolute`: read |value| (an occupancy logit's zero set as a "distance").
struct FiniteDifferenceUDF: GradientField {
    let field: TriplaneField
    let absolute: Bool
    static let h: Float = 1e-3

    func value(at p: Vec3) -> Float { values(at: [p])[0] }
    func values(at points: [Vec3]) -> [Float] {
        let v = field.values(at: points)
        return absolute ? v.map(Swift.abs) : v.map { max(0, $0) }
    }
    func valueAndGradient(at p: Vec3) -> (Float, Vec3) {
        let r = valuesAndGradients(at: [p]); return (r.values[0], r.gradients[0])
    }
    func valuesAndGradients(at points: [Vec3]) -> (values: [Float], gradients: [Vec3]) {
        let h = Self.h
        let offsets: [Vec3] = [.zero, Vec3(h, 0, 0), Vec3(-h, 0, 0), Vec3(0, h, 0), Vec3(0, -h, 0), Vec3(0, 0, h), Vec3(0, 0, -h)]
        var all = [Vec3](); all.reserveCapacity(7 * points.count)
        for o in offsets { all += points.map { $0 + o } }
        let v = values(at: all)
        let n = points.count
        var g = [Vec3](repeating: .zero, count: n)
        for i in 0..<n {
            g[i] = normalize(Vec3(v[n + i] - v[2 * n + i], v[3 * n + i] - v[4 * n + i], v[5 * n + i] - v[6 * n + i]) / (2 * h))
        }
        return (Array(v[0..<n]), g)
    }
}

/// `octoplane triplane fit MESH|SAMPLES.npy [--decoder D] -o PLANES.npy`: NFD phase 2, the shared
/// decoder frozen. A mesh is normalized to NFD's frame and sampled on the fly (the NFD preset,
/// `samplePoints` rows); a samples file is read as NFD's (N, 4) layout. With a mesh the report has
/// the IoU on 100k uniform points, and with `metricResolution` the decoded mesh's ONet metrics.
public struct TriplaneFitJob: Job {
    public var input: String
    public var output: String
    /// Decoder file; nil = the shipped one.
    public var decoder: String? = nil
    public var settings = TriplaneFitSettings()
    public var samplePoints = 200_000
    public var metricResolution: Int? = nil
    public var seed: UInt64 = 0

    public init(input: String, output: String) { self.input = input; self.output = output }

    public struct Report: JobReport {
        public var input: String
        public var output: String
        public var decoder: String
        public var shape: [Int]
        public var steps: Int
        public var finalDataLoss: Float
        public var quality: TriplaneQuality?
        public var sampleSeconds: Double
        public var fitSeconds: Double
        public var text: String {
            var s = String(format: "%@ → %@ %@: %d steps, data loss %.4f, fit %.2f s (sampling %.2f s)",
                           input, output, "\(shape)", steps, finalDataLoss, fitSeconds, sampleSeconds)
            if let q = quality {
                s += String(format: "\n  IoU %.4f on %d uniform points", q.iou, q.iouPoints)
                if let cd = q.chamferL1 { s += String(format: ", Chamfer-L1 %.5f, F@1%% %.4f, NC %.4f", cd, q.fScore1 ?? .nan, q.normalConsistency ?? .nan) }
            }
            return s
        }
    }

    public func run() throws -> Report {
        let fitter = MeshTriplaneFit(settings: settings, samplePoints: samplePoints, metricResolution: metricResolution)
        try fitter.validate()
        let decoderPath = try ShippedModels.resolve(decoder, default: ShippedModels.triplaneDecoder)
        let dec = try TriplaneDecoder.load(from: decoderPath).decoder
        var planes: Tensor, steps: Int, loss: Float, quality: TriplaneQuality? = nil, sampleSeconds = 0.0, fitSeconds: Double
        if input.lowercased().hasSuffix(".npy") {
            let t = Date()
            let samples = try loadTriplaneSamples(input)
            var fs = settings; fs.seed = seed
            let fit = try TriplaneFitting.fit(samples, decoder: dec, settings: fs)
            if let s = fit.nonFiniteAtStep { throw TriplaneError.nonFiniteLoss(step: s) }
            planes = fit.planes; steps = fit.steps; loss = fit.finalDataLoss; fitSeconds = Date().timeIntervalSince(t)
        } else {
            let mesh = try MeshLoader.load(path: input).mesh
            let out = try fitter.run(mesh: mesh, decoder: dec, seed: seed)
            if let s = out.fit.nonFiniteAtStep {
                try TriplaneFile.write(out.planes, to: output)
                throw TriplaneError.nonFiniteLoss(step: s)
            }
            planes = out.planes; steps = out.fit.steps; loss = out.fit.finalDataLoss; quality = out.quality
            sampleSeconds = out.sampleSeconds; fitSeconds = out.fitSeconds
        }
        do { try TriplaneFile.write(planes, to: output) } catch { throw PipelineError.unwritable(path: output, reason: "\(error)") }
        return Report(input: input, output: output, decoder: decoderPath, shape: planes.shape, steps: steps, finalDataLoss: loss,
                      quality: quality, sampleSeconds: sampleSeconds, fitSeconds: fitSeconds)
    }
}

/// `octoplane triplane decode PLANES.npy [--decoder D] -o MESH [--resolution 129] [--method mc|dual]`.
public struct TriplaneDecodeJob: Job {
    public var input: String
    public var output: String
    public var decoder: String? = nil
    /// Lattice points per axis over [-1, 1]³, all evaluated (129³ ≈ 2.1M decoder points, ≈ 1.2 s on
    /// one core; 257³ eight times that).
    public var resolution = 129
    public var method = TriplaneDecodeMethod.mc

    public init(input: String, output: String) { self.input = input; self.output = output }

    public struct Report: JobReport {
        public var input: String
        public var output: String
        public var method: TriplaneDecodeMethod
        public var resolution: Int
        public var vertices: Int
        public var faces: Int
        public var watertight: Bool
        public var seconds: Double
        public var text: String {
            String(format: "%@ → %@: %d vertices, %d faces, %@, %.2f s", input, output, vertices, faces,
                   watertight ? "watertight" : "not watertight", seconds)
        }
    }

    public func run() throws -> Report {
        guard resolution >= 3 else { throw PipelineError.invalidOption("--resolution must be ≥ 3, got \(resolution)") }
        let t = Date()
        let decoderPath = try ShippedModels.resolve(decoder, default: ShippedModels.triplaneDecoder)
        let dec = try TriplaneDecoder.load(from: decoderPath).decoder
        let planes = try TriplaneFile.read(input)
        let field = try TriplaneField(decoder: dec, planes: planes)
        let mesh = try decodeTriplane(field, resolution: resolution, method: method)
        do { try MeshWriter.write(mesh, to: output) } catch { throw PipelineError.unwritable(path: output, reason: "\(error)") }
        return Report(input: input, output: output, method: method, resolution: resolution, vertices: mesh.vertexCount,
                      faces: mesh.triangles.count, watertight: MeshTopology(mesh).isWatertight, seconds: Date().timeIntervalSince(t))
    }
}
