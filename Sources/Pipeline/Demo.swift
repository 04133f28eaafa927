import Dataset
import Extraction
import Fields
import Foundation
import Geometry
import MeshIO
import Metrics
import Octrees
import Rendering
import Spatial
import Support

/// `octoplane demo`: the end-to-end run on the embedded default data (the README's first command).
///
/// 1. Renders the bundled meshes of `Assets/meshes` into one sheet (`assets.png`).
/// 2. Synthesizes a small ShapeNetCore-v2-style collection (`perCategory` shapes of each of the
///    six categories) into `<out>/demo/shapenet`, or walks an existing ShapeNet tree (`dataRoot`),
///    and renders it (`collection.png`).
/// 3. For every model, loaded back through the assimp ingestion and normalized the ONet way
///    (bounding-box centre, longest edge 1): three reconstructions from the mesh's fields —
///    - `sdf-mc`: signed distance (sign from the fast winding number, robust on the
///      non-watertight, interpenetrating parts) → sparse coarse-to-fine marching cubes at
///      `resolution`³ over [-0.55, 0.55]³;
///    - `udf-dual`: the exact unsigned distance + gradient → the dual UDF extractor at `dualDepth`;
///    - `octree`: the surface octree at `octreeDepth` (exact triangle–cell overlap) → its
///      split-flag and child-mask token sequences → decoded back (the round trip is checked) →
///      flood-filled occupancy → marching cubes;
///    each scored against the input by the ONet protocol (Chamfer-L1, normal consistency, F-score at
///    1% on `metricPoints` surface points per side, IoU on uniform points by |winding number| > ½).
/// 4. Writes the meshes (`demo/meshes/*.obj`), one sheet per category (input | three results |
///    octree cells coloured by depth; UDF meshes, which have no inside, drawn two-sided),
///    `demo/report.md` (the tables) and `demo/metrics.json`.
/// 5. With each shipped generator — the triplane diffusion model (`Assets/models/triplane-diffusion`
///    → `<output>/generated/`) and the octree transformer (`Assets/models/octree-transformer` →
///    `<output>/generated-octree/`), each skipped with a log line when absent; none with
///    `generatePerCategory` 0: `generatePerCategory` new shapes of every category
///    (`GeneratorEvalJob`, generate's defaults), scored against as many held-out shapes (synth seed
///    7, which training never saw) and each model's training set (synth seed 1, 96 or 192 per
///    category, regenerated: synthesis is deterministic), with one sheet per category (samples over their
///    nearest training shapes) and the tables in the report.
///
/// Every step is seeded: the same options give the same numbers (timings aside). A reconstruction
/// that comes out empty is reported (NaN Chamfer, no normal consistency, F-score and IoU 0) and
/// never stops the run; the means of the report skip what is undefined and say over how many.
public struct DemoJob: Job {
    /// Output root; everything goes under `<output>/demo` except the assets sheet.
    public var output = "Renders"
    /// Folder of bundled meshes rendered in step 1 (skipped when missing).
    public var assets = "Assets/meshes"
    /// An existing ShapeNet v1/v2 tree to use instead of the synthesized collection.
    public var dataRoot: String? = nil
    /// Categories (names or synset ids); nil = all six.
    public var categories: [String]? = nil
    public var perCategory = 2
    public var seed: UInt64 = 2026
    /// Marching-cubes lattice points per axis (2^k + 1 so the sparse extraction can refine).
    public var resolution = 129
    public var dualDepth = 7
    public var octreeDepth = 7
    public var metricPoints = 100_000
    /// Side of one rendered tile, pixels.
    public var tileSize = 256
    /// New shapes per category from the shipped generator (step 5); 0: none.
    public var generatePerCategory = 8
    /// The shipped generators' training sets (their model cards): synth seed 1 for both, 96 shapes
    /// per category for the diffusion model and 192 for the octree transformer.
    static let generatorTrainingSeed: UInt64 = 1, heldOutSeed: UInt64 = 7
    static let shippedGenerators: [(name: String, folder: String, trainingPerCategory: Int)] = [
        (ShippedModels.triplaneDiffusion, "generated", 96), (ShippedModels.octreeTransformer, "generated-octree", 192),
    ]
    /// Receives one line per step.
    public var log: @Sendable (String) -> Void = { print($0) }
    public init() {}

