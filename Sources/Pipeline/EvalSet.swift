import Foundation
import Geometry
import MeshIO
import Metrics
import Support

/// Settings of the generation evaluation (PointFlow conventions).
public struct EvalSetOptions: Sendable {
    /// Points per shape (PointFlow / LION / PVD: 2048).
    public var pointsPerShape: Int = 2048
    /// Seed of the surface samples and subsamples.
    public var seed: UInt64 = 0
    /// Show a progress line on stderr.
    public var progress: Bool = true
    /// Sample meshes only on the boundary of their solid (`surfaceCloud(solidOnly:)`: faces hidden inside
    /// other parts dropped).
    public var solidSurface: Bool = false
    public init() {}
}

/// The result of `octoplane eval-set GENERATED REFERENCE`. Codable (`--json`); `text` is the table.
public struct EvalSetReport: JobReport, Codable, Sendable, Equatable {
    public var generatedDirectory: String
    public var referenceDirectory: String
    public var generatedFiles: [String]
    public var referenceFiles: [String]
    public var pointsPerShape: Int
    public var seed: UInt64
    public var metrics: GenerationMetrics

    public var text: String {
        let m = metrics
        return ["generated   \(generatedDirectory) (\(m.generatedCount) shapes)",
                "reference   \(referenceDirectory) (\(m.referenceCount) shapes)",
                "points      \(pointsPerShape) per shape; seed \(seed)",
                textTable(["metric", "value", "definition"], [
                    ["MMD-CD", String(format: "%.6g", m.mmdCD), "mean over references of the CD to the nearest generated shape"],
                    ["COV-CD", String(format: "%.2f%%", 100 * m.covCD), "references that are some generated shape's nearest"],
                    ["1-NNA-CD", String(format: "%.2f%%", 100 * m.nnaCD), "leave-one-out 1-NN accuracy on both sets (50% ideal)"],
                ]),
                "CD = mean squared NN distance, both directions summed (PointFlow)"].joined(separator: "\n")
    }
}

/// Mesh file extensions picked up from a folder (assimp reads them), plus `.npy` point clouds.
let shapeFileExtensions: Set<String> = ["obj", "ply", "stl", "off", "glb", "gltf", "dae", "3ds", "fbx", "npy"]

/// `octoplane eval-set GENERATED_DIR REFERENCE_DIR`: MMD-CD, COV-CD and 1-NNA-CD
/// (`GenerationMetrics`, PointFlow conventions).
///
/// Every mesh file in each folder (not recursive; sorted by name) is sampled with
/// `pointsPerShape` area-weighted surface points; every `.npy` (N, 3) cloud is used as is when
/// N ≤ `pointsPerShape`, or subsampled without replacement to `pointsPerShape` points. Each
/// shape's draw is seeded by `seed` and its file name, so adding a file does not change the
/// others. Shapes are used in their own frame: normalize both sets the same way beforehand.
/// A file that does not load or has no surface stops the job with an error naming it.
public struct EvalSetJob: Job {
    public var generated: String
    public var reference: String
    public var options: EvalSetOptions
    public init(generated: String, reference: String, options: EvalSetOptions = EvalSetOptions()) {
        self.generated = generated; self.reference = reference; self.options = options
    }
    public func run() throws -> EvalSetReport { try evaluateGenerationSet(generated: generated, reference: reference, options: options) }
}

private func evaluateGenerationSet(generated: String, reference: String, options: EvalSetOptions) throws -> EvalSetReport {
    guard options.pointsPerShape >= 1 else { throw PipelineError.invalidOption("--points must be ≥ 1 per shape") }
    let genFiles = try shapeFiles(in: generated), refFiles = try shapeFiles(in: reference)
    guard !genFiles.isEmpty else { throw PipelineError.invalidInput(path: generated, reason: "no mesh or .npy files in this folder") }
    guard !refFiles.isEmpty else { throw PipelineError.invalidInput(path: reference, reason: "no mesh or .npy files in this folder") }
    let total = genFiles.count + refFiles.count
    let loading = options.progress ? ProgressReporter("loading", total: total) : nil
    func load(_ dir: String, _ files: [String], tag: UInt64) throws -> [[Vec3]] {
        try files.map { name in
            defer { loading?.advance() }
            return try shapeCloud(dir + "/" + name, count: options.pointsPerShape, seed: options.seed ^ tag ^ fnv1a(name), solid: options.solidSurface)
        }
    }
    let gen = try load(generated, genFiles, tag: 0x6E6E), ref = try load(reference, refFiles, tag: 0x7265)
    loading?.finish()
    let pairs = options.progress ? ProgressReporter("chamfer", total: total) : nil
    let metrics = try GenerationMetrics.evaluate(generated: gen, reference: ref,
                                                 generatedNames: genFiles.map { generated + "/" + $0 },
                                                 referenceNames: refFiles.map { reference + "/" + $0 }, progress: pairs)
    pairs?.finish()
    return EvalSetReport(generatedDirectory: generated, referenceDirectory: reference, generatedFiles: genFiles,
                         referenceFiles: refFiles, pointsPerShape: options.pointsPerShape, seed: options.seed, metrics: metrics)
}

/// Shape files of a folder, sorted by name.
func shapeFiles(in dir: String) throws -> [String] {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
        throw PipelineError.invalidInput(path: dir, reason: "not a folder")
    }
    let names = try FileManager.default.contentsOfDirectory(atPath: dir)
    return names.filter { !$0.hasPrefix(".") && shapeFileExtensions.contains(URL(fileURLWithPath: $0).pathExtension.lowercased()) }.sorted()
}

/// `count` points of one shape file (see `evaluateGenerationSet`); `solid`: a mesh's points on its
/// solid's boundary only (`surfaceCloud(solidOnly:)`).
func shapeCloud(_ path: String, count: Int, seed: UInt64, solid: Bool = false) throws -> [Vec3] {
    if URL(fileURLWithPath: path).pathExtension.lowercased() == "npy" {
        let pts = try readCloudNpy(path)
        try wrapMetrics(path) { try OrientedPointCloud(points: pts).validated(role: path) }
        guard pts.count > count else { return pts }
        // Partial Fisher–Yates: a seeded subset without replacement.
        var idx = Array(0..<pts.count), rng = SeededRandom(seed: seed)
        for i in 0..<count { idx.swapAt(i, i + Int(rng.next() % UInt64(pts.count - i))) }
        return idx[0..<count].map { pts[$0] }
    }
    let mesh = try MeshLoader.load(path: path).mesh
    return try wrapMetrics(path) { try surfaceCloud(mesh, count: count, seed: seed, role: path, solidOnly: solid) }
}

/// FNV-1a of a string's UTF-8 bytes: a stable per-file seed component.
func fnv1a(_ s: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
    return h
}
