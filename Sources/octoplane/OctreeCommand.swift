import ArgumentParser
import Foundation
import Octrees
import Pipeline

/// `octoplane octree …`: build, serialize, decode, render and inspect octrees.
struct OctreeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "octree",
        abstract: "Octrees of meshes: build, encode to OctGPT / Uni-3DAR tokens, decode to meshes, render, stats.",
        subcommands: [Build.self, Encode.self, Decode.self, Render.self, Stats.self]
    )

    /// Parses "3,4,5": depths 1…9 (decodable densely) separated by commas.
    static func depthList(_ text: String, option: String) throws -> [Int] {
        let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ $0 != nil && (1...9).contains($0!) }) else {
            throw ValidationError("\(option) takes depths 1…9 separated by commas, not '\(text)'")
        }
        return parts.map { $0! }
    }

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mesh → octree file (normalized into [-0.8, 0.8]³; the frame is stored to map back).")
        @Argument(help: "Input mesh (any format assimp reads).") var mesh: String
        @Option(help: "Finest depth, 1…10.") var depth = 7
        @Option(name: .customLong("full-depth"), help: "Depths above this one are split everywhere.") var fullDepth = 3
        @Flag(help: "Adaptive tree: coarse planar leaves where the surface is flat.") var adaptive = false
        @Option(help: "Adaptive flatness tolerance, as a fraction of the leaf's edge.") var tolerance: Float = 0.05
        @Option(help: "Build from N surface samples (O-CNN) instead of the triangles (exact).") var points: Int?
        @Option(help: "Sampling seed.") var seed: UInt64 = 0
        @Option(name: .shortAndLong, help: "Output tree file (.octree).") var output: String
        @Flag(help: "Print the report as JSON.") var json = false

        func validate() throws {
            guard Octree.depthRange.contains(depth) else { throw ValidationError("--depth \(depth) is outside 1…10") }
            guard (0...depth).contains(fullDepth) else { throw ValidationError("--full-depth \(fullDepth) is outside 0…\(depth)") }
            if let p = points, p < 1 { throw ValidationError("--points must be positive") }
            guard tolerance >= 0, tolerance.isFinite else { throw ValidationError("--tolerance must be a non-negative number") }
        }

        func run() throws {
            var o = OctreeBuildJob.Options()
            o.depth = depth; o.fullDepth = fullDepth; o.adaptive = adaptive; o.tolerance = tolerance; o.points = points; o.seed = seed
            try OctreeBuildJob(input: mesh, output: output, options: o).run().emit(json: json)
        }
    }

    struct Encode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Octree (or token) file → token file: .npy (N+1, 6) int32 table, or .npz arrays (see README).")
        @Argument(help: "Input tree file.") var tree: String
        @Option(help: "split (OctGPT split flags) or childmask (Uni-3DAR child masks).") var tokens: String
        @Option(name: .shortAndLong, help: "Output .npy or .npz.") var output: String
        @Flag(help: "Print the report as JSON.") var json = false

        func validate() throws {
            guard ["split", "childmask"].contains(tokens) else { throw ValidationError("--tokens must be 'split' or 'childmask', not '\(tokens)'") }
        }

        func run() throws {
            try OctreeEncodeJob(input: tree, output: output, scheme: tokens == "split" ? .splitFlags : .childMask).run().emit(json: json)
        }
    }

    struct Decode: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Token file (or tree file) → mesh: flood-filled occupancy → marching cubes.")
        @Argument(help: "Input token file (.npy / .npz) or tree file.") var input: String
        @Option(name: .shortAndLong, help: "Output mesh (.obj or .ply).") var output: String
        @Option(help: "Mesh through the octree generator's surface stage at this depth (tree depth…8) instead of the plain decoder.")
        var surfaceDepth: Int?
        @Option(help: "Surface stage blur, in cells of the tree's finest depth.") var smoothing: Float = 0.5
        @Option(help: "With --surface-depth: a learned surface stage instead of the blur (an octree generator's RUN folder, or its surface model file).")
        var surfaceModel: String?
        @Flag(help: "Print the report as JSON.") var json = false

        func run() throws {
            var job = OctreeDecodeJob(input: input, output: output)
            job.surfaceDepth = surfaceDepth; job.smoothing = smoothing; job.surfaceModel = surfaceModel
            try job.run().emit(json: json)
        }
    }

    struct Render: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Octree → PNG of its surface cells as boxes coloured by depth; or, with --sheet, a mesh's trees at several depths.")
        @Argument(help: "Input tree or token file (a mesh with --sheet).") var input: String
        @Option(name: .shortAndLong, help: "Output PNG.") var output: String
        @Option(help: "Panel size in pixels.") var size = 512
        @Option(help: "Camera azimuth in degrees.") var azimuth: Float = 35
        @Option(help: "Camera elevation in degrees.") var elevation: Float = 25
        @Flag(help: "Draw the box edges.") var wireframe = false
        @Option(help: "Sheet of the input mesh's trees at these depths, e.g. 3,4,5,6,7,8.") var sheet: String?
        @Option(help: "Panels per row of the sheet.") var columns = 3

        func validate() throws {
            guard (16...4096).contains(size) else { throw ValidationError("--size must be within 16…4096") }
            guard (1...16).contains(columns) else { throw ValidationError("--columns must be within 1…16") }
            if sheet != nil { _ = try depths() }
        }

        func depths() throws -> [Int] { try OctreeCommand.depthList(sheet ?? "", option: "--sheet") }

        func run() throws {
            var job = OctreeRenderJob(sheet != nil ? .sheet(mesh: input, depths: try depths(), columns: columns) : .tree(input), output: output)
            job.view.size = size; job.view.azimuth = azimuth; job.view.elevation = elevation; job.view.wireframe = wireframe
            print(try job.run().text)
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Per-depth node and token counts of a tree (or token) file; with --depths, a mesh's reconstruction metrics per depth.")
        @Argument(help: "Input tree or token file (a mesh with --depths).") var input: String
        @Option(help: "Evaluate the input mesh's octrees at these depths (1…9), e.g. 5,6,7,8.") var depths: String?
        @Option(help: "Points sampled per surface / for IoU.") var samples = 100_000
        @Flag(help: "Print as JSON.") var json = false

        func validate() throws {
            guard samples >= 1000 else { throw ValidationError("--samples must be at least 1000") }
            if depths != nil { _ = try depthList() }
        }

        func depthList() throws -> [Int] { try OctreeCommand.depthList(depths ?? "", option: "--depths") }

        func run() throws {
            if depths != nil {
                var job = OctreeEvalJob(input: input, depths: try depthList())
                job.samples = samples
                try job.run().emit(json: json)
            } else {
                try OctreeStatsJob(input: input).run().emit(json: json)
            }
        }
    }
}