    /// One reconstruction of one model, scored against the input mesh.
    public struct MethodResult: Codable, Sendable {
        public var method: String
        public var faces: Int
        public var watertight: Bool
        public var nonManifoldEdges: Int
        public var seconds: Double
        /// Field queries the extraction made (nil where not meaningful).
        public var fieldEvaluations: Int?
        public var chamferL1: Double
        public var normalConsistency: Double?
        public var fScore1: Double
        public var iou: Double
        /// Extra facts (token counts for the octree).
        public var notes: [String: Int] = [:]
    }

    public struct ModelResult: Codable, Sendable {
        public var category: String
        public var modelId: String
        public var inputFaces: Int
        public var inputWatertight: Bool
        public var results: [MethodResult]
    }

    public struct Report: JobReport, Codable, Sendable {
        public var models: [ModelResult]
        public var skipped: [String]
        public var seconds: Double
        public var files: [String]
        /// Step 5's tables, one per shipped generator found (diffusion first).
        public var generations: [GeneratorEvalJob.Report] = []
        public var text: String { "demo: \(models.count) models, \(files.count) files, \(String(format: "%.1f", seconds)) s" }
    }

    public func run() throws -> Report {
        let o = self, log = self.log
        let start = Date()
        let demoDir = (o.output as NSString).appendingPathComponent("demo")
        let meshDir = (demoDir as NSString).appendingPathComponent("meshes")
        try FileManager.default.createDirectory(atPath: meshDir, withIntermediateDirectories: true)
        var files: [String] = []

        // 1. The bundled meshes.
        if let sheet = try Self.renderAssets(o, log: log) {
            let path = (o.output as NSString).appendingPathComponent("assets.png")
            try sheet.writePNG(to: path); files.append(path)
            log("assets: \(path)")
        }

        // 2. The collection.
        let root = try o.dataRoot ?? Self.synthesize(o, into: (demoDir as NSString).appendingPathComponent("shapenet"), log: log)
        let tree = try ShapeNetTree(root: root)
        var listing = try tree.enumerate(categories: o.categories)
        if o.dataRoot != nil { listing.models = Self.firstModels(listing.models, perCategory: o.perCategory) }
        let skipped = listing.skipped.map(\.description)
        for s in skipped { log("skipped: \(s)") }
        guard !listing.models.isEmpty else { throw PipelineError.invalidInput(path: root, reason: "no models to run the demo on") }

        var loaded: [(ShapeNetModel, TriangleMesh)] = []
        var loadFailures: [String] = []
        for m in listing.models {
            do { loaded.append((m, try MeshLoader.load(path: m.meshPath).mesh)) } catch {
                loadFailures.append("\(m.meshPath): \(error)"); log("skipped: \(m.meshPath): \(error)")
            }
        }
        let collection = ContactSheet.compose(
            images: try loaded.map { try Renderer.render(mesh: $0.1, azimuth: 35, elevation: 20, options: Self.tile(o)) },
            columns: max(1, min(6, o.perCategory * 2)),
            labels: loaded.map { "\($0.0.category) \($0.0.modelId.prefix(6))" })
        let collectionPath = (demoDir as NSString).appendingPathComponent("collection.png")
        try collection.writePNG(to: collectionPath); files.append(collectionPath)
        log("collection: \(loaded.count) models → \(collectionPath)")

        // 3. Reconstructions and metrics.
        var results: [ModelResult] = []
        var rowsByCategory: [String: [(images: [RGBImage], labels: [String])]] = [:]
        for (k, (model, raw)) in loaded.enumerated() {
            let (mesh, _) = raw.normalized(.onet)
            let name = "\(model.category)-\(model.modelId.prefix(8))"
            log("[\(k + 1)/\(loaded.count)] \(name): \(mesh.triangles.count) faces")
            let r = try Self.reconstruct(mesh, name: name, options: o, meshDir: meshDir, log: log)
            results.append(ModelResult(category: model.category, modelId: model.modelId,
                                       inputFaces: mesh.triangles.count,
                                       inputWatertight: MeshTopology(mesh).isWatertight, results: r.results))
            rowsByCategory[model.category, default: []].append((r.images, r.labels))
        }

        // 4. Sheets and reports.
        for (category, rows) in rowsByCategory.sorted(by: { $0.key < $1.key }) {
            let sheet = ContactSheet.compose(images: rows.flatMap(\.images), columns: rows[0].images.count,
                                             labels: rows.flatMap(\.labels))
            let path = (demoDir as NSString).appendingPathComponent("\(category).png")
            try sheet.writePNG(to: path); files.append(path)
        }
        // 5. New shapes from the shipped generator.
        let generations = try Self.generate(o, into: demoDir, files: &files, log: log)
        let summary = Report(models: results, skipped: skipped + loadFailures,
                             seconds: Date().timeIntervalSince(start), files: files, generations: generations)
        let report = try Self.writeReports(summary, options: o, into: demoDir)
        log(report)
        log("wrote \(files.count + 2) files under \(o.output) in \(String(format: "%.1f", summary.seconds)) s")
        return summary
    }

