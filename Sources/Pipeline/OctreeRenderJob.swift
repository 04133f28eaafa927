import Foundation
import Geometry
import Octrees
import Rendering

/// `octoplane octree render`: an octree's surface cells as boxes coloured by depth
/// (`OctreeVoxelMesh.color(depth:)`), flat-shaded, to PNG; or a sheet of one mesh's trees at
/// several depths side by side.
public enum OctreeRenderJob {
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

    /// `octree render TREE -o PNG`.
    public static func run(input: String, output: String, view: View) throws {
        let (tree, _) = try OctreeInput.readTree(input)
        let img = try OctreeJobError.at(input) { try image(tree, view: view) }
        try OctreeJobError.at(output) { try PNG.write(img, to: output) }
    }

    /// A sheet: the tree of `mesh` (built as `OctreeBuildJob`, full depth min(3, d − 1)) at each of
    /// `depths`, `columns` panels per row, each `view.size` pixels square, left to right then down.
    public static func sheet(mesh: String, depths: [Int], columns: Int, view: View, output: String) throws {
        guard !depths.isEmpty else { throw OctreeJobError(path: mesh, reason: "no depths to draw") }
        let (normalized, _) = try OctreeInput.loadNormalized(mesh)
        let rows = (depths.count + columns - 1) / columns
        var sheet = RGBImage(width: columns * view.size, height: rows * view.size)
        for (i, d) in depths.enumerated() {
            var o = OctreeBuildJob.Options()
            o.depth = d; o.fullDepth = min(3, d - 1)
            let tree = try OctreeJobError.at(mesh) { try OctreeBuildJob.build(normalized, options: o) }
            let img = try OctreeJobError.at(mesh) { try image(tree, view: view) }
            sheet.draw(img, atX: (i % columns) * view.size, y: (i / columns) * view.size)
        }
        try OctreeJobError.at(output) { try PNG.write(sheet, to: output) }
    }
}
