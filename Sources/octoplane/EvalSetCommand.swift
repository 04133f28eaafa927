import ArgumentParser
import Pipeline

/// `octoplane eval-set GENERATED_DIR REFERENCE_DIR [--json] [--points N] [--seed S]`.
struct EvalSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-set",
        abstract: "Generation metrics (PointFlow): MMD-CD, COV-CD, 1-NNA-CD over two folders of shapes.",
        discussion: "Each folder holds meshes and/or (N, 3) .npy clouds; shapes are compared in their own frame.")

    @Argument(help: "Folder of generated shapes.")
    var generated: String
    @Argument(help: "Folder of reference shapes.")
    var reference: String
    @Option(help: "Points per shape.")
    var points = 2048
    @Option(help: "Random seed (same seed, same numbers).")
    var seed: UInt64 = 0
    @Flag(help: "Sample meshes only on the boundary of their solid (drop faces hidden inside other parts).")
    var solidSurface = false
    @Flag(help: "Print JSON instead of a table.")
    var json = false
    @Flag(help: "No progress line on stderr.")
    var quiet = false

    func validate() throws {
        if points < 1 { throw ValidationError("--points must be ≥ 1") }
    }

    func run() throws {
        var o = EvalSetOptions()
        o.pointsPerShape = points; o.seed = seed; o.progress = !quiet; o.solidSurface = solidSurface
        try EvalSetJob(generated: generated, reference: reference, options: o).run().emit(json: json)
    }
}
