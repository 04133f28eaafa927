import Foundation
import Geometry
import Octrees
import Rendering

/// `octoplane octree render`: an octree's surface cells as boxes coloured by depth
/// (`OctreeVoxelMesh.color(depth:)`), flat-shaded, to PNG; or a sheet of one mesh's trees at
/// several depths side by side.
public struct OctreeRenderJob: Job {
    public enum Source: Sendable, Equatable {
        /// A tree or token file, drawn as is.
        case tree(String)
        /// A mesh, built into trees of these depths (as `OctreeBuildJob`, full depth
        /// min(3, d − 1)) drawn side by side, `columns` panels per row, left to right then down.
        case sheet(mesh: String, depths: [Int], columns: Int)
    }
    public var source: Source
    public var output: String
    public var view = View()
    public init(_ source: Source, output: String) { self.source = source; self.output = output }

    public struct Report: JobReport, Codable, Sendable {
        public var input: String
        public var output: String
        public var width: Int
        public var height: Int
        public var text: String { "\(input) → \(output) (\(width)×\(height))" }
    }

    public func run() throws -> Report {
        switch source {
        case let .tree(input):
            let (tree, _) = try OctreeInput.readTree(input)
            let img = try PipelineError.reading(input) { try Self.image(tree, view: view) }
            try PipelineError.writing(output) { try PNG.write(img, to: output) }
            return Report(input: input, output: output, width: img.width, height: img.height)
        case let .sheet(mesh, depths, columns):
            let img = try Self.sheet(mesh: mesh, depths: depths, columns: columns, view: view)
            try PipelineError.writing(output) { try PNG.write(img, to: output) }
            return Report(input: mesh, output: output, width: img.width, height: img.height)
        }
    }

    public struct View: Sendable, Equatable {
        public var size = 512
        public var azimuth: Float = 35
        public var elevation: Float = 25
        public var wireframe = false
        public init() {}
    }

    /// Renders `tree` in its octree frame, from a camera framing the whole cube [-1, 1]³ (the
    /// same for every tree, so pictures of one shape at several depths line up).
    public static func image(_ tree: Octree, view: View, framing radius: Float = 0.8 * Float(3).squareRoot()) throws -> RGBImage {
        let voxels = OctreeVoxelMesh(tree)
        var o = RenderOptions(width: view.size, height: view.size, supersampling: 2, shading: .flat, wireframe: view.wireframe)
        o.wireWidth = 0.6
        let camera = Camera.orbit(target: .zero, distance: Camera.fitDistance(radius: radius, fovY: 35), azimuth: view.azimuth,
                                  elevation: view.elevation, fovY: 35)
        return try Renderer.render(mesh: voxels.mesh, camera: camera, options: o, colors: .perFace(voxels.faceColors))
    }

    /// A sheet: the tree of `mesh` (built as `OctreeBuildJob`, full depth min(3, d − 1)) at each of
    /// `depths`, `columns` panels per row, each `view.size` pixels square, left to right then down.
    static func sheet(mesh: String, depths: [Int], columns: Int, view: View) throws -> RGBImage {
        guard !depths.isEmpty else { throw PipelineError.invalidOption("no depths to draw") }
        guard columns >= 1 else { throw PipelineError.invalidOption("columns must be ≥ 1") }
        let (normalized, _) = try OctreeInput.loadNormalized(mesh)
        let rows = (depths.count + columns - 1) / columns
        var sheet = RGBImage(width: columns * view.size, height: rows * view.size)
        for (i, d) in depths.enumerated() {
            var o = OctreeBuildJob.Options()
            o.depth = d; o.fullDepth = min(3, d - 1)
            let tree = try PipelineError.reading(mesh) { try OctreeBuildJob.build(normalized, options: o) }
            let img = try PipelineError.reading(mesh) { try image(tree, view: view) }
            sheet.draw(img, atX: (i % columns) * view.size, y: (i / columns) * view.size)
        }
        return sheet
    }
}
