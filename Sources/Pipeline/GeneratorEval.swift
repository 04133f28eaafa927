import Dataset
import Foundation
import Generators
import Geometry
import MeshIO
import Metrics
import Rendering
import Support

/// `octoplane eval-generator --model RUN --reference ROOT [--training ROOT] [-n 32] …`: the quality
/// table of a trained generator of either family, per category, by the PointFlow protocol of `eval-set`.
///
/// For every category of the model: `count` shapes are generated (as `generate` with `settings`,
/// seed `seed + category index`; an octree model's meshes are scaled × 1.25 from the octree frame
/// [-0.8, 0.8]³ into NFD's, see `OctreeGenerator.toNFDFrame`), and compared with up to `count`
/// reference shapes of that category
/// (a ShapeNet-style root, e.g. `synth --seed 7`, a seed training never saw) and with every
/// training shape of it (the root the planes were converted from). Reference and training meshes
/// are normalized to NFD's [-1, 1] frame as `convert --to triplane` did before fitting, so all
/// three sets share the generated shapes' frame; each shape is `points` area-weighted surface
/// points (seeded by the shape's name, as `eval-set`) on the boundary of its solid
/// (`solidSurface`, the default; see `surfaceCloud(solidOnly:)`).
///
/// Reported per category:
/// - MMD-CD, COV-CD, 1-NNA-CD of generated vs reference (`GenerationMetrics`);
/// - the distance (CD) of every sample to its nearest training shape, summarized by median and
///   minimum, next to the same statistic for the reference shapes: samples much closer to the
///   training set than unseen shapes of the category are copies;
/// - with a training root, the same three metrics for (the first `count`) training shapes vs the
///   reference (the figure a perfect generator of the training distribution would get with this
///   few shapes);
/// - the share of samples whose mesh is non-empty, watertight, and inside the [-1, 1]³ box (up
///   to one lattice cell: the decoder's lattice closes the surface there).
/// An empty generated mesh enters the metrics as 2048 copies of the origin (far from every shape,
/// so it costs the model rather than being left out). With `output`, the meshes are written under
/// `OUT/<category>/` and `OUT/<category>.png` shows the first 8 samples over their nearest
/// training shapes.
public struct GeneratorEvalJob: Job {
    /// A RUN folder; nil: the shipped model.
    public var model: String?
    public var reference: String
    public var training: String? = nil
    public var output: String? = nil
    public var count = 32
    public var seed: UInt64 = 0
    /// Run the whole protocol once per seed (each draws new samples and new surface points) and
    /// summarize 1-NNA, COV and MMD per category over them: one category's 1-NNA on 32 vs 32 shapes
    /// moves by up to 25 points between seeds. Empty: `seed` alone. With `output`, each seed's
    /// meshes and sheets go to `OUT/seed-S/`.
    public var seeds: [UInt64] = []
    /// As `generate`'s.
    public var settings = GenerationSettings()
    public var points = 2048
    /// Sample every mesh (generated, reference, training) only on the boundary of its solid
    /// (`surfaceCloud(solidOnly:)`): the reference meshes' faces hidden inside other parts are dropped —
    /// the default, since both generator families make solids and cannot draw such faces (false:
    /// every face, the plain `eval-set` sampling).
    public var solidSurface = true
    /// Only these categories (names or synset ids); empty = all of the model's.
    public var categories: [String] = []
    public var quiet = false

    public init(model: String?, reference: String) { self.model = model; self.reference = reference }

    public struct Row: Codable, Sendable {
        public var category: String
        public var generated: Int
        public var references: Int
        public var trainingShapes: Int
        public var metrics: GenerationMetrics
        /// The training shapes scored as if generated (nil without a training root).
        public var trainingBaseline: GenerationMetrics?
        public var nearestTrainingMedian: Double?
        public var nearestTrainingMin: Double?
        /// Median over reference shapes of their CD to the nearest training shape.
        public var referenceNearestTrainingMedian: Double?
        public var nonEmpty: Double
        public var watertight: Double
        public var insideBox: Double
        public var secondsPerShape: Double
    }

    /// 1-NNA, COV and MMD of one category over several seeds: mean, smallest and largest.
    public struct SeedSummary: Codable, Sendable, Equatable {
        public struct Spread: Codable, Sendable, Equatable {
            public var mean: Double, min: Double, max: Double
            init(_ xs: [Double]) { mean = xs.reduce(0, +) / Double(xs.count); min = xs.min()!; max = xs.max()! }
        }
        public var category: String
        public var nnaCD: Spread
        public var covCD: Spread
        public var mmdCD: Spread
    }

