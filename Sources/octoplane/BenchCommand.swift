import ArgumentParser

/// `octoplane bench …`: the built-in benchmarks (release build). Each stage adds a subcommand,
/// each in its own file (`BenchRenderCommand.swift`, …). Tables by default, `--json` for scripts.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Built-in benchmarks (build with -c release).",
        subcommands: [BenchRenderCommand.self, BenchQueriesCommand.self, BenchMCCommand.self, BenchNNCommand.self, BenchChamferCommand.self, BenchDiffusionCommand.self]
    )
}
