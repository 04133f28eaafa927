import Foundation
import Geometry
import MeshIO
import Rendering
import Support

/// What `octoplane render` draws, besides the meshes and the output path.
///
/// Modes, by precedence:
/// - `turntable = N`: N views all around (azimuth 0, 360/N, …) at `elevation`; one sheet when the
///   output ends in `.png`, else `frame_0000.png…` in the output folder (created if missing).
/// - `views = N > 1`: N views from `azimuth` on, 360/N apart, in one labelled sheet.
/// - otherwise one view at (`azimuth`, `elevation`).
/// Several meshes make one labelled sheet: a row per mesh, a column per view.
public struct RenderSettings: Sendable {
    public var size: Int = 512
    public var views: Int = 1
    /// Degrees (see `Camera.orbit`): 0 = front (−Z for +Y up), 90 = from +X.
    public var azimuth: Float = 30
    public var elevation: Float = 20
    public var turntable: Int? = nil
    public var shading: Shading = .smooth
    public var wireframe: Bool = false
    public var supersampling: Int = 2
    public var upAxis: UpAxis = .y
    /// Transparent background (RGBA PNG) for single views and turntable frames.
    public var transparent: Bool = false
    public init() {}

    /// The renderer options these settings imply.
    public var options: RenderOptions {
        var o = RenderOptions(width: size, height: size, supersampling: supersampling, shading: shading, wireframe: wireframe)
        o.transparentBackground = transparent
        return o
    }

    func validate() throws {
        try options.validate()
        guard views >= 1 && views <= 64 else { throw RenderingError.invalidOption("--views \(views) must be 1…64") }
        if let t = turntable, !(1...720).contains(t) { throw RenderingError.invalidOption("--turntable \(t) must be 1…720") }
        guard azimuth.isFinite && elevation.isFinite && abs(elevation) <= 90 else {
            throw RenderingError.invalidOption("elevation must lie in [-90, 90] and angles be finite")
        }
    }
}

/// What a render job wrote.
public struct RenderResult: JobReport, Codable, Sendable {
    public var inputs: [String]
    public var faces: [Int]
    public var outputs: [String]
    public var width: Int
    public var height: Int
    public var seconds: Double
    public var text: String {
        let what = zip(inputs, faces).map { "\($0) (\($1) triangles)" }.joined(separator: ", ")
        let out = outputs.count == 1 ? outputs[0] : "\(outputs.count) frames in \((outputs.first.map { ($0 as NSString).deletingLastPathComponent }) ?? "")"
        return "\(what) → \(out) (\(width)×\(height), \(String(format: "%.2f", seconds)) s)"
    }
}

/// `octoplane render MESH… -o OUT` and `octoplane render --dataset DIR --category C -o OUT`.
///
/// - `.meshes`: loads every mesh first (any load error stops the job before anything is
///   written), renders per `settings`, writes PNGs atomically.
/// - `.dataset`: one labelled contact sheet of a category's models in a ShapeNet v1/v2 tree
///   (walker order, at most `limit`), each seen from `settings.azimuth`/`elevation`. Models that
///   fail to load are skipped; none loading is a `DatasetError`.
///
/// Errors: `MeshIOError` (unreadable mesh), `RenderingError` (bad settings, unwritable PNG),
/// `DatasetError` (bad tree or category).
public struct RenderJob: Job {
    public enum Source: Sendable, Equatable {
        case meshes([String])
        case dataset(root: String, category: String, limit: Int)
    }
    public var source: Source
    public var output: String
    public var settings: RenderSettings
    public init(_ source: Source, output: String, settings: RenderSettings = RenderSettings()) {
        self.source = source; self.output = output; self.settings = settings
    }

    public func run() throws -> RenderResult {
        switch source {
        case let .meshes(paths): return try renderMeshFiles(paths, output: output, settings: settings)
        case let .dataset(root, category, limit):
            return try renderDatasetSheet(root: root, category: category, limit: limit, output: output, settings: settings)
        }
    }
}