    /// The rows of one more seed (`Report.otherSeeds`).
    public struct SeedRun: Codable, Sendable {
        public var seed: UInt64
        public var rows: [Row]
    }

    public struct Report: JobReport, Codable, Sendable {
        public var model: String
        /// "diffusion" or the octree decoding ("next-token" / "parallel").
        public var family: String
        /// How shapes were drawn (`GenerationSettings.describe`).
        public var sampling: String
        public var minComponent: Double
        public var points: Int
        /// Whether every shape was sampled on its solid's boundary only (`GeneratorEvalJob.solidSurface`).
        public var solidSurface: Bool
        /// The (first) seed and its rows.
        public var seed: UInt64
        public var rows: [Row]
        /// The rows of every further seed (empty for one seed).
        public var otherSeeds: [SeedRun] = []
        /// Per category over all seeds (empty for one seed).
        public var summary: [SeedSummary] = []

        /// Per category: the spread of 1-NNA, COV and MMD over the runs (categories in the first run's order).
        static func summarize(_ runs: [[Row]]) -> [SeedSummary] {
            runs[0].map { first in
                let mine = runs.compactMap { $0.first { $0.category == first.category } }
                return SeedSummary(category: first.category, nnaCD: .init(mine.map(\.metrics.nnaCD)),
                                   covCD: .init(mine.map(\.metrics.covCD)), mmdCD: .init(mine.map(\.metrics.mmdCD)))
            }
        }

        public var text: String {
            guard !otherSeeds.isEmpty else { return table(rows, seedLine: nil) }
            func pct(_ x: Double) -> String { String(format: "%.1f", 100 * x) }
            func spread(_ s: SeedSummary.Spread, _ f: (Double) -> String) -> String { "\(f(s.mean)) (\(f(s.min))–\(f(s.max)))" }
            let seeds = [seed] + otherSeeds.map(\.seed)
            let runs = [table(rows, seedLine: seed)] + otherSeeds.map { table($0.rows, seedLine: $0.seed) }
            let sum = summary.map { [$0.category, spread($0.nnaCD, pct), spread($0.covCD, pct), spread($0.mmdCD) { String(format: "%.5f", $0) }] }
            return (runs + ["mean (smallest–largest) over seeds \(seeds.map(String.init).joined(separator: ", ")):\n"
                            + textTable(["category", "1-NNA %", "COV %", "MMD"], sum)]).joined(separator: "\n\n")
        }

        private func table(_ rows: [Row], seedLine: UInt64?) -> String {
            func pct(_ x: Double?) -> String { x.map { String(format: "%.1f%%", 100 * $0) } ?? "–" }
            func sci(_ x: Double?) -> String { x.map { String(format: "%.5f", $0) } ?? "–" }
            let table = rows.map { r in
                [r.category, "\(r.generated)/\(r.references)", pct(r.metrics.nnaCD), pct(r.metrics.covCD), sci(r.metrics.mmdCD),
                 pct(r.trainingBaseline?.nnaCD), pct(r.trainingBaseline?.covCD), sci(r.nearestTrainingMedian), sci(r.nearestTrainingMin),
                 sci(r.referenceNearestTrainingMedian), pct(r.nonEmpty), pct(r.watertight), pct(r.insideBox), String(format: "%.2f", r.secondsPerShape)]
            }
            return [String(format: "%@ — %@, %@, %d points per shape %@ (CD: PointFlow, squared, both ways)%@",
                                  model, sampling, minComponent > 0 ? String(format: "pieces < %g%% of the largest dropped", 100 * minComponent) : "every piece kept", points,
                                  solidSurface ? "on each solid's boundary" : "on every face", seedLine.map { ", seed \($0)" } ?? ""),
                    textTable(["category", "gen/ref", "1-NNA", "COV", "MMD", "train 1-NNA", "train COV", "NN-train med", "NN-train min",
                               "ref NN-train med", "non-empty", "watertight", "in box", "s/shape"], table),
                    "train 1-NNA / COV: the training shapes scored as samples (what copying the training set would score);",
                    "NN-train: CD of each sample to its nearest training shape; ref NN-train: the same for unseen reference shapes."]
                .joined(separator: "\n")
        }
    }

