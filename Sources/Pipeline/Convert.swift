import Foundation
import Geometry
import MeshIO
import Sampling
import Support

/// One model to convert: a stable key (`<synset>/<model>` for ShapeNet; it names the outputs
/// and the manifest line) and the mesh file to read.
public struct ConvertItem: Sendable, Hashable {
    public var key: String
    public var meshPath: String
    public init(key: String, meshPath: String) { self.key = key; self.meshPath = meshPath }
}

/// Where models come from. `ShapeNetSource` walks a ShapeNet v1/v2 tree; tests and other
/// collections can supply any list.
public protocol ConvertSource: Sendable {
    /// This shard's models, in a stable order, and the folders skipped with their reason.
    func items(shard: (index: Int, count: Int)) throws -> (items: [ConvertItem], skipped: [(folder: String, reason: String)])
}

/// A fixed list; `shard` keeps items at positions k with k mod count == index.
public struct ConvertList: ConvertSource {
    public var list: [ConvertItem]
    public init(_ list: [ConvertItem]) { self.list = list }
    public func items(shard: (index: Int, count: Int)) throws -> (items: [ConvertItem], skipped: [(folder: String, reason: String)]) {
        (list.enumerated().filter { $0.offset % shard.count == shard.index }.map(\.element), [])
    }
}

/// Parses "i/n" (0 ≤ i < n). Slurm: `--shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT`;
/// Kubernetes indexed jobs: `--shard $JOB_COMPLETION_INDEX/<completions>`.
public func parseShard(_ s: String) throws -> (index: Int, count: Int) {
    let parts = s.split(separator: "/", omittingEmptySubsequences: false)
    guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 0, i < n else {
        throw PipelineError.invalidOption("--shard '\(s)' is not valid: write i/n with 0 ≤ i < n (e.g. 3/16)")
    }
    return (i, n)
}

public struct ConvertOptions: Sendable {
    public var outputDirectory: String
    public var settings: SampleSettings
    public var shard: (index: Int, count: Int)
    /// Models converted at once; each gets Parallelism.threadCount / jobs threads for its queries.
    public var jobs: Int
    public var quiet: Bool
    public init(outputDirectory: String, settings: SampleSettings, shard: (index: Int, count: Int) = (0, 1), jobs: Int = 1, quiet: Bool = false) {
        self.outputDirectory = outputDirectory; self.settings = settings; self.shard = shard; self.jobs = jobs; self.quiet = quiet
    }
    /// `manifest.jsonl` for a single run, `manifest.shard-i-of-n.jsonl` per shard (shards never
    /// write the same file, so they can run at once on a shared filesystem).
    public var manifestPath: String { outputDirectory + "/manifest" + shardSuffix + ".jsonl" }
    public var failuresPath: String { outputDirectory + "/failures" + shardSuffix + ".jsonl" }
    var shardSuffix: String { shard.count == 1 ? "" : ".shard-\(shard.index)-of-\(shard.count)" }
    /// Output base of a model: `<out>/<key>` (ONet: a folder) or `<out>/<key>.npy` / `.npz`.
    public func outputBase(for item: ConvertItem) -> String {
        switch settings.preset {
        case .onet: return outputDirectory + "/" + item.key
        case .nfd: return outputDirectory + "/" + item.key + ".npy"
        case .udf: return outputDirectory + "/" + item.key + ".npz"
        }
    }
}

/// One manifest line (JSON): the model, its counts, inside share and time.
public struct ManifestEntry: Codable, Sendable, Equatable {
    public var model: String
    public var mesh: String
    public var preset: String
    public var files: [String]
    public var points: Int
    public var faces: Int
    public var insideFraction: Double
    public var seconds: Double
    /// `--to triplane`: the fit's IoU on 100k uniform points, its seconds, and its final data loss.
    public var fitIoU: Double? = nil
    public var fitSeconds: Double? = nil
    public var fitDataLoss: Float? = nil
    /// `SampleJobResult.warnings` (no inside point, inside-out faces); absent when there are none.
    public var warnings: [String]? = nil
}