private func renderMeshFiles(_ paths: [String], output: String, settings: RenderSettings) throws -> RenderResult {
    guard !paths.isEmpty else { throw RenderingError.invalidOption("no mesh to render") }
    try settings.validate()
    let start = Date()
    let meshes = try paths.map { try MeshLoader.load(path: $0).mesh }
    let names = paths.map { URL(fileURLWithPath: $0).lastPathComponent }
    return try renderMeshes(meshes, names: names, inputs: paths, output: output, settings: settings, start: start)
}

/// `renderMeshFiles` for meshes already in memory (the dataset sheet calls this);
/// `names` label the sheet cells (one per mesh).
func renderMeshes(_ meshes: [TriangleMesh], names: [String], inputs: [String]? = nil, output: String,
                         settings: RenderSettings = RenderSettings(), start: Date = Date()) throws -> RenderResult {
    precondition(names.count == meshes.count, "one name per mesh")
    guard !meshes.isEmpty else { throw RenderingError.invalidOption("no mesh to render") }
    try settings.validate()
    let o = settings.options
    var written: [String] = []
    var image: RGBImage
    let progress = meshes.count > 1 ? ProgressReporter("render", total: meshes.count) : nil
    if let n = settings.turntable {
        if meshes.count == 1 && !output.lowercased().hasSuffix(".png") {
            let frames = try Turntable.frames(of: meshes[0], count: n, elevation: settings.elevation, upAxis: settings.upAxis, options: o)
            try createFolderIfMissing(output)
            written = try Turntable.write(frames, toFolder: output)
            let r = RenderResult(inputs: inputs ?? names, faces: meshes.map(\.faceCount), outputs: written,
                                 width: o.width, height: o.height, seconds: Date().timeIntervalSince(start))
            return r
        }
        image = try sheet(meshes, names: names, views: n, azimuth: 0, framing: .sphere, settings: settings, progress: progress)
    } else if settings.views > 1 || meshes.count > 1 {
        image = try sheet(meshes, names: names, views: settings.views, azimuth: settings.azimuth, framing: .tight,
                          settings: settings, progress: progress)
    } else {
        image = try Renderer.render(mesh: meshes[0], azimuth: settings.azimuth, elevation: settings.elevation,
                                    upAxis: settings.upAxis, options: o)
    }
    progress?.finish()
    try image.writePNG(to: output)
    written = [output]
    return RenderResult(inputs: inputs ?? names, faces: meshes.map(\.faceCount), outputs: written,
                        width: image.width, height: image.height, seconds: Date().timeIntervalSince(start))
}

/// A row of `views` views per mesh, labelled "NAME" (one view) or "NAME AZ a" / "AZ a EL e".
private func sheet(_ meshes: [TriangleMesh], names: [String], views: Int, azimuth: Float, framing: Camera.Framing,
                   settings: RenderSettings, progress: ProgressReporter?) throws -> RGBImage {
    var opaque = settings.options
    opaque.transparentBackground = false
    var images: [RGBImage] = [], labels: [String] = []
    for (m, name) in zip(meshes, names) {
        for k in 0..<views {
            let az = (azimuth + 360 * Float(k) / Float(views)).truncatingRemainder(dividingBy: 360)
            images.append(try Renderer.render(mesh: m, azimuth: az, elevation: settings.elevation,
                                              upAxis: settings.upAxis, framing: framing, options: opaque))
            let angle = "AZ \(Int(az.rounded()))"
            labels.append(meshes.count == 1 ? "\(angle) EL \(Int(settings.elevation.rounded()))" : views == 1 ? name : "\(name) \(angle)")
        }
        progress?.advance()
    }
    let columns = meshes.count > 1 ? (views == 1 ? ContactSheet.defaultColumns(for: meshes.count) : views)
                                   : ContactSheet.defaultColumns(for: views)
    return ContactSheet.compose(images: images, columns: columns, labels: labels, labelScale: max(1, settings.size / 200))
}

/// Creates `folder` (not its parents) when missing; a file in the way is an error.
private func createFolderIfMissing(_ folder: String) throws {
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: folder, isDirectory: &isDir) {
        if !isDir.boolValue { throw RenderingError.writeFailed(path: folder, reason: "a file is in the way of the frame folder") }
        return
    }
    do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false) } catch {
        throw RenderingError.writeFailed(path: folder, reason: "cannot create the frame folder (does its parent exist?)")
    }
}
