import ArgumentParser

// Placeholder until its issue lands: registered so the command tree compiles.
struct BenchNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "nn", abstract: "Neural core benchmark (not built yet)")
    func run() throws { throw ValidationError("'nn' is not built yet") }
}
