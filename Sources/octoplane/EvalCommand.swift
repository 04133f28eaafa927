import ArgumentParser

// Placeholder until its issue lands: registered so the command tree compiles.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval", abstract: "Reconstruction metrics (not built yet)")
    func run() throws { throw ValidationError("'eval' is not built yet") }
}
