import ArgumentParser
import Pipeline

/// The `octoplane` executable: argument parsing only; the work lives in the `Pipeline` module.
/// Each subcommand has its own file, named after it.
@main
struct Octoplane: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "octoplane",
        abstract: "Meshes to neural fields (triplanes, octrees) and back, on the CPU.",
        version: OctoplaneVersion.string,
        subcommands: [
            DemoCommand.self,
            InfoCommand.self, NormalizeCommand.self, RenderCommand.self,
            SynthCommand.self,
            SampleCommand.self, ConvertCommand.self,
            ExtractCommand.self, EvalCommand.self, EvalSetCommand.self,
            OctreeCommand.self,
            TriplaneCommand.self,
            TrainCommand.self, GenerateCommand.self, EvalGeneratorCommand.self, WeightsCommand.self,
            RegressCommand.self,
            BenchCommand.self,
        ]
    )

    /// Parses the command line with negative numbers attached to their options (`NegativeNumbers`).
    static func main() {
        main(NegativeNumbers.rewrite(Array(CommandLine.arguments.dropFirst())))
    }
}

extension JobReport {
    /// Prints the report: JSON (`JSONOutput`, NaN-safe) or its text lines.
    func emit(json: Bool) { print(json ? self.json : text) }
}
