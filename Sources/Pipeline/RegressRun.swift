import Dataset
import Foundation
import Geometry
import MeshIO
import Spatial
import Support

/// `octoplane regress run SUITE --out RESULTS.json`: reconstructs every shape of a suite with every
/// method and scores it (`ReconstructionMethod`, `ReconstructionScorer` — the demo's paths).
///
/// Resumable: each finished shape × method is written at once, atomically, as its own record in
/// `<RESULTS>.parts/`; a rerun reuses every record whose fingerprint (suite format, protocol,
/// method settings, shape source) still matches, so an interrupted run picks up where it stopped.
/// When all items are done, `RESULTS.json` is written atomically and the records are removed.
/// The reconstructed meshes go to `meshes` (default `<RESULTS>.meshes/`, binary PLY) for the
/// picture `regress compare --sheet` draws.
///
/// Reproducible: every draw is seeded from the protocol's seed, so the same binary on the same
/// machine reproduces every metric exactly; across thread counts see the README's noise floor.
public struct RegressRunJob: Job {
    public var suite: String
    public var output: String
    /// Folder for the reconstructed meshes; nil = `<output without .json>.meshes`.
    public var meshes: String? = nil
    /// `i/n`: only this shard of the suite's shapes (0-based, round robin over the shape list).
    public var shard: String? = nil
    /// Ignore stored records and recompute everything.
    public var fresh = false
    /// Progress line on stderr.
    public var showProgress = true
    /// Called after each item is stored with the number stored so far in this run (tests use it
    /// to interrupt a run); an error it throws stops the run like a kill would.
    public var afterItem: (@Sendable (Int) throws -> Void)? = nil

    public init(suite: String, output: String) { self.suite = suite; self.output = output }

    public struct Report: JobReport {
        public var output: String
        public var items: Int
        public var computed: Int
        /// Items reused from an interrupted run's records.
        public var resumed: Int
        public var failed: Int
        public var seconds: Double
        public var text: String {
            "\(output): \(items) items (\(computed) computed, \(resumed) resumed\(failed > 0 ? ", \(failed) failed" : "")) in \(String(format: "%.1f", seconds)) s"
        }
    }

