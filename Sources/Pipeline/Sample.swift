import Foundation
import Geometry
import MeshIO
import Sampling
import Spatial

/// What `octoplane sample` (and each model of `convert`) produced.
public struct SampleJobResult: JobReport, Codable, Sendable, Equatable {
    public var input: String
    public var preset: String
    /// The files written (ONet: pointcloud.npz then points.npz; NFD/UDF: one file).
    public var files: [String]
    /// Query points written (ONet: points.npz rows; NFD/UDF: all rows).
    public var points: Int
    /// Share of query points inside (UDF: share with udf < 0.01).
    public var insideFraction: Double
    public var faces: Int
    /// Signed volume of the loaded mesh (negative: inside-out faces).
    public var signedVolume: Double
    /// What looks wrong with the model (`SampleJobResult.warnings(…)`); empty when nothing does.
    public var warnings: [String]
    public var insideTest: String
    public var seed: UInt64
    public var seconds: Double

    public var text: String {
        String(format: "%@ → %@ (%@): %d points, %.2f%% inside, %d faces, %@, %.2f s",
               input, files.joined(separator: ", "), preset, points, 100 * insideFraction, faces, insideTest, seconds)
            + warnings.map { "\nwarning: " + $0 }.joined()
    }

    /// Warnings for a sampled model: no inside point (occupancy presets: an open sheet, a mesh
    /// far from the frame, or an inside rule that failed), a negative signed volume (inside-out
    /// faces; occupancy by |w| > ½ or parity is unaffected, but normals and SDF-sign consumers are).
    public static func warnings(preset: SamplePreset, insideFraction: Double, signedVolume: Double) -> [String] {
        var w: [String] = []
        if preset != .udf && insideFraction == 0 {
            w.append("no query point is inside: the training data is all empty (an open or non-closed mesh?)")
        }
        if signedVolume < 0 {
            w.append(String(format: "signed volume %.4g < 0: the faces are inside-out (occupancy is orientation-free; normals are not)", signedVolume))
        }
        return w
    }
}

/// `octoplane sample MESH --preset onet|nfd|udf -o OUT`: loads `input` (assimp), runs the preset
/// (normalize, draw seeded points, label them through the BVH) and writes the preset's files
/// atomically under `output` (ONet: a folder with `points.npz` and `pointcloud.npz`; NFD: a `.npy`;
/// UDF: a `.npz`). Throws `MeshIOError` for unreadable meshes, `SamplingError` for meshes with no
/// area or bad settings, `FileWriteError`/`ArrayIOError` when writing fails; no partial file is
/// left in any case. Each model of `convert` runs this job.
public struct SampleJob: Job {
    public var input: String
    public var output: String
    public var settings: SampleSettings
    public init(input: String, output: String, settings: SampleSettings) {
        self.input = input; self.output = output; self.settings = settings
    }

    public func run() throws -> SampleJobResult {
        let start = Date()
        let loaded = try MeshLoader.load(path: input)
        let out = try SampleRecipe.run(loaded.mesh, settings: settings)
        try out.write(to: output)
        let volume = loaded.mesh.signedVolume
        return SampleJobResult(input: input, preset: settings.preset.rawValue, files: SampleOutput.files(for: settings.preset, base: output),
                               points: out.queryCount, insideFraction: out.insideFraction, faces: loaded.mesh.faceCount, signedVolume: volume,
                               warnings: SampleJobResult.warnings(preset: settings.preset, insideFraction: out.insideFraction, signedVolume: volume),
                               insideTest: settings.insideTest.description, seed: settings.seed, seconds: Date().timeIntervalSince(start))
    }
}
