import ArgumentParser
import Foundation
import Pipeline

/// `octoplane demo`: the end-to-end run on the bundled data (see `Pipeline.DemoJob`).
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "End-to-end demo: synthesize a small ShapeNet-style collection, reconstruct it three ways, score and render it.",
        discussion: "Writes PNG sheets, OBJ meshes, report.md and metrics.json under OUT/demo (and OUT/assets.png); new shapes from the shipped generator under OUT/generated.")

    @Option(name: .shortAndLong, help: "Output folder.") var out = "Renders"
    @Option(help: "Folder of bundled meshes to render first.") var assets = "Assets/meshes"
    @Option(help: "Use this ShapeNet v1/v2 tree instead of synthesizing one.") var data: String?
    @Option(help: "Comma-separated categories (names or synset ids).") var categories: String?
    @Option(help: "Shapes per category.") var perCategory = 2
    @Option(help: "Seed of the synthesized collection.") var seed: UInt64 = 2026
    @Option(help: "Marching-cubes lattice points per axis (2^k + 1).") var resolution = 129
    @Option(help: "Depth of the dual UDF octree.") var dualDepth = 7
    @Option(help: "Depth of the surface octree.") var octreeDepth = 7
    @Option(help: "Surface points per side for the metrics.") var points = 100_000
    @Option(help: "New shapes per category from the shipped generator (0: none).") var generate = 8

    func validate() throws {
        guard perCategory >= 1 else { throw ValidationError("--per-category must be ≥ 1") }
        guard resolution >= 3 else { throw ValidationError("--resolution must be ≥ 3") }
        guard (2...9).contains(dualDepth), (1...10).contains(octreeDepth) else {
            throw ValidationError("--dual-depth must be in 2…9 and --octree-depth in 1…10")
        }
        guard generate >= 0 && generate != 1 else { throw ValidationError("--generate must be 0 or ≥ 2") }
        guard points >= 1000 else { throw ValidationError("--points must be ≥ 1000") }
    }

    func run() throws {
        var o = DemoJob()
        o.output = out; o.assets = assets; o.dataRoot = data
        o.categories = categories.map { $0.split(separator: ",").map(String.init) }
        o.perCategory = perCategory; o.seed = seed; o.resolution = resolution
        o.dualDepth = dualDepth; o.octreeDepth = octreeDepth; o.metricPoints = points; o.generatePerCategory = generate
        _ = try o.run()
    }
}