/// One failure-log line (JSON): the model and the reason.
public struct FailureEntry: Codable, Sendable, Equatable {
    public var model: String
    public var mesh: String
    public var reason: String
}

public struct ConvertSummary: JobReport, Codable, Sendable, Equatable {
    public var models: Int
    public var converted: Int
    /// Already complete from an earlier run (resume).
    public var alreadyDone: Int
    public var failed: Int
    /// Folders the source skipped (no mesh file…), reported but not converted.
    public var skippedFolders: Int
    public var seconds: Double
    /// Mean seconds per converted model (0 when none).
    public var secondsPerModel: Double
    public var manifest: String
    public var failures: String
    /// `--to triplane`: the normalization statistics written over every planes file in the folder.
    public var normalization: String? = nil
    public var text: String {
        String(format: "%d models: %d converted, %d already done, %d failed, %d folders skipped; %.1f s (%.2f s/model)\nmanifest: %@\nfailures: %@",
               models, converted, alreadyDone, failed, skippedFolders, seconds, secondsPerModel, manifest, failures)
            + (normalization.map { "\nnormalization: \($0)" } ?? "")
    }
}

/// Appends JSON lines under a lock, flushed line by line so a killed run keeps every line it
/// reported (each line is one write(2) on a file opened for appending).
final class JSONLines: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()
    init(path: String) throws {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        guard let h = FileHandle(forWritingAtPath: path) else { throw FileWriteError.writeFailed(path: path, reason: "cannot open for appending") }
        h.seekToEndOfFile()
        handle = h
    }
    func append<T: Encodable>(_ value: T) {
        guard var data = try? JSONOutput.data(value, pretty: false) else { return }
        data.append(0x0A)
        lock.lock(); defer { lock.unlock() }
        handle.write(data)
        try? handle.synchronize()
    }
    deinit { try? handle.close() }
}

/// `octoplane convert`: converts every model of `source` (this shard's) under
/// `options.outputDirectory` — to the preset's sample files, each through `SampleJob`
/// (`target` `.samples`), or to fitted triplanes (`.triplane`, see `convertToTriplanes`).
///
/// - Atomic outputs: each file is written to a temporary and renamed, so a model's files exist
///   only complete. Resume: a model whose files all exist is skipped (counted as already done).
/// - Failures (unreadable mesh, no area, write errors) go to the failure log as (model, mesh,
///   reason) and never stop the other models; a later run retries them.
/// - The manifest gets one JSON line per converted model (`ManifestEntry`).
/// - Progress (count, rate, ETA) on stderr unless `quiet`.
/// - Errors of the run itself: `PipelineError.invalidOption` (`jobs` < 1), `.unwritable` (the
///   output folder or the logs), and the source's own (`DatasetError` for a bad ShapeNet root).
public struct ConvertJob<Source: ConvertSource>: Job {
    /// What each model becomes.
    public enum Target: Sendable {
        /// The preset's sample files (`options.settings`).
        case samples
        /// Planes fitted with the shared decoder.
        case triplane(TriplaneConvertSettings)
    }
    public var source: Source
    public var options: ConvertOptions
    public var target: Target
    public init(source: Source, options: ConvertOptions, target: Target = .samples) {
        self.source = source; self.options = options; self.target = target
    }

    public func run() throws -> ConvertSummary {
        switch target {
        case .samples: return try convertModels(source, options: options)
        case let .triplane(t): return try convertToTriplanes(source, options: options, triplane: t)
        }
    }
}

private func convertModels(_ source: some ConvertSource, options: ConvertOptions) throws -> ConvertSummary {
    try runConversion(source, options: options, label: "convert",
                      files: { SampleOutput.files(for: options.settings.preset, base: options.outputBase(for: $0)) },
                      makeWorker: { _ in
        { item, base, seed in
            var settings = options.settings
            settings.seed = seed
            let r = try SampleJob(input: item.meshPath, output: base, settings: settings).run()
            return ManifestEntry(model: item.key, mesh: item.meshPath, preset: r.preset, files: r.files,
                                 points: r.points, faces: r.faces, insideFraction: r.insideFraction, seconds: r.seconds,
                                 warnings: r.warnings.isEmpty ? nil : r.warnings)
        }
    })
}