    public func run() throws -> Report {
        guard count >= 2 else { throw PipelineError.invalidOption("-n must be ≥ 2 (1-NNA needs two shapes a set)") }
        guard points >= 1 else { throw PipelineError.invalidOption("--points must be ≥ 1") }
        try settings.validate()
        let model = try ShippedModels.resolve(self.model, default: ShippedModels.triplaneDiffusion)
        let family = try TrainedGenerator(run: model, settings: settings)
        let names = family.categories
        var wanted = names
        if !categories.isEmpty {
            wanted = try categories.map { c in
                let n = SynthCategory(name: c)?.rawValue ?? c
                guard names.contains(n) else { throw PipelineError.invalidOption("unknown category '\(c)': this model knows \(names.joined(separator: ", "))") }
                return n
            }
        }
        let referenceMeshes = try Self.meshesByCategory(reference, limit: count)
        let trainingMeshes = try training.map { try Self.meshesByCategory($0, limit: nil) }
        for name in wanted where (referenceMeshes[name]?.count ?? 0) < 2 {
            throw PipelineError.invalidInput(path: reference, reason: "fewer than 2 reference shapes of category \(name)")
        }
        let runSeeds = seeds.isEmpty ? [seed] : seeds
        let progress = ProgressReporter("eval generator", total: wanted.count * runSeeds.count, quiet: quiet)
        let runs = try runSeeds.map { s in
            try evaluate(family, seed: s, categories: wanted, names: names, references: referenceMeshes, training: trainingMeshes,
                         output: output.map { runSeeds.count > 1 ? $0 + "/seed-\(s)" : $0 }, progress: progress)
        }
        progress.finish()
        var report = Report(model: model, family: family.name(settings), sampling: settings.describe(octree: family.isOctree),
                            minComponent: settings.minComponent, points: points, solidSurface: solidSurface, seed: runSeeds[0], rows: runs[0])
        if runs.count > 1 {
            report.otherSeeds = zip(runSeeds, runs).dropFirst().map { SeedRun(seed: $0.0, rows: $0.1) }
            report.summary = Report.summarize(runs)
        }
        return report
    }

    /// The protocol's rows for one seed (see the type's doc).
    private func evaluate(_ family: TrainedGenerator, seed: UInt64, categories wanted: [String], names: [String],
                          references referenceMeshes: [String: [(key: String, mesh: TriangleMesh)]],
                          training trainingMeshes: [String: [(key: String, mesh: TriangleMesh)]]?,
                          output: String?, progress: ProgressReporter) throws -> [Row] {
        var rows: [Row] = []
        for name in wanted {
            let label = names.firstIndex(of: name)!
            let refs = referenceMeshes[name]!
            let start = Date()
            let meshes = try family.meshes(labels: [Int](repeating: label, count: count), seed: seed &+ UInt64(label), settings: settings)
            let seconds = Date().timeIntervalSince(start) / Double(count)
            let cell = family.boxTolerance(settings)
            let inside = meshes.filter { m in !m.isEmpty && m.positions.allSatisfy { p in max(abs(p.x), abs(p.y), abs(p.z)) <= 1 + cell } }.count
            let watertight = meshes.filter { !$0.isEmpty && MeshTopology($0).isWatertight }.count
            func cloud(_ mesh: TriangleMesh, _ key: String) throws -> [Vec3] {
                guard !mesh.isEmpty else { return [Vec3](repeating: .zero, count: points) }
                return try wrapMetrics(key) { try surfaceCloud(mesh, count: points, seed: seed ^ fnv1a(key), role: key, solidOnly: solidSurface) }
            }
            let gen = try meshes.enumerated().map { try cloud($0.element, "\(name)/generated-\($0.offset)") }
            let ref = try refs.map { try cloud($0.mesh, $0.key) }
            let train = try (trainingMeshes?[name] ?? []).map { try cloud($0.mesh, $0.key) }
            let all = try PairwiseChamfer.matrix(ref + gen + train)
            let m = ref.count, n = gen.count, t = train.count
            let metrics = GenerationMetrics.fromUnionMatrix(all.block(rows: 0..<(m + n), columns: 0..<(m + n)), referenceCount: m)
            var row = Row(category: name, generated: n, references: m, trainingShapes: t, metrics: metrics,
                          nonEmpty: Double(meshes.filter { !$0.isEmpty }.count) / Double(n), watertight: Double(watertight) / Double(n),
                          insideBox: Double(inside) / Double(n), secondsPerShape: seconds)
            var nearest: [Int] = []
            if t > 0 {
                let rt = Array(0..<m) + Array((m + n)..<(m + n + min(t, count)))  // balanced: at most `count` training shapes
                row.trainingBaseline = GenerationMetrics.fromUnionMatrix(all.principal(rt), referenceCount: m)
                func nearestTraining(_ i: Int) -> (Int, Double) {
                    (0..<t).map { ($0, all[i, m + n + $0]) }.min { $0.1 < $1.1 }!
                }
                let genNearest = (m..<(m + n)).map(nearestTraining)
                nearest = genNearest.map(\.0)
                row.nearestTrainingMedian = TriplaneEvalJob.quantile(genNearest.map(\.1), 0.5)
                row.nearestTrainingMin = genNearest.map(\.1).min()
                row.referenceNearestTrainingMedian = TriplaneEvalJob.quantile((0..<m).map { nearestTraining($0).1 }, 0.5)
            }
            if let out = output {
                let dir = out + "/" + name
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                for (i, mesh) in meshes.enumerated() { try MeshWriter.write(mesh, to: String(format: "%@/generated-%02d.obj", dir, i)) }
                let shown = Array(meshes.prefix(8))
                var sheetMeshes = shown, labels = shown.indices.map { "\(name) \($0)" }
                if !nearest.isEmpty, let tm = trainingMeshes?[name] {
                    sheetMeshes += nearest.prefix(8).map { tm[$0].mesh }
                    labels += nearest.prefix(8).enumerated().map { String(format: "train %.4f", all[m + $0.offset, m + n + $0.element]) }
                }
                try PNG.write(try TriplaneGenerator.sheet(sheetMeshes, labels: labels, columns: shown.count), to: out + "/" + name + ".png")
            }
            rows.append(row)
            progress.advance()
        }
        return rows
    }

