import Foundation
import Geometry
import MeshIO
import Support

/// Writes the procedural collection as a ShapeNetCore v2 tree:
///
///     ROOT/taxonomy.json
///     ROOT/<synset>/<model_id>/models/model_normalized.obj
///     ROOT/<synset>/<model_id>/models/model_normalized.json   {"id", "numVertices", "min", "max", "centroid"}
///
/// as ShapeNet v2 has them (`min`/`max` = bounding box, `centroid` = mean vertex, both in the
/// normalized frame: +Y up, −Z front, bounding-box diagonal 1 centred at the origin).
///
/// - Deterministic: the same (categories, perCategory, seed) give the same bytes, on any thread count.
/// - Atomic and resumable: every file is written to a temporary name and renamed; the JSON is
///   written after the OBJ, so a model whose JSON exists is complete and is skipped on a rerun
///   (`Report.skipped`) — an interrupted run resumes where it stopped.
/// - Parallel over models (`Support.parallelFor`), with a progress line on stderr.
public enum SynthCollection {
    public struct Entry: Codable, Sendable, Equatable {
        public var category: String
        public var synsetId: String
        public var modelId: String
        /// The discrete variants (`swivel·arms·slats·round`); nil for a model skipped as complete.
        public var variants: String?
        public var vertices: Int
        /// nil for a model skipped as complete.
        public var faces: Int?
    }

    public struct Report: Codable, Sendable {
        public var root: String
        public var written: Int
        public var skipped: Int
        public var models: [Entry]
        public var seconds: Double
    }

    /// Writes `perCategory` shapes of every category in `categories` under `root`.
    /// Throws `DatasetError.invalidOption` for `perCategory < 1` or no category, and the
    /// `FileWriteError` of the first file that cannot be written (earlier models stay complete).
    public static func write(root: String, categories: [SynthCategory] = SynthCategory.allCases,
                             perCategory: Int, seed: UInt64, showProgress: Bool = false) throws -> Report {
        guard perCategory >= 1 else { throw DatasetError.invalidOption("--per-category must be ≥ 1, got \(perCategory)") }
        guard !categories.isEmpty else { throw DatasetError.invalidOption("no category to synthesize") }
        let start = Date()
        let jobs = categories.flatMap { c in (0..<perCategory).map { (c, $0) } }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let taxonomy = ShapeNetTaxonomy(nodes: categories.map {
            ShapeNetTaxonomy.Node(synsetId: $0.synsetId, name: $0.taxonomyName, numInstances: perCategory)
        })
        try AtomicFile.write(try taxonomy.encoded(), to: root + "/taxonomy.json")

        let progress = showProgress ? ProgressReporter("synth", total: jobs.count) : nil
        var entries = [Entry?](repeating: nil, count: jobs.count)
        var wroteFlags = [Bool](repeating: false, count: jobs.count)
        var errors = [Error?](repeating: nil, count: jobs.count)
        let lock = NSLock()
        parallelFor(jobs.count, minChunk: 1) { range in
            for k in range {
                let (category, index) = jobs[k]
                do {
                    let (entry, wrote) = try writeModel(root: root, category: category, index: index, seed: seed)
                    lock.lock(); entries[k] = entry; wroteFlags[k] = wrote; lock.unlock()
                } catch {
                    lock.lock(); errors[k] = error; lock.unlock()
                }
                progress?.advance()
            }
        }
        progress?.finish()
        if let e = errors.compactMap({ $0 }).first { throw e }
        let written = wroteFlags.filter { $0 }.count
        return Report(root: root, written: written, skipped: jobs.count - written,
                      models: entries.compactMap { $0 }, seconds: Date().timeIntervalSince(start))
    }

    /// The folder of one model.
    public static func modelFolder(root: String, category: SynthCategory, modelId: String) -> String {
        "\(root)/\(category.synsetId)/\(modelId)/models"
    }

    /// Writes one model unless its JSON (the completion marker) exists; returns its entry and
    /// whether it was written.
    static func writeModel(root: String, category: SynthCategory, index: Int, seed: UInt64) throws -> (Entry, Bool) {
        let modelId = ModelID.make(category: category, seed: seed, index: index)
        let dir = modelFolder(root: root, category: category, modelId: modelId)
        let jsonPath = dir + "/model_normalized.json"
        if let data = FileManager.default.contents(atPath: jsonPath),
           let meta = try? JSONDecoder().decode(ModelJSON.self, from: data), meta.id == modelId,
           FileManager.default.fileExists(atPath: dir + "/model_normalized.obj") {
            return (Entry(category: category.rawValue, synsetId: category.synsetId, modelId: modelId,
                          variants: nil, vertices: meta.numVertices, faces: nil), false)
        }
        let shape = ShapeSynthesizer.make(category, seed: seed, index: index)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try MeshWriter.write(shape.mesh, to: dir + "/model_normalized.obj", format: .obj)
        let b = shape.mesh.bounds
        let centroid = shape.mesh.positions.reduce(Vec3d.zero) { $0 + Vec3d($1) } / Double(max(1, shape.mesh.vertexCount))
        let meta = ModelJSON(id: modelId, numVertices: shape.mesh.vertexCount,
                             min: [b.min.x, b.min.y, b.min.z], max: [b.max.x, b.max.y, b.max.z],
                             centroid: [Float(centroid.x), Float(centroid.y), Float(centroid.z)])
        let enc = JSONEncoder(); enc.outputFormatting = [.sortedKeys]
        try AtomicFile.write(try enc.encode(meta), to: jsonPath)
        return (Entry(category: category.rawValue, synsetId: category.synsetId, modelId: modelId,
                      variants: shape.variantLabel, vertices: shape.mesh.vertexCount, faces: shape.mesh.faceCount), true)
    }

    /// ShapeNet v2's `model_normalized.json`.
    struct ModelJSON: Codable {
        var id: String
        var numVertices: Int
        var min: [Float]
        var max: [Float]
        var centroid: [Float]
    }
}
