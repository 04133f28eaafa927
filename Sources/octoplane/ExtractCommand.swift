import ArgumentParser
import Geometry
import Pipeline

/// `octoplane extract FIELD.npy -o OUT.obj [--level L] [--method mc|udf|dual] [--bounds …] [--inside-lower] [--json]`.
struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Extract a mesh from a dense grid (.npy, float32/float64, shape (nx, ny, nz), C order).",
        discussion: """
        Grid point [i, j, k] sits at bounds.min + (i, j, k)·(bounds.max − bounds.min)/(n − 1).
        mc: marching cubes at --level, topologically consistent on ambiguous faces, outward normals.
        udf: the grid read as an unsigned distance |value − level| (UDF or SDF grids, open or closed
        surfaces): gradient votes per grid edge, pseudo-signs per cell, marching cubes (MeshUDF).
        dual: the former name of udf, same extractor.
        mc: all-inside or all-outside grids write an empty mesh; udf: all-zero or all-far grids are errors.
        """)

    enum Method: String, ExpressibleByArgument, CaseIterable { case mc, udf, dual }

    @Argument(help: "Input grid (.npy).")
    var field: String
    @Option(name: .shortAndLong, help: "Output mesh: .obj or binary .ply, by extension.")
    var output: String
    @Option(help: "Iso level (0 for logits and SDFs, 0.5 for occupancy probabilities).")
    var level: Float = 0
    @Option(help: "mc, udf, or dual (= udf).")
    var method: Method = .mc
    @Option(parsing: .upToNextOption, help: "World box spanned by the grid: xmin ymin zmin xmax ymax zmax (default -0.5 … 0.5).")
    var bounds: [Float] = []
    @Flag(help: "Inside is where value ≤ level (signed distances); default: inside is value ≥ level (occupancy, logits).")
    var insideLower = false
    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if !bounds.isEmpty {
            guard bounds.count == 6 else { throw ValidationError("--bounds takes 6 numbers: xmin ymin zmin xmax ymax zmax") }
            guard bounds.allSatisfy(\.isFinite), bounds[0] < bounds[3], bounds[1] < bounds[4], bounds[2] < bounds[5] else {
                throw ValidationError("--bounds must be finite with min < max on every axis")
            }
        }
        guard level.isFinite else { throw ValidationError("--level must be a finite number") }
    }

    func run() throws {
        let box = bounds.isEmpty ? AABB.cube(halfSize: 0.5)
            : AABB(min: Vec3(bounds[0], bounds[1], bounds[2]), max: Vec3(bounds[3], bounds[4], bounds[5]))
        var job = ExtractJob(input: field, output: output)
        job.level = level; job.bounds = box; job.insideLower = insideLower
        switch method {
        case .mc: job.method = .mc
        case .udf: job.method = .udf
        case .dual: job.method = .dual
        }
        try job.run().emit(json: json)
    }
}
