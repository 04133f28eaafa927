import ArgumentParser
import Pipeline

/// `octoplane info MESH [--json]`: counts, bounds, topology and what loading dropped.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Mesh statistics: counts, bounds, watertightness, components, Euler characteristic, dropped faces.")

    @Argument(help: "A mesh file in any format assimp reads (OBJ, PLY, STL, OFF, glTF/GLB, DAE, 3DS, FBX, …).")
    var mesh: String

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        try InfoJob(path: mesh).run().emit(json: json)
    }
}