    /// The meshes of a ShapeNet-style root by category name, NFD-normalized, sorted by model id,
    /// at most `limit` per category.
    static func meshesByCategory(_ root: String, limit: Int?) throws -> [String: [(key: String, mesh: TriangleMesh)]] {
        var out: [String: [(key: String, mesh: TriangleMesh)]] = [:]
        for it in try ShapeNetSource(root: root, categories: []).items(shard: (0, 1)).items.sorted(by: { $0.key < $1.key }) {
            let synset = String(it.key.split(separator: "/").first ?? "")
            let name = SynthCategory(name: synset)?.rawValue ?? synset
            if let l = limit, out[name, default: []].count >= l { continue }
            let mesh = try MeshLoader.load(path: it.meshPath).mesh.normalized(.nfd).0
            out[name, default: []].append((it.key, mesh))
        }
        return out
    }
}

/// A trained generator of either family, as `eval-generator` and the training previews draw from
/// it; its meshes come out in NFD's [-1, 1] frame.
enum TrainedGenerator {
    case diffusion(TriplaneGenerator)
    case octree(OctreeGenerator)

    init(run: String, settings: GenerationSettings) throws {
        if let manifest = try OctreeGeneratorManifest.readIfOctree(run) {
            let g = try OctreeGenerator(run: run, manifest: manifest)
            try g.validate(surfaceDepth: settings.surfaceDepth, smoothing: settings.smoothing)
            self = .octree(g)
        } else {
            self = .diffusion(try TriplaneGenerator(run: run))
        }
    }

    var categories: [String] {
        switch self {
        case .diffusion(let g): return g.manifest.categories
        case .octree(let g): return g.manifest.categories
        }
    }

    var isOctree: Bool { if case .octree = self { return true } else { return false } }

    func name(_ settings: GenerationSettings) -> String { isOctree ? settings.decoding.rawValue : "diffusion" }

    /// How far outside [-1, 1]³ a vertex may lie and still count as inside the box.
    func boxTolerance(_ settings: GenerationSettings) -> Float {
        switch self {
        case .diffusion: return 2 / Float(settings.resolution - 1)
        case .octree(let g): return 2 * OctreeGenerator.toNFDFrame / Float(1 << g.manifest.depth)
        }
    }

    /// One mesh per label (category index), seeded by `seed`, in NFD's frame.
    func meshes(labels: [Int], seed: UInt64, settings: GenerationSettings) throws -> [TriangleMesh] {
        switch self {
        case .diffusion(let g):
            let x = g.sample(labels: labels, settings: settings, seed: seed)
            return try labels.indices.map { try g.decode(x, index: $0, resolution: settings.resolution, minComponent: settings.minComponent).mesh }
        case .octree(let g):
            var rng = SeededRandom(seed: seed)
            let toNFD = SimilarityTransform(scale: OctreeGenerator.toNFDFrame, translation: .zero)
            return try g.sample(labels: labels, settings: settings.octreeSampler, rng: &rng).map {
                try g.decode($0, surfaceDepth: settings.surfaceDepth, stage: settings.surface, smoothing: settings.smoothing, minComponent: settings.minComponent).mesh.transformed(by: toNFD)
            }
        }
    }
}