    public func run() throws -> Report {
        let start = Date()
        let s = try RegressSuite.load(suite)
        let shardValue: ShapeNetShard
        do { shardValue = try shard.map { try ShapeNetShard(parsing: $0) } ?? .all } catch {
            throw PipelineError.invalidOption("--shard: \(error)")
        }
        let (shapes, skipped) = try RegressShapes.list(s, suitePath: suite, shard: shardValue)
        let methods = try s.methods.map { ($0, try $0.method(base: (suite as NSString).deletingLastPathComponent)) }
        for (spec, m) in methods {
            if case let .external(folder, _) = m {
                var isDir: ObjCBool = false
                guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
                    throw RegressError.missingShape(suite: suite, field: "methods[\(s.methods.firstIndex(of: spec)!)].folder", path: folder)
                }
            }
        }
        let outDir = (output as NSString).deletingLastPathComponent
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: outDir.isEmpty ? "." : outDir, isDirectory: &isDir), isDir.boolValue else {
            throw PipelineError.unwritable(path: output, reason: "folder '\(outDir)' does not exist")
        }
        let stem = output.hasSuffix(".json") ? String(output.dropLast(5)) : output
        let meshDir = meshes ?? stem + ".meshes"
        let partsDir = output + ".parts"
        for d in [meshDir, partsDir] {
            do { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) } catch {
                throw PipelineError.unwritable(path: d, reason: error.localizedDescription)
            }
        }
        let p = s.metricProtocol
        let seeds = [p.seed &+ 1, p.seed &+ 2, p.seed &+ 3]
        let progress = ProgressReporter("regress \(s.name)", total: shapes.count * methods.count, quiet: !showProgress)
        defer { progress.finish() }
        var items: [RegressResults.Item] = [], computed = 0, resumed = 0

        for shape in shapes {
            var pending: [(RegressSuite.MethodSpec, ReconstructionMethod, String)] = []
            var done: [String: RegressResults.Item] = [:]
            for (spec, m) in methods {
                let fp = Self.fingerprint(suite: s, method: spec, shape: shape)
                if !fresh, let old = Self.readPart(partsDir, shape: shape.id, method: spec.id), old.fingerprint == fp {
                    done[spec.id] = old; resumed += 1; progress.advance()
                } else {
                    pending.append((spec, m, fp))
                }
            }
            if !pending.isEmpty {
                var loaded: (mesh: TriangleMesh, transform: SimilarityTransform, scorer: ReconstructionScorer)?
                var loadError: String?
                do {
                    let (mesh, t) = try shape.load()
                    loaded = (mesh, t, try ReconstructionScorer(reference: mesh, protocol: p))
                } catch { loadError = "cannot load the shape: \(error)" }
                for (spec, m, fp) in pending {
                    let t0 = Date()
                    var item = RegressResults.Item(shape: shape.id, method: spec.id, methodLabel: spec.label,
                                                   metrics: Dictionary(uniqueKeysWithValues: s.metrics.map { ($0.rawValue, Double.nan) }),
                                                   faces: 0, watertight: false, nonManifoldEdges: 0, seconds: 0, seeds: seeds,
                                                   mesh: nil, error: loadError, fingerprint: fp)
                    if let l = loaded {
                        do {
                            let out = try m.reconstruct(l.mesh, bvh: l.scorer.bvh, shapeId: shape.id, toNormalized: l.transform)
                            let sc = try l.scorer.score(out.mesh)
                            for metric in s.metrics { item.metrics[metric.rawValue] = metric.value(in: sc) }
                            item.faces = sc.faces; item.watertight = sc.watertight; item.nonManifoldEdges = sc.nonManifoldEdges
                            if !out.mesh.isEmpty {
                                let name = Self.fileName(shape: shape.id, method: spec.id) + ".ply"
                                try MeshWriter.write(out.mesh, to: (meshDir as NSString).appendingPathComponent(name))
                                item.mesh = Self.relative((meshDir as NSString).appendingPathComponent(name), to: outDir)
                            }
                        } catch {
                            item.error = "\(error)"
                        }
                    }
                    item.seconds = Date().timeIntervalSince(t0)
                    try AtomicFile.write(try JSONOutput.data(item), to: Self.partPath(partsDir, shape: shape.id, method: spec.id))
                    done[spec.id] = item; computed += 1
                    progress.advance()
                    try afterItem?(computed)
                }
            }
            items += methods.map { done[$0.0.id]! }
        }

        let iso = ISO8601DateFormatter()
        let results = RegressResults(
            suite: s, suitePath: suite,
            environment: .init(octoplane: OctoplaneVersion.string, threads: Parallelism.threadCount, platform: Self.platform,
                               started: iso.string(from: start), seconds: Date().timeIntervalSince(start)),
            shard: shardValue.description, shapes: shapes, skipped: skipped, items: items, blessed: nil)
        try results.write(to: output)
        try? FileManager.default.removeItem(atPath: partsDir)
        return Report(output: output, items: items.count, computed: computed, resumed: resumed,
                      failed: items.filter { $0.error != nil }.count, seconds: Date().timeIntervalSince(start))
    }

    // MARK: - Records

    /// What identifies an item's computation: a stored record is reused only when this matches.
    static func fingerprint(suite s: RegressSuite, method: RegressSuite.MethodSpec, shape: RegressShape) -> String {
        let p = s.metricProtocol
        return "v\(s.version)|\(OctoplaneVersion.string)|points=\(p.points)|tau=\(p.fScoreThresholds)|iou=\(p.iouPoints)|seed=\(p.seed)"
            + "|metrics=\(s.metrics.map(\.rawValue).joined(separator: ","))|\(JSONOutput.string(method, pretty: false))|\(shape.source)"
    }

    /// A file name for a shape × method (ids may hold "/": ShapeNet's `<synset>/<model>`).
    static func fileName(shape: String, method: String) -> String {
        func clean(_ s: String) -> String {
            String(s.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "~" })
        }
        return clean(shape) + "__" + clean(method)
    }

    static func partPath(_ dir: String, shape: String, method: String) -> String {
        (dir as NSString).appendingPathComponent(fileName(shape: shape, method: method) + ".json")
    }

    /// A stored record, or nil when there is none or it cannot be read (it is then recomputed).
    static func readPart(_ dir: String, shape: String, method: String) -> RegressResults.Item? {
        guard let data = FileManager.default.contents(atPath: partPath(dir, shape: shape, method: method)) else { return nil }
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        guard let item = try? d.decode(RegressResults.Item.self, from: data), item.shape == shape, item.method == method else { return nil }
        return item
    }

    static func relative(_ path: String, to dir: String) -> String {
        let base = URL(fileURLWithPath: dir.isEmpty ? "." : dir).standardizedFileURL.path
        let p = URL(fileURLWithPath: path).standardizedFileURL.path
        return p.hasPrefix(base + "/") ? String(p.dropFirst(base.count + 1)) : p
    }

    static var platform: String {
        var u = utsname()
        uname(&u)
        func s<T>(_ t: T) -> String { withUnsafeBytes(of: t) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) } }
        return "\(s(u.sysname)) \(s(u.machine)), \(ProcessInfo.processInfo.activeProcessorCount) cores"
    }
}
