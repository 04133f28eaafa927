import ArgumentParser
import Pipeline
import Rendering

/// `octoplane render MESH… -o OUT.png [--size 512] [--views 4] [--azimuth A --elevation E]
/// [--flat] [--wireframe] [--turntable N] [--ssaa 2] [--up y|z] [--transparent]`.
///
/// MESH is optional at the parser level so that other sources of meshes (the `--dataset DIR
/// --category C` variant) can be added here as options; `validate()` asks for at least one
/// source.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render meshes to PNG: one view, a labelled multi-view sheet, a gallery of several meshes, or a turntable.",
        discussion: """
        Headless CPU rasterizer: z-buffer, perspective camera auto-framed on the mesh, Lambert + Blinn-Phong \
        (key + fill light), back faces in orange so open surfaces stay readable, 2×2 supersampling by default.
        Several MESH files make one sheet labelled with their names.
        """)

    enum Up: String, ExpressibleByArgument, CaseIterable { case y, z }

    @Argument(help: "Mesh file(s), any format assimp reads. Several make one labelled sheet.")
    var meshes: [String] = []

    @Option(name: .shortAndLong, help: "Output PNG (or, with --turntable and no .png extension, a folder of frames).")
    var output: String

    @Option(help: "Image size in pixels (square) per view.")
    var size = 512

    @Option(help: "Number of views around the mesh (360°/N apart) in one sheet.")
    var views = 1

    @Option(help: "Camera azimuth in degrees (0 = front, −Z for +Y up; 90 = from +X). With --views: the first view.")
    var azimuth: Float = 30

    @Option(help: "Camera elevation in degrees above the horizontal plane, −90…90.")
    var elevation: Float = 20

    @Flag(help: "Flat shading (one normal per face) instead of smooth.")
    var flat = false

    @Flag(help: "Overlay the triangle edges.")
    var wireframe = false

    @Option(help: "Render N frames all around: one sheet if OUT ends in .png, else frame_0000.png… in folder OUT.")
    var turntable: Int?

    @Option(help: "Supersampling per axis (1 = none, 2 = 2×2, … 4).")
    var ssaa = 2

    @Option(help: "Up axis of the mesh: y (most formats) or z (CAD/STL).")
    var up: Up = .y

    @Flag(help: "Transparent background (RGBA PNG) for single views and turntable frames.")
    var transparent = false

    @Option(help: "A ShapeNet v1/v2 tree (e.g. from `octoplane synth`): render one sheet of --category's models.")
    var dataset: String?

    @Option(help: "With --dataset: the category (name or synset id).")
    var category: String?

    @Option(help: "With --dataset: at most this many models (walker order).")
    var limit = 12

    @Option(help: "A triplane file (.npy, (3, C, R, R)): draw its three planes side by side, channels by PCA to RGB (--size per plane).")
    var planes: String?

    func validate() throws {
        if planes != nil {
            if !meshes.isEmpty || dataset != nil { throw ValidationError("--planes draws a triplane file alone: give no MESH files or --dataset") }
            if size < 1 || size > 8192 { throw ValidationError("--size must be 1…8192") }
            return
        }
        if dataset != nil {
            if !meshes.isEmpty { throw ValidationError("give either MESH files or --dataset, not both") }
            if category == nil { throw ValidationError("--dataset needs --category") }
            if limit < 1 { throw ValidationError("--limit must be ≥ 1") }
        } else if meshes.isEmpty { throw ValidationError("give at least one MESH file (or --dataset DIR --category C)") }
        if size < 1 || size > 8192 { throw ValidationError("--size must be 1…8192") }
        if views < 1 || views > 64 { throw ValidationError("--views must be 1…64") }
        if let t = turntable, t < 1 || t > 720 { throw ValidationError("--turntable must be 1…720") }
        if !(1...4).contains(ssaa) { throw ValidationError("--ssaa must be 1…4") }
        if !(elevation >= -90 && elevation <= 90) { throw ValidationError("--elevation must lie in [-90, 90]") }
    }

    var settings: RenderSettings {
        var s = RenderSettings()
        s.size = size; s.views = views; s.azimuth = azimuth; s.elevation = elevation
        s.turntable = turntable; s.shading = flat ? .flat : .smooth; s.wireframe = wireframe
        s.supersampling = ssaa; s.upAxis = up == .y ? .y : .z; s.transparent = transparent
        return s
    }

    func run() throws {
        if let planes {
            var job = RenderPlanesJob(input: planes, output: output)
            job.size = size
            print(try job.run().text)
            return
        }
        let source: RenderJob.Source = dataset.map { .dataset(root: $0, category: category ?? "", limit: limit) } ?? .meshes(meshes)
        print(try RenderJob(source, output: output, settings: settings).run().text)
    }
}
