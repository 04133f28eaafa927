import ArgumentParser
import Geometry
import Pipeline

/// `octoplane normalize IN OUT --convention onet|nfd|sphere [--padding P] [--json]`.
struct NormalizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "normalize",
        abstract: "Normalize a mesh (ONet, NFD or unit sphere) and print the transform that maps results back.")

    enum Convention: String, ExpressibleByArgument, CaseIterable { case onet, nfd, sphere }

    @Argument(help: "Input mesh (any format assimp reads).")
    var input: String
    @Argument(help: "Output mesh: .obj or binary .ply, chosen by extension.")
    var output: String
    @Option(help: "onet: bbox centre, longest edge → 1 − padding; nfd: longest side spans [-1, 1]; sphere: farthest vertex at distance 1.")
    var convention: Convention
    @Option(help: "ONet padding in [0, 1) (the longest edge becomes 1 − padding).")
    var padding: Float?
    @Flag(help: "Print the result as JSON.")
    var json = false

    func validate() throws {
        if padding != nil && convention != .onet { throw ValidationError("--padding applies to --convention onet only") }
        if let p = padding, !(p >= 0 && p < 1) { throw ValidationError("--padding must lie in [0, 1)") }
    }

    func run() throws {
        let c: NormalizationConvention
        switch convention {
        case .onet: c = .onet(padding: padding ?? 0)
        case .nfd: c = .nfd
        case .sphere: c = .unitSphere
        }
        try NormalizeJob(input: input, output: output, convention: c).run().emit(json: json)
    }
}