    /// Writes `metrics.json` (through `JSONOutput`: a NaN Chamfer distance of an empty
    /// reconstruction is written as "nan", never an encoding failure) and `report.md`, atomically;
    /// returns the markdown.
    static func writeReports(_ summary: Report, options o: DemoJob, into demoDir: String) throws -> String {
        let jsonPath = (demoDir as NSString).appendingPathComponent("metrics.json")
        try AtomicFile.write(try JSONOutput.data(summary), to: jsonPath)
        let report = markdownReport(summary, options: o)
        let reportPath = (demoDir as NSString).appendingPathComponent("report.md")
        try AtomicFile.write(Data(report.utf8), to: reportPath)
        return report
    }

    // MARK: - Steps

    static func tile(_ o: DemoJob) -> RenderOptions { RenderOptions(width: o.tileSize, height: o.tileSize) }

    static func renderAssets(_ o: DemoJob, log: (String) -> Void) throws -> RGBImage? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: o.assets) else { return nil }
        var images: [RGBImage] = [], labels: [String] = []
        for n in names.sorted() where MeshFileFormat(path: n) != nil || n.hasSuffix(".glb") || n.hasSuffix(".stl") {
            let path = (o.assets as NSString).appendingPathComponent(n)
            do {
                let mesh = try MeshLoader.load(path: path).mesh
                images.append(try Renderer.render(mesh: mesh, azimuth: 35, elevation: 20, options: tile(o)))
                labels.append(n)
            } catch { log("assets: skipped \(path): \(error)") }
        }
        return images.isEmpty ? nil : ContactSheet.compose(images: images, columns: min(4, images.count), labels: labels)
    }

    /// The first `perCategory` models of each synset, in the walker's order.
    static func firstModels(_ models: [ShapeNetModel], perCategory n: Int) -> [ShapeNetModel] {
        var seen: [String: Int] = [:]
        return models.filter { m in
            seen[m.synsetId, default: 0] += 1
            return seen[m.synsetId]! <= n
        }
    }

    struct Reconstruction {
        var results: [MethodResult]
        var images: [RGBImage]
        var labels: [String]
    }

    static func reconstruct(_ mesh: TriangleMesh, name: String, options o: DemoJob, meshDir: String,
                            log: (String) -> Void) throws -> Reconstruction {
        let bvh = TriangleBVH(mesh: mesh)
        let scorer = try ReconstructionScorer(reference: mesh, bvh: bvh, protocol: MetricProtocol(
            points: o.metricPoints, fScoreThresholds: [0.01], iouPoints: o.metricPoints, seed: 0))
        var results: [MethodResult] = []
        var images = [try Renderer.render(mesh: mesh, azimuth: 35, elevation: 20, options: tile(o))]
        var labels = ["input \(mesh.triangles.count)f"]

        for method in [ReconstructionMethod.sdfMC(resolution: o.resolution), .udfDual(depth: o.dualDepth), .octree(depth: o.octreeDepth)] {
            let t = Date()
            let out = try method.reconstruct(mesh, bvh: bvh, shapeId: name)
            let seconds = Date().timeIntervalSince(t)
            let s = try scorer.score(out.mesh)
            let r = MethodResult(method: method.kind, faces: s.faces, watertight: s.watertight,
                                 nonManifoldEdges: s.nonManifoldEdges, seconds: seconds, fieldEvaluations: out.fieldEvaluations,
                                 chamferL1: s.chamferL1, normalConsistency: s.normalConsistency, fScore1: s.fScores[0],
                                 iou: s.iou, notes: out.notes)
            results.append(r)
            let path = (meshDir as NSString).appendingPathComponent("\(name)-\(method.kind).obj")
            if !out.mesh.isEmpty { try MeshWriter.write(out.mesh, to: path) }
            // A UDF carries no inside: its mesh's orientation is arbitrary, so it is shown two-sided.
            var look = tile(o)
            if method.isUnoriented { look.backColor = look.frontColor }
            images.append(try Renderer.render(mesh: out.mesh, azimuth: 35, elevation: 20, options: look))
            labels.append(String(format: "%@ CD %.4f", method.kind, r.chamferL1))
            log(String(format: "  %-9@ %7d faces  %@  CD-L1 %.4f  NC %.3f  F@1%% %.3f  IoU %.3f  %.2f s",
                       method.kind, r.faces, r.watertight ? "watertight" : "open      ", r.chamferL1,
                       r.normalConsistency ?? .nan, r.fScore1, r.iou, seconds))
            if let tree = out.tree {
                let voxels = OctreeVoxelMesh(tree, inSourceFrame: true)
                images.append(try Renderer.render(mesh: voxels.mesh, azimuth: 35, elevation: 20, options: tile(o),
                                                  colors: .perFace(voxels.faceColors)))
                labels.append("octree d\(o.octreeDepth) \(out.notes["childMaskTokens"] ?? 0) tokens")
            }
        }
        return Reconstruction(results: results, images: images, labels: labels)
    }

    /// The tables of `report.md`. Per method, each mean is over the models where the metric is
    /// defined — an empty reconstruction has no Chamfer distance and no normal consistency — and
    /// the column says over how many when that is fewer than all.
    static func markdownReport(_ s: Report, options o: DemoJob) -> String {
        var lines = [
            "# Octoplane demo report", "",
            "Collection: \(s.models.count) models; reconstruction at \(o.resolution)³ (sdf-mc), depth \(o.dualDepth) (udf-dual), depth \(o.octreeDepth) (octree);",
            "metrics on \(o.metricPoints) surface points per side, ONet normalization (unit cube), F-score at τ = 0.01. Total \(String(format: "%.1f", s.seconds)) s.", "",
            "| model | input faces | method | faces | watertight | CD-L1 | NC | F@1% | IoU | s |",
            "|---|---:|---|---:|:-:|---:|---:|---:|---:|---:|",
        ]
        for m in s.models {
            for r in m.results {
                lines.append(String(format: "| %@ %@ | %d | %@ | %d | %@ | %.4f | %.3f | %.3f | %.3f | %.2f |",
                                    m.category, String(m.modelId.prefix(8)), m.inputFaces, r.method, r.faces,
                                    r.watertight ? "yes" : "no", r.chamferL1, r.normalConsistency ?? .nan, r.fScore1, r.iou, r.seconds))
            }
        }
        lines += ["", "| method | mean CD-L1 | mean NC | mean F@1% | mean IoU | watertight |", "|---|---:|---:|---:|---:|---:|"]
        let methods = s.models.first?.results.map(\.method) ?? []
        for method in methods {
            let rs = s.models.compactMap { $0.results.first { $0.method == method } }
            let cd = meanOfDefined(rs.map(\.chamferL1).filter(\.isFinite), of: rs.count, format: "%.4f")
            let nc = meanOfDefined(rs.compactMap(\.normalConsistency), of: rs.count, format: "%.3f")
            let n = Double(rs.count)
            lines.append(String(format: "| %@ | %@ | %@ | %.3f | %.3f | %d/%d |", method, cd, nc,
                                rs.map(\.fScore1).reduce(0, +) / n, rs.map(\.iou).reduce(0, +) / n,
                                rs.filter(\.watertight).count, rs.count))
        }
        for g in s.generations {
            let octree = g.family != "diffusion"
            lines += ["", "## New shapes from the shipped \(octree ? "octree transformer" : "triplane diffusion model")", "",
                      "\(g.rows.first?.generated ?? 0) per category against as many held-out shapes (synth seed 7) — too few for stable",
                      "1-NNA / COV (the model card has the 32-shape figures); sheets: `\(octree ? "generated-octree" : "generated")/<category>.png`, samples over their nearest training shapes.", "",
                      "```", g.text, "```"]
        }
        if !s.skipped.isEmpty { lines += ["", "Skipped:"] + s.skipped.map { "- \($0)" } }
        return lines.joined(separator: "\n")
    }

    /// The mean of `values` (the defined ones among `total`), formatted; "n/a" when none is
    /// defined, and "(k of n)" appended when some are not.
    static func meanOfDefined(_ values: [Double], of total: Int, format: String) -> String {
        guard !values.isEmpty else { return "n/a" }
        let mean = String(format: format, values.reduce(0, +) / Double(values.count))
        return values.count == total ? mean : "\(mean) (\(values.count) of \(total))"
    }
}