/// The machinery shared by every `convert` target: output folder, this shard's items, resume
/// (an item whose `files` all exist is done), the manifest and failure logs, progress, and `jobs`
/// concurrent workers (each made once by `makeWorker(workerIndex)` and given
/// Parallelism.threadCount / jobs threads, scoped to it with `Parallelism.withThreadCount`). A worker converts one item to its output base with a
/// per-model seed (`options.settings.seed` ^ a stable hash of the key, so reruns and shards give
/// the same files) and returns its manifest line; a thrown error is logged as that item's failure.
func runConversion(_ source: some ConvertSource, options: ConvertOptions, label: String,
                   files: (ConvertItem) -> [String],
                   makeWorker: (Int) throws -> (ConvertItem, String, UInt64) throws -> ManifestEntry) throws -> ConvertSummary {
    guard options.jobs >= 1 else { throw PipelineError.invalidOption("--jobs \(options.jobs) is not valid: it must be ≥ 1") }
    let start = Date()
    do {
        try FileManager.default.createDirectory(atPath: options.outputDirectory, withIntermediateDirectories: true)
    } catch {
        throw PipelineError.unwritable(path: options.outputDirectory, reason: "cannot create the output folder: \(error.localizedDescription)")
    }
    let (items, skipped) = try source.items(shard: options.shard)
    let manifest = try JSONLines(path: options.manifestPath)
    let failures = try JSONLines(path: options.failuresPath)
    for s in skipped { failures.append(FailureEntry(model: s.folder, mesh: "", reason: "skipped: " + s.reason)) }

    let fm = FileManager.default
    var todo = [ConvertItem]()
    var alreadyDone = 0
    for item in items {
        if files(item).allSatisfy({ fm.fileExists(atPath: $0) }) { alreadyDone += 1 } else { todo.append(item) }
    }
    let progress = ProgressReporter(label, total: items.count, quiet: options.quiet)
    if alreadyDone > 0 { progress.advance(alreadyDone) }

    // Split the caller's threads between concurrent models.
    let jobs = min(options.jobs, max(1, todo.count))
    let workers = try (0..<jobs).map(makeWorker)
    let threadsPerModel = max(1, Parallelism.threadCount / jobs)

    let counterLock = NSLock()
    var next = 0, converted = 0, failed = 0, busySeconds = 0.0
    DispatchQueue.concurrentPerform(iterations: jobs) { w in Parallelism.withThreadCount(threadsPerModel) {
        while true {
            counterLock.lock()
            let k = next; next += 1
            counterLock.unlock()
            guard k < todo.count else { return }
            let item = todo[k]
            let base = options.outputBase(for: item)
            do {
                try fm.createDirectory(atPath: (base as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                let entry = try workers[w](item, base, options.settings.seed ^ stableHash(item.key))
                manifest.append(entry)
                counterLock.lock(); converted += 1; busySeconds += entry.seconds; counterLock.unlock()
            } catch {
                failures.append(FailureEntry(model: item.key, mesh: item.meshPath, reason: "\(error)"))
                counterLock.lock(); failed += 1; counterLock.unlock()
            }
            progress.advance()
        }
    } }
    progress.finish()
    return ConvertSummary(models: items.count, converted: converted, alreadyDone: alreadyDone, failed: failed,
                          skippedFolders: skipped.count, seconds: Date().timeIntervalSince(start),
                          secondsPerModel: converted > 0 ? busySeconds / Double(converted) : 0,
                          manifest: options.manifestPath, failures: options.failuresPath)
}

/// FNV-1a 64 of the UTF-8 bytes: a platform-independent hash (Swift's `hashValue` is seeded
/// per process).
func stableHash(_ s: String) -> UInt64 {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
    return h
}
