import ArrayIO
import Dataset
import Foundation
import Geometry
import MeshIO
import Sampling
import Spatial
import Support
import Triplanes

/// Where shipped models live and how jobs find them: `$OCTOPLANE_MODELS`, then `Assets/models`
/// under the working directory, then `Assets/models` two or three folders above the executable
/// (`.build*/release/octoplane` inside a checkout).
public enum ShippedModels {
    /// The shared triplane decoder trained by `Scripts/train-triplane-decoder.sh`.
    public static let triplaneDecoder = "triplane-decoder.safetensors"
    /// The triplane diffusion model (a RUN folder) trained by `Scripts/train-diffusion.sh`.
    public static let triplaneDiffusion = "triplane-diffusion"
    /// The octree transformer (a RUN folder) trained by `Scripts/train-octree.sh`.
    public static let octreeTransformer = "octree-transformer"

    public static func path(_ name: String) -> String? {
        var dirs: [String] = []
        if let env = ProcessInfo.processInfo.environment["OCTOPLANE_MODELS"], !env.isEmpty { dirs.append(env) }
        dirs.append(FileManager.default.currentDirectoryPath + "/Assets/models")
        let exe = URL(fileURLWithPath: CommandLine.arguments.first ?? "").resolvingSymlinksInPath().deletingLastPathComponent()
        for up in 2...3 {
            var u = exe
            for _ in 0..<up { u = u.deletingLastPathComponent() }
            dirs.append(u.path + "/Assets/models")
        }
        return dirs.map { $0 + "/" + name }.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// `explicit` when given — a path, or the name of a shipped model when no such path exists
    /// (`--model octree-transformer`) — else the shipped `name`; throws when neither exists.
    public static func resolve(_ explicit: String?, default name: String) throws -> String {
        if let explicit {
            guard !FileManager.default.fileExists(atPath: explicit), !explicit.contains("/") else { return explicit }
            guard let shipped = path(explicit) else {
                throw PipelineError.unreadable(path: explicit, reason: "no such file or folder, and no shipped model of that name (looked in $OCTOPLANE_MODELS, ./Assets/models and beside the executable)")
            }
            return shipped
        }
        guard let p = path(name) else {
            throw PipelineError.invalidOption("no --\(name == triplaneDiffusion ? "model" : "decoder") given and the shipped \(name) was not found (looked in $OCTOPLANE_MODELS, ./Assets/models and beside the executable)")
        }
        return p
    }
}

/// Training samples for triplanes from an NFD `.npy` (N, 4+) file: x, y, z, occupancy in [-1, 1].
/// Keeps at most `maxRows` rows, taken evenly from the near-surface first half and the uniform
/// second half (NFD's layout), so a subsample keeps the 50/50 mix.
func loadTriplaneSamples(_ path: String, maxRows: Int? = nil) throws -> TriplaneSamples {
    let a: NpyArray
    do { a = try Npy.read(path) } catch { throw TriplaneError.badSamples(path: path, reason: "\(error)") }
    guard a.rank == 2, a.shape[1] >= 4, a.dtype.isFloatingPoint else {
        throw TriplaneError.badSamples(path: path, reason: "shape \(a.shape) dtype \(a.dtype.descr), expected float rows (N, 4): x, y, z, occupancy")
    }
    let cols = a.shape[1], n = a.shape[0]
    var f = try a.floats()
    if let m = maxRows, m < n {
        // Evenly spaced rows from each half.
        let half = n / 2, mh = m / 2
        var picked = [Float](); picked.reserveCapacity(m * cols)
        for (lo, cnt, take) in [(0, half, mh), (half, n - half, m - mh)] {
            for j in 0..<take { let i = lo + j * cnt / take; picked += f[(i * cols)..<((i + 1) * cols)] }
        }
        f = picked
    }
    for i in stride(from: 3, to: f.count, by: cols) where f[i] != 0 && f[i] != 1 {
        throw TriplaneError.badSamples(path: path, reason: "row \(i / cols) has occupancy \(f[i]), expected 0 or 1")
    }
    return try TriplaneSamples(nfdRows: f, columns: cols, source: path)
}

/// Every `.npy` under `root` (recursively), sorted — the NFD sample files of `convert --preset nfd`.
func npyFiles(under root: String) throws -> [String] {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: root, isDirectory: &isDir) else { throw PipelineError.unreadable(path: root, reason: "no such file or folder") }
    if !isDir.boolValue { return [root] }
    guard let e = FileManager.default.enumerator(atPath: root) else { throw PipelineError.unreadable(path: root, reason: "cannot list the folder") }
    return e.compactMap { $0 as? String }.filter { $0.hasSuffix(".npy") }.sorted().map { root + "/" + $0 }
}

/// A training progress line on stderr every `every` steps: step, loss, steps/s, ETA.
final class TrainingProgress {
    let label: String, total: Int, every: Int
    let start = Date()
    var firstStep: Int
    init(_ label: String, total: Int, startStep: Int, every: Int = 25) {
        self.label = label; self.total = total; self.every = every; firstStep = startStep
    }
    func report(step: Int, values: [(String, Float)], quiet: Bool) {
        guard !quiet, step % every == 0 || step == total else { return }
        let t = Date().timeIntervalSince(start)
        let rate = t > 0 ? Double(step - firstStep) / t : 0
        let eta = rate > 0 ? Double(total - step) / rate : 0
        let vals = values.map { String(format: "%@ %.4f", $0.0, $0.1) }.joined(separator: "  ")
        FileHandle.standardError.write(String(format: "%@ step %d/%d  %@  %.2f steps/s  ETA %@\n", label, step, total, vals, rate,
                                              ProgressReporter.clock(eta)).data(using: .utf8)!)
    }
}

/// The class order a generator trains with: the procedural categories present, in `SynthCategory`
/// order, then any other category names, sorted.
func trainingCategoryOrder(_ categoryOfItem: [String]) -> [String] {
    let synth = SynthCategory.allCases.map(\.rawValue)
    return synth.filter(categoryOfItem.contains) + Set(categoryOfItem).subtracting(synth).sorted()
}

/// A training run's resume rule: no checkpoint at `statePath` → nil (a fresh run); a checkpoint and
/// `allowed` → `resume(statePath)`'s step; a checkpoint without `allowed` → an error that says how
/// to continue or start over (a run is never silently overwritten).
func resumeTraining(statePath: String, allowed: Bool, _ resume: (String) throws -> Int) throws -> Int? {
    guard FileManager.default.fileExists(atPath: statePath) else { return nil }
    guard allowed else { throw PipelineError.invalidOption("\(statePath) exists: pass --resume to continue that run, or remove it to start over") }
    return try resume(statePath)
}