extension DemoJob {
    /// Step 5 (see the type's documentation): one report per shipped generator found.
    static func generate(_ o: DemoJob, into demoDir: String, files: inout [String], log: (String) -> Void) throws -> [GeneratorEvalJob.Report] {
        guard o.generatePerCategory > 0 else { return [] }
        var models: [(path: String, folder: String, trainingPerCategory: Int)] = []
        for (name, folder, per) in shippedGenerators {
            if let p = ShippedModels.path(name) { models.append((p, folder, per)) } else { log("generation: skipped \(name) (no shipped model found)") }
        }
        guard !models.isEmpty else { return [] }
        func synth(_ dir: String, seed: UInt64, per: Int) throws -> String {
            var job = SynthJob(output: (demoDir as NSString).appendingPathComponent(dir))
            job.perCategory = per; job.seed = seed; job.showProgress = false
            _ = try job.run()
            return job.output
        }
        let reference = try synth("held-out", seed: heldOutSeed, per: o.generatePerCategory)
        var reports: [GeneratorEvalJob.Report] = []
        for (model, folder, per) in models {
            var job = GeneratorEvalJob(model: model, reference: reference)
            job.training = try synth("generator-training-\(per)", seed: generatorTrainingSeed, per: per)
            job.count = max(2, o.generatePerCategory); job.output = (o.output as NSString).appendingPathComponent(folder); job.quiet = true
            if let c = o.categories { job.categories = c }
            let start = Date()
            let report = try job.run()
            for r in report.rows { files.append(job.output! + "/" + r.category + ".png") }
            log("generation (\(report.family)): \(report.rows.count) categories × \(job.count) shapes → \(job.output!) in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")
            reports.append(report)
        }
        return reports
    }

    /// Writes the collection with `SynthCollection` (resumes: complete models are kept).
    static func synthesize(_ o: DemoJob, into root: String, log: (String) -> Void) throws -> String {
        var job = SynthJob(output: root)
        job.categories = o.categories; job.perCategory = o.perCategory; job.seed = o.seed; job.showProgress = false
        let r = try job.run()
        log("synth: \(r.written) models written, \(r.skipped) already complete → \(root)")
        return root
    }
}
