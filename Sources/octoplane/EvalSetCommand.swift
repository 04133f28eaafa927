import ArgumentParser

// Placeholder until its issue lands: registered so the command tree compiles.
struct EvalSetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "eval-set", abstract: "Generation metrics (not built yet)")
    func run() throws { throw ValidationError("'eval-set' is not built yet") }
}
